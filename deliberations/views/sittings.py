"""Pages of sittings: the list, the forms, the sitting's page with its agenda, its actions."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from core import confirmation, tenancy
from core.confirmation import Confirmation
from core.errors import DomainError
from core.roles import Capability
from deliberations import forms, rules, selectors, services
from deliberations.models import Deliberation, DeliberationState, Sitting, SittingKind, SittingState
from deliberations.views._common import (
    error_text,
    form_error,
    form_page,
    manageable_assemblies,
    people_of,
    posted_date,
    sitting_state_class,
    state_class,
)
from deliberations.views.convocations import convocations_card


@login_required
@require_safe
def sitting_list(request: HttpRequest) -> HttpResponse:
    # The filter's menu lists the user's assemblies, whose names the rows print: read once,
    # they also scope the sittings (no query of assembly ids, no assembly or organization
    # joined to the rows).
    assemblies = {
        pk: (name, short_name or organization)
        for pk, name, short_name, organization in selectors.assemblies_for(request.user)
        .select_related(None)
        .values_list("pk", "name", "organization__short_name", "organization__name")
    }
    queryset = (
        selectors.sittings_for(request.user, assembly_ids=list(assemblies)).select_related(None).order_by("-starts_at")
    )
    assembly = request.GET.get("assemblee", "")
    if assembly.isdigit():
        queryset = queryset.filter(assembly_id=int(assembly))
    year = request.GET.get("annee", "")
    if year.isdigit():
        queryset = queryset.filter(starts_at__year=int(year))
    # Only the columns the table prints, as values.
    fields = ("id", "starts_at", "reconvened_from_id", "kind", "state", "assembly_id", "item_count")
    page = Paginator(queryset.values(*fields), 25).get_page(request.GET.get("page"))
    kinds = {value: str(label) for value, label in SittingKind.choices}
    states = {value: str(label) for value, label in SittingState.choices}
    rows = []
    for sitting in page:
        assembly_name, organization_name = assemblies[sitting["assembly_id"]]
        rows.append(
            {
                "id": sitting["id"],
                "starts_at": sitting["starts_at"],
                "reconvened": sitting["reconvened_from_id"] is not None,
                "assembly": assembly_name,
                "organization": organization_name,
                "kind": kinds.get(sitting["kind"], sitting["kind"]),
                "item_count": sitting["item_count"],
                "state_class": sitting_state_class(sitting["state"]),
                "state_label": states.get(sitting["state"], sitting["state"]),
            }
        )
    return render(
        request,
        "pages/deliberations/sitting_list.jinja",
        {
            "page": page,
            "rows": rows,
            "assemblies": [(str(pk), f"{name} — {organization}") for pk, (name, organization) in assemblies.items()],
            "assembly": assembly,
            "year": year,
            "can_add": bool(tenancy.organizations_where(request.user, Capability.MANAGE_SITTINGS)),
        },
        using="pages",
    )


@login_required
def sitting_create(request: HttpRequest) -> HttpResponse:
    assemblies = manageable_assemblies(request.user)
    if not assemblies.exists():
        raise PermissionDenied(_("Votre rôle ne permet pas de préparer des séances."))
    form = forms.SittingForm(request.POST or None, assemblies=assemblies, people=people_of(assemblies))
    if request.method == "POST" and form.is_valid():
        try:
            sitting = services.create_sitting(user=request.user, **form.cleaned_data)
        except DomainError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("La séance est prévue."))
            return redirect(sitting)
    return form_page(request, form, _("Nouvelle séance"))


@login_required
def sitting_edit(request: HttpRequest, pk: int) -> HttpResponse:
    sitting = selectors.sitting_for(request.user, pk)
    tenancy.require(request.user, sitting.assembly.organization_id, Capability.MANAGE_SITTINGS)
    assemblies = selectors.assemblies_for(request.user).filter(pk=sitting.assembly_id)
    initial = {
        "assembly": sitting.assembly,
        "starts_at": timezone.localtime(sitting.starts_at),
        "kind": sitting.kind,
        "place": sitting.place,
        "president": sitting.president,
        "secretary": sitting.secretary,
        "notes": sitting.notes,
    }
    form = forms.SittingForm(request.POST or None, initial=initial, assemblies=assemblies, people=people_of(assemblies))
    form.fields["assembly"].disabled = True
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "assembly"}
        try:
            services.update_sitting(user=request.user, sitting=sitting, **data)
        except DomainError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("La séance est modifiée."))
            return redirect(sitting)
    return form_page(request, form, _("Modifier la séance"), back=sitting)


def agenda_rows(request: HttpRequest, sitting: Sitting) -> dict[str, Any]:
    """The context of ``deliberations/agenda_rows.jinja``: each agenda item with its attendance
    (counts, quorum), its state's badge and its result; whether the user may vote or reorder
    here. Also what the page prints of the attendance (``facts``)."""
    items, facts = selectors.agenda_and_facts(sitting)
    by_position = facts.replay([item.position for item in items])
    # ``get_state_display`` rebuilds and hashes the lazy choices at each call: once here.
    state_labels = {value: str(label) for value, label in DeliberationState.choices}
    quorum = {
        True: ("ok", _("atteint")),
        None: ("info", _("non requis")),
        False: ("danger", _("non atteint")),
    }
    organization_id = sitting.assembly.organization_id
    can_record = tenancy.can(request.user, organization_id, Capability.RECORD_VOTES)
    can_manage = tenancy.can(request.user, organization_id, Capability.MANAGE_SITTINGS)
    rows = []
    for item in items:
        attendance = by_position[item.position]
        vote = item.vote
        # The totals are labelled by the rows' template: "Pour 44 · Contre 0 · …".
        result = "" if vote is not None or item.state != DeliberationState.TAKEN_NOTE else _("prend acte")
        waived = item.quorum_waived_in_id == sitting.pk and sitting.reconvened_from_id is not None
        tone, label = quorum[True if attendance.has_quorum else (None if waived else False)]
        rows.append(
            {
                "item": item,
                "attendance": attendance,
                "on_agenda": item.state == DeliberationState.ON_AGENDA,
                "quorum_tone": tone,
                "quorum_label": label,
                "state_class": state_class(item.state),
                "state_label": state_labels.get(item.state, item.state),
                "vote": vote,
                "result": result,
            }
        )
    return {
        "sitting": sitting,
        "rows": rows,
        "facts": facts,
        "voting": sitting.state == SittingState.OPEN and can_record,
        "reordering": can_manage and sitting.state != SittingState.OPEN,
        "can_record": can_record,
        "can_manage": can_manage,
    }


def _sitting_context(request: HttpRequest, sitting: Sitting) -> dict[str, Any]:
    context = agenda_rows(request, sitting)
    facts = context["facts"]
    organization = sitting.assembly.organization
    clear_days = sitting.assembly.clear_days_override or rules.convocation_clear_days(
        population=organization.population, is_epci=organization.is_epci
    )
    opening = facts.at(None)
    return {
        **context,
        **convocations_card(sitting),
        "members_in_office": len(facts.members),
        "has_rows": bool(context["rows"]),
        "opening": opening,
        "recorded": len(facts.defaults),
        "latest_convocation": rules.latest_convocation_date(sitting.date, clear_days),
        "clear_days": clear_days,
        "list_deadline": rules.list_publication_deadline(sitting.date),
        "minutes_deadline": rules.minutes_publication_deadline(sitting.minutes_approved_on)
        if sitting.minutes_approved_on
        else None,
        "can_generate": tenancy.can(request.user, organization.pk, Capability.GENERATE_DOCUMENTS),
        "convene_form": forms.ConveneForm(initial={"convocation_date": timezone.localdate()}),
        "reconvene_form": forms.ReconveneForm(initial={"place": sitting.place}),
        "date_form": forms.DateForm(initial={"day": timezone.localdate()}),
        "states": SittingState,
        "confirmations": confirmations(),
        "document_kinds": [
            ("convocation", _("Produire la convocation")),
            ("deliberation_list", _("Produire la liste des délibérations")),
            ("minutes", _("Produire le procès-verbal")),
        ],
        "reconvened_sittings": list(sitting.reconvened_sittings.all()),
        "draft_items": Deliberation.objects.filter(
            assembly=sitting.assembly, state__in=[DeliberationState.DRAFT, DeliberationState.POSTPONED]
        ).order_by("-year", "-sequence")[:50]
        if sitting.state in (SittingState.PLANNED, SittingState.CONVENED, SittingState.OPEN)
        else [],
    }


@login_required
@require_safe
def sitting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    sitting = selectors.sitting_for(request.user, pk, page=True)
    return render(
        request, "pages/deliberations/sitting_detail.jinja", _sitting_context(request, sitting), using="pages"
    )


# What each button needs, checked before anything posted is read.
ACTION_CAPABILITIES: dict[str, Capability] = {
    "convoquer": Capability.MANAGE_SITTINGS,
    "ouvrir": Capability.RECORD_VOTES,
    "clore": Capability.RECORD_VOTES,
    "publier-liste": Capability.MANAGE_SITTINGS,
    "approuver-pv": Capability.MANAGE_SITTINGS,
    "publier-pv": Capability.MANAGE_SITTINGS,
    "reconvoquer": Capability.MANAGE_SITTINGS,
    "inscrire": Capability.MANAGE_SITTINGS,
    "tous-presents": Capability.RECORD_VOTES,
    "document": Capability.GENERATE_DOCUMENTS,
    "documents": Capability.GENERATE_DOCUMENTS,
}


def confirmations() -> dict[str, Confirmation]:
    """The buttons that cannot be undone, with what they do (asked before, checked here)."""
    return {
        "clore": Confirmation(
            title=_("Clore la séance ?"),
            consequence=_(
                "La séance sera close : plus aucun vote ni aucune présence ne pourra être saisi, et les points "
                "non examinés resteront sans décision. Le procès-verbal pourra ensuite être approuvé."
            ),
            button=_("Clore la séance"),
        ),
        "publier-pv": Confirmation(
            title=_("Publier le procès-verbal ?"),
            consequence=_(
                "La publication du procès-verbal sera enregistrée à la date indiquée ; elle ne pourra plus être "
                "modifiée ni retirée, et la séance ne pourra plus être modifiée."
            ),
            button=_("Publier le procès-verbal"),
        ),
    }


@login_required
@require_POST
def sitting_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """The buttons of a sitting's life: convene, open, close, publish the list, approve and
    publish the minutes, reconvene after a failed quorum, add an item to the agenda."""
    sitting = selectors.sitting_for(request.user, pk)
    user = request.user
    if action in ACTION_CAPABILITIES:
        tenancy.require(user, sitting.assembly.organization_id, ACTION_CAPABILITIES[action])
    asked = confirmations().get(action)
    if asked is not None and not confirmation.is_confirmed(request):
        return confirmation.refusal(request, asked, back=sitting.get_absolute_url())
    target: Any = sitting
    try:
        if action == "convoquer":
            form: Any = forms.ConveneForm(request.POST)
            if not form.is_valid():
                raise DomainError(_("Indiquez la date d'envoi de la convocation."), field="convocation_date")
            services.convene(user=user, sitting=sitting, **form.cleaned_data)
            done = _("La convocation est enregistrée.")
        elif action == "ouvrir":
            services.open_sitting(user=user, sitting=sitting)
            done = _("La séance est ouverte.")
        elif action == "clore":
            services.close_sitting(user=user, sitting=sitting)
            done = _("La séance est close.")
        elif action == "publier-liste":
            services.publish_list(user=user, sitting=sitting, published_on=posted_date(request))
            done = _("La publication de la liste des délibérations est enregistrée.")
        elif action == "approuver-pv":
            services.approve_minutes(user=user, sitting=sitting, approved_on=posted_date(request))
            done = _("Le procès-verbal est approuvé.")
        elif action == "publier-pv":
            services.publish_minutes(user=user, sitting=sitting, published_on=posted_date(request))
            done = _("Le procès-verbal est publié.")
        elif action == "reconvoquer":
            form = forms.ReconveneForm(request.POST)
            if not form.is_valid():
                raise DomainError(
                    _("Indiquez la date de la nouvelle séance et celle de la convocation."), field="starts_at"
                )
            target = services.reconvene(user=user, sitting=sitting, **form.cleaned_data)
            done = _("Le conseil est reconvoqué : la nouvelle séance délibérera sans condition de quorum.")
        elif action == "inscrire":
            item = selectors.deliberation_for(user, int(request.POST.get("deliberation", 0) or 0))
            services.put_on_agenda(user=user, deliberation=item, sitting=sitting)
            done = _("Le point est inscrit à l'ordre du jour.")
        elif action == "tous-presents":
            count = services.mark_unrecorded_present(user=user, sitting=sitting)
            done = _("%(count)s élu(s) marqué(s) présent(s).") % {"count": count}
            target = reverse("deliberations:attendance", args=[sitting.pk])
        elif action == "document":
            from deliberations.documents import generate_sitting_document

            generate_sitting_document(user=user, sitting=sitting, kind=request.POST.get("kind", ""))
            done = _("Le document est produit (PDF et DOCX).")
        elif action == "documents":
            target = _start_bundle(request, sitting)
            done = _("La production des documents de la séance est lancée.")
        else:
            raise DomainError(_("Action inconnue."))
    except DomainError as exc:
        messages.error(request, error_text(exc))
        return redirect(request.POST.get("next") or sitting.get_absolute_url())
    messages.success(request, done)
    return redirect(target)


def _start_bundle(request: HttpRequest, sitting: Sitting) -> Any:
    from deliberations.documents import start_sitting_bundle

    batch = start_sitting_bundle(user=request.user, sitting=sitting)
    return batch.get_absolute_url()
