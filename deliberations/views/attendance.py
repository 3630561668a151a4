"""The attendance sheet of a sitting: statuses, arrivals and departures, proxies, the grid
members × items.

Every change posted by the sheet's HTMX answers from the stored state, rendered by the
page's own templates: the member's row (and the rows of those a proxy links to them), the
counts and the quorum (out of band), and the side panel of proxies and movements. A refused
change answers 422 with the row showing the stored status and the error beside it. Without
JavaScript the page posts whole forms and redirects, as before."""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core import tenancy
from core.errors import DomainError
from core.roles import Capability
from deliberations import forms, selectors, services
from deliberations.models import AFTER_SIGNATURE_STATES, DECIDED_STATES, Deliberation, Presence, Proxy, Sitting
from deliberations.selectors import members as member_selectors
from deliberations.selectors.attendance import SittingAttendance
from deliberations.views._common import (
    attempt,
    error_text,
)
from parties.models import Person

GRID_COLUMNS = 30
REFUSED = 422  # a change the rules refuse: the answer shows the stored state and why


def _statuses() -> list[tuple[str, str]]:
    """The sheet's choices, shown by their first letter (the key that chooses them: P, E, A);
    a member not yet recorded has none checked."""
    return [
        (Presence.PRESENT, _("Présent")),
        (Presence.EXCUSED, _("Excusé")),
        (Presence.ABSENT, _("Absent")),
    ]


def _opening_labels() -> dict[str, str]:
    return {
        "present": _("présent"),
        "represented": _("représenté"),
        "excused": _("excusé"),
        "absent": _("absent"),
    }


def _sheet_rows(
    view: SittingAttendance, person_ids: Collection[int] | None = None, *, errors: Mapping[int, str] | None = None
) -> list[dict[str, Any]]:
    """The sheet's rows (all, or those of ``person_ids``) from the stored state: each member's
    status for the sitting, their state at the opening and whom a proxy links them to."""
    opening = view.opening()
    names = view.person_names
    # What each member answered to the convocation (their page or their account): a hint
    # beside the name, the clerk still points the attendance.
    intents = member_selectors.attendance_intents(view.sitting)
    holders = opening.represented  # giver → holder, where the proxy applies at the opening
    givers = {holder: giver for giver, holder in holders.items()}
    return [
        {
            "person_id": member.person_id,
            "name": names[member.person_id],
            "function": member.function,
            "status": view.defaults.get(member.person_id, ""),
            "opening": opening.state_of(member.person_id),
            "holder": names.get(holders.get(member.person_id, 0), ""),
            "giver": names.get(givers.get(member.person_id, 0), ""),
            "error": (errors or {}).get(member.person_id, ""),
            "intent": intents.get(member.person_id, ""),
        }
        for member in view.members
        if person_ids is None or member.person_id in person_ids
    ]


def _linked(view: SittingAttendance, person_ids: Collection[int]) -> set[int]:
    """``person_ids`` and everyone a proxy of the sitting links to them: a holder's change
    changes their giver's state at the opening, and the other way round."""
    linked = set(person_ids)
    for proxy in view.proxies:
        if proxy.giver_id in person_ids or proxy.holder_id in person_ids:
            linked.update((proxy.giver_id, proxy.holder_id))
    return linked


def _choices(view: SittingAttendance) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    open_items = [
        d for d in view.items if d.state not in (*DECIDED_STATES, *AFTER_SIGNATURE_STATES) and d.position is not None
    ]
    people_choices = list(view.person_names.items())  # the sheet's order: last name, first name
    return people_choices, [(d.pk, f"{d.position}. {d.title[:80]}") for d in open_items]


