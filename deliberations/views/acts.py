"""Pages of deliberations: the list, the forms, the act's page, its actions, its vote."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from core import confirmation, tenancy
from core.confirmation import Confirmation
from core.errors import DomainError
from core.roles import Capability
from deliberations import forms, rules, selectors, services
from deliberations.models import Deliberation, DeliberationState, Sitting, SittingState, VoteChoice
from deliberations.rules import ctes as ctes_rules
from deliberations.views._common import (
    error_text,
    form_error,
    form_page,
    manageable_assemblies,
    people_of,
    posted_date,
    state_class,
)
from deliberations.views.ctes import ctes_number, ctes_panel
from deliberations.views.sittings import agenda_rows
from deliberations.views.votes import members_at
from parties.models import Person


@login_required
@require_safe
def deliberation_list(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()
    year_text = request.GET.get("annee", "")
    subject = request.GET.get("matiere", "").strip()
    state = request.GET.get("etat", "")
    queryset = selectors.filter_deliberations(
        selectors.deliberations_for(request.user).order_by("-year", "-sequence"),
        q=q,
        year=int(year_text) if year_text.isdigit() else None,
        subject=subject,
        state=state if state in DeliberationState.values else "",
    )
    # Only the columns the table prints, as values (an act's report and operative part are long
    # texts).
    queryset = queryset.select_related(None)
    values = queryset.values("id", "number", "title", "subject_code", "state", "sitting__starts_at")
    page = Paginator(values, 25).get_page(request.GET.get("page"))
    labels = {value: str(label) for value, label in DeliberationState.choices}
    rows = [
        {
            "id": d["id"],
            "number": d["number"],
            "title": d["title"],
            "sitting_starts_at": d["sitting__starts_at"],
            "subject_code": d["subject_code"],
            "state_class": state_class(d["state"]),
            "state_label": labels.get(d["state"], d["state"]),
        }
        for d in page
    ]
    return render(
        request,
        "pages/deliberations/deliberation_list.jinja",
        {
            "page": page,
            "rows": rows,
            "q": q,
            "year": year_text,
            "subject": subject,
            "state": state,
            "states": DeliberationState.choices,
            "can_add": bool(tenancy.organizations_where(request.user, Capability.MANAGE_SITTINGS)),
        },
        using="pages",
    )


@login_required
def deliberation_create(request: HttpRequest) -> HttpResponse:
    assemblies = manageable_assemblies(request.user)
    if not assemblies.exists():
        raise PermissionDenied(_("Votre rôle ne permet pas de préparer des délibérations."))
    sittings = Sitting.objects.filter(
        assembly__in=assemblies, state__in=[SittingState.PLANNED, SittingState.CONVENED, SittingState.OPEN]
    ).select_related("assembly")
    initial: dict[str, Any] = {"sitting": request.GET.get("seance"), "kind": "vote", "requires_transmission": True}
    if request.GET.get("seance", "").isdigit():
        chosen = sittings.filter(pk=int(request.GET["seance"])).first()
        if chosen:
            initial["assembly"] = chosen.assembly_id
    form = forms.NewDeliberationForm(
        request.POST or None, initial=initial, assemblies=assemblies, sittings=sittings, people=people_of(assemblies)
    )
    if request.method == "POST" and form.is_valid():
        try:
            deliberation = services.create_deliberation(user=request.user, **form.cleaned_data)
        except DomainError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("La délibération n° %(number)s est créée.") % {"number": deliberation.number})
            return redirect(deliberation)
    return form_page(request, form, _("Nouvelle délibération"))


@login_required
def deliberation_edit(request: HttpRequest, pk: int) -> HttpResponse:
    deliberation = selectors.deliberation_for(request.user, pk)
    tenancy.require(request.user, deliberation.assembly.organization_id, Capability.MANAGE_SITTINGS)
    people = Person.objects.filter(organization_id=deliberation.assembly.organization_id)
    fields = (
        "title",
        "kind",
        "theme",
        "subject_code",
        "rapporteur",
        "report",
        "operative_part",
        "requires_transmission",
    )
    form = forms.DeliberationForm(
        request.POST or None, initial={f: getattr(deliberation, f) for f in fields}, people=people
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_deliberation(user=request.user, deliberation=deliberation, **form.cleaned_data)
        except DomainError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("La délibération est modifiée."))
            return redirect(deliberation)
    return form_page(
        request, form, _("Modifier la délibération n° %(n)s") % {"n": deliberation.number}, back=deliberation
    )


def _ballots(deliberation: Deliberation) -> list[dict[str, str]]:
    """Each member's vote, by name (up to 240 ballots)."""
    labels = {value: str(label) for value, label in VoteChoice.choices}
    return [
        {
            "name": ballot.person.full_name,
            "choice": labels.get(ballot.choice, ballot.choice),
            "by": ballot.cast_by.full_name if ballot.cast_by else "",
        }
        for ballot in selectors.ballots_of(deliberation)
    ]


