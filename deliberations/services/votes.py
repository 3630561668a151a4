"""The examination of an item: votes (show of hands or by name), prises d'acte, a vote
cancelled to examine the item again."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from core.errors import DomainError
from core.roles import Capability
from deliberations import rules
from deliberations.attendance import PRESENT
from deliberations.models import (
    Ballot,
    Deliberation,
    DeliberationKind,
    DeliberationState,
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
from deliberations.services.attendance import actor
from deliberations.services.chair import set_item_chair
from parties.models import Person


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
    presided_by_id: int | None = None,
) -> VoteResult:
    """Record the vote on an item: quorum (L2121-17), method (L2121-21), totals equal to the
    members present and represented, each member voting once (a holder for their giver too),
    result by absolute majority of votes cast with the casting vote of the member presiding
    the item (L2121-20; ``presided_by_id`` records who presides it first, L2121-14)."""
    require(user, deliberation.assembly.organization_id, Capability.RECORD_VOTES)
    if presided_by_id is not None:
        chair = Person.objects.filter(pk=presided_by_id, organization_id=deliberation.assembly.organization_id).first()
        if chair is None:
            raise DomainError("Cet élu est inconnu de la collectivité.", rule=rules.RULE_CHAIR, field="presided_by_id")
        set_item_chair(user=user, deliberation=deliberation, person=chair)
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
    reconvened = rules.quorum_waived(
        sitting_reconvened=sitting.reconvened_from_id is not None,
        item_carried_over=locked.quorum_waived_in_id == sitting.pk,
    )
    rules.check_quorum(present=item.present_count, members_in_office=item.members_in_office, reconvened=reconvened)
    rules.check_vote_method(
        method=method, requested_by=requested_by, present=item.present_count, appointment=appointment
    )
    presiding = rules.presiding_member(item_chair=locked.presided_by_id, sitting_president=sitting.president_id)
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
            (choice for person, cast_by, choice in ballot_rows if person == presiding and cast_by is None),
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
    if rules.is_tie(votes_for=votes_for, votes_against=votes_against, method=method):
        rules.check_casting_vote(
            presiding_name=person_names([presiding]).get(presiding) if presiding else None,
            presiding_present=presiding is not None and item.state_of(presiding) == PRESENT,
        )
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
        create_history_of(Ballot.objects.filter(vote=vote), user=actor(user), reason="Vote nominatif")
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
        reconvened=rules.quorum_waived(
            sitting_reconvened=sitting.reconvened_from_id is not None,
            item_carried_over=locked.quorum_waived_in_id == sitting.pk,
        ),
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