def _panel_context(
    request: HttpRequest,
    sitting: Sitting,
    view: SittingAttendance,
    *,
    giver: int | None = None,
    proxy_data: Mapping[str, Any] | None = None,
    movement_data: Mapping[str, Any] | None = None,
    message: str = "",
    error: str = "",
) -> dict[str, Any]:
    """The side panel: the proxies, the forms of a proxy and of an arrival or departure
    (after a refusal, with what was typed), and the answer to the last change."""
    choices = _choices(view)
    none_people, none_items = Person.objects.none(), Deliberation.objects.none()
    # From a member's row ("Pouvoir", key R) the member is "représenté": recorded absent with
    # the proxy; the panel's own form leaves that to the clerk (a present giver is refused).
    proxy_initial: dict[str, Any] = {"written_on": sitting.date, "mark_absent": giver is not None, "giver": giver}
    movement_initial: dict[str, Any] = {"person": giver}
    if proxy_data is not None:
        proxy_initial = {name: proxy_data.get(name) for name in forms.ProxyForm.base_fields}
        proxy_initial["illness"] = bool(proxy_data.get("illness"))
        proxy_initial["mark_absent"] = bool(proxy_data.get("mark_absent"))
    if movement_data is not None:
        movement_initial = {name: movement_data.get(name) for name in forms.MovementForm.base_fields}
        movement_initial["only_this_item"] = bool(movement_data.get("only_this_item"))
    return {
        "sitting": sitting,
        "proxies": view.proxies,
        "proxy_names": view.proxy_names,
        "proxy_form": forms.ProxyForm(people=none_people, items=none_items, choices=choices, initial=proxy_initial),
        "movement_form": forms.MovementForm(
            people=none_people, items=none_items, choices=choices, initial=movement_initial
        ),
        "changes": view.changes,
        "can_record": tenancy.can(request.user, sitting.assembly.organization_id, Capability.RECORD_VOTES),
        "panel_message": message,
        "panel_error": error,
    }


def _grid_context(sitting: Sitting, start: int) -> dict[str, Any]:
    """The grid members × items, ``GRID_COLUMNS`` items from ``start`` (only those replayed)."""
    view = selectors.sitting_attendance(sitting, agenda_rows=True, positions=range(start, start + GRID_COLUMNS))
    window = [d for d in view.items if d.position is not None and start <= d.position < start + GRID_COLUMNS]
    per_item = [view.for_item(d) for d in window]
    names = view.person_names
    return {
        "view": view,
        "grid": [
            {"name": names[member.person_id], "cells": [a.state_of(member.person_id) for a in per_item]}
            for member in view.members
        ],
        "letters": {"present": "P", "represented": "R", "excused": "E", "absent": "A"},
        "window": window,
        "start": start,
        "previous_start": max(start - GRID_COLUMNS, 1) if start > 1 else None,
        "next_start": start + GRID_COLUMNS
        if any((d.position or 0) >= start + GRID_COLUMNS for d in view.items)
        else None,
        "totals": [f"{a.present_count}/{a.represented_count}" for a in per_item],
    }


def _start(request: HttpRequest) -> int:
    try:
        return max(int(request.GET.get("de", "1")), 1)
    except ValueError:
        return 1


def _giver(request: HttpRequest, view: SittingAttendance) -> int | None:
    """The member a row's "Pouvoir" link names (``?pouvoir=``), if a member in office."""
    try:
        person_id = int(request.GET.get("pouvoir", ""))
    except ValueError:
        return None
    return person_id if person_id in view.person_names else None


def _attendance_context(request: HttpRequest, sitting: Sitting) -> dict[str, Any]:
    context = _grid_context(sitting, _start(request))
    view = context["view"]
    return {
        **context,
        **_panel_context(request, sitting, view, giver=_giver(request, view)),
        "sheet": _sheet_rows(view),
        "statuses": _statuses(),
        "opening_labels": _opening_labels(),
        "opening": view.opening(),
    }


