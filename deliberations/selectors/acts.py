"""Deliberations (acts): the user's lists and pages, the public register, the dashboard's
acts to follow up."""

from __future__ import annotations

import functools
import operator
from collections.abc import Sequence
from typing import Any

from django.db import connection
from django.db.models import BigIntegerField, Prefetch, Q, QuerySet, Value
from django.db.models.functions import Cast

from core import tenancy
from deliberations.models import DECIDED_STATES, Annex, Ballot, CtesClassification, Deliberation, DeliberationState
from deliberations.selectors.assemblies import assembly_ids_of, get_or_404, user_assembly_ids
from parties.models import Organization


def in_assemblies(assembly_ids: Sequence[int]) -> Q:
    """Acts of these assemblies, each id compared as a ``bigint``, the column's type.

    A bare number is an ``integer``: PostgreSQL then compares through a cross-type operator
    that btree indexes know and ``btree_gin`` ones do not, and a search would AND a bitmap of
    every collectivité's matches with the assembly's instead of walking the index on
    (assembly, vector) (migration 0005). ``__in`` refuses expressions in its list: one
    equality per assembly (a user's organizations have a few)."""
    if not assembly_ids:
        return Q(pk__in=[])  # nothing matches
    return functools.reduce(
        operator.or_, (Q(assembly_id=Cast(Value(int(pk)), BigIntegerField())) for pk in assembly_ids)
    )


def deliberations_for(user: Any) -> QuerySet[Deliberation]:
    return Deliberation.objects.filter(in_assemblies(user_assembly_ids(user))).select_related(
        "assembly__organization", "sitting", "rapporteur"
    )


def _approved_conventions() -> Prefetch:
    """The conventions an act approves, as its page lists them (reference and title)."""
    # The model named by the relation: this app imports nothing of the conventions app.
    convention = Deliberation._meta.get_field("approved_conventions").related_model
    return Prefetch(
        "approved_conventions",
        queryset=convention._default_manager.only("id", "reference", "title").order_by("-created_at", "-id"),  # type: ignore[union-attr]
    )


def deliberation_for(user: Any, pk: int, *, page: bool = False) -> Deliberation:
    """One act of the user's organizations, or 404, with its assembly and organization, its
    sitting, rapporteur and signatory (with the person); for its ``page``, its transmission
    and vote, its annexes and the conventions it approved (their reference and title) too."""
    queryset = Deliberation.objects.filter(assembly__organization__in=tenancy.organization_ids(user)).select_related(
        "assembly__organization", "sitting", "rapporteur", "signatory__person"
    )
    if page:
        # The collectivité's @CTES classification, for the act's panel (``classification_of``).
        queryset = queryset.select_related(
            "transmission", "vote", "assembly__organization__ctes_classification"
        ).prefetch_related(Prefetch("annexes", queryset=Annex.objects.order_by("id")), _approved_conventions())
    return get_or_404(queryset, pk=pk)  # type: ignore[no-any-return]


def ballots_of(deliberation: Deliberation) -> QuerySet[Ballot]:
    """The ballots of the act's vote by the members' names, with who cast each one."""
    return (
        Ballot.objects.filter(vote__deliberation=deliberation)
        .select_related("person", "cast_by")
        .order_by("person__last_name", "person__first_name", "id")
    )


def deliberation_detail_for(user: Any, pk: int) -> Deliberation:
    """An act with what the API's answer gives of it: its sitting, vote and transmission."""
    queryset = Deliberation.objects.filter(assembly__organization__in=tenancy.organization_ids(user)).select_related(
        "sitting", "vote", "transmission"
    )
    return get_or_404(queryset, pk=pk)  # type: ignore[no-any-return]


def filter_deliberations(
    queryset: QuerySet[Deliberation], *, q: str = "", year: int | None = None, subject: str = "", state: str = ""
) -> QuerySet[Deliberation]:
    """Filters shared by the pages, the API and the public page.

    Words are searched with French full-text search on PostgreSQL (stemmed, accents and
    stop words handled, GIN index on ``search_vector``) and with a plain substring match
    elsewhere.
    """
    if year:
        queryset = queryset.filter(year=year)
    if subject:
        subject = subject.strip()
        queryset = queryset.filter(Q(subject_code=subject) | Q(subject_code__startswith=subject + "."))
    if state:
        queryset = queryset.filter(state=state)
    if q.strip():
        if connection.vendor == "postgresql":
            from django.contrib.postgres.search import SearchQuery

            queryset = queryset.filter(search_vector=SearchQuery(q.strip(), config="french", search_type="websearch"))
        else:
            for word in q.split():
                queryset = queryset.filter(
                    Q(title__icontains=word)
                    | Q(report__icontains=word)
                    | Q(operative_part__icontains=word)
                    | Q(number__icontains=word)
                    | Q(theme__icontains=word)
                )
    return queryset


def public_register(pk: int) -> tuple[Organization, list[int]]:
    """A collectivité whose published deliberations anyone may read (its id and name: what
    the public pages print), with its assemblies' ids."""
    organization = get_or_404(Organization.objects.filter(tenant__isnull=True).only("id", "name"), pk=pk)
    return organization, assembly_ids_of([organization.pk])


def published_deliberations(
    organization: Organization, assembly_ids: list[int] | None = None
) -> QuerySet[Deliberation]:
    if assembly_ids is None:
        assembly_ids = assembly_ids_of([organization.pk])
    return (
        Deliberation.objects.published()
        .filter(in_assemblies(assembly_ids))
        .select_related("assembly", "sitting")
        .order_by("-published_on", "-year", "-sequence")
    )


def acts_to_follow_up(user: Any, limit: int = 10, assembly_ids: list[int] | None = None) -> QuerySet[Deliberation]:
    """Decided acts not yet exécutoire: to sign, transmit or publish (of ``assembly_ids``,
    the user's organizations' assemblies, when the caller has read them already)."""
    acts = (
        deliberations_for(user) if assembly_ids is None else Deliberation.objects.filter(assembly_id__in=assembly_ids)
    )
    return acts.filter(
        state__in=[
            *DECIDED_STATES,
            DeliberationState.SIGNED,
            DeliberationState.TRANSMITTED,
            DeliberationState.PUBLISHED,
        ]
    ).order_by("sitting__starts_at", "position")[:limit]


def ctes_classification(organization_id: int) -> CtesClassification | None:
    """The préfecture's classification the collectivité imported, or None (the built-in
    nomenclature and piece types then apply). The caller has scoped ``organization_id``."""
    return CtesClassification.objects.filter(organization_id=organization_id).first()


def classification_of(organization: Organization) -> CtesClassification | None:
    """The classification of an organization already read: taken from the row when the
    selector joined it (``deliberation_for(page=True)``), else read in one query."""
    try:
        return organization.ctes_classification
    except CtesClassification.DoesNotExist:
        return None
