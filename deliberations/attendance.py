"""Who is present, represented or absent for each agenda item, derived without the database.

A sitting stores one status per member (the default for every item) and the arrivals and
departures from an item on; a proxy applies from an item up to the item it is revoked
from. This module replays them in agenda order: storage grows with members plus changes,
and a whole sitting (240 members × 150 items) is derived in one pass from three queries.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property

from deliberations import rules

PRESENT, EXCUSED, ABSENT = "present", "excused", "absent"


@dataclass(frozen=True)
class ProxyFact:
    id: int
    giver_id: int
    holder_id: int
    start: int | None  # agenda position it applies from (None: the first item)
    end: int | None  # agenda position it is revoked from (None: never)
    revoked: bool = False
    revoked_from_item_id: int | None = None  # set even if that item has left the agenda since
    # What the API shows of a proxy besides (not needed to replay it).
    written_on: date | None = None
    illness: bool = False
    from_item_id: int | None = None

    def applies_at(self, position: int) -> bool:
        if self.revoked and self.end is None:
            return False
        return (self.start is None or self.start <= position) and (self.end is None or position < self.end)


@dataclass
class ItemAttendance:
    """The attendance for one agenda item."""

    position: int
    members_in_office: int
    status: dict[int, str]
    represented: dict[int, int] = field(default_factory=dict)  # giver id → holder id
    # Who is present, when already known for the same ``status`` (``replay`` shares it
    # between consecutive items where nobody moves).
    shared_present: list[int] | None = field(default=None, compare=False, repr=False)

    # ``status`` is never changed once the item is built (``replay`` may share it between
    # consecutive items): what is derived from it is computed once.
    @cached_property
    def present_ids(self) -> list[int]:
        if self.shared_present is not None:
            return self.shared_present
        return [person for person, status in self.status.items() if status == PRESENT]

    @cached_property
    def present_count(self) -> int:
        return len(self.present_ids)

    @property
    def represented_count(self) -> int:
        return len(self.represented)

    @property
    def voters(self) -> int:
        return self.present_count + self.represented_count

    @property
    def quorum_needed(self) -> int:
        return rules.quorum_needed(self.members_in_office)

    @property
    def has_quorum(self) -> bool:
        return rules.has_quorum(present=self.present_count, members_in_office=self.members_in_office)

    def state_of(self, person_id: int) -> str:
        """present, represented, excused or absent."""
        status = self.status.get(person_id, ABSENT)
        if status != PRESENT and person_id in self.represented:
            return "represented"
        return status


def replay(
    *,
    members: Sequence[int],
    defaults: Mapping[int, str],
    changes: Iterable[tuple[int, int, str]],
    positions: Sequence[int],
    proxies: Iterable[ProxyFact] = (),
) -> dict[int, ItemAttendance]:
    """The attendance of every item at ``positions``.

    ``defaults``: person → status for the sitting (a member not recorded is absent);
    ``changes``: (position, person, status) arrivals and departures, effective from that item on.
    """
    member_set = set(members)
    by_position: dict[int, list[tuple[int, str]]] = {}
    for position, person, status in changes:
        if person in member_set:
            by_position.setdefault(position, []).append((person, status))
    proxy_list = [p for p in proxies if p.giver_id in member_set and p.holder_id in member_set]
    current = {person: defaults.get(person, ABSENT) for person in members}
    wanted = set(positions)
    # Where a proxy starts or stops applying: between two of these, with nobody moving, the
    # same members are represented by the same holders.
    bounds = {p.start for p in proxy_list if p.start is not None} | {p.end for p in proxy_list if p.end is not None}
    result: dict[int, ItemAttendance] = {}
    snapshot: dict[int, str] | None = None  # the copy of ``current`` since the last change
    present: list[int] | None = None  # who is present in ``snapshot``
    represented: dict[int, int] | None = None  # giver → holder since the last change or bound
    # Sweep every position where something happens, in agenda order; a change recorded at
    # a position that is not asked for still applies to the later items.
    for position in sorted(wanted | set(by_position) | bounds):
        if position in bounds:
            represented = None
        for person, status in by_position.get(position, ()):
            current[person] = status
            snapshot = represented = None
        if position not in wanted:
            continue
        if snapshot is None:
            snapshot = dict(current)
            present = None
        # Items where nothing changes share their statuses, who is present and who is
        # represented: computed once, not once per item (150 items × 240 members on a
        # métropole's agenda); an item's attendance is never changed once built.
        if represented is None:
            represented = {}
            holders_used: set[int] = set()
            for proxy in proxy_list:
                if not proxy.applies_at(position) or proxy.holder_id in holders_used:
                    continue
                if current[proxy.giver_id] != PRESENT and current[proxy.holder_id] == PRESENT:
                    represented[proxy.giver_id] = proxy.holder_id
                    holders_used.add(proxy.holder_id)
        item = ItemAttendance(
            position=position,
            members_in_office=len(members),
            status=snapshot,
            represented=represented,
            shared_present=present,
        )
        if present is None:
            present = item.present_ids
        result[position] = item
    return result


def status_before(*, person: int, default: str, changes: Iterable[tuple[int, int, str]], position: int) -> str:
    """A member's status for the item at ``position`` (changes at that position included)."""
    status = default
    for change_position, change_person, change_status in sorted(changes):
        if change_person == person and change_position <= position:
            status = change_status
    return status