def _answer(
    request: HttpRequest,
    sitting: Sitting,
    *,
    changed: Collection[int],
    row: int | None = None,
    errors: Mapping[int, str] | None = None,
    panel: Mapping[str, Any] | None = None,
    view: SittingAttendance | None = None,
    status: int = 200,
) -> HttpResponse:
    """The answer to a change made through HTMX, from the stored state: the row of ``row``
    (the element swapped) or the side panel (``panel``), then, out of band, the rows of
    ``changed`` and of those proxies link them to, the counts and the quorum."""
    view = view or selectors.sitting_attendance(sitting, items=[])  # the opening needs no agenda
    rows = _sheet_rows(view, _linked(view, changed), errors=errors)
    context = {
        "sitting": sitting,
        "view": view,
        "opening": view.opening(),
        "primary_rows": [r for r in rows if r["person_id"] == row],
        "oob_rows": [r for r in rows if r["person_id"] != row],
        "statuses": _statuses(),
        "opening_labels": _opening_labels(),
        "can_record": True,  # only those who may record reach a change
        "live": True,
        # A refusal for no row of the sheet (a person not in office) shows on the quorum.
        "error": next(iter((errors or {}).values()), None) if row is not None and not rows else None,
        **(panel or {}),
        "panel": panel is not None,
    }
    response = render(request, "pages/deliberations/_attendance_answer.jinja", context, using="pages", status=status)
    # The grid of the items listens for this and reads itself again.
    response["HX-Trigger"] = "attendance-changed"
    return response


def _require_record(request: HttpRequest, sitting: Sitting) -> None:
    """Every change of attendance, movement or proxy: checked before the form is read."""
    tenancy.require(request.user, sitting.assembly.organization_id, Capability.RECORD_VOTES)


@login_required
def attendance(request: HttpRequest, pk: int) -> HttpResponse:
    """The attendance sheet: one status per member, arrivals and departures, proxies, and the
    derived grid members × items (read in a fixed number of queries)."""
    if request.method != "POST":
        # The page names no president, secretary nor sitting reconvened from.
        sitting = selectors.sitting_for(request.user, pk, people=False)
        if request.GET.get("partie") == "grille":  # the grid alone, read again after a change
            context = {"sitting": sitting, **_grid_context(sitting, _start(request))}
            return render(request, "pages/deliberations/_attendance_grid.jinja", context, using="pages")
        context = _attendance_context(request, sitting)
        return render(request, "pages/deliberations/attendance.jinja", context, using="pages")
    sitting = selectors.sitting_for(request.user, pk)
    _require_record(request, sitting)
    statuses: dict[int, str] = {}
    for key, value in request.POST.items():
        if key.startswith("status-") and value:
            statuses[int(key.removeprefix("status-"))] = str(value)
    attempt(
        request,
        lambda: services.set_attendances(user=request.user, sitting=sitting, statuses=statuses),
        _("Les présences sont enregistrées."),
    )
    return redirect("deliberations:attendance", sitting.pk)


@login_required
@require_POST
def attendance_one(request: HttpRequest, pk: int, person_id: int) -> HttpResponse:
    """HTMX: one member's status changed on the sheet; answers their row, the counts and the
    quorum from the stored state (422 with the stored status and the reason if refused)."""
    sitting = selectors.sitting_for(request.user, pk)
    _require_record(request, sitting)
    status = str(request.POST.get("status") or request.POST.get(f"status-{person_id}", ""))
    try:
        if not status:
            raise DomainError(_("Choisissez présent, excusé ou absent."), rule=services.attendance.RULE_ATTENDANCE)
        services.set_attendances(user=request.user, sitting=sitting, statuses={person_id: status})
    except DomainError as exc:
        return _answer(
            request, sitting, changed=[person_id], row=person_id, errors={person_id: error_text(exc)}, status=REFUSED
        )
    return _answer(request, sitting, changed=[person_id], row=person_id)


def _panel_answer(
    request: HttpRequest,
    sitting: Sitting,
    *,
    changed: Collection[int],
    message: str = "",
    error: str = "",
    proxy_data: Mapping[str, Any] | None = None,
    movement_data: Mapping[str, Any] | None = None,
) -> HttpResponse:
    view = selectors.sitting_attendance(sitting, agenda_rows=True, positions=[])  # the panel's menus: the agenda
    panel = _panel_context(
        request, sitting, view, message=message, error=error, proxy_data=proxy_data, movement_data=movement_data
    )
    response = _answer(request, sitting, changed=changed, panel=panel, view=view, status=REFUSED if error else 200)
    if not error:
        # The sheet's script puts the focus back on the member's row.
        response["HX-Trigger"] = json.dumps({"attendance-changed": {"person": next(iter(changed), 0)}})
    return response


