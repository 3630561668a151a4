"""The models hold their invariants in the database."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import IntegrityError, transaction

from deliberations.models import Assembly, AssemblyKind, Deliberation, DeliberationState, Sitting, SittingState

pytestmark = pytest.mark.django_db
PARIS = ZoneInfo("Europe/Paris")


def test_states_are_protected_and_history_is_kept(organization):
    assembly = Assembly.objects.create(
        organization=organization, kind=AssemblyKind.MUNICIPAL_COUNCIL, name="Conseil municipal"
    )
    sitting = Sitting.objects.create(assembly=assembly, starts_at=datetime(2024, 3, 26, 18, tzinfo=PARIS))
    assert sitting.state == SittingState.PLANNED
    with pytest.raises(AttributeError):
        sitting.state = SittingState.OPEN
    sitting.convene()
    sitting.save()
    sitting.refresh_from_db()
    assert sitting.state == SittingState.CONVENED
    assert sitting.history.count() == 2
    assert sitting.date == date(2024, 3, 26)


def test_a_deliberation_on_the_agenda_needs_a_sitting(organization):
    assembly = Assembly.objects.create(
        organization=organization, kind=AssemblyKind.MUNICIPAL_COUNCIL, name="Conseil municipal"
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Deliberation.objects.create(
            assembly=assembly,
            number="2024-001",
            year=2024,
            sequence=1,
            title="Objet",
            state=DeliberationState.ON_AGENDA,
        )
