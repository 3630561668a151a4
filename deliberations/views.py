"""Pages of sittings and deliberations. Thin: a form, one service or selector, a template."""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core import tenancy
from core.errors import DomainError
from core.fragments import csrf_input, render_fragment
from core.pagination import window_page
from core.roles import Capability
from core.widgets import QuickSelect
from deliberations import forms, rules, selectors, services
from deliberations.models import (
    AFTER_SIGNATURE_STATES,
    DECIDED_STATES,
    Deliberation,
    DeliberationState,
    Presence,
    Proxy,
    Sitting,
    SittingKind,
    SittingState,
    VoteChoice,
)
from deliberations.services import BallotInput
from parties.models import Organization, Person

GRID_COLUMNS = 30


def _error_text(exc: DomainError) -> str:
    return f"{exc.message} — {_('règle')} : {exc.rule}" if exc.rule else exc.message


def _attempt(request: HttpRequest, action: Callable[[], Any], success: str) -> bool:
    """Run a service; show its refusal as a message naming the rule."""
    try:
        action()
    except DomainError as exc:
        messages.error(request, _error_text(exc))
        return False
    messages.success(request, success)
    return True


def _form_error(form: Any, exc: DomainError) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, _error_text(exc))


def _form_page(request: HttpRequest, form: Any, title: str, back: Any = None) -> HttpResponse:
    """A page of one form, with a way back to ``back``'s page when there is one."""
    return render(
        request, "pages/deliberations/form.jinja", {"form": form, "title": title, "back": back}, using="pages"
    )


def _manageable_assemblies(user: Any) -> QuerySet[Any]:
    return selectors.assemblies_for(user).filter(
        organization__in=tenancy.organizations_where(user, Capability.MANAGE_SITTINGS)
    )


# --- Assemblies -------------------------------------------------------------------------------


@login_required
def assembly_list(request: HttpRequest) -> HttpResponse:
    assemblies = selectors.assemblies_for(request.user).select_related("numbering_rule")
    can_add = bool(tenancy.organizations_where(request.user, Capability.MANAGE_SITTINGS))
    return render(
        request,
        "pages/deliberations/assembly_list.jinja",
        {"assemblies": assemblies, "can_add": can_add},
        using="pages",
    )


@login_required
def assembly_create(request: HttpRequest) -> HttpResponse:
    org_ids = tenancy.organizations_where(request.user, Capability.MANAGE_SITTINGS)
    if not org_ids:
        raise PermissionDenied(_("Votre rôle ne permet pas de créer une assemblée."))
    organizations = [(o.pk, o.name) for o in Organization.objects.filter(pk__in=org_ids)]
    form = forms.AssemblyForm(request.POST or None, organizations=organizations)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        organization = Organization.objects.get(pk=data.pop("organization"))
        try:
            assembly = services.create_assembly(user=request.user, organization=organization, **data)
        except DomainError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("L'assemblée est créée."))
            return redirect(assembly)
    return _form_page(request, form, _("Nouvelle assemblée"))


def _add_mandate(user: Any, assembly: Any, data: dict[str, Any]) -> Any:
    common = {k: data[k] for k in ("role", "function", "start_date", "end_date")}
    if data.get("person"):
        return services.add_mandate(user=user, assembly=assembly, person=data["person"], **common)
    return services.add_member(
        user=user,
        assembly=assembly,
        first_name=data["first_name"],
        last_name=data["last_name"],
        civility=data.get("civility") or "",
        **common,
    )


@login_required
def assembly_detail(request: HttpRequest, pk: int) -> HttpResponse:
    assembly = selectors.assembly_for(request.user, pk)
    can_manage = tenancy.can(request.user, assembly.organization_id, Capability.MANAGE_SITTINGS)
    form = forms.MandateForm(request.POST or None, assembly=assembly)
    if request.method == "POST":
        tenancy.require(request.user, assembly.organization_id, Capability.MANAGE_SITTINGS)
        if form.is_valid():
            try:
                _add_mandate(request.user, assembly, form.cleaned_data)
            except DomainError as exc:
                _form_error(form, exc)
            else:
                messages.success(request, _("Le mandat est enregistré."))
                return redirect(assembly)
    today = timezone.localdate()
    on_form = forms.DateForm({"day": request.GET.get("au")} if request.GET.get("au") else None)
    on = on_form.cleaned_data["day"] if on_form.is_bound and on_form.is_valid() else today
    if not on_form.is_bound:
        on_form = forms.DateForm(initial={"day": today})
    page = Paginator(selectors.mandates_of(assembly), 100).get_page(request.GET.get("page"))
    return render(
        request,
        "pages/deliberations/assembly_detail.jinja",
        {
            "assembly": assembly,
            "page": page,
            "in_office": selectors.members_count(assembly, today),
            "today": today,
            "on": on,
            "on_form": on_form,
            "members": selectors.members_in_office(assembly, on),
            "form": form,
            "can_manage": can_manage,
        },
        using="pages",
    )