@login_required
@require_safe
def deliberation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    deliberation = selectors.deliberation_for(request.user, pk, page=True)
    organization_id = deliberation.assembly.organization_id
    attendance = None
    names: dict[int, str] = {}
    if deliberation.sitting_id and deliberation.position:
        # The item's attendance and the members' names as plain values.
        facts = selectors.item_facts(
            deliberation.sitting,  # type: ignore[arg-type]
            deliberation.position,
            names=True,
        )
        attendance = facts.at(deliberation.position)
        names = facts.names
    transmission = getattr(deliberation, "transmission", None)
    vote = getattr(deliberation, "vote", None)
    ballots = _ballots(deliberation) if vote else []
    return render(
        request,
        "pages/deliberations/deliberation_detail.jinja",
        {
            "deliberation": deliberation,
            "attendance": attendance,
            "present_names": sorted(names[p] for p in attendance.present_ids) if attendance else [],
            "represented_names": [(names[g], names[h]) for g, h in attendance.represented.items()]
            if attendance
            else [],
            "vote": vote,
            "ballots": ballots,
            "transmission": transmission,
            "annexes": list(deliberation.annexes.all()),
            "conventions": list(deliberation.approved_conventions.all()),  # type: ignore[attr-defined]
            "recours_end": rules.recours_end(deliberation.published_on) if deliberation.published_on else None,
            "can_manage": tenancy.can(request.user, organization_id, Capability.MANAGE_SITTINGS),
            "can_record": tenancy.can(request.user, organization_id, Capability.RECORD_VOTES),
            "can_sign": tenancy.can(request.user, organization_id, Capability.SIGN_DOCUMENTS),
            "can_generate": tenancy.can(request.user, organization_id, Capability.GENERATE_DOCUMENTS),
            "sign_form": forms.SignForm(organization_id=organization_id, initial={"signed_on": timezone.localdate()}),
            "transmission_form": forms.TransmissionForm(
                initial={
                    "sent_on": timezone.localdate(),
                    "internal_number": ctes_number(deliberation.number),
                }
            ),
            "ack_form": forms.AcknowledgementForm(),
            "date_form": forms.DateForm(initial={"day": timezone.localdate()}),
            "annex_form": forms.AnnexForm(),
            "ack_file_form": forms.AcknowledgementFileForm(),
            **ctes_panel(deliberation, nature=request.GET.get("nature", "")),
            "states": DeliberationState,
            "confirmations": confirmations(),
        },
        using="pages",
    )


# What each button needs, checked before anything posted is read: a role that may not act
# gets 403 whatever it posts (the services check again; the extract's generation relies on it).
ACTION_CAPABILITIES: dict[str, Capability] = {
    "retirer": Capability.MANAGE_SITTINGS,
    "reporter": Capability.MANAGE_SITTINGS,
    "retirer-odj": Capability.MANAGE_SITTINGS,
    "monter": Capability.MANAGE_SITTINGS,
    "descendre": Capability.MANAGE_SITTINGS,
    "presidence": Capability.RECORD_VOTES,
    "prendre-acte": Capability.RECORD_VOTES,
    "annuler-vote": Capability.RECORD_VOTES,
    "signer": Capability.SIGN_DOCUMENTS,
    "transmettre": Capability.MANAGE_SITTINGS,
    "accuse": Capability.MANAGE_SITTINGS,
    "publier": Capability.MANAGE_SITTINGS,
    "annexe": Capability.MANAGE_SITTINGS,
    "retirer-annexe": Capability.MANAGE_SITTINGS,
    "annexe-modifier": Capability.MANAGE_SITTINGS,
    "accuse-fichier": Capability.MANAGE_SITTINGS,
    "extrait": Capability.GENERATE_DOCUMENTS,
}


