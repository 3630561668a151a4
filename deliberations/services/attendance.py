"""The sitting as it runs, before the votes: attendance, arrivals and departures, proxies."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Exists, OuterRef
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from core.errors import DomainError
from core.roles import Capability
from deliberations import rules, selectors
from deliberations.attendance import PRESENT, ProxyFact
from deliberations.models import (
    EXAMINED_STATES,
    Attendance,
    AttendanceChange,
    Deliberation,
    Mandate,
    Presence,
    Proxy,
    Sitting,
    SittingState,
)
from deliberations.selectors import item_facts
from deliberations.services._common import (
    lock_sitting,
    person_names,
    require,
    save,
)
from parties.models import Person, full_name

RULE_ATTENDANCE = "Feuille de présence"
RECORDING_STATES = (SittingState.CONVENED, SittingState.OPEN)


def _check_recording(sitting: Sitting) -> None:
    if sitting.state not in RECORDING_STATES:
        raise DomainError(
            f"La séance est « {sitting.get_state_display()} » : les présences ne s'enregistrent "
            f"qu'une fois la séance convoquée et jusqu'à sa clôture.",
            rule="Cycle de vie",
        )


def _check_status(status: str) -> str:
    if status not in Presence.values:
        raise DomainError(f"Présence inconnue : « {status} » (present, excused ou absent).", field="status")
    return status


# --- Sitting-level attendance ----------------------------------------------------------------


@transaction.atomic
def mark_unrecorded_present(*, user: Any, sitting: Sitting) -> int:
    """ "All present": every member in office not yet recorded is marked present. Returns how many."""
    require(user, sitting.assembly.organization_id, Capability.RECORD_VOTES)
    locked = lock_sitting(sitting)
    _check_recording(locked)
    _refuse_if_examined(locked)
    recorded = set(Attendance.objects.filter(sitting=locked).values_list("person_id", flat=True))
    members = selectors.members_in_office(locked.assembly_id, locked.date)
    rows = [
        Attendance(sitting=locked, person_id=m.person_id, status=Presence.PRESENT)
        for m in members
        if m.person_id not in recorded
    ]
    bulk_create_with_history(rows, Attendance, default_user=actor(user), default_change_reason="Tous présents")
    return len(rows)


def actor(user: Any) -> Any:
    return user if getattr(user, "is_authenticated", False) else None


def _refuse_if_examined(sitting: Sitting) -> None:
    examined = (
        Deliberation.objects.filter(sitting=sitting, state__in=EXAMINED_STATES, position__isnull=False)
        .order_by("position")
        .values_list("position", "number")
        .first()
    )
    if examined:
        raise DomainError(
            f"Le point {examined[0]} ({examined[1]}) est déjà examiné : la présence de la séance "
            f"ne change plus ; enregistrez une arrivée ou un départ à partir d'un point non examiné.",
            rule=RULE_ATTENDANCE,
        )


@transaction.atomic
def set_attendances(*, user: Any, sitting: Sitting, statuses: Mapping[int, str]) -> int:
    """Record the sitting-level status of members (person id → present / excused / absent).
    Returns the number of rows changed."""
    require(user, sitting.assembly.organization_id, Capability.RECORD_VOTES)
    locked = lock_sitting(sitting)
    _check_recording(locked)
    members = _member_names(locked, list(statuses))
    for person_id, status in statuses.items():
        _check_status(status)
        if person_id not in members:
            raise DomainError(
                f"La personne n° {person_id} n'est pas membre en exercice de l'assemblée le {locked.date:%d/%m/%Y}.",
                rule="Membres en exercice",
                field="person",
            )
    existing = {
        a.person_id: a
        for a in Attendance.objects.select_for_update().filter(sitting=locked, person_id__in=list(statuses))
    }
    changed = [pid for pid, status in statuses.items() if pid not in existing or existing[pid].status != status]
    if changed:
        _refuse_if_examined(locked)
    # Written in bulk (a roll call of 240 members costs a few queries, not two per member);
    # each history row keeps its own reason and the actor.
    created: list[Attendance] = []
    updated: list[Attendance] = []
    for person_id in changed:
        row = existing.get(person_id)
        if row is None:
            row = Attendance(sitting=locked, person_id=person_id)
            created.append(row)
        else:
            updated.append(row)
        row.status = statuses[person_id]
        row._change_reason = f"{members[person_id]} : {Presence(row.status).label}"  # type: ignore[attr-defined]
    if created:
        bulk_create_with_history(created, Attendance, batch_size=500, default_user=actor(user))
    if updated:
        bulk_update_with_history(updated, Attendance, ["status"], batch_size=500, default_user=actor(user))
    return len(changed)


def _member_names(sitting: Sitting, person_ids: list[int]) -> dict[int, str]:
    """Person id → name of those of ``person_ids`` in office on the sitting's day, as plain
    values: one row when one member is recorded, not the 240 members."""
    return {
        person_id: full_name(first, last)
        for person_id, first, last in Mandate.objects.in_office(sitting.date)
        .filter(assembly_id=sitting.assembly_id, person_id__in=person_ids)
        .values_list("person_id", "person__first_name", "person__last_name")
    }


def set_attendance(*, user: Any, sitting: Sitting, person: Person, status: str) -> None:
    set_attendances(user=user, sitting=sitting, statuses={person.pk: status})


# --- Arrivals and departures -----------------------------------------------------------------


AgendaRow = tuple[int, int, str, str]  # pk, position, number, state


def _agenda_rows(sitting: Sitting) -> list[AgendaRow]:
    """The agenda as plain values, in order: what the checks of a movement or a proxy need."""
    return list(
        Deliberation.objects.filter(sitting=sitting, position__isnull=False)
        .order_by("position")
        .values_list("pk", "position", "number", "state")
    )


def _open_position(agenda: list[AgendaRow], deliberation_id: int) -> int:
    """The position of an agenda item from which arrivals, departures and proxies may still
    start: after the last item examined."""
    position = next((p for pk, p, _number, _state in agenda if pk == deliberation_id), None)
    if position is None:
        raise DomainError("Ce point n'est pas à l'ordre du jour de cette séance.", field="deliberation")
    examined = next(((p, n) for _pk, p, n, state in agenda if state in EXAMINED_STATES and p >= position), None)
    if examined:
        raise DomainError(
            f"Le point {examined[0]} ({examined[1]}) est déjà examiné : une arrivée ou un départ "
            f"ne peut être enregistré qu'à partir d'un point qui suit le dernier point examiné.",
            rule=RULE_ATTENDANCE,
            field="deliberation",
        )
    return position


def _check_item_open(sitting: Sitting, deliberation: Deliberation) -> None:
    _open_position(_agenda_rows(sitting), deliberation.pk)


@transaction.atomic
def record_movement(
    *,
    user: Any,
    sitting: Sitting,
    person: Person,
    deliberation: Deliberation,
    status: str,
    only_this_item: bool = False,
) -> AttendanceChange:
    """A member arrives (present) or leaves (absent / excused) from an item on; with
    ``only_this_item`` they return to their previous status at the next item (for instance
    a member who leaves the room for an item that concerns them)."""
    require(user, sitting.assembly.organization_id, Capability.RECORD_VOTES)
    locked = lock_sitting(sitting)
    _check_recording(locked)
    _check_status(status)
    # The item's position is read again under the sitting's lock (it may have moved since).
    agenda = _agenda_rows(locked)
    position = _open_position(agenda, deliberation.pk)
    facts = item_facts(locked, position, proxies=False)
    if person.pk not in facts.in_office:
        raise DomainError(f"{person.full_name} n'est pas membre en exercice de l'assemblée.", field="person")
    # The sitting's row lock serializes every movement of the sitting: no other transaction
    # can create this row between the read and the write.
    change = AttendanceChange.objects.filter(person=person, deliberation_id=deliberation.pk).first()
    if change is None:
        change = AttendanceChange(sitting=locked, person=person, deliberation_id=deliberation.pk)
    previous = facts.at(position).status.get(person.pk, "absent")
    change.status = status
    save(change, user=user, reason=f"{person.full_name} : {Presence(status).label} à partir du point {position}")
    if only_this_item:
        following = next(((pk, p) for pk, p, _number, _state in agenda if p > position), None)
        if (
            following is not None
            and not AttendanceChange.objects.filter(person=person, deliberation_id=following[0]).exists()
        ):
            back = AttendanceChange(sitting=locked, person=person, deliberation_id=following[0], status=previous)
            save(
                back,
                user=user,
                reason=f"{person.full_name} : {Presence(previous).label} à partir du point {following[1]}",
            )
    return change


@transaction.atomic
def delete_movement(*, user: Any, change: AttendanceChange) -> None:
    require(user, change.sitting.assembly.organization_id, Capability.RECORD_VOTES)
    locked = lock_sitting(change.sitting_id)
    _check_recording(locked)
    _check_item_open(locked, change.deliberation)
    change.delete()


# --- Proxies ----------------------------------------------------------------------------------


def _consecutive_sittings(sitting: Sitting, giver: Person, written_on: date) -> int:
    """How many consecutive sittings (this one included) the same written proxy serves."""
    same_proxy = Proxy.objects.filter(sitting=OuterRef("pk"), giver=giver, written_on=written_on)
    used = (
        Sitting.objects.filter(assembly_id=sitting.assembly_id, starts_at__lt=sitting.starts_at)
        .order_by("-starts_at")
        .annotate(used=Exists(same_proxy))
        .values_list("used", flat=True)[: rules.PROXY_MAX_CONSECUTIVE_SITTINGS + 1]
    )
    count = 1
    for served in used:
        if not served:
            break
        count += 1
    return count


def _overlapping(proxies: Iterable[ProxyFact], start: int | None) -> list[ProxyFact]:
    """Proxies still applying at or after position ``start``."""
    result = []
    for proxy in proxies:
        if proxy.revoked and proxy.revoked_from_item_id is None:
            continue
        if proxy.end is not None and start is not None and proxy.end <= start:
            continue
        result.append(proxy)
    return result


@transaction.atomic
def register_proxy(
    *,
    user: Any,
    sitting: Sitting,
    giver: Person,
    holder: Person,
    written_on: date,
    illness: bool = False,
    from_item: Deliberation | None = None,
) -> Proxy:
    """Record a pouvoir with every condition of CGCT L2121-20 (see ``rules.check_proxy``).
    It applies from ``from_item`` or, by default, from the first item not yet examined."""
    require(user, sitting.assembly.organization_id, Capability.RECORD_VOTES)
    locked = lock_sitting(sitting)
    proxy = checked_proxy(
        sitting=locked, giver=giver, holder=holder, written_on=written_on, illness=illness, from_item=from_item
    )
    save(proxy, user=user, reason=f"Pouvoir de {giver.full_name} à {holder.full_name}")
    return proxy


def _is_present(
    status: Mapping[int, str], recorded: Mapping[int, str], person_id: int, announced: Mapping[int, str] | None
) -> bool:
    if announced is not None and person_id not in recorded:
        # Not yet pointed on the sheet: a member is expected unless they said they would not come.
        return announced.get(person_id, PRESENT) == PRESENT
    return status.get(person_id) == PRESENT


def checked_proxy(
    *,
    sitting: Sitting,
    giver: Person,
    holder: Person,
    written_on: date,
    illness: bool = False,
    from_item: Deliberation | None = None,
    announced: Mapping[int, str] | None = None,
) -> Proxy:
    """The pouvoir checked against every condition of CGCT L2121-20 (``rules.check_proxy``),
    not yet saved; ``sitting`` is locked by the caller. ``announced`` (person id → what the
    member said they would do: present, absent, proxy) stands in for the attendance of the
    members not yet pointed on the sheet: a proxy given before the sitting."""
    locked = sitting
    _check_recording(locked)
    if written_on > locked.date:
        raise DomainError(
            "Un pouvoir ne peut pas être daté après la séance.", rule=rules.RULE_PROXY, field="written_on"
        )
    agenda = _agenda_rows(locked)
    examined = [p for _pk, p, _number, state in agenda if state in EXAMINED_STATES]
    from_item_id: int | None
    if from_item is not None:
        from_item_id, start = from_item.pk, _open_position(agenda, from_item.pk)
    elif examined:
        following = next(((pk, p) for pk, p, _number, _state in agenda if p > max(examined)), None)
        if following is None:
            raise DomainError("Tous les points sont examinés : un pouvoir ne servirait plus.", rule=rules.RULE_PROXY)
        from_item_id, start = following
    else:
        from_item_id, start = None, None
    # Checked at the item it applies from (by default the first item; the opening without an agenda).
    checked_at = start if start is not None else (agenda[0][1] if agenda else None)
    facts = item_facts(locked, checked_at)
    at = facts.at(checked_at)
    others = _overlapping(facts.proxies, start)
    holder_other = next((p for p in others if p.holder_id == holder.pk), None)
    giver_other = next((p for p in others if p.giver_id == giver.pk), None)
    # Names of the other proxies only when the check refuses (never on the usual path).
    names = (
        person_names([p.giver_id for p in (holder_other,) if p] + [p.holder_id for p in (giver_other,) if p])
        if holder_other or giver_other
        else {}
    )
    rules.check_proxy(
        giver_name=giver.full_name,
        holder_name=holder.full_name,
        same_person=giver.pk == holder.pk,
        giver_in_office=giver.pk in facts.in_office,
        holder_in_office=holder.pk in facts.in_office,
        giver_present=at.status.get(giver.pk) == PRESENT,
        holder_present=_is_present(at.status, facts.defaults, holder.pk, announced),
        holder_other_proxy_giver=names[holder_other.giver_id] if holder_other else None,
        giver_other_proxy_holder=names[giver_other.holder_id] if giver_other else None,
        consecutive_sittings=_consecutive_sittings(locked, giver, written_on),
        illness=illness,
    )
    return Proxy(
        sitting=locked, giver=giver, holder=holder, written_on=written_on, illness=illness, from_item_id=from_item_id
    )


@transaction.atomic
def represent(
    *,
    user: Any,
    sitting: Sitting,
    giver: Person,
    holder: Person,
    written_on: date,
    illness: bool = False,
    from_item: Deliberation | None = None,
) -> Proxy:
    """A member "représenté" on the attendance sheet: recorded absent for the sitting when
    they were recorded present or not at all, then their proxy registered with every check of
    ``register_proxy`` (CGCT L2121-20: the giver is absent, the holder present). One
    transaction: a refused proxy leaves the member's status as it was. A proxy from a later
    item leaves the sitting's status alone (the member leaves with a departure)."""
    if from_item is None:
        stored = Attendance.objects.filter(sitting=sitting, person=giver).values_list("status", flat=True).first()
        if stored not in (Presence.ABSENT, Presence.EXCUSED):
            set_attendances(user=user, sitting=sitting, statuses={giver.pk: Presence.ABSENT})
    return register_proxy(
        user=user,
        sitting=sitting,
        giver=giver,
        holder=holder,
        written_on=written_on,
        illness=illness,
        from_item=from_item,
    )