@login_required
def assembly_numbering(request: HttpRequest, pk: int) -> HttpResponse:
    assembly = selectors.assembly_for(request.user, pk)
    tenancy.require(request.user, assembly.organization_id, Capability.MANAGE_SITTINGS)
    rule = getattr(assembly, "numbering_rule", None)
    initial = {
        "pattern": rule.pattern if rule else "{year}-{seq:03}",
        "yearly_reset": rule.yearly_reset if rule else True,
    }
    form = forms.NumberingForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.set_numbering_rule(user=request.user, assembly=assembly, **form.cleaned_data)
        except DomainError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("La règle de numérotation est modifiée."))
            return redirect(assembly)
    title = _("Numérotation — %(name)s") % {"name": assembly.name}
    return _form_page(request, form, title, back=assembly)


@login_required
def assembly_wording(request: HttpRequest, pk: int) -> HttpResponse:
    assembly = selectors.assembly_for(request.user, pk)
    tenancy.require(request.user, assembly.organization_id, Capability.MANAGE_SITTINGS)
    form = forms.WordingForm(request.POST or None, initial={f: getattr(assembly, f) for f in services.WORDING_FIELDS})
    if request.method == "POST" and form.is_valid():
        try:
            services.update_wording(user=request.user, assembly=assembly, **form.cleaned_data)
        except DomainError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Les formules des documents sont modifiées."))
            return redirect(assembly)
    title = _("Formules des documents — %(name)s") % {"name": assembly.name}
    return _form_page(request, form, title, back=assembly)


@login_required
def mandate_end(request: HttpRequest, pk: int, mandate_id: int) -> HttpResponse:
    assembly = selectors.assembly_for(request.user, pk)
    mandate = selectors.get_or_404(selectors.mandates_of(assembly), pk=mandate_id)
    tenancy.require(request.user, assembly.organization_id, Capability.MANAGE_SITTINGS)
    form = forms.EndMandateForm(request.POST or None, initial={"end_date": mandate.end_date or timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.end_mandate(user=request.user, mandate=mandate, end_date=form.cleaned_data["end_date"])
        except DomainError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("La fin du mandat est enregistrée."))
            return redirect(assembly)
    title = _("Fin du mandat de %(name)s") % {"name": mandate.person.full_name}
    return _form_page(request, form, title, back=assembly)


# --- Sittings ---------------------------------------------------------------------------------


@login_required
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
    # Only the columns the table prints, as values; the page, its count and the header's badge
    # in one round trip.
    fields = ("id", "starts_at", "reconvened_from_id", "kind", "state", "assembly_id", "item_count")
    page = Paginator(queryset.values(*fields), 25).get_page(request.GET.get("page"))
    # What a row prints is read here once: the template writes plain values (no URL
    # reversed, no relation followed, no include per row).
    url = reverse("deliberations:sitting_detail", args=[_URL_PK])
    kinds = {value: str(label) for value, label in SittingKind.choices}
    states = {value: str(label) for value, label in SittingState.choices}
    rows = []
    for sitting in page:
        assembly_name, organization_name = assemblies[sitting["assembly_id"]]
        rows.append(
            {
                "url": url.replace(_URL_PK_TEXT, f"/{sitting['id']}/"),
                "starts_at": sitting["starts_at"],
                "reconvened": sitting["reconvened_from_id"] is not None,
                "assembly": assembly_name,
                "organization": organization_name,
                "kind": kinds.get(sitting["kind"], sitting["kind"]),
                "item_count": sitting["item_count"],
                "state_class": _sitting_state_class(sitting["state"]),
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


def _people_of(assemblies: QuerySet[Any]) -> QuerySet[Person]:
    return Person.objects.filter(organization__in=assemblies.values("organization")).order_by("last_name", "first_name")


@login_required
def sitting_create(request: HttpRequest) -> HttpResponse:
    assemblies = _manageable_assemblies(request.user)
    if not assemblies.exists():
        raise PermissionDenied(_("Votre rôle ne permet pas de préparer des séances."))
    form = forms.SittingForm(request.POST or None, assemblies=assemblies, people=_people_of(assemblies))
    if request.method == "POST" and form.is_valid():
        try:
            sitting = services.create_sitting(user=request.user, **form.cleaned_data)
        except DomainError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("La séance est prévue."))
            return redirect(sitting)
    return _form_page(request, form, _("Nouvelle séance"))


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
    form = forms.SittingForm(
        request.POST or None, initial=initial, assemblies=assemblies, people=_people_of(assemblies)
    )
    form.fields["assembly"].disabled = True
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "assembly"}
        try:
            services.update_sitting(user=request.user, sitting=sitting, **data)
        except DomainError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("La séance est modifiée."))
            return redirect(sitting)
    return _form_page(request, form, _("Modifier la séance"), back=sitting)


