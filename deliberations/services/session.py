"""The sitting as it runs: attendance, arrivals and departures, proxies, quorum, votes."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
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
    Ballot,
    Deliberation,
    DeliberationKind,
    DeliberationState,
    Mandate,
    Presence,
    Proxy,
    Sitting,
    SittingState,
    VoteChoice,
    VoteMethod,
    VoteResult,
)
from deliberations.selectors import AttendanceFacts, item_facts
from deliberations.services._common import (
    create_history_of,
    insert_rows,
    lock_deliberation,
    lock_sitting,
    person_names,
    require,
    save,
    transition,
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
    bulk_create_with_history(rows, Attendance, default_user=_actor(user), default_change_reason="Tous présents")
    return len(rows)


def _actor(user: Any) -> Any:
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
        bulk_create_with_history(created, Attendance, batch_size=500, default_user=_actor(user))
    if updated:
        bulk_update_with_history(updated, Attendance, ["status"], batch_size=500, default_user=_actor(user))
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
        holder_present=at.status.get(holder.pk) == PRESENT,
        holder_other_proxy_giver=names[holder_other.giver_id] if holder_other else None,
        giver_other_proxy_holder=names[giver_other.holder_id] if giver_other else None,
        consecutive_sittings=_consecutive_sittings(locked, giver, written_on),
        illness=illness,
    )
    proxy = Proxy(
        sitting=locked, giver=giver, holder=holder, written_on=written_on, illness=illness, from_item_id=from_item_id
    )
    save(proxy, user=user, reason=f"Pouvoir de {giver.full_name} à {holder.full_name}")
    return proxy


@transaction.atomic
def revoke_proxy(*, user: Any, proxy: Proxy, from_item: Deliberation | None = None) -> Proxy:
    """Revoke a proxy (CGCT L2121-20: a proxy is revocable) from an item not yet examined on;
    before any item is examined it is revoked altogether."""
    require(user, proxy.sitting.assembly.organization_id, Capability.RECORD_VOTES)
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


# --- Votes ------------------------------------------------------------------------------------


def _member_name(facts: AttendanceFacts, person_id: int) -> str:
    """A member's name for a refusal (read then only), "n° …" for someone not in office."""
    if person_id not in facts.in_office:
        return f"n° {person_id}"
    return person_names([person_id])[person_id]


@dataclass(frozen=True)
class BallotInput:
    person_id: int
    choice: str


def _check_examinable(sitting: Sitting, deliberation: Deliberation) -> None:
    if deliberation.sitting_id != sitting.pk:
        raise DomainError("Ce point n'est pas à l'ordre du jour de cette séance.")
    if sitting.state != SittingState.OPEN:
        raise DomainError(
            f"La séance est « {sitting.get_state_display()} » : les points ne s'examinent qu'en séance ouverte.",
            rule="Cycle de vie",
        )