@transaction.atomic
def revoke_proxy(*, user: Any, proxy: Proxy, from_item: Deliberation | None = None) -> Proxy:
    """Revoke a proxy (CGCT L2121-20: a proxy is revocable) from an item not yet examined on;
    before any item is examined it is revoked altogether."""
    require(user, proxy.sitting.assembly.organization_id, Capability.RECORD_VOTES)
    return revoke_checked(proxy=proxy, from_item=from_item, user=user)


@transaction.atomic
def revoke_checked(*, proxy: Proxy, from_item: Deliberation | None = None, user: Any = None) -> Proxy:
    """Revoke a proxy once the caller may (the clerk's role, or the giver themselves through
    their own page): the sitting still recording, from an item not yet examined on."""
    locked_sitting = lock_sitting(proxy.sitting_id)
    _check_recording(locked_sitting)
    locked = Proxy.objects.select_for_update().get(pk=proxy.pk)
    if locked.revoked:
        raise DomainError("Ce pouvoir est déjà révoqué.", rule=rules.RULE_PROXY)
    agenda = _agenda_rows(locked_sitting)
    revoked_from: tuple[int, int] | None = None  # (item id, position)
    if from_item is not None:
        revoked_from = (from_item.pk, _open_position(agenda, from_item.pk))
    else:
        examined = [p for _pk, p, _number, state in agenda if state in EXAMINED_STATES]
        if examined:
            revoked_from = next(((pk, p) for pk, p, _number, _state in agenda if p > max(examined)), None)
    locked.revoked = True
    starts = next((p for pk, p, _number, _state in agenda if pk == locked.from_item_id), None)
    if revoked_from is not None and (starts is None or revoked_from[1] > starts):
        locked.revoked_from_item_id = revoked_from[0]
    else:
        locked.revoked_from_item = None  # never applied: revoked altogether
    save(
        locked,
        user=user,
        reason="Pouvoir révoqué" + (f" à partir du point {revoked_from[1]}" if revoked_from else ""),
    )
    return locked
