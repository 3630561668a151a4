"""Reads of organizations and people, scoped to the user's organizations."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from core import tenancy
from parties.models import Organization, Person, Signatory


def organizations_for(user: Any) -> QuerySet[Organization]:
    return Organization.objects.visible_to(tenancy.organization_ids(user)).select_related("tenant")


def organization_for(user: Any, pk: int) -> Organization:
    try:
        return organizations_for(user).get(pk=pk)
    except Organization.DoesNotExist as exc:
        raise Http404(_("Aucune organisation ne correspond à cette adresse.")) from exc


def people_for(user: Any) -> QuerySet[Person]:
    ids = tenancy.organization_ids(user)
    return Person.objects.filter(organization__in=Organization.objects.visible_to(ids)).select_related("organization")


def person_for(user: Any, pk: int) -> Person:
    try:
        return people_for(user).get(pk=pk)
    except Person.DoesNotExist as exc:
        raise Http404(_("Aucune personne ne correspond à cette adresse.")) from exc


def signatories_of(organization: Organization) -> QuerySet[Signatory]:
    return organization.signatories.select_related("person")


def managing_tenant_id(organization: Organization) -> int:
    """The tenant whose roles govern changes to this organization."""
    return organization.tenant_id_or_self
