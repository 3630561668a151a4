"""Lists of conventions, scoped to the user's organizations: the page's and the API's rows,
their filters and the managers' menu."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, Value
from django.db.models.functions import Upper

from conventions.models import Convention, ConventionParty
from conventions.selectors._common import not_found
from core import tenancy
from parties.models import Organization


def _scoped(user: Any) -> QuerySet[Convention]:
    return Convention.objects.visible_to(tenancy.organization_ids(user)).select_related(
        "organization", "manager", "programme"
    )


def conventions_for(user: Any) -> QuerySet[Convention]:
    """The conventions of the user's organizations, with what a list shows (no N+1)."""
    return _scoped(user).prefetch_related(
        Prefetch("parties", queryset=ConventionParty.objects.select_related("organization").order_by("position"))
    )


def convention_for(user: Any, pk: int) -> Convention:
    """One convention of the user's organizations, or 404."""
    try:
        return conventions_for(user).get(pk=pk)
    except Convention.DoesNotExist as exc:
        raise not_found("convention") from exc


# The columns of a list of conventions (page and API): not the text, terms or perimeter.
SUMMARY_FIELDS = (
    "organization_id",
    "reference",
    "title",
    "kind",
    "status",
    "manager_id",
    "programme_id",
    "effective_date",
    "end_date",
    "amount",
)


def convention_summaries(user: Any) -> QuerySet[Convention]:
    """The conventions of the user's organizations with only what a list shows: its columns
    and the partners' names, in three queries for a page whatever its length."""
    # The partners' organizations are read by id in a query of their own: joined to the
    # parties, PostgreSQL hashes every one of a métropole's 6,700 organizations for the
    # hundred parties of a page (12 ms instead of 0.3).
    parties = ConventionParty.objects.only("convention_id", "organization_id", "position").order_by("position")
    return (
        Convention.objects.visible_to(tenancy.organization_ids(user))
        .only(*SUMMARY_FIELDS)
        .prefetch_related(
            Prefetch("parties", queryset=parties),
            Prefetch("parties__organization", queryset=Organization.objects.only("name")),
        )
    )


def partner_names(convention: Convention) -> list[str]:
    """The names of a convention's partners (every party but its organization), from its
    prefetched parties (``convention_summaries``, ``conventions_for``)."""
    return [p.organization.name for p in convention.parties.all() if p.organization_id != convention.organization_id]


def managers_for(user: Any) -> list[tuple[int, str]]:
    """Who may manage a convention of the user's organizations (their members), as (id, name)
    for the lists' menu, by last name."""
    users = (
        get_user_model()
        .objects.filter(memberships__organization_id__in=tenancy.organization_ids(user))
        .order_by("last_name", "first_name", "id")
        .values_list("id", "first_name", "last_name", "username")
        .distinct()
    )
    return [(pk, f"{first} {last}".strip() or username) for pk, first, last, username in users]


@dataclass(frozen=True)
class ConventionFilters:
    status: str = ""
    kind: str = ""
    partner: int | None = None
    partner_name: str = ""  # part of a partner's name, or its SIREN
    manager: int | None = None
    programme: int | None = None
    end_after: date | None = None
    end_before: date | None = None
    q: str = ""


def filter_conventions(queryset: QuerySet[Convention], filters: ConventionFilters) -> QuerySet[Convention]:
    if filters.status:
        queryset = queryset.filter(status=filters.status)
    if filters.kind:
        queryset = queryset.filter(kind=filters.kind)
    # Partners through EXISTS: no join that would repeat a convention (and no DISTINCT,
    # which sorts every row of the organization before paginating).
    if filters.partner:
        queryset = queryset.filter(
            Exists(ConventionParty.objects.filter(convention=OuterRef("pk"), organization_id=filters.partner))
        )
    if filters.partner_name.strip():
        text = filters.partner_name.strip()
        by_name = Q(organization__name__icontains=text)
        if text.replace(" ", "").isdigit():
            by_name |= Q(organization__siren=text.replace(" ", ""))
        queryset = queryset.filter(
            Exists(
                ConventionParty.objects.filter(by_name, convention=OuterRef("pk")).exclude(
                    organization_id=OuterRef("organization_id")
                )
            )
        )
    if filters.manager:
        queryset = queryset.filter(manager_id=filters.manager)
    if filters.programme:
        queryset = queryset.filter(programme_id=filters.programme)
    if filters.end_after:
        queryset = queryset.filter(end_date__gte=filters.end_after)
    if filters.end_before:
        queryset = queryset.filter(end_date__lte=filters.end_before)
    if filters.q:
        # The title or the reference contains the text, whatever its case: as ``icontains``
        # on either, upper-cased by the database on both sides (``Convention.search_text``).
        queryset = queryset.filter(search_text__contains=Upper(Value(filters.q)))
    return queryset
