"""Sittings: convocation, life cycle, agenda, numbering, reconvening after a failed quorum."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied

from core.errors import DomainError, TransitionNotAllowed
from core.roles import Role
from deliberations import selectors, services
from deliberations.models import Deliberation, DeliberationState, SittingState
from tests.deliberations.conftest import at

pytestmark = pytest.mark.django_db


def test_members_in_office_are_derived_from_mandates(council):
    assert selectors.members_count(council.assembly, date(2024, 3, 26)) == 11
    services.end_mandate(user=council.clerk, mandate=council.people[10].mandates.get(), end_date=date(2024, 3, 1))
    assert selectors.members_count(council.assembly, date(2024, 3, 26)) == 10
    assert selectors.members_count(council.assembly, date(2024, 2, 1)) == 11
    with pytest.raises(DomainError, match="déjà un mandat"):
        services.add_mandate(
            user=council.clerk, assembly=council.assembly, person=council.people[3], start_date=date(2023, 1, 1)
        )


def test_late_convocation_is_refused_unless_urgency(council):
    sitting = council.sitting(convened_on=None)
    with pytest.raises(DomainError) as error:
        services.convene(user=council.clerk, sitting=sitting, convocation_date=date(2024, 3, 21))
    assert "20 mars 2024" in error.value.message and "L2121-12" in error.value.rule
    sitting.refresh_from_db()
    assert sitting.state == SittingState.PLANNED and sitting.convocation_date is None
    services.convene(
        user=council.clerk, sitting=sitting, convocation_date=date(2024, 3, 24), urgency=True, urgency_reason="Sinistre"
    )
    sitting.refresh_from_db()
    assert sitting.state == SittingState.CONVENED and sitting.urgency


def test_small_commune_needs_three_clear_days(organization, council_factory):
    organization.population = 1200
    organization.save()
    council = council_factory(organization, 7)
    sitting = council.sitting(convened_on=date(2024, 3, 22), open_=False)
    assert sitting.state == SittingState.CONVENED


def test_life_cycle_and_its_refusals(council):
    sitting = council.sitting(open_=False)
    with pytest.raises(TransitionNotAllowed, match="Convoquée"):
        services.close_sitting(user=council.clerk, sitting=sitting)
    services.open_sitting(user=council.clerk, sitting=sitting)
    item = council.item(sitting)
    with pytest.raises(DomainError, match=item.number):
        services.close_sitting(user=council.clerk, sitting=sitting)
    services.withdraw(user=council.clerk, deliberation=item, reason="Dossier incomplet")
    services.close_sitting(user=council.clerk, sitting=sitting)
    with pytest.raises(DomainError, match="avant la séance"):
        services.approve_minutes(user=council.clerk, sitting=sitting, approved_on=date(2024, 3, 1))
    services.approve_minutes(user=council.clerk, sitting=sitting, approved_on=date(2024, 5, 14))
    services.publish_minutes(user=council.clerk, sitting=sitting, published_on=date(2024, 5, 16))
    sitting.refresh_from_db()
    assert sitting.state == SittingState.MINUTES_PUBLISHED
    assert [h.history_change_reason for h in sitting.history.order_by("history_date")][-2:] == [
        "Procès-verbal approuvé",
        "Procès-verbal publié",
    ]


def test_only_clerks_run_sittings(council, organization, make_member):
    viewer = make_member(organization, Role.VIEWER)
    with pytest.raises(PermissionDenied):
        services.create_sitting(user=viewer, assembly=council.assembly, starts_at=at(2024, 3, 26))


def test_numbers_follow_the_pattern_without_gaps(organization, council_factory):
    council = council_factory(organization, 5, pattern="v{year}-{seq:03}")
    sitting = council.sitting()
    first = council.item(sitting)
    second = council.item(sitting)
    withdrawn = council.item(None, year=2024)
    services.withdraw(user=council.clerk, deliberation=withdrawn)
    fourth = council.item(sitting)
    assert [first.number, second.number, withdrawn.number, fourth.number] == [
        "v2024-001",
        "v2024-002",
        "v2024-003",
        "v2024-004",
    ]
    assert [first.position, second.position, fourth.position] == [1, 2, 3]
    next_year = council.item(council.sitting(at(2025, 1, 30), convened_on=date(2025, 1, 20)))
    assert next_year.number == "v2025-001"


def test_territory_council_numbering(organization, council_factory):
    council = council_factory(organization, 5, pattern="{year}_CT2_{seq}")
    assert council.item(council.sitting(at(2024, 12, 12), convened_on=date(2024, 12, 5))).number == "2024_CT2_1"


def test_agenda_can_be_reordered_before_any_examination(council):
    sitting = council.sitting(open_=False)
    a, b, c = (council.item(sitting, title=t) for t in "ABC")
    services.move_item(user=council.clerk, deliberation=c, position=1)
    assert [d.title for d in selectors.agenda(sitting)] == ["C", "A", "B"]
    services.remove_from_agenda(user=council.clerk, deliberation=a)
    assert [(d.title, d.position) for d in selectors.agenda(sitting)] == [("C", 1), ("B", 2)]
    a.refresh_from_db()
    assert a.state == DeliberationState.DRAFT and a.sitting is None


def test_failed_quorum_reconvenes_on_the_same_agenda(council):
    sitting = council.sitting()
    voted = council.item(sitting, title="Voté")
    pending = council.item(sitting, title="Sans quorum")
    council.attend(sitting, present=6)
    services.record_vote(
        user=council.clerk, deliberation=voted, votes_for=6, votes_against=0, abstentions=0, not_voting=0
    )
    services.record_movement(
        user=council.clerk, sitting=sitting, person=council.people[0], deliberation=pending, status="absent"
    )
    with pytest.raises(DomainError) as error:
        services.record_vote(
            user=council.clerk, deliberation=pending, votes_for=5, votes_against=0, abstentions=0, not_voting=0
        )
    assert error.value.rule == "CGCT L2121-17 (quorum)" and "5 membre(s) présent(s) sur 11" in error.value.message
    with pytest.raises(DomainError, match="trois jours"):
        services.reconvene(
            user=council.clerk, sitting=sitting, starts_at=at(2024, 3, 28), convocation_date=date(2024, 3, 26)
        )
    second = services.reconvene(
        user=council.clerk, sitting=sitting, starts_at=at(2024, 3, 29), convocation_date=date(2024, 3, 26)
    )
    assert second.reconvened_from == sitting and second.state == SittingState.CONVENED
    pending.refresh_from_db()
    assert pending.sitting == second and pending.position == 1 and pending.state == DeliberationState.ON_AGENDA
    assert [d.title for d in selectors.agenda(sitting)] == ["Voté"]
    services.open_sitting(user=council.clerk, sitting=second)
    council.attend(second, present=3)
    vote = services.record_vote(
        user=council.clerk, deliberation=pending, votes_for=3, votes_against=0, abstentions=0, not_voting=0
    )
    assert vote.without_quorum and vote.outcome == "adopted"
    services.close_sitting(user=council.clerk, sitting=sitting)


def test_postponed_item_goes_to_a_later_sitting(council):
    sitting = council.sitting()
    item = council.item(sitting)
    services.postpone(user=council.clerk, deliberation=item, reason="Attente d'un avis")
    later = council.sitting(at(2024, 4, 30), convened_on=date(2024, 4, 20), open_=False)
    services.put_on_agenda(user=council.clerk, deliberation=item, sitting=later)
    item.refresh_from_db()
    assert item.sitting == later and item.state == DeliberationState.ON_AGENDA
    assert Deliberation.objects.filter(sitting=sitting).count() == 0