_URL_PK = 987654321  # placeholder pk replaced in reversed addresses
_URL_PK_TEXT = f"/{_URL_PK}/"
_STATE_CLASSES = {
    "adopted": "ok",
    "enforceable": "ok",
    "taken_note": "ok",
    "rejected": "danger",
    "withdrawn": "danger",
    "postponed": "warn",
}


def _state_class(state: str) -> str:
    """The badge class of a deliberation state (as in ``_deliberation_state.jinja``)."""
    return f"status--{_STATE_CLASSES.get(state, 'info')}"


def _sitting_state_class(state: str) -> str:
    """The badge class of a sitting state (as in ``_sitting_state.jinja``)."""
    if state == SittingState.OPEN:
        return "status--warn"
    if state in (SittingState.PLANNED, SittingState.CONVENED):
        return "status--info"
    return "status--ok"


def _sitting_context(request: HttpRequest, sitting: Sitting) -> dict[str, Any]:
    # The agenda prints counts, not names: the attendance is read as plain values (members with
    # their status, arrivals and departures, proxies), as the API does.
    items, facts = selectors.agenda_and_facts(sitting)
    by_position = facts.replay([item.position for item in items])
    # ``get_state_display`` rebuilds and hashes the lazy choices at each call: once here.
    state_labels = {value: str(label) for value, label in DeliberationState.choices}
    # The agenda may hold 150 items: their links and state badges are built here once per
    # row from one reversed address each, rather than reversed and looked up in the template.
    urls = {name: reverse(f"deliberations:{name}", args=[_URL_PK]) for name in ("detail", "vote")}
    actions = {
        key: reverse("deliberations:action", args=[_URL_PK, action])
        for key, action in (("prendre_acte", "prendre-acte"), ("monter", "monter"), ("descendre", "descendre"))
    }
    # Each of the 150 rows is written here, in one pass, its text escaped once: a template
    # loop escaped each of its fifteen values and looked each one up (F65). No value of a
    # row but its number, title, rapporteur and result comes from the data.
    can_record = tenancy.can(request.user, sitting.assembly.organization_id, Capability.RECORD_VOTES)
    can_manage = tenancy.can(request.user, sitting.assembly.organization_id, Capability.MANAGE_SITTINGS)
    voting = sitting.state == SittingState.OPEN and can_record
    reordering = can_manage and sitting.state != SittingState.OPEN
    quorum = {
        True: ("status--ok", escape(_("atteint"))),
        None: ("status--info", escape(_("non requis"))),
        False: ("status--danger", escape(_("non atteint"))),
    }
    state_labels = {key: escape(label) for key, label in state_labels.items()}
    label = {
        key: escape(text)
        for key, text in (
            ("communication", _("communication")),
            ("rapporteur", _("Rapporteur")),
            ("take_note", _("Prendre acte")),
            ("vote", _("Voter")),
            ("up", _("Monter le point")),
            ("down", _("Descendre le point")),
        )
    }
    taken_note = escape(_("prend acte"))
    csrf = csrf_input(request)
    sitting_url = escape(sitting.get_absolute_url())
    rows = []
    for item in items:
        pk = f"/{item.pk}/"
        position = item.position
        attendance = by_position[position]
        vote = item.vote
        on_agenda = item.state == DeliberationState.ON_AGENDA
        if vote is not None:
            result = escape(
                f"{vote.votes_for} / {vote.votes_against} / {vote.abstentions} / {vote.not_voting} — {vote.result_text}"
            )
        else:
            result = taken_note if item.state == DeliberationState.TAKEN_NOTE else ""
        quorum_class, quorum_label = quorum[
            True if attendance.has_quorum else (None if sitting.reconvened_from_id else False)
        ]
        title = escape(item.title)
        if item.is_information:
            title += f' <span class="badge">{label["communication"]}</span>'
        if item.rapporteur:
            title += f'<br><span class="muted">{label["rapporteur"]} : {escape(item.rapporteur.full_name)}</span>'
        buttons = ""
        if on_agenda and voting and item.is_information:
            buttons = (
                f'<form method="post" action="{actions["prendre_acte"].replace(_URL_PK_TEXT, pk)}" class="inline">'
                f'{csrf}<input type="hidden" name="next" value="{sitting_url}">'
                f'<button class="button" type="submit">{label["take_note"]}</button></form>'
            )
        elif on_agenda and voting:
            buttons = f'<a class="button" href="{urls["vote"].replace(_URL_PK_TEXT, pk)}">{label["vote"]}</a>'
        if on_agenda and reordering:
            for action, arrow in (("monter", "up"), ("descendre", "down")):
                buttons += (
                    f' <form method="post" action="{actions[action].replace(_URL_PK_TEXT, pk)}" class="inline">'
                    f'{csrf}<button class="button button--secondary" type="submit" '
                    f'aria-label="{label[arrow]} {position}">{"↑" if arrow == "up" else "↓"}</button></form>'
                )
        rows.append(
            f'<tr id="point-{position}"><td class="num">{position}</td>'
            f'<td><a href="{urls["detail"].replace(_URL_PK_TEXT, pk)}">{escape(item.number)}</a></td>'
            f"<td>{title}</td>"
            f'<td class="num">{attendance.present_count}</td><td class="num">{attendance.represented_count}</td>'
            f'<td><span class="status {quorum_class}">{quorum_label}</span></td>'
            f'<td><span class="status {_state_class(item.state)}">{state_labels.get(item.state) or escape(item.state)}</span></td>'
            f"<td>{result}</td><td>{buttons}</td></tr>\n"
        )
    if not rows:
        rows.append(f'<tr><td colspan="9">{escape(_("Aucun point à l'ordre du jour."))}</td></tr>')
    agenda_rows = SafeString("".join(rows))
    organization = sitting.assembly.organization
    clear_days = sitting.assembly.clear_days_override or rules.convocation_clear_days(
        population=organization.population, is_epci=organization.is_epci
    )
    opening = facts.at(None)
    return {
        "sitting": sitting,
        "members_in_office": len(facts.members),
        "has_rows": bool(items),
        "agenda_rows": agenda_rows,
        "opening": opening,
        "recorded": len(facts.defaults),
        "latest_convocation": rules.latest_convocation_date(sitting.date, clear_days),
        "clear_days": clear_days,
        "list_deadline": rules.list_publication_deadline(sitting.date),
        "minutes_deadline": rules.minutes_publication_deadline(sitting.minutes_approved_on)
        if sitting.minutes_approved_on
        else None,
        "can_manage": can_manage,
        "can_record": can_record,
        "can_generate": tenancy.can(request.user, organization.pk, Capability.GENERATE_DOCUMENTS),
        "convene_form": forms.ConveneForm(initial={"convocation_date": timezone.localdate()}),
        "reconvene_form": forms.ReconveneForm(initial={"place": sitting.place}),
        "date_form": forms.DateForm(initial={"day": timezone.localdate()}),
        "states": SittingState,
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
def sitting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    sitting = selectors.sitting_for(request.user, pk, page=True)
    return render(
        request, "pages/deliberations/sitting_detail.jinja", _sitting_context(request, sitting), using="pages"
    )


def _date(request: HttpRequest, field: str = "day") -> Any:
    form = forms.DateForm({"day": request.POST.get(field, "")})
    if not form.is_valid():
        raise DomainError(_("Indiquez une date valide."), field=field)
    return form.cleaned_data["day"]


@login_required
@require_POST
def sitting_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """The buttons of a sitting's life: convene, open, close, publish the list, approve and
    publish the minutes, reconvene after a failed quorum, add an item to the agenda."""
    sitting = selectors.sitting_for(request.user, pk)
    user = request.user
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
            services.publish_list(user=user, sitting=sitting, published_on=_date(request))
            done = _("La publication de la liste des délibérations est enregistrée.")
        elif action == "approuver-pv":
            services.approve_minutes(user=user, sitting=sitting, approved_on=_date(request))
            done = _("Le procès-verbal est approuvé.")
        elif action == "publier-pv":
            services.publish_minutes(user=user, sitting=sitting, published_on=_date(request))
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
        messages.error(request, _error_text(exc))
        return redirect(request.POST.get("next") or sitting.get_absolute_url())
    messages.success(request, done)
    return redirect(target)


def _start_bundle(request: HttpRequest, sitting: Sitting) -> Any:
    from deliberations.documents import start_sitting_bundle

    batch = start_sitting_bundle(user=request.user, sitting=sitting)
    return batch.get_absolute_url()


# --- Attendance -------------------------------------------------------------------------------


def _attendance_context(request: HttpRequest, sitting: Sitting) -> dict[str, Any]:
    try:
        start = max(int(request.GET.get("de", "1")), 1)
    except ValueError:
        start = 1
    # The grid shows GRID_COLUMNS items from ``start``: only those are replayed.
    view = selectors.sitting_attendance(sitting, agenda_rows=True, positions=range(start, start + GRID_COLUMNS))
    window = [d for d in view.items if d.position is not None and start <= d.position < start + GRID_COLUMNS]
    # Both tables have a row per member (240 in a métropole): each row is written here, in one
    # pass, with only the member's name and function escaped; a template loop escaped every one
    # of its ten values (F65). The cells and the status menus are fixed markup (no user text).
    cells = {"present": "<td>P</td>", "represented": "<td>R</td>", "excused": "<td>E</td>", "absent": "<td>A</td>"}
    labels = {"present": _("présent"), "represented": _("représenté"), "excused": _("excusé"), "absent": _("absent")}
    opening_cells = {key: f"<td>{escape(label)}</td>" for key, label in labels.items()}
    opening = view.opening()
    per_item = [view.for_item(d) for d in window]
    url_head, url_tail = reverse("deliberations:attendance_one", args=[sitting.pk, _URL_PK]).split(_URL_PK_TEXT)
    # The status menu has five possible states (not yet recorded, or one of four): its
    # options are written once per state, not once per member.
    statuses = [("", "— " + _("non pointé")), *((value, str(label)) for value, label in Presence.choices)]
    status_options = {
        current: QuickSelect(choices=statuses)._options(statuses, {current}) for current, _label in statuses
    }
    can_record = tenancy.can(request.user, sitting.assembly.organization_id, Capability.RECORD_VOTES)
    disabled = "" if can_record else " disabled"
    # Only members who move during the sitting, or who give or hold a proxy, can change state
    # from one item to the next: every other member's row is one cell repeated.
    varying = {person for _position, person, _status in view.changes}
    varying.update(p.giver_id for p in view.proxies)
    varying.update(p.holder_id for p in view.proxies)
    first = per_item[0] if per_item else None
    # Consecutive items where nobody moves and no proxy starts or stops share their statuses
    # (``replay``): a varying member's state is read once per such run, not once per item.
    runs: list[list[Any]] = []
    for attendance in per_item:
        last = runs[-1][0] if runs else None
        if last is not None and last.status is attendance.status and last.represented is attendance.represented:
            runs[-1][1] += 1
        else:
            runs.append([attendance, 1])
    names = view.person_names
    sheet_rows, grid_rows = [], []
    for mandate in view.members:
        pid = mandate.person_id
        name = escape(names[pid])
        function = f' <span class="muted">{escape(mandate.function)}</span>' if mandate.function else ""
        options = status_options.get(view.defaults.get(pid, ""), status_options[""])
        sheet_rows.append(
            f'<tr><th scope="row"><label for="status-{pid}">{name}</label>{function}</th>'
            f'<td><select id="status-{pid}" name="status-{pid}"{disabled} hx-post="{url_head}/{pid}/{url_tail}">'
            f"{options}</select></td>{opening_cells[opening.state_of(pid)]}</tr>\n"
        )
        if first is None:
            row_cells = ""
        elif pid in varying:
            row_cells = "".join(cells[a.state_of(pid)] * count for a, count in runs)
        else:
            row_cells = cells[first.state_of(pid)] * len(per_item)
        grid_rows.append(f'<tr><th scope="row">{name}</th>{row_cells}</tr>')
    open_items = [
        d for d in view.items if d.state not in (*DECIDED_STATES, *AFTER_SIGNATURE_STATES) and d.position is not None
    ]
    people_choices = list(names.items())  # the sheet's order: last name, first name
    item_choices = [(d.pk, f"{d.position}. {d.title[:80]}") for d in open_items]
    # The proxies' list: a line each, and a revoke button each, written here as the rows are
    # (the names escaped; the labels and the button are fixed markup).
    revoke_url = reverse("deliberations:proxy_revoke", args=[sitting.pk, _URL_PK])
    wording = escape(sitting.assembly.proxy_wording)
    from_label, revoked_label = escape(_("à partir du point")), escape(_("révoqué"))
    revoke_form = (
        f'<form method="post" action="{{url}}" class="inline">{csrf_input(request)}'
        f'<button type="submit" class="button button--secondary">{escape(_("Révoquer"))}</button></form>'
    )
    proxy_lines = []
    for p in view.proxies:
        line = f"<li>{escape(view.proxy_names[p.giver_id])} {wording} {escape(view.proxy_names[p.holder_id])}"
        if p.from_item_id and p.start:
            line += f' <span class="muted">({from_label} {p.start})</span>'
        if p.revoked:
            until = f" {from_label} {p.end}" if p.end else ""
            line += f' <span class="status status--danger">{revoked_label}{until}</span>'
        elif can_record:
            line += " " + revoke_form.replace("{url}", revoke_url.replace(_URL_PK_TEXT, f"/{p.id}/"))
        proxy_lines.append(line + "</li>\n")
    proxy_items = "".join(proxy_lines) or f"<li>{escape(_('Aucun pouvoir.'))}</li>"
    choices = (people_choices, item_choices)
    menus: dict[str, dict[Any, str]] = {}  # the members' and the items' menus, written once each
    none_people, none_items = Person.objects.none(), Deliberation.objects.none()
    return {
        "sitting": sitting,
        "view": view,
        "sheet_rows": SafeString("".join(sheet_rows)),
        "grid_rows": SafeString("".join(grid_rows)),
        "window": window,
        "start": start,
        "previous_start": max(start - GRID_COLUMNS, 1) if start > 1 else None,
        "next_start": start + GRID_COLUMNS
        if any((d.position or 0) >= start + GRID_COLUMNS for d in view.items)
        else None,
        "opening": opening,
        "totals": [f"{a.present_count}/{a.represented_count}" for a in per_item],
        "proxy_items": SafeString(proxy_items),
        "proxy_form": forms.ProxyForm(
            people=none_people, items=none_items, choices=choices, menus=menus, initial={"written_on": sitting.date}
        ),
        "movement_form": forms.MovementForm(people=none_people, items=none_items, choices=choices, menus=menus),
        "can_record": can_record,
        "changes": view.changes,
    }


@login_required
def attendance(request: HttpRequest, pk: int) -> HttpResponse:
    """The attendance sheet: one status per member, arrivals and departures, proxies, and the
    derived grid members × items (read in a fixed number of queries)."""
    if request.method != "POST":
        # The page names no president, secretary nor sitting reconvened from.
        sitting = selectors.sitting_for(request.user, pk, people=False)
        context = _attendance_context(request, sitting)
        return render(request, "pages/deliberations/attendance.jinja", context, using="pages")
    sitting = selectors.sitting_for(request.user, pk)
    statuses: dict[int, str] = {}
    for key, value in request.POST.items():
        if key.startswith("status-") and value:
            statuses[int(key.removeprefix("status-"))] = str(value)
    _attempt(
        request,
        lambda: services.set_attendances(user=request.user, sitting=sitting, statuses=statuses),
        _("Les présences sont enregistrées."),
    )
    return redirect("deliberations:attendance", sitting.pk)


@login_required
@require_POST
def attendance_one(request: HttpRequest, pk: int, person_id: int) -> HttpResponse:
    """HTMX: one member's status changed in the grid; answers the live quorum panel."""
    sitting = selectors.sitting_for(request.user, pk)
    error = None
    try:
        status = str(request.POST.get("status") or request.POST.get(f"status-{person_id}", ""))
        services.set_attendances(user=request.user, sitting=sitting, statuses={person_id: status})
    except DomainError as exc:
        error = _error_text(exc)
    view = selectors.sitting_attendance(sitting, items=[])  # the opening needs no agenda
    response = render(
        request,
        "pages/deliberations/_quorum.jinja",
        {"opening": view.opening(), "view": view, "error": error, "live": True},
        using="pages",
    )
    if error:
        response.status_code = 422 if not request.htmx else 200  # type: ignore[attr-defined]
    return response


@login_required
@require_POST
def proxy_create(request: HttpRequest, pk: int) -> HttpResponse:
    sitting = selectors.sitting_for(request.user, pk)
    people = Person.objects.filter(organization_id=sitting.assembly.organization_id)
    items = Deliberation.objects.filter(sitting=sitting)
    form = forms.ProxyForm(request.POST, people=people, items=items)
    if not form.is_valid():
        messages.error(
            request, _("Pouvoir incomplet : ") + "; ".join(str(e) for errs in form.errors.values() for e in errs)
        )
    else:
        _attempt(
            request,
            lambda: services.register_proxy(user=request.user, sitting=sitting, **form.cleaned_data),
            _("Le pouvoir est enregistré."),
        )
    return redirect("deliberations:attendance", sitting.pk)


@login_required
@require_POST
def proxy_revoke(request: HttpRequest, pk: int, proxy_id: int) -> HttpResponse:
    sitting = selectors.sitting_for(request.user, pk)
    proxy = Proxy.objects.filter(sitting=sitting, pk=proxy_id).first()
    if proxy is None:
        messages.error(request, _("Pouvoir introuvable."))
    else:
        _attempt(request, lambda: services.revoke_proxy(user=request.user, proxy=proxy), _("Le pouvoir est révoqué."))
    return redirect("deliberations:attendance", sitting.pk)


@login_required
@require_POST
def movement_create(request: HttpRequest, pk: int) -> HttpResponse:
    sitting = selectors.sitting_for(request.user, pk)
    people = Person.objects.filter(organization_id=sitting.assembly.organization_id)
    form = forms.MovementForm(request.POST, people=people, items=Deliberation.objects.filter(sitting=sitting))
    if not form.is_valid():
        messages.error(request, _("Arrivée ou départ incomplet."))
    else:
        _attempt(
            request,
            lambda: services.record_movement(user=request.user, sitting=sitting, **form.cleaned_data),
            _("L'arrivée ou le départ est enregistré."),
        )
    return redirect(request.POST.get("next") or reverse("deliberations:attendance", args=[sitting.pk]))


# --- Deliberations ----------------------------------------------------------------------------


@login_required
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
    # texts); the page, its count and the header's badge in one round trip.
    queryset = queryset.select_related(None)
    values = queryset.values("id", "number", "title", "subject_code", "state", "sitting__starts_at")
    # Counted on the acts alone (the page's rows join their sitting for its date).
    page = Paginator(values, 25).get_page(request.GET.get("page"))
    url = reverse("deliberations:detail", args=[_URL_PK])
    labels = {value: str(label) for value, label in DeliberationState.choices}
    rows = [
        {
            "url": url.replace(_URL_PK_TEXT, f"/{d['id']}/"),
            "number": d["number"],
            "title": d["title"],
            "sitting_starts_at": d["sitting__starts_at"],
            "subject_code": d["subject_code"],
            "state_class": _state_class(d["state"]),
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
    assemblies = _manageable_assemblies(request.user)
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
        request.POST or None, initial=initial, assemblies=assemblies, sittings=sittings, people=_people_of(assemblies)
    )
    if request.method == "POST" and form.is_valid():
        try:
            deliberation = services.create_deliberation(user=request.user, **form.cleaned_data)
        except DomainError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("La délibération n° %(number)s est créée.") % {"number": deliberation.number})
            return redirect(deliberation)
    return _form_page(request, form, _("Nouvelle délibération"))


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
            _form_error(form, exc)
        else:
            messages.success(request, _("La délibération est modifiée."))
            return redirect(deliberation)
    return _form_page(
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
            "ballot_items": render_fragment("deliberations/ballots.jinja", {"ballots": ballots, "by_label": _("par")})
            if ballots
            else "",
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
                    "internal_number": rules.suggest_internal_number(deliberation.number),
                }
            ),
            "ack_form": forms.AcknowledgementForm(),
            "date_form": forms.DateForm(initial={"day": timezone.localdate()}),
            "annex_form": forms.AnnexForm(),
            "states": DeliberationState,
        },
        using="pages",
    )


