"""The vote's one-statement writes (raw SQL: ``insert_rows`` and ``create_history_of``, for the
240 ballots of a métropole's vote) write what Django's ``bulk_create`` and simple_history's
``bulk_history_create`` write."""

import pytest

from deliberations.models import Ballot
from deliberations.services import record_vote
from deliberations.services._common import create_history_of, insert_rows

pytestmark = pytest.mark.django_db

FIELDS = ("person_id", "cast_by_id", "choice")
HISTORY = ("person_id", "cast_by_id", "choice", "history_type", "history_user_id", "history_change_reason")


def test_ballots_and_their_history_written_in_one_statement_each_are_what_the_orm_writes(council):
    sitting = council.sitting()
    first, second = council.item(sitting, title="Premier"), council.item(sitting, title="Second")
    council.attend(sitting, present=8)
    voters = council.people[:8]
    raw_vote = record_vote(
        user=council.clerk,
        deliberation=first,
        method="show_of_hands",
        votes_for=8,
        votes_against=0,
        abstentions=0,
        not_voting=0,
    )
    orm_vote = record_vote(
        user=council.clerk,
        deliberation=second,
        method="show_of_hands",
        votes_for=8,
        votes_against=0,
        abstentions=0,
        not_voting=0,
    )
    rows = [(p.pk, p.pk, "for" if i % 3 else "against") for i, p in enumerate(voters)]

    insert_rows(Ballot, ["vote", "person", "cast_by", "choice"], [(raw_vote.pk, *row) for row in rows])
    create_history_of(Ballot.objects.filter(vote=raw_vote), user=council.clerk, reason="Vote nominatif")

    ballots = Ballot.objects.bulk_create(
        [Ballot(vote=orm_vote, person_id=p, cast_by_id=c, choice=choice) for p, c, choice in rows]
    )
    Ballot.history.bulk_history_create(ballots, default_user=council.clerk, default_change_reason="Vote nominatif")

    def written(vote):
        return sorted(Ballot.objects.filter(vote=vote).values_list(*FIELDS))

    def history(vote):
        return sorted(Ballot.history.filter(vote=vote).values_list(*HISTORY))

    assert written(raw_vote) == written(orm_vote) and len(written(raw_vote)) == 8
    assert history(raw_vote) == history(orm_vote)
    raw_ids = set(Ballot.objects.filter(vote=raw_vote).values_list("id", flat=True))
    assert set(Ballot.history.filter(vote=raw_vote).values_list("id", flat=True)) == raw_ids
