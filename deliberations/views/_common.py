"""What the pages of this app share: messages naming the rule a service refused on, a
page of one form, the assemblies and people a user may choose, the state badges."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from core import tenancy
from core.errors import DomainError
from core.roles import Capability
from deliberations import forms, selectors
from deliberations.models import SittingState
from parties.models import Person


def error_text(exc: DomainError) -> str:
    return f"{exc.message} — {_('règle')} : {exc.rule}" if exc.rule else exc.message


def attempt(request: HttpRequest, action: Callable[[], Any], success: str) -> bool:
    """Run a service; show its refusal as a message naming the rule."""
    try:
        action()
    except DomainError as exc:
        messages.error(request, error_text(exc))
        return False
    messages.success(request, success)
    return True


def form_error(form: Any, exc: DomainError) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, error_text(exc))


def form_page(request: HttpRequest, form: Any, title: str, back: Any = None) -> HttpResponse:
    """A page of one form, with a way back to ``back``'s page when there is one."""
    return render(
        request, "pages/deliberations/form.jinja", {"form": form, "title": title, "back": back}, using="pages"
    )


def manageable_assemblies(user: Any) -> QuerySet[Any]:
    return selectors.assemblies_for(user).filter(
        organization__in=tenancy.organizations_where(user, Capability.MANAGE_SITTINGS)
    )


def people_of(assemblies: QuerySet[Any]) -> QuerySet[Person]:
    return Person.objects.filter(organization__in=assemblies.values("organization")).order_by("last_name", "first_name")


_STATE_CLASSES = {
    "adopted": "ok",
    "enforceable": "ok",
    "taken_note": "ok",
    "rejected": "danger",
    "withdrawn": "danger",
    "postponed": "warn",
}


def state_class(state: str) -> str:
    """The badge class of a deliberation state (as in ``_deliberation_state.jinja``)."""
    return f"status--{_STATE_CLASSES.get(state, 'info')}"


def sitting_state_class(state: str) -> str:
    """The badge class of a sitting state (as in ``_sitting_state.jinja``)."""
    if state == SittingState.OPEN:
        return "status--warn"
    if state in (SittingState.PLANNED, SittingState.CONVENED):
        return "status--info"
    return "status--ok"


def posted_date(request: HttpRequest, field: str = "day") -> Any:
    form = forms.DateForm({"day": request.POST.get(field, "")})
    if not form.is_valid():
        raise DomainError(_("Indiquez une date valide."), field=field)
    return form.cleaned_data["day"]