@login_required
@require_POST
def deliberation_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """The buttons of a deliberation's life: withdraw, postpone, take note, reopen, sign,
    transmit, record the acknowledgement, publish, add an annex, generate its extract."""
    deliberation = selectors.deliberation_for(request.user, pk)
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
            services.publish(user=user, deliberation=deliberation, published_on=_date(request))
            done = _("La publication est enregistrée.")
        elif action == "annexe":
            form = forms.AnnexForm(request.POST, request.FILES)
            if not form.is_valid():
                raise DomainError(_("Choisissez un fichier."), field="file")
            services.add_annex(
                user=user, deliberation=deliberation, upload=form.cleaned_data["file"], title=form.cleaned_data["title"]
            )
            done = _("L'annexe est ajoutée.")
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
        messages.error(request, _error_text(exc))
        return redirect(request.POST.get("next") or deliberation.get_absolute_url())
    messages.success(request, done)
    return redirect(request.POST.get("next") or target)


@login_required
def vote(request: HttpRequest, pk: int) -> HttpResponse:
    """Vote entry for one item: live quorum, totals or member-by-member ballots."""
    deliberation = selectors.deliberation_for(request.user, pk)
    if deliberation.sitting_id is None:
        messages.error(request, _("Ce point n'est inscrit à aucune séance."))
        return redirect(deliberation)
    sitting = deliberation.sitting
    assert sitting is not None
    view = selectors.sitting_attendance(sitting, only=deliberation)
    item = view.for_item(deliberation)
    names = view.person_names
    voters = [(pid, names[pid], None) for pid in sorted(item.present_ids, key=lambda p: names[p])] + [
        (giver, names[giver], names[holder]) for giver, holder in item.represented.items()
    ]
    form = forms.VoteForm(
        request.POST or None,
        initial={
            "method": "show_of_hands",
            "votes_for": item.voters,
            "votes_against": 0,
            "abstentions": 0,
            "not_voting": 0,
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        ballots = None
        if request.POST.get("nominatif"):
            ballots = [
                BallotInput(pid, request.POST.get(f"ballot-{pid}", ""))
                for pid, _name, _holder in voters
                if request.POST.get(f"ballot-{pid}")
            ]
        try:
            services.record_vote(
                user=request.user,
                deliberation=deliberation,
                method=data["method"],
                votes_for=None if ballots else data["votes_for"],
                votes_against=None if ballots else data["votes_against"],
                abstentions=None if ballots else data["abstentions"],
                not_voting=None if ballots else data["not_voting"],
                ballots=ballots,
                president_choice=data["president_choice"] or None,
                requested_by=data["requested_by"],
            )
        except DomainError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Le vote est enregistré."))
            following = (
                Deliberation.objects.filter(
                    sitting=sitting, position__gt=deliberation.position or 0, state=DeliberationState.ON_AGENDA
                )
                .order_by("position")
                .first()
            )
            if following is not None and not following.is_information:
                return redirect("deliberations:vote", following.pk)
            return redirect(sitting.get_absolute_url() + (f"#point-{following.position}" if following else ""))
    return render(
        request,
        "pages/deliberations/vote.jinja",
        {
            "deliberation": deliberation,
            "sitting": sitting,
            "item": item,
            "form": form,
            "voters": voters,
            "choices": VoteChoice.choices,
            "reconvened": sitting.reconvened_from_id is not None,
            "can_record": tenancy.can(request.user, sitting.assembly.organization_id, Capability.RECORD_VOTES),
            "reconvene_form": forms.ReconveneForm(initial={"place": sitting.place}),
            "movement_form": forms.MovementForm(
                people=Person.objects.filter(pk__in=[m.person_id for m in view.members]),
                items=Deliberation.objects.filter(pk=deliberation.pk),
                initial={"deliberation": deliberation.pk},
            ),
        },
        using="pages",
    )


# --- Public page ------------------------------------------------------------------------------


def public_list(request: HttpRequest, organization_id: int) -> HttpResponse:
    """The published deliberations of a collectivité, for everyone (CGCT L2131-1)."""
    organization, assembly_ids = selectors.public_register(organization_id)
    q = request.GET.get("q", "").strip()
    year_text = request.GET.get("annee", "")
    subject = request.GET.get("matiere", "").strip()
    queryset = selectors.filter_deliberations(
        selectors.published_deliberations(organization, assembly_ids),
        q=q,
        year=int(year_text) if year_text.isdigit() else None,
        subject=subject,
    )
    # Not counted: see ``core.pagination``. Only the columns the table prints are read (an
    # act's report and operative part are long texts).
    page = window_page(
        queryset.select_related(None)
        .select_related("sitting")
        .only("pk", "number", "title", "subject_code", "published_on", "sitting__starts_at"),
        request.GET.get("page"),
        20,
    )
    from deliberations.documents import public_extract_urls

    with_pdf = public_extract_urls(list(page.object_list))
    pdf_url = reverse("deliberations:public_extract", args=[organization.pk, _URL_PK])
    rows = [
        {
            "number": d.number,
            "title": d.title,
            "sitting_date": d.sitting.date if d.sitting is not None else None,
            "subject_code": d.subject_code,
            "published_on": d.published_on,
            "pdf_url": pdf_url.replace(_URL_PK_TEXT, f"/{d.pk}/") if d.pk in with_pdf else "",
        }
        for d in page
    ]
    return render(
        request,
        "pages/deliberations/public_list.jinja",
        {
            "organization": organization,
            "page": page,
            "rows": rows,
            "q": q,
            "year": year_text,
            "subject": subject,
        },
        using="pages",
    )


def public_extract(request: HttpRequest, organization_id: int, pk: int) -> HttpResponse:
    """The PDF extract of a published deliberation, without login."""
    from deliberations.documents import public_extract_response

    organization, assembly_ids = selectors.public_register(organization_id)
    deliberation = selectors.get_or_404(selectors.published_deliberations(organization, assembly_ids), pk=pk)
    return public_extract_response(deliberation)
