"""A sitting's attendance: the members in office with their statuses, the arrivals and
departures, the proxies, read in a fixed number of queries and replayed in memory
(``deliberations.attendance``) for every agenda item."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

from deliberations.attendance import ItemAttendance, ProxyFact, replay
from deliberations.models import (
    AFTER_SIGNATURE_STATES,
    DECIDED_STATES,
    Attendance,
    AttendanceChange,
    Deliberation,
    Mandate,
    Proxy,
    Sitting,
)
from deliberations.selectors.assemblies import MEMBER_COLUMNS, Member, mandates_in_office, member_of
from deliberations.selectors.sittings import AgendaItem, agenda, agenda_summary
from parties.models import full_name as person_full_name


def _with_status(mandates: QuerySet[Mandate], sitting: Sitting, position: int | None = None) -> QuerySet[Mandate]:
    """``mandates`` with each member's ``status``: for the sitting, or at the item at
    ``position`` (their last arrival or departure up to it, else their status for the sitting)."""
    # A member has at most one status per sitting, and one movement per item (unique).
    status: Any = Subquery(
        Attendance.objects.filter(sitting_id=sitting.pk, person_id=OuterRef("person_id")).values("status")[:1]
    )
    if position is not None:
        moved = Subquery(
            AttendanceChange.objects.filter(
                sitting_id=sitting.pk,
                person_id=OuterRef("person_id"),
                deliberation__sitting_id=sitting.pk,
                deliberation__position__lte=position,
            )
            .order_by("-deliberation__position")
            .values("status")[:1]
        )
        status = Coalesce(moved, status)
    return mandates.annotate(status=status)


def _changes(sitting: Sitting) -> list[tuple[int, int, str]]:
    """The sitting's arrivals and departures: (item position, person, status)."""
    rows = AttendanceChange.objects.filter(
        sitting_id=sitting.pk, deliberation__sitting_id=sitting.pk, deliberation__position__isnull=False
    ).values_list("deliberation__position", "person_id", "status")
    return [(position or 0, person, status) for position, person, status in rows]


_PROXY_COLUMNS = (
    "id",
    "giver_id",
    "holder_id",
    "from_item__position",
    "revoked_from_item__position",
    "revoked",
    "revoked_from_item_id",
    "written_on",
    "illness",
    "from_item_id",
)
_PROXY_NAMES = ("giver__first_name", "giver__last_name", "holder__first_name", "holder__last_name")


def _proxies(sitting: Sitting, *, names: bool = False) -> tuple[list[ProxyFact], dict[int, str]]:
    """The sitting's proxies as ``ProxyFact`` (the positions they apply from and are revoked
    from, of items that may have left the agenda since), in the order they were recorded;
    with ``names``, the names of the people they name (person id → name)."""
    rows = Proxy.objects.filter(sitting_id=sitting.pk).order_by("id")
    proxies, proxy_names = [], {}
    for row in rows.values_list(*_PROXY_COLUMNS, *(_PROXY_NAMES if names else ())):
        proxy = ProxyFact(*row[: len(_PROXY_COLUMNS)])
        proxies.append(proxy)
        if names:
            giver_first, giver_last, holder_first, holder_last = row[len(_PROXY_COLUMNS) :]
            proxy_names[proxy.giver_id] = person_full_name(giver_first, giver_last)
            proxy_names[proxy.holder_id] = person_full_name(holder_first, holder_last)
    return proxies, proxy_names


# --- Facts: what writes check and the API counts ----------------------------------------------


@dataclass(frozen=True, slots=True)
class AttendanceFacts:
    """What a vote, a prise d'acte, a proxy or a movement checks and what the API's attendance
    answers count, as plain values: the members in office with their status, the arrivals and
    departures, the proxies."""

    members: list[int]  # person ids of the members in office (in name order)
    # person id → status for the sitting (``item_facts``: at that item); members only, if recorded
    defaults: dict[int, str]
    changes: list[tuple[int, int, str]]  # (position, person id, status)
    proxies: list[ProxyFact]
    names: dict[int, str]  # person id → name, when asked for
    in_office: frozenset[int]

    def replay(self, positions: list[int]) -> dict[int, ItemAttendance]:
        return replay(
            members=self.members,
            defaults=self.defaults,
            changes=self.changes,
            positions=positions,
            proxies=self.proxies,
        )

    def at(self, position: int | None) -> ItemAttendance:
        """The attendance for the item at ``position`` (``None``: at the opening)."""
        if position is None:
            return replay(
                members=self.members, defaults=self.defaults, changes=[], positions=[0], proxies=self.proxies
            )[0]
        return self.replay([position])[position]


def _facts(sitting: Sitting, *, position: int | None, changes: bool, proxies: bool, names: bool) -> AttendanceFacts:
    mandates = _with_status(mandates_in_office(sitting.assembly_id, sitting.date), sitting, position)
    columns = ["person_id", "status", *(("person__first_name", "person__last_name") if names else ())]
    members: list[int] = []
    defaults: dict[int, str] = {}
    member_names: dict[int, str] = {}
    seen: set[int] = set()
    # One row per running mandate (a member who changed role may have two): counted once.
    for person_id, status, *name in mandates.values_list(*columns):
        if person_id in seen:
            continue
        seen.add(person_id)
        members.append(person_id)
        if status is not None:
            defaults[person_id] = status
        if names:
            member_names[person_id] = person_full_name(*name)
    return AttendanceFacts(
        members=members,
        defaults=defaults,
        changes=_changes(sitting) if changes else [],
        proxies=_proxies(sitting)[0] if proxies else [],
        names=member_names,
        in_office=frozenset(seen),
    )


