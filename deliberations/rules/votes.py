"""Rules of votes: method, totals, outcome (CGCT L2121-20, -21)."""

from __future__ import annotations

from dataclasses import dataclass

from core.errors import DomainError
from deliberations.rules.articles import (
    RULE_CHAIR,
    RULE_MAJORITY,
    RULE_METHOD,
    RULE_TOTALS,
)

METHOD_SHOW_OF_HANDS = "show_of_hands"
METHOD_PUBLIC_BALLOT = "public_ballot"
METHOD_SECRET_BALLOT = "secret_ballot"
METHOD_LABELS = {
    METHOD_SHOW_OF_HANDS: "à main levée",
    METHOD_PUBLIC_BALLOT: "au scrutin public",
    METHOD_SECRET_BALLOT: "au scrutin secret",
}
CHOICE_FOR, CHOICE_AGAINST, CHOICE_ABSTAIN, CHOICE_NOT_VOTING = "for", "against", "abstain", "not_voting"


def check_vote_method(*, method: str, requested_by: int | None, present: int, appointment: bool = False) -> None:
    """Show of hands by default; public ballot at the request of a quarter of the members
    present; secret ballot at the request of a third, or for an appointment (CGCT L2121-21).
    ``requested_by`` None means the request is not recorded and is not checked."""
    if method not in METHOD_LABELS:
        raise DomainError(f"Mode de scrutin inconnu : « {method} ».", rule=RULE_METHOD, field="method")
    if method == METHOD_SHOW_OF_HANDS or requested_by is None or appointment:
        return
    fraction, label = (4, "du quart") if method == METHOD_PUBLIC_BALLOT else (3, "du tiers")
    if requested_by * fraction < present:
        raise DomainError(
            f"Le vote {METHOD_LABELS[method]} doit être demandé par au moins {label} des membres présents "
            f"({requested_by} demande(s) pour {present} présents).",
            rule=RULE_METHOD,
            field="method",
        )


def check_vote_totals(
    *, votes_for: int, votes_against: int, abstentions: int, not_voting: int, present: int, represented: int
) -> None:
    """Pour + contre + abstention + ne prend pas part = members present + members represented for the item."""
    for value, label in (
        (votes_for, "pour"),
        (votes_against, "contre"),
        (abstentions, "abstentions"),
        (not_voting, "ne prend pas part"),
    ):
        if value < 0:
            raise DomainError(f"Le total « {label} » ne peut pas être négatif.", rule=RULE_TOTALS, field="votes_for")
    total = votes_for + votes_against + abstentions + not_voting
    expected = present + represented
    if total != expected:
        raise DomainError(
            f"Les totaux ({votes_for} pour, {votes_against} contre, {abstentions} abstention(s), "
            f"{not_voting} ne prenant pas part) font {total} voix ; il en faut exactement {expected} "
            f"({present} présent(s) + {represented} représenté(s) pour ce point).",
            rule=RULE_TOTALS,
            field="votes_for",
        )


@dataclass(frozen=True)
class Outcome:
    adopted: bool
    casting_vote: bool
    text: str  # "adoptée à l'unanimité", "rejetée", …


def vote_outcome(
    *,
    votes_for: int,
    votes_against: int,
    abstentions: int,
    not_voting: int,
    method: str,
    president_choice: str | None = None,
) -> Outcome:
    """Absolute majority of the votes cast (pour + contre; abstentions and members not taking
    part are not votes cast). On a tie the president's vote decides, except in a secret
    ballot, where a tie rejects (CGCT L2121-20). "À l'unanimité" when every member present
    or represented voted for; "à l'unanimité des suffrages exprimés" when all votes cast
    are for but some abstained or did not take part."""
    cast = votes_for + votes_against
    if votes_for > votes_against:
        if votes_against == 0:
            if abstentions == 0 and not_voting == 0:
                return Outcome(True, False, "adoptée à l'unanimité")
            return Outcome(True, False, "adoptée à l'unanimité des suffrages exprimés")
        return Outcome(True, False, "adoptée à la majorité des suffrages exprimés")
    if votes_for < votes_against or cast == 0:
        return Outcome(False, False, "rejetée" if cast else "rejetée, faute de suffrage exprimé")
    # A tie.
    if method == METHOD_SECRET_BALLOT:
        return Outcome(False, False, "rejetée, le partage égal des voix au scrutin secret valant rejet")
    if president_choice is None:
        raise DomainError(
            f"Partage égal des voix ({votes_for} pour, {votes_against} contre) : indiquez le vote du président, "
            f"dont la voix est prépondérante.",
            rule=RULE_MAJORITY,
            field="president_choice",
        )
    if president_choice == CHOICE_FOR:
        return Outcome(True, True, "adoptée, la voix du président étant prépondérante")
    if president_choice == CHOICE_AGAINST:
        return Outcome(False, True, "rejetée, la voix du président étant prépondérante")
    return Outcome(False, False, "rejetée, faute de majorité (le président n'ayant pas pris part au partage)")


# --- Who presides, who has the casting vote ----------------------------------------------


def presiding_member(*, item_chair: int | None, sitting_president: int | None) -> int | None:
    """Who presides an item: the member recorded for it when the president handed the chair
    (CGCT L2121-14: the council elects its president for the compte administratif), else the
    sitting's president."""
    return item_chair or sitting_president


def is_tie(*, votes_for: int, votes_against: int, method: str) -> bool:
    """A tie the casting vote decides: equal votes cast, in a show of hands or a public ballot
    (in a secret ballot a tie rejects, CGCT L2121-20)."""
    return votes_for == votes_against > 0 and method != METHOD_SECRET_BALLOT


def check_casting_vote(*, presiding_name: str | None, presiding_present: bool) -> None:
    """On a tie, the casting vote is the vote of the member presiding the item, physically
    present for it (CGCT L2121-20: "en cas de partage, la voix du président est
    prépondérante"; a president recorded absent or represented presides nothing)."""
    if presiding_name is None:
        raise DomainError(
            "Partage égal des voix : indiquez qui préside la séance pour ce point, sa voix est prépondérante.",
            rule=RULE_CHAIR,
            field="presided_by",
        )
    if not presiding_present:
        raise DomainError(
            f"Partage égal des voix : {presiding_name}, qui préside ce point, n'est pas présent(e) pour ce point ; "
            "indiquez le membre présent qui préside, sa voix est prépondérante.",
            rule=RULE_CHAIR,
            field="presided_by",
        )


def check_chair(*, in_office: bool, name: str) -> None:
    """The member presiding an item is a member of the assembly in office at the sitting
    (CGCT L2121-14: the council elects its president among its members)."""
    if not in_office:
        raise DomainError(
            f"{name} n'est pas membre en exercice de l'assemblée : il ne peut pas présider la séance.",
            rule=RULE_CHAIR,
            field="presided_by",
        )
