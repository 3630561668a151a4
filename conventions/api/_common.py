"""What the API's modules share: their router, and the objects a payload names (a party,
approving acts, a programme), read within the user's organizations."""

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _

from conventions import selectors
from conventions.models import Convention, ConventionParty, Programme
from core.api_routers import ModuleRouter
from core.errors import DomainError
from deliberations import selectors as deliberation_selectors
from deliberations.models import Deliberation


class Router(ModuleRouter):
    operation_prefix = "conventions_api"  # the ids of the operations when the API was one module


def programme_of(request: HttpRequest, pk: int | None) -> Programme | None:
    """The programme a payload names (``None``: none), among the user's organizations', or 404."""
    return selectors.programme_for(request.user, pk) if pk else None


def approving_acts(user: Any, ids: list[int]) -> list[Deliberation]:
    """The acts a payload names, among the user's organizations' (the service checks they are
    the convention's organization's and adopted), with their vote; an unknown one is an error."""
    found = list(deliberation_selectors.deliberations_for(user).filter(pk__in=ids).select_related("vote"))
    if len(found) != len(set(ids)):
        raise DomainError(_("Délibération inconnue."), rule="Approbation de la convention", field="deliberation_ids")
    return found


def party_of(convention: Convention, party_id: int) -> ConventionParty:
    """The party a payload names, among the convention's prefetched parties."""
    party = next((p for p in convention.parties.all() if p.pk == party_id), None)
    if party is None:
        raise DomainError(_("Cette partie n'est pas partie à la convention."), rule="Parties", field="party_id")
    return party
