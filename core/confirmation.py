"""Irreversible actions ask first: the page says what will happen, the person confirms, and
the server refuses the action when the confirmation is missing.

A form of such an action carries ``data-confirm-*`` attributes (``confirm_attributes`` in
``pages/includes/confirm.jinja``): ``static/js/confirm.js`` opens the layout's ``<dialog>``
with its wording and, once confirmed, posts the form with ``confirmation=oui``. Without
script, the form posts without it: the view answers ``refusal``, a 400 page with the same
wording and a button that posts the same fields again, confirmed.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

CONFIRM_FIELD = "confirmation"
CONFIRM_VALUE = "oui"
# What a confirmation page does not post again: the token is written afresh by the page.
_NOT_REPOSTED = {"csrfmiddlewaretoken", CONFIRM_FIELD}


@dataclass(frozen=True)
class Confirmation:
    """The wording of an irreversible action's confirmation: its question, what will happen,
    the label of the button that does it."""

    title: str
    consequence: str
    button: str


def is_confirmed(request: HttpRequest) -> bool:
    return request.POST.get(CONFIRM_FIELD) == CONFIRM_VALUE


def refusal(request: HttpRequest, confirmation: Confirmation, *, back: str) -> HttpResponse:
    """The action is not done: a 400 page that says why, what the action would do, and lets
    the person confirm it (the posted fields are posted again) or go back to ``back``."""
    fields = [(key, value) for key in request.POST for value in request.POST.getlist(key) if key not in _NOT_REPOSTED]
    return render(
        request,
        "pages/core/confirm.jinja",
        {
            "confirmation": confirmation,
            "message": _("Cette action est irréversible : elle n'est faite qu'une fois confirmée."),
            "fields": fields,
            "action_url": request.path,
            "back": back,
            "confirm_field": CONFIRM_FIELD,
            "confirm_value": CONFIRM_VALUE,
        },
        status=400,
        using="pages",
    )
