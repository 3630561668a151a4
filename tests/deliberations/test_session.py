"""The sitting as it runs: attendance, proxies, quorum and votes, through the services."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied

from core.errors import DomainError
from core.roles import Role
from deliberations import selectors, services
from deliberations.models import Attendance, AttendanceChange, Ballot, DeliberationState, Proxy, VoteResult
from deliberations.services import BallotInput
from parties.models import Person

pytestmark = pytest.mark.django_db


@pytest.fixture
def montpellier_like(organization, council_factory):
    """65 in office: 35 present, 9 absent with proxies, 21 absent (the seed extract)."""
    council = council_factory(organization, 65)
    sitting = council.sitting()
    item = council.item(sitting, title="Convention FLAG !")
    services.mark_unrecorded_present(user=council.clerk, sitting=sitting)
    council.attend(sitting, present=44, excused=21)
    for giver, holder in zip(council.people[35:44], council.people[:9], strict=True):
        services.set_attendance(user=council.clerk, sitting=sitting, person=giver, status="absent")
        services.register_proxy(
            user=council.clerk, sitting=sitting, giver=giver, holder=holder, written_on=date(2024, 3, 25)
        )
    return council, sitting, item


def test_montpellier_attendance_quorum_and_unanimous_vote(montpellier_like):
    council, sitting, item = montpellier_like
    view = selectors.sitting_attendance(sitting).for_item(item)
    assert (view.members_in_office, view.present_count, view.represented_count) == (65, 35, 9)
    assert view.has_quorum and view.quorum_needed == 33
    assert Attendance.objects.filter(sitting=sitting).count() == 65
    with pytest.raises(DomainError, match="il en faut exactement 44"):
        services.record_vote(
            user=council.clerk, deliberation=item, votes_for=35, votes_against=0, abstentions=0, not_voting=0
        )
    vote = services.record_vote(
        user=council.clerk, deliberation=item, votes_for=44, votes_against=0, abstentions=0, not_voting=0
    )
    assert vote.result_text == "adoptée à l'unanimité" and (vote.present_count, vote.represented_count) == (35, 9)
    item.refresh_from_db()
    assert item.state == DeliberationState.ADOPTED
    with pytest.raises(DomainError, match="Adoptée"):
        services.record_vote(
            user=council.clerk, deliberation=item, votes_for=44, votes_against=0, abstentions=0, not_voting=0
        )


def test_proxies_that_break_the_rules_are_refused(montpellier_like):
    council, sitting, _item = montpellier_like
    people = council.people
    with pytest.raises(DomainError, match="qu'un seul pouvoir") as error:
        services.register_proxy(
            user=council.clerk, sitting=sitting, giver=people[50], holder=people[0], written_on=date(2024, 3, 25)
        )
    assert error.value.rule == "CGCT L2121-20 (pouvoirs)"
    with pytest.raises(DomainError, match="seul un membre absent"):
        services.register_proxy(
            user=council.clerk, sitting=sitting, giver=people[20], holder=people[21], written_on=date(2024, 3, 25)
        )
    with pytest.raises(DomainError, match="doit être présent"):
        services.register_proxy(
            user=council.clerk, sitting=sitting, giver=people[50], holder=people[51], written_on=date(2024, 3, 25)
        )
    with pytest.raises(DomainError, match="déjà donné pouvoir"):
        services.register_proxy(
            user=council.clerk, sitting=sitting, giver=people[35], holder=people[20], written_on=date(2024, 3, 25)
        )
    with pytest.raises(DomainError, match="après la séance"):
        services.register_proxy(
            user=council.clerk, sitting=sitting, giver=people[50], holder=people[20], written_on=date(2024, 3, 27)
        )


def test_a_proxy_lasts_three_consecutive_sittings_except_illness(council):
    giver, holder = council.people[9], council.people[1]
    written = date(2024, 1, 10)
    for month in (1, 2, 3, 4):
        sitting = council.sitting(council_at(2024, month, 25), convened_on=date(2024, month, 15))
        council.attend(sitting, present=9)
        if month < 4:
            services.register_proxy(user=council.clerk, sitting=sitting, giver=giver, holder=holder, written_on=written)
        else:
            with pytest.raises(DomainError, match="trois séances consécutives"):
                services.register_proxy(
                    user=council.clerk, sitting=sitting, giver=giver, holder=holder, written_on=written
                )
            services.register_proxy(
                user=council.clerk, sitting=sitting, giver=giver, holder=holder, written_on=written, illness=True
            )


def council_at(year, month, day):
    from tests.deliberations.conftest import at

    return at(year, month, day)


def test_arrivals_departures_and_proxies_item_by_item(council):
    sitting = council.sitting()
    items = [council.item(sitting, title=f"Point {n}") for n in range(1, 5)]
    council.attend(sitting, present=7)  # 0..6 present, 7..10 absent
    people = council.people
    services.register_proxy(
        user=council.clerk, sitting=sitting, giver=people[8], holder=people[2], written_on=date(2024, 3, 25)
    )
    # Member 2 (the holder) leaves for item 2 only; member 9 arrives from item 3.
    services.record_movement(
        user=council.clerk,
        sitting=sitting,
        person=people[2],
        deliberation=items[1],
        status="absent",
        only_this_item=True,
    )
    services.record_movement(
        user=council.clerk, sitting=sitting, person=people[9], deliberation=items[2], status="present"
    )
    view = selectors.sitting_attendance(sitting)
    counts = [(view.for_item(i).present_count, view.for_item(i).represented_count) for i in items]
    assert counts == [(7, 1), (6, 0), (8, 1), (8, 1)]
    assert AttendanceChange.objects.filter(sitting=sitting).count() == 3  # storage: changes only
    services.record_vote(
        user=council.clerk, deliberation=items[0], votes_for=8, votes_against=0, abstentions=0, not_voting=0
    )
    with pytest.raises(DomainError, match="déjà examiné"):
        services.record_movement(
            user=council.clerk, sitting=sitting, person=people[3], deliberation=items[0], status="absent"
        )
    with pytest.raises(DomainError, match="déjà examiné"):
        services.set_attendance(user=council.clerk, sitting=sitting, person=people[3], status="absent")
    # Revoking from item 3 on: member 8 is no longer represented there.
    proxy = Proxy.objects.get(pk=view.proxies[0].id)
    services.revoke_proxy(user=council.clerk, proxy=proxy, from_item=items[2])
    view = selectors.sitting_attendance(sitting)
    assert [view.for_item(i).represented_count for i in items] == [1, 0, 0, 0]
    # A late proxy starts at the first item not yet examined.
    late = services.register_proxy(
        user=council.clerk, sitting=sitting, giver=people[10], holder=people[4], written_on=date(2024, 3, 26)
    )
    assert late.from_item == items[1]


def test_item_losing_quorum_mid_sitting_cannot_be_voted(council):
    sitting = council.sitting()
    first, second = council.item(sitting), council.item(sitting)
    council.attend(sitting, present=6)
    services.record_vote(
        user=council.clerk, deliberation=first, votes_for=6, votes_against=0, abstentions=0, not_voting=0
    )
    services.record_movement(
        user=council.clerk, sitting=sitting, person=council.people[5], deliberation=second, status="absent"
    )
    assert not selectors.sitting_attendance(sitting).for_item(second).has_quorum
    with pytest.raises(DomainError, match="Quorum non atteint"):
        services.record_vote(
            user=council.clerk, deliberation=second, votes_for=5, votes_against=0, abstentions=0, not_voting=0
        )
    second.refresh_from_db()
    assert second.state == DeliberationState.ON_AGENDA and not VoteResult.objects.filter(deliberation=second).exists()


def test_public_ballot_with_a_holder_voting_for_the_giver_and_casting_vote(council):
    sitting = council.sitting(president=council.people[0])
    item = council.item(sitting)
    council.attend(sitting, present=7)
    people = council.people
    services.register_proxy(
        user=council.clerk, sitting=sitting, giver=people[7], holder=people[1], written_on=date(2024, 3, 25)
    )
    choices = ["for", "for", "for", "for", "against", "against", "against", "against"]
    ballots = [BallotInput(p.pk, c) for p, c in zip(people[:8], choices, strict=True)]
    with pytest.raises(DomainError, match=f"^{people[9].full_name} n'est ni présent"):
        services.record_vote(
            user=council.clerk,
            deliberation=item,
            method="public_ballot",
            ballots=[*ballots, BallotInput(people[9].pk, "for")],
        )
    with pytest.raises(DomainError, match=f"^{people[0].full_name} a déjà voté : chaque membre vote une seule fois"):
        services.record_vote(
            user=council.clerk, deliberation=item, method="public_ballot", ballots=[*ballots, ballots[0]]
        )
    with pytest.raises(DomainError, match=f"Il manque le vote de 1 membre.* : {people[7].full_name}\\. "):
        services.record_vote(user=council.clerk, deliberation=item, method="public_ballot", ballots=ballots[:-1])
    vote = services.record_vote(user=council.clerk, deliberation=item, method="public_ballot", ballots=ballots)
    assert vote.casting_vote and vote.outcome == "adopted"
    assert vote.result_text == "adoptée, la voix du président étant prépondérante"
    proxy_ballot = Ballot.objects.get(vote=vote, person=people[7])
    assert proxy_ballot.cast_by == people[1]
    # Every ballot has its history row, with the clerk who recorded it.
    history = Ballot.history.filter(vote=vote).order_by("person_id")
    assert [(h.id, h.person_id, h.cast_by_id, h.choice) for h in history] == list(
        Ballot.objects.filter(vote=vote).order_by("person_id").values_list("id", "person_id", "cast_by_id", "choice")
    )
    assert {(h.history_type, h.history_user_id, h.history_change_reason) for h in history} == {
        ("+", council.clerk.pk, "Vote nominatif")
    }
    assert all(h.history_date is not None for h in history)


def test_tie_in_secret_ballot_rejects(council):
    sitting = council.sitting()
    item = council.item(sitting, title="Désignation")
    council.attend(sitting, present=8)
    with pytest.raises(DomainError, match="ne sont pas enregistrés"):
        services.record_vote(
            user=council.clerk,
            deliberation=item,
            method="secret_ballot",
            ballots=[BallotInput(council.people[0].pk, "for")],
        )
    vote = services.record_vote(
        user=council.clerk,
        deliberation=item,
        method="secret_ballot",
        votes_for=4,
        votes_against=4,
        abstentions=0,
        not_voting=0,
        president_choice="for",
    )
    assert vote.outcome == "rejected" and not vote.casting_vote
    item.refresh_from_db()
    assert item.state == DeliberationState.REJECTED


def test_information_items_are_taken_note_of_without_vote(council):
    sitting = council.sitting()
    report = council.item(sitting, title="Rapport d'activité", kind="information")
    council.attend(sitting, present=6)
    with pytest.raises(DomainError, match="prend acte"):
        services.record_vote(
            user=council.clerk, deliberation=report, votes_for=6, votes_against=0, abstentions=0, not_voting=0
        )
    services.take_note(user=council.clerk, deliberation=report)
    report.refresh_from_db()
    assert report.state == DeliberationState.TAKEN_NOTE


def test_a_vote_recorded_by_mistake_can_be_cancelled_while_open(council):
    sitting = council.sitting()
    item = council.item(sitting)
    council.attend(sitting, present=6)
    services.record_vote(
        user=council.clerk, deliberation=item, votes_for=6, votes_against=0, abstentions=0, not_voting=0
    )
    services.reopen_item(user=council.clerk, deliberation=item, reason="Erreur de saisie")
    item.refresh_from_db()
    assert item.state == DeliberationState.ON_AGENDA and not VoteResult.objects.filter(deliberation=item).exists()
    vote = services.record_vote(
        user=council.clerk, deliberation=item, votes_for=4, votes_against=1, abstentions=1, not_voting=0
    )
    assert vote.result_text == "adoptée à la majorité des suffrages exprimés"


def test_only_clerks_record(council, organization, make_member):
    sitting = council.sitting()
    manager = make_member(organization, Role.MANAGER)
    with pytest.raises(PermissionDenied):
        services.set_attendance(user=manager, sitting=sitting, person=council.people[0], status="present")


def test_only_members_in_office_are_recorded(organization, council):
    sitting = council.sitting()
    item = council.item(sitting)
    outsider = Person.objects.create(organization=organization, first_name="Anne", last_name="Dehors")
    statuses = {council.people[0].pk: "present", outsider.pk: "present"}
    with pytest.raises(DomainError, match=f"La personne n° {outsider.pk} n'est pas membre en exercice") as refused:
        services.set_attendances(user=council.clerk, sitting=sitting, statuses=statuses)
    assert refused.value.rule == "Membres en exercice"
    assert not Attendance.objects.filter(sitting=sitting).exists()
    with pytest.raises(DomainError, match="Anne DEHORS n'est pas membre en exercice"):
        services.record_movement(
            user=council.clerk, sitting=sitting, person=outsider, deliberation=item, status="present"
        )
    with pytest.raises(DomainError, match="Anne DEHORS n'est pas membre en exercice"):
        services.register_proxy(
            user=council.clerk,
            sitting=sitting,
            giver=outsider,
            holder=council.people[0],
            written_on=date(2024, 3, 25),
        )
    assert services.set_attendances(user=council.clerk, sitting=sitting, statuses={council.people[0].pk: "present"})