@transaction.atomic
def record_vote(
    *,
    user: Any,
    deliberation: Deliberation,
    method: str = VoteMethod.SHOW_OF_HANDS,
    votes_for: int | None = None,
    votes_against: int | None = None,
    abstentions: int | None = None,
    not_voting: int | None = None,
    ballots: Iterable[BallotInput] | None = None,
    president_choice: str | None = None,
    requested_by: int | None = None,
    appointment: bool = False,
) -> VoteResult:
    """Record the vote on an item: quorum (L2121-17), method (L2121-21), totals equal to the
    members present and represented, each member voting once (a holder for their giver too),
    result by absolute majority of votes cast with the president's casting vote (L2121-20)."""
    require(user, deliberation.assembly.organization_id, Capability.RECORD_VOTES)
    sitting = lock_sitting(deliberation.sitting_id or 0) if deliberation.sitting_id else None
    locked = lock_deliberation(deliberation)
    if sitting is None or locked.sitting_id != sitting.pk:
        raise DomainError("Ce point n'est inscrit à aucune séance.")
    _check_examinable(sitting, locked)
    if locked.kind != DeliberationKind.VOTE:
        raise DomainError(
            "Ce point est une communication : le conseil en prend acte, sans vote.",
            rule="Nature du point",
            field="kind",
        )
    if locked.state != DeliberationState.ON_AGENDA:
        raise DomainError(
            f"Le point est « {locked.get_state_display()} » : il ne peut pas être voté.", rule="Cycle de vie"
        )
    facts = item_facts(sitting, locked.position)
    item = facts.at(locked.position)
    reconvened = sitting.reconvened_from_id is not None
    rules.check_quorum(present=item.present_count, members_in_office=item.members_in_office, reconvened=reconvened)
    rules.check_vote_method(
        method=method, requested_by=requested_by, present=item.present_count, appointment=appointment
    )
    ballot_rows: list[tuple[int, int | None, str]] = []  # person, cast by (a holder), choice
    if ballots is not None:
        ballots = list(ballots)
    if ballots:
        if method == VoteMethod.SECRET_BALLOT:
            raise DomainError(
                "Au scrutin secret, les votes individuels ne sont pas enregistrés : saisissez seulement les totaux.",
                rule=rules.RULE_METHOD,
                field="ballots",
            )
        seen: set[int] = set()
        totals = dict.fromkeys(VoteChoice.values, 0)
        for ballot in ballots:
            if ballot.choice not in totals:
                raise DomainError(f"Vote inconnu : « {ballot.choice} ».", field="ballots")
            if ballot.person_id in seen:
                raise DomainError(
                    f"{_member_name(facts, ballot.person_id)} a déjà voté : chaque membre vote une seule fois.",
                    rule=rules.RULE_TOTALS,
                    field="ballots",
                )
            seen.add(ballot.person_id)
            status = item.state_of(ballot.person_id)
            if status == "represented":
                cast_by: int | None = item.represented[ballot.person_id]
            elif status == PRESENT:
                cast_by = None
            else:
                raise DomainError(
                    f"{_member_name(facts, ballot.person_id)} n'est ni présent(e) ni représenté(e) pour ce point : "
                    "son vote ne peut pas être compté.",
                    rule=rules.RULE_TOTALS,
                    field="ballots",
                )
            totals[ballot.choice] += 1
            ballot_rows.append((ballot.person_id, cast_by, ballot.choice))
        missing = [p for p in [*item.present_ids, *item.represented] if p not in seen]
        if missing:
            names = person_names(missing[:10])
            raise DomainError(
                f"Il manque le vote de {len(missing)} membre(s) présent(s) ou représenté(s) : "
                + ", ".join(names[p] for p in missing[:10])
                + ("…" if len(missing) > 10 else "")
                + ".",
                rule=rules.RULE_TOTALS,
                field="ballots",
            )
        given = (votes_for, votes_against, abstentions, not_voting)
        counted = (totals["for"], totals["against"], totals["abstain"], totals["not_voting"])
        if any(g is not None for g in given) and tuple(g or 0 for g in given) != counted:
            raise DomainError(
                "Les totaux saisis ne correspondent pas aux votes nominatifs "
                f"({counted[0]} pour, {counted[1]} contre, {counted[2]} abstention(s), {counted[3]} ne prenant pas part).",
                rule=rules.RULE_TOTALS,
                field="votes_for",
            )
        votes_for, votes_against, abstentions, not_voting = counted
        president_ballot = next(
            (choice for person, cast_by, choice in ballot_rows if person == sitting.president_id and cast_by is None),
            None,
        )
        if president_ballot is not None:
            if president_choice and president_choice != president_ballot:
                raise DomainError("Le vote du président ne correspond pas à son bulletin.", field="president_choice")
            president_choice = president_ballot
    if None in (votes_for, votes_against, abstentions, not_voting):
        raise DomainError(
            "Saisissez les quatre totaux (pour, contre, abstention, ne prend pas part).", field="votes_for"
        )
    assert votes_for is not None and votes_against is not None and abstentions is not None and not_voting is not None
    rules.check_vote_totals(
        votes_for=votes_for,
        votes_against=votes_against,
        abstentions=abstentions,
        not_voting=not_voting,
        present=item.present_count,
        represented=item.represented_count,
    )
    if president_choice is not None and president_choice not in VoteChoice.values:
        raise DomainError(f"Vote du président inconnu : « {president_choice} ».", field="president_choice")
    outcome = rules.vote_outcome(
        votes_for=votes_for,
        votes_against=votes_against,
        abstentions=abstentions,
        not_voting=not_voting,
        method=method,
        president_choice=president_choice,
    )
    vote = VoteResult(
        deliberation=locked,
        method=method,
        votes_for=votes_for,
        votes_against=votes_against,
        abstentions=abstentions,
        not_voting=not_voting,
        members_in_office=item.members_in_office,
        present_count=item.present_count,
        represented_count=item.represented_count,
        outcome="adopted" if outcome.adopted else "rejected",
        casting_vote=outcome.casting_vote,
        result_text=outcome.text,
        without_quorum=reconvened and not item.has_quorum,
    )
    save(vote, user=user, reason=outcome.text)
    if ballot_rows:
        insert_rows(Ballot, ["vote", "person", "cast_by", "choice"], [(vote.pk, *row) for row in ballot_rows])
        create_history_of(Ballot.objects.filter(vote=vote), user=_actor(user), reason="Vote nominatif")
    transition(locked, "adopt" if outcome.adopted else "reject", label="Enregistrer le vote")
    # Only the state changes: the UPDATE does not send the report and operative part again
    # (the history row still records the whole item).
    save(
        locked,
        user=user,
        reason=f"{outcome.text.capitalize()} ({votes_for} pour, {votes_against} contre, "
        f"{abstentions} abstention(s), {not_voting} ne prenant pas part)",
        update_fields=["state", "updated_at"],
    )
    return vote