def confirmations() -> dict[str, Confirmation]:
    """The buttons that cannot be undone, with what they do (asked before, checked here)."""
    return {
        "annuler-vote": Confirmation(
            title=_("Annuler le vote ?"),
            consequence=_(
                "Le résultat et les votes nominatifs de ce point seront effacés ; le point reviendra à l'ordre du "
                "jour pour être examiné et voté à nouveau. L'annulation et son motif restent dans l'historique."
            ),
            button=_("Annuler le vote"),
        ),
        "retirer": Confirmation(
            title=_("Retirer ce projet ?"),
            consequence=_(
                "Le projet sera retiré définitivement : il quittera l'ordre du jour et ne pourra plus être inscrit "
                "ni voté. Pour l'examiner plus tard, reportez-le plutôt."
            ),
            button=_("Retirer le projet"),
        ),
        "retirer-annexe": Confirmation(
            title=_("Retirer cette annexe ?"),
            consequence=_(
                "Le fichier sera supprimé des annexes de la délibération ; il ne figurera plus dans ses documents "
                "ni dans sa prochaine transmission. Pour le remettre, il faudra le déposer à nouveau."
            ),
            button=_("Retirer l'annexe"),
        ),
    }


@login_required
@require_POST
def deliberation_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """The buttons of a deliberation's life: withdraw, postpone, take note, reopen, sign,
    transmit, record the acknowledgement, publish, add an annex, generate its extract."""
    deliberation = selectors.deliberation_for(request.user, pk)
    if action in ACTION_CAPABILITIES:
        tenancy.require(request.user, deliberation.assembly.organization_id, ACTION_CAPABILITIES[action])
    asked = confirmations().get(action)
    if asked is not None and not confirmation.is_confirmed(request):
        return confirmation.refusal(request, asked, back=deliberation.get_absolute_url())
    if action in ("monter", "descendre") and request.htmx and deliberation.sitting_id:  # type: ignore[attr-defined]
        return _reorder(request, deliberation, action)
    user = request.user
    target: Any = deliberation
    try:
        if action == "retirer":
            services.withdraw(user=user, deliberation=deliberation, reason=request.POST.get("reason", ""))
            done = _("Le point est retiré.")
        elif action == "reporter":
            services.postpone(user=user, deliberation=deliberation, reason=request.POST.get("reason", ""))
            done = _("Le point est reporté.")
        elif action == "retirer-odj":
            services.remove_from_agenda(user=user, deliberation=deliberation)
            done = _("Le point est retiré de l'ordre du jour.")
        elif action == "monter" or action == "descendre":
            services.move_item(
                user=user,
                deliberation=deliberation,
                position=(deliberation.position or 1) + (-1 if action == "monter" else 1),
            )
            done = _("L'ordre du jour est modifié.")
            target = deliberation.sitting
        elif action == "presidence":
            members = members_at(deliberation)
            chair = forms.ChairForm(request.POST, people=[(p.pk, p.full_name) for p in members])
            if not chair.is_valid():
                raise DomainError(_("Choisissez un membre en exercice."), rule=rules.RULE_CHAIR, field="presided_by")
            chosen = chair.cleaned_data["presided_by"]
            services.set_item_chair(
                user=user,
                deliberation=deliberation,
                person=next((p for p in members if p.pk == chosen), None),
                reason=chair.cleaned_data["reason"],
            )
            done = _("La présidence du point est enregistrée.")
        elif action == "prendre-acte":
            services.take_note(user=user, deliberation=deliberation)
            done = _("Le conseil prend acte.")
        elif action == "annuler-vote":
            services.reopen_item(user=user, deliberation=deliberation, reason=request.POST.get("reason", ""))
            done = _("Le vote est annulé ; le point peut être examiné à nouveau.")
        elif action == "signer":
            form: Any = forms.SignForm(request.POST, organization_id=deliberation.assembly.organization_id)
            if not form.is_valid():
                raise DomainError(_("Indiquez la date de signature."), field="signed_on")
            services.sign(user=user, deliberation=deliberation, **form.cleaned_data)
            done = _("L'acte est signé.")
        elif action == "transmettre":
            form = forms.TransmissionForm(request.POST)
            if not form.is_valid():
                raise DomainError(_("Indiquez au moins la nature et la date d'envoi."), field="sent_on")
            services.record_transmission(user=user, deliberation=deliberation, **form.cleaned_data)
            done = _("La transmission en préfecture est enregistrée.")
        elif action == "accuse":
            form = forms.AcknowledgementForm(request.POST)
            if not form.is_valid():
                raise DomainError(_("Indiquez la date de réception et l'identifiant de l'accusé."), field="received_on")
            services.record_acknowledgement(user=user, deliberation=deliberation, **form.cleaned_data)
            done = _("L'accusé de réception est enregistré.")
        elif action == "publier":
            services.publish(user=user, deliberation=deliberation, published_on=posted_date(request))
            done = _("La publication est enregistrée.")
        elif action == "annexe":
            form = forms.AnnexForm(request.POST, request.FILES)
            if not form.is_valid():
                raise DomainError(_("Choisissez un fichier."), field="file")
            services.add_annex(
                user=user,
                deliberation=deliberation,
                upload=form.cleaned_data["file"],
                title=form.cleaned_data["title"],
                type_code=form.cleaned_data["type_code"] or ctes_rules.DEFAULT_ANNEX_TYPE,
                transmitted=form.cleaned_data["transmitted"],
            )
            done = _("L'annexe est ajoutée.")
        elif action == "annexe-modifier":
            annex = selectors.get_or_404(deliberation.annexes.all(), pk=int(request.POST.get("annex", 0) or 0))
            form = forms.AnnexTypeForm(request.POST)
            if not form.is_valid():
                raise DomainError(
                    _("Choisissez le type de la pièce dans la liste."), rule=ctes_rules.RULE_TYPOLOGY, field="type_code"
                )
            services.update_annex(
                user=user,
                annex=annex,
                type_code=form.cleaned_data["type_code"],
                transmitted=form.cleaned_data["transmitted"],
            )
            done = _("L'annexe est modifiée.")
        elif action == "accuse-fichier":
            form = forms.AcknowledgementFileForm(request.POST, request.FILES)
            if not form.is_valid():
                raise DomainError(
                    _("Choisissez le fichier de l'accusé de réception (XML ARActe ou PDF tamponné)."), field="file"
                )
            upload = form.cleaned_data["file"]
            services.import_acknowledgement(
                user=user,
                deliberation=deliberation,
                data=upload.read(),
                filename=upload.name or "",
                received_on=form.cleaned_data["received_on"],
            )
            done = _("L'accusé de réception est enregistré.")
        elif action == "retirer-annexe":
            annex = selectors.get_or_404(deliberation.annexes.all(), pk=int(request.POST.get("annex", 0) or 0))
            services.remove_annex(user=user, annex=annex)
            done = _("L'annexe est retirée.")
        elif action == "extrait":
            from deliberations.documents import generate_extract

            generate_extract(user=user, deliberation=deliberation)
            done = _("L'extrait est produit (PDF et DOCX).")
        else:
            raise DomainError(_("Action inconnue."))
    except DomainError as exc:
        messages.error(request, error_text(exc))
        return redirect(request.POST.get("next") or deliberation.get_absolute_url())
    messages.success(request, done)
    return redirect(request.POST.get("next") or target)


def _reorder(request: HttpRequest, deliberation: Deliberation, action: str) -> HttpResponse:
    """HTMX: an item moved up or down the agenda; answers the agenda's rows in their new
    order, swapped in place of the old ones (a refusal reloads the page, which shows it)."""
    try:
        services.move_item(
            user=request.user,
            deliberation=deliberation,
            position=(deliberation.position or 1) + (-1 if action == "monter" else 1),
        )
    except DomainError as exc:
        messages.error(request, error_text(exc))
        return HttpResponse(headers={"HX-Refresh": "true"})
    sitting = selectors.sitting_for(request.user, deliberation.sitting_id, people=False)  # type: ignore[arg-type]
    context = agenda_rows(request, sitting)
    return HttpResponse(render_to_string("deliberations/agenda_rows.jinja", context, request=request))
