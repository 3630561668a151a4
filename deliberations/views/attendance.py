"""The attendance sheet of a sitting: statuses, arrivals and departures, proxies, the grid
members × items."""

from __future__ import annotations

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
from deliberations.views._common import (
    attempt,
    error_text,
)
from parties.models import Person

GRID_COLUMNS = 30


def _attendance_context(request: HttpRequest, sitting: Sitting) -> dict[str, Any]:
    try:
        start = max(int(request.GET.get("de", "1")), 1)
    except ValueError:
        start = 1
    # The grid shows GRID_COLUMNS items from ``start``: only those are replayed.
    view = selectors.sitting_attendance(sitting, agenda_rows=True, positions=range(start, start + GRID_COLUMNS))
    window = [d for d in view.items if d.position is not None and start <= d.position < start + GRID_COLUMNS]
    opening = view.opening()
    per_item = [view.for_item(d) for d in window]
    names = view.person_names
    # What each member answered to the convocation (their page or their account): a hint
    # beside the name, the clerk still points the attendance.
    intents = member_selectors.attendance_intents(sitting)
    sheet = [
        {
            "person_id": member.person_id,
            "name": names[member.person_id],
            "function": member.function,
            "status": view.defaults.get(member.person_id, ""),
            "opening": opening.state_of(member.person_id),
            "intent": intents.get(member.person_id, ""),
        }
        for member in view.members
    ]
    grid = [
        {"name": names[member.person_id], "cells": [a.state_of(member.person_id) for a in per_item]}
        for member in view.members
    ]
    open_items = [
        d for d in view.items if d.state not in (*DECIDED_STATES, *AFTER_SIGNATURE_STATES) and d.position is not None
    ]
    people_choices = list(names.items())  # the sheet's order: last name, first name
    item_choices = [(d.pk, f"{d.position}. {d.title[:80]}") for d in open_items]
    choices = (people_choices, item_choices)
    none_people, none_items = Person.objects.none(), Deliberation.objects.none()
    return {
        "sitting": sitting,
        "view": view,
        "sheet": sheet,
        "statuses": [("", "— " + _("non pointé")), *((value, str(label)) for value, label in Presence.choices)],
        "opening_labels": {
            "present": _("présent"),
            "represented": _("représenté"),
            "excused": _("excusé"),
            "absent": _("absent"),
        },
        "grid": grid,
        "letters": {"present": "P", "represented": "R", "excused": "E", "absent": "A"},
        "window": window,
        "start": start,
        "previous_start": max(start - GRID_COLUMNS, 1) if start > 1 else None,
        "next_start": start + GRID_COLUMNS
        if any((d.position or 0) >= start + GRID_COLUMNS for d in view.items)
        else None,
        "opening": opening,
        "totals": [f"{a.present_count}/{a.represented_count}" for a in per_item],
        "proxies": view.proxies,
        "proxy_names": view.proxy_names,
        "proxy_form": forms.ProxyForm(
            people=none_people, items=none_items, choices=choices, initial={"written_on": sitting.date}
        ),
        "movement_form": forms.MovementForm(people=none_people, items=none_items, choices=choices),
        "can_record": tenancy.can(request.user, sitting.assembly.organization_id, Capability.RECORD_VOTES),
        "changes": view.changes,
    }


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
    """HTMX: one member's status changed in the grid; answers the live quorum panel."""
    sitting = selectors.sitting_for(request.user, pk)
    _require_record(request, sitting)
    error = None
    try:
        status = str(request.POST.get("status") or request.POST.get(f"status-{person_id}", ""))
        services.set_attendances(user=request.user, sitting=sitting, statuses={person_id: status})
    except DomainError as exc:
        error = error_text(exc)
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
    _require_record(request, sitting)
    people = Person.objects.filter(organization_id=sitting.assembly.organization_id)
    items = Deliberation.objects.filter(sitting=sitting)
    form = forms.ProxyForm(request.POST, people=people, items=items)
    if not form.is_valid():
        messages.error(
            request, _("Pouvoir incomplet : ") + "; ".join(str(e) for errs in form.errors.values() for e in errs)
        )
    else:
        attempt(
            request,
            lambda: services.register_proxy(user=request.user, sitting=sitting, **form.cleaned_data),
            _("Le pouvoir est enregistré."),
        )
    return redirect("deliberations:attendance", sitting.pk)


@login_required
@require_POST
def proxy_revoke(request: HttpRequest, pk: int, proxy_id: int) -> HttpResponse:
    sitting = selectors.sitting_for(request.user, pk)
    _require_record(request, sitting)
    proxy = Proxy.objects.filter(sitting=sitting, pk=proxy_id).first()
    if proxy is None:
        messages.error(request, _("Pouvoir introuvable."))
    else:
        attempt(request, lambda: services.revoke_proxy(user=request.user, proxy=proxy), _("Le pouvoir est révoqué."))
    return redirect("deliberations:attendance", sitting.pk)


@login_required
@require_POST
def movement_create(request: HttpRequest, pk: int) -> HttpResponse:
    sitting = selectors.sitting_for(request.user, pk)
    _require_record(request, sitting)
    people = Person.objects.filter(organization_id=sitting.assembly.organization_id)
    form = forms.MovementForm(request.POST, people=people, items=Deliberation.objects.filter(sitting=sitting))
    if not form.is_valid():
        messages.error(request, _("Arrivée ou départ incomplet."))
    else:
        attempt(
            request,
            lambda: services.record_movement(user=request.user, sitting=sitting, **form.cleaned_data),
            _("L'arrivée ou le départ est enregistré."),
        )
    return redirect(request.POST.get("next") or reverse("deliberations:attendance", args=[sitting.pk]))