@transaction.atomic
def take_note(*, user: Any, deliberation: Deliberation) -> Deliberation:
    """The assembly takes note of a communication, without a vote (quorum still required)."""
    require(user, deliberation.assembly.organization_id, Capability.RECORD_VOTES)
    if deliberation.sitting_id is None:
        raise DomainError("Ce point n'est inscrit à aucune séance.")
    sitting = lock_sitting(deliberation.sitting_id)
    locked = lock_deliberation(deliberation)
    _check_examinable(sitting, locked)
    if locked.kind != DeliberationKind.INFORMATION:
        raise DomainError("Ce point est soumis au vote : enregistrez le vote.", rule="Nature du point", field="kind")
    item = item_facts(sitting, locked.position).at(locked.position)
    rules.check_quorum(
        present=item.present_count,
        members_in_office=item.members_in_office,
        reconvened=sitting.reconvened_from_id is not None,
    )
    transition(locked, "take_note", label="Prendre acte")
    save(locked, user=user, reason="Le conseil prend acte", update_fields=["state", "updated_at"])
    return locked


@transaction.atomic
def reopen_item(*, user: Any, deliberation: Deliberation, reason: str) -> Deliberation:
    """Cancel a vote or a prise d'acte recorded by mistake, while the sitting is open."""
    require(user, deliberation.assembly.organization_id, Capability.RECORD_VOTES)
    if not reason.strip():
        raise DomainError("Indiquez pourquoi le vote est annulé.", field="reason")
    if deliberation.sitting_id is None:
        raise DomainError("Ce point n'est inscrit à aucune séance.")
    sitting = lock_sitting(deliberation.sitting_id)
    locked = lock_deliberation(deliberation)
    _check_examinable(sitting, locked)
    transition(locked, "reopen", label="Annuler le vote")
    VoteResult.objects.filter(deliberation=locked).delete()
    save(locked, user=user, reason=f"Vote annulé : {reason.strip()}")
    return locked