def _form_errors(form: Any) -> str:
    return "; ".join(
        f"{form.fields[name].label if name in form.fields else ''} : {error}".lstrip(" :")
        for name, errors in form.errors.items()
        for error in errors
    )


def _person_ids(data: Mapping[str, Any], *names: str) -> list[int]:
    ids = []
    for name in names:
        try:
            ids.append(int(data.get(name, "")))
        except (TypeError, ValueError):
            pass
    return ids


@login_required
@require_POST
def proxy_create(request: HttpRequest, pk: int) -> HttpResponse:
    sitting = selectors.sitting_for(request.user, pk)
    _require_record(request, sitting)
    people = Person.objects.filter(organization_id=sitting.assembly.organization_id)
    items = Deliberation.objects.filter(sitting=sitting)
    form = forms.ProxyForm(request.POST, people=people, items=items)
    error = ""
    if not form.is_valid():
        error = _("Pouvoir incomplet : ") + _form_errors(form)
    else:
        data = dict(form.cleaned_data)
        # A member "représenté" from the opening is absent: recorded so with the proxy, at once.
        register = services.represent if data.pop("mark_absent") else services.register_proxy
        try:
            register(user=request.user, sitting=sitting, **data)
        except DomainError as exc:
            error = error_text(exc)
    if not request.htmx:  # type: ignore[attr-defined]
        if error:
            messages.error(request, error)
        else:
            messages.success(request, _("Le pouvoir est enregistré."))
        return redirect("deliberations:attendance", sitting.pk)
    return _panel_answer(
        request,
        sitting,
        changed=_person_ids(request.POST, "giver", "holder"),
        message="" if error else _("Le pouvoir est enregistré."),
        error=error,
        proxy_data=request.POST if error else None,
    )


@login_required
@require_POST
def proxy_revoke(request: HttpRequest, pk: int, proxy_id: int) -> HttpResponse:
    sitting = selectors.sitting_for(request.user, pk)
    _require_record(request, sitting)
    proxy = Proxy.objects.filter(sitting=sitting, pk=proxy_id).first()
    error = ""
    if proxy is None:
        error = _("Pouvoir introuvable.")
    else:
        try:
            services.revoke_proxy(user=request.user, proxy=proxy)
        except DomainError as exc:
            error = error_text(exc)
    if not request.htmx:  # type: ignore[attr-defined]
        if error:
            messages.error(request, error)
        else:
            messages.success(request, _("Le pouvoir est révoqué."))
        return redirect("deliberations:attendance", sitting.pk)
    return _panel_answer(
        request,
        sitting,
        changed=[proxy.giver_id, proxy.holder_id] if proxy else [],
        message="" if error else _("Le pouvoir est révoqué."),
        error=error,
    )


@login_required
@require_POST
def movement_create(request: HttpRequest, pk: int) -> HttpResponse:
    sitting = selectors.sitting_for(request.user, pk)
    _require_record(request, sitting)
    people = Person.objects.filter(organization_id=sitting.assembly.organization_id)
    form = forms.MovementForm(request.POST, people=people, items=Deliberation.objects.filter(sitting=sitting))
    error = ""
    if not form.is_valid():
        error = _("Arrivée ou départ incomplet : ") + _form_errors(form)
    else:
        try:
            services.record_movement(user=request.user, sitting=sitting, **form.cleaned_data)
        except DomainError as exc:
            error = error_text(exc)
    if not request.htmx:  # type: ignore[attr-defined]
        if error:
            messages.error(request, error)
        else:
            messages.success(request, _("L'arrivée ou le départ est enregistré."))
        return redirect(request.POST.get("next") or reverse("deliberations:attendance", args=[sitting.pk]))
    return _panel_answer(
        request,
        sitting,
        changed=_person_ids(request.POST, "person"),
        message="" if error else _("L'arrivée ou le départ est enregistré."),
        error=error,
        movement_data=request.POST if error else None,
    )
