"""Sittings and their agenda, scoped to the user's organizations."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from django.db.models import Count, OuterRef, Prefetch, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from core import tenancy
from deliberations.models import Deliberation, DeliberationKind, DeliberationState, Sitting, SittingState
from deliberations.selectors.assemblies import MemberName, get_or_404, user_assembly_ids


def sittings_for(user: Any, *, assembly_ids: list[int] | None = None) -> QuerySet[Sitting]:
    """The sittings of the user's organizations (``assembly_ids``: their assemblies, when the
    caller has already read them), with their item count."""
    # The item count is a subquery per row shown, not a GROUP BY over every sitting of ten
    # years (which PostgreSQL would aggregate before sorting and keeping 25).
    items = (
        Deliberation.objects.filter(sitting=OuterRef("pk"))
        .order_by()
        .values("sitting")
        .annotate(n=Count("sitting"))  # the indexed column: an index-only count
        .values("n")
    )
    return (
        Sitting.objects.filter(assembly_id__in=user_assembly_ids(user) if assembly_ids is None else assembly_ids)
        .select_related("assembly__organization", "president", "secretary", "reconvened_from")
        .annotate(item_count=Coalesce(Subquery(items), 0))
    )


def sitting_for(user: Any, pk: int, *, page: bool = False, people: bool = True) -> Sitting:
    """One sitting of the user's organizations, or 404, with its assembly and organization;
    with ``people``, its president, secretary and the sitting it was reconvened from; for its
    ``page``, the sittings reconvened from it too (``reconvened_sittings.all()``, latest first)."""
    queryset = Sitting.objects.filter(assembly__organization__in=tenancy.organization_ids(user)).select_related(
        "assembly__organization"
    )
    if people:
        queryset = queryset.select_related("president", "secretary", "reconvened_from")
    if page:
        queryset = queryset.prefetch_related(
            Prefetch("reconvened_sittings", queryset=Sitting.objects.order_by("-starts_at"))
        )
    return get_or_404(queryset, pk=pk)  # type: ignore[no-any-return]


def agenda(sitting: Sitting | int) -> QuerySet[Deliberation]:
    """The agenda of a sitting, in order, each item with its rapporteur and its vote: the one
    agenda query of the sitting's page, its attendance sheet, its documents and the API."""
    sitting_id = sitting if isinstance(sitting, int) else sitting.pk
    return (
        Deliberation.objects.filter(sitting_id=sitting_id, position__isnull=False)
        .select_related("rapporteur", "vote")
        .order_by("position")
    )


@dataclass(frozen=True, slots=True)
class AgendaVote:
    votes_for: int
    votes_against: int
    abstentions: int
    not_voting: int
    result_text: str


@dataclass(frozen=True, slots=True)
class AgendaItem:
    """An agenda row as the sitting page, the attendance sheet and the API print it, as
    plain values (``vote`` is ``None`` when the item has none, where an act raises)."""

    pk: int
    position: int
    number: str
    kind: str
    title: str
    state: str
    rapporteur: MemberName | None
    vote: AgendaVote | None
    quorum_waived_in_id: int | None = None  # the re-convened sitting voting it without quorum

    @property
    def is_information(self) -> bool:
        return self.kind == DeliberationKind.INFORMATION

    def get_state_display(self) -> str:
        return str(DeliberationState(self.state).label)


_AGENDA_COLUMNS = (
    "pk",
    "position",
    "number",
    "kind",
    "title",
    "state",
    "quorum_waived_in_id",
    "rapporteur_id",
    "rapporteur__civility",
    "rapporteur__first_name",
    "rapporteur__last_name",
    "vote__id",
    "vote__votes_for",
    "vote__votes_against",
    "vote__abstentions",
    "vote__not_voting",
    "vote__result_text",
)


def agenda_summary(sitting: Sitting | int) -> list[AgendaItem]:
    """The sitting's ``agenda`` as ``AgendaItem`` rows: only the columns they print (an act's
    report and operative part are long texts)."""
    return [
        AgendaItem(
            pk,
            position,
            number,
            kind,
            title,
            state,
            MemberName(rapporteur, civility, first, last) if rapporteur else None,
            AgendaVote(*vote_values) if vote else None,
            waived_in,
        )
        for pk, position, number, kind, title, state, waived_in, rapporteur, civility, first, last, vote, *vote_values in (
            agenda(sitting).values_list(*_AGENDA_COLUMNS)
        )
    ]


def agenda_with_documents(sitting: Sitting) -> QuerySet[Deliberation]:
    """The ``agenda`` with what the sitting's documents print of each item."""
    return (
        agenda(sitting).select_related("transmission", "signatory__person").prefetch_related("annexes", "vote__ballots")
    )


def upcoming_sittings(user: Any, today: date, limit: int = 5, assembly_ids: list[int] | None = None) -> list[Sitting]:
    """The next sittings still to hold, with their assembly (what the dashboard prints)."""
    # A range on ``starts_at`` itself (not ``starts_at__date``) walks the (assembly, starts_at) index.
    since = timezone.make_aware(datetime.combine(today, time.min))
    if assembly_ids is None:
        assembly_ids = user_assembly_ids(user)
    return list(
        Sitting.objects.filter(assembly_id__in=assembly_ids)
        .select_related("assembly")
        .filter(starts_at__gte=since, state__in=[SittingState.PLANNED, SittingState.CONVENED, SittingState.OPEN])
        .order_by("starts_at")[:limit]
    )
