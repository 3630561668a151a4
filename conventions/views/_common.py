"""What the pages of the conventions app share: parsing a posted form into a domain error,
showing a domain error on a form, a convention's parties as a menu."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _

from conventions.models import Convention, ConventionParty
from core.errors import DomainError

PAGE_SIZE = 25


def querystring_without_page(request: HttpRequest) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


def error_text(exc: DomainError) -> str:
    """A domain error as a message: its text and the rule it applies."""
    return f"{exc.message} ({exc.rule})" if exc.rule else exc.message


def valid(form: Any) -> dict[str, Any]:
    """The form's cleaned data, or a domain error naming each field in error."""
    if not form.is_valid():
        errors = "; ".join(
            f"{form.fields[f].label if f in form.fields else ''} : {' '.join(e)}".strip(" :")
            for f, e in form.errors.items()
        )
        raise DomainError(errors, rule=_("Saisie"))
    return dict(form.cleaned_data)


def form_error(form: Any, exc: DomainError) -> None:
    """Show a domain error on the form, by its field when the form has it."""
    form.add_error(exc.field if exc.field in form.fields else None, error_text(exc))


def party_choices(convention: Convention) -> list[tuple[int, str]]:
    """The convention's parties (prefetched by ``selectors.convention_detail``) as a menu."""
    return [(p.pk, p.organization.name) for p in convention.parties.all()]


def party_of(convention: Convention, pk: int) -> ConventionParty:
    """One of the convention's parties, or a domain error."""
    party = next((p for p in convention.parties.all() if p.pk == pk), None)
    if party is None:
        raise DomainError(_("Cette partie n'est pas partie à la convention."), rule="Parties")
    return party