def attendance_facts(sitting: Sitting, *, names: bool = False) -> AttendanceFacts:
    """The sitting's attendance facts for every item, in three queries; with ``names``, the
    members' names."""
    return _facts(sitting, position=None, changes=True, proxies=True, names=names)


def item_facts(sitting: Sitting, position: int | None, *, proxies: bool = True, names: bool = False) -> AttendanceFacts:
    """The facts for one agenda item (``None``: at the opening) in two queries: each member's
    status there — their last arrival or departure up to that item, else their status for the
    sitting — is read with the members, so the arrivals and departures are not read apart;
    without ``proxies``, no proxies (a movement does not check them). ``at(position)`` is then
    the item's attendance; the facts serve that item only. With ``names``, the members' names."""
    return _facts(sitting, position=position, changes=False, proxies=proxies, names=names)


def agenda_and_facts(sitting: Sitting) -> tuple[list[AgendaItem], AttendanceFacts]:
    """A sitting's agenda as ``AgendaItem`` rows and its attendance facts for every item:
    the sitting's page."""
    return agenda_summary(sitting), attendance_facts(sitting)


# --- The attendance sheet: names, mandates and every item ----------------------------------


@dataclass(frozen=True)
class SittingAttendance:
    """Everything a sitting's attendance grid, quorum display and documents need."""

    sitting: Sitting
    members: list[Member]
    items: Sequence[Any]  # Deliberation or AgendaItem rows
    defaults: dict[int, str]
    proxies: list[ProxyFact]  # in the order they were recorded
    by_position: dict[int, ItemAttendance] = field(default_factory=dict)
    changes: list[tuple[int, int, str]] = field(default_factory=list)
    replayed_all: bool = True  # False: only some positions were replayed (``positions``)
    proxy_names: dict[int, str] = field(default_factory=dict)  # person id → name, of every giver and holder

    @property
    def members_in_office(self) -> int:
        return len(self.members)

    @property
    def person_names(self) -> dict[int, str]:
        return {m.person_id: m.person.full_name for m in self.members}

    def for_item(self, deliberation: Any) -> ItemAttendance:
        if deliberation.position is not None and deliberation.position in self.by_position:
            return self.by_position[deliberation.position]
        if not self.replayed_all and any(d.position == deliberation.position for d in self.items):
            raise LookupError(f"position {deliberation.position} was not replayed")
        return self.opening()

    def opening(self) -> ItemAttendance:
        """The attendance at the opening (sitting defaults, proxies applying from the start)."""
        return replay(
            members=[m.person_id for m in self.members],
            defaults=self.defaults,
            changes=[],
            positions=[0],
            proxies=self.proxies,
        )[0]

    def first_open_position(self) -> int | None:
        """The first item not yet examined (votes, prises d'acte), where new changes may start."""
        examined = [d.position for d in self.items if d.state in (*DECIDED_STATES, *AFTER_SIGNATURE_STATES)]
        last = max((p for p in examined if p is not None), default=None)
        candidates = [d.position for d in self.items if d.position is not None and (last is None or d.position > last)]
        return min(candidates) if candidates else None


def sitting_attendance(
    sitting: Sitting,
    *,
    items: Sequence[Any] | None = None,
    only: Deliberation | None = None,
    agenda_rows: bool = False,
    positions: Sequence[int] | None = None,
) -> SittingAttendance:
    """The derived attendance of every agenda item of a sitting, in four queries: the members
    in office with their names, mandates and statuses, the arrivals and departures, the
    proxies with the people they name, and the agenda (``items`` when given; with
    ``agenda_rows``, as ``AgendaItem`` rows, else as acts).

    With ``only``, the agenda is not read and only that item's position is replayed (the
    changes and proxies before it still apply): for a vote or an item's page.
    ``first_open_position`` needs the whole agenda and is not available then. With
    ``positions``, only the items at those positions are replayed (a page that shows some
    columns of a 150-item agenda); ``for_item`` refuses the others."""
    mandates = _with_status(mandates_in_office(sitting.assembly_id, sitting.date), sitting)
    members: list[Member] = []
    defaults: dict[int, str] = {}
    seen: set[int] = set()
    # One row per running mandate (a member who changed role may have two): the latest counts.
    for row in mandates.values_list(*MEMBER_COLUMNS, "status"):
        member = member_of(row)
        if member.person_id in seen:
            continue
        seen.add(member.person_id)
        members.append(member)
        if row[-1] is not None:
            defaults[member.person_id] = row[-1]
    changes = _changes(sitting)
    proxies, proxy_names = _proxies(sitting, names=True)
    if only is not None:
        items = [only]
    elif items is None:
        items = agenda_summary(sitting) if agenda_rows else list(agenda(sitting))
    return SittingAttendance(
        sitting=sitting,
        members=members,
        items=items,
        defaults=defaults,
        proxies=proxies,
        by_position=replay(
            members=[m.person_id for m in members],
            defaults=defaults,
            changes=changes,
            positions=[d.position for d in items if d.position is not None] if positions is None else positions,
            proxies=proxies,
        ),
        changes=changes,
        replayed_all=positions is None,
        proxy_names=proxy_names,
    )
