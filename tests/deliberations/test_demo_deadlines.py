"""The demo's historical sittings leave no years-old deadline open."""

from datetime import date

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command

from deliberations.models import Deliberation, Sitting, SittingState
from documents.models import StoredDocument
from parties import demo as parties_demo
from reminders.models import Deadline

pytestmark = pytest.mark.django_db


def _deliberations_deadlines():
    return Deadline.objects.filter(
        content_type__in=[ContentType.objects.get_for_model(m) for m in (Sitting, Deliberation)]
    )


def _snapshot():
    return {
        "deadlines": sorted(
            _deliberations_deadlines().values_list("pk", "key", "due_date", "handled_at", "handled_by_id")
        ),
        "sittings": sorted(
            Sitting.objects.values_list(
                "pk", "state", "list_published_on", "minutes_approved_on", "minutes_published_on"
            )
        ),
        "deliberations": sorted(Deliberation.objects.values_list("pk", "state", "published_on")),
        "documents": StoredDocument.objects.count(),
        "sitting_history": Sitting.history.count(),
        "deadline_history": Deadline.history.filter(
            content_type__in=[ContentType.objects.get_for_model(m) for m in (Sitting, Deliberation)]
        ).count(),
    }


def test_no_deliberations_deadline_before_2025_stays_open_and_a_second_load_changes_nothing():
    call_command("load_demo", verbosity=0)
    organizations = [parties_demo.organization("montpellier"), parties_demo.organization("amp")]
    deadlines = _deliberations_deadlines().filter(organization__in=organizations)
    assert deadlines.exists()  # recours periods and publications were recorded, then handled
    assert list(deadlines.filter(handled_at__isnull=True, due_date__lt=date(2025, 1, 1))) == []
    montpellier = Sitting.objects.get(assembly__organization=organizations[0], starts_at__date=date(2024, 3, 26))
    aix = Sitting.objects.get(assembly__organization=organizations[1], starts_at__date=date(2019, 12, 12))
    assert montpellier.state == aix.state == SittingState.MINUTES_PUBLISHED
    assert montpellier.list_published_on == date(2024, 3, 29) and aix.list_published_on == date(2019, 12, 16)
    for sitting in (montpellier, aix):
        assert (sitting.list_published_on - sitting.date).days <= 7  # CGCT L2121-25
        assert (sitting.minutes_published_on - sitting.minutes_approved_on).days <= 7  # CGCT L2121-15
    recours = deadlines.filter(kind="recours_end")
    assert recours.count() == 4 and all(d.handled_by.username == "admin" for d in recours)

    before = _snapshot()
    call_command("load_demo", verbosity=0)
    assert _snapshot() == before


def test_load_demo_completes_the_steps_of_a_sitting_loaded_before_them():
    """A database loaded before these steps existed gets them on the next load_demo."""
    call_command("load_demo", verbosity=0)
    aix = Sitting.objects.get(starts_at__date=date(2019, 12, 12))
    Sitting.objects.filter(pk=aix.pk).update(
        state=SittingState.CLOSED, list_published_on=None, minutes_approved_on=None, minutes_published_on=None
    )
    _deliberations_deadlines().update(handled_at=None, handled_by=None)
    call_command("load_demo", verbosity=0)
    aix.refresh_from_db()
    assert aix.state == SittingState.MINUTES_PUBLISHED and aix.minutes_approved_on == date(2020, 2, 13)
    assert not _deliberations_deadlines().filter(handled_at__isnull=True, due_date__lt=date(2025, 1, 1)).exists()
