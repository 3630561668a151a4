"""The reminders' one-statement insert (INSERT … ON CONFLICT DO NOTHING, raw SQL for its
speed at a métropole's scale) writes what Django's ``bulk_create(ignore_conflicts=True)`` writes."""

from datetime import date

import pytest

from core.roles import Role
from reminders import dispatch
from reminders.models import Reminder
from tests.reminders.factories import deadline_for

pytestmark = pytest.mark.django_db

COLUMNS = ("deadline_id", "recipient_id", "due_date", "occurrence", "organization_id", "run_date", "email_status")


def test_the_raw_insert_writes_what_bulk_create_writes_and_ignores_the_same_conflicts(organization, make_member):
    users = [make_member(organization, Role.MANAGER) for _ in range(2)]
    deadlines = [deadline_for(organization, key=key, due=date(2024, 6, 30)) for key in ("a", "b")]
    today = date(2024, 6, 23)
    rows = [(d.pk, u.pk, date(2024, 6, 30), "7", organization.pk) for d in deadlines for u in users]

    dispatch._insert_ignoring_conflicts(rows, today)
    dispatch._insert_ignoring_conflicts(rows[:2], today)  # already there: left as they are
    raw = sorted(Reminder.objects.values_list(*COLUMNS))
    Reminder.objects.all().delete()

    objects = [
        Reminder(deadline_id=d, recipient_id=u, due_date=due, occurrence=occ, organization_id=org, run_date=today)
        for d, u, due, occ, org in rows
    ]
    Reminder.objects.bulk_create(objects, ignore_conflicts=True)
    Reminder.objects.bulk_create(objects[:2], ignore_conflicts=True)
    orm = sorted(Reminder.objects.values_list(*COLUMNS))

    assert raw == orm and len(raw) == 4
