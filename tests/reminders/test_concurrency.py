"""Two machines running send_reminders and the e-mail task at the same time (PostgreSQL)."""

import threading
import time
from datetime import date
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection, connections

from core.roles import Role
from reminders import dispatch
from reminders.models import EmailStatus, Reminder
from tests.reminders.factories import deadline_for

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
]


def in_parallel(target, count=2):
    barrier = threading.Barrier(count)
    errors = []

    def work():
        try:
            barrier.wait()
            target()
        except Exception as exc:  # reported to the test below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []


class SlowConnection:
    """A mail connection that takes its time, so that two workers overlap."""

    def __init__(self, sent):
        self.sent = sent

    def send_messages(self, messages):
        time.sleep(0.05)
        self.sent.extend(m.to[0] + "|" + m.subject for m in messages)
        return len(messages)

    def close(self):
        pass


def test_two_commands_at_once_send_each_reminder_once(organization, make_member):
    users = [make_member(organization, Role.MANAGER, email=f"m{n}@testville.fr") for n in range(3)]
    for n in range(40):
        deadline_for(organization, key=f"k{n}", due=date(2024, 6, 30), recipients=tuple(u.pk for u in users))
    in_parallel(lambda: call_command("send_reminders", date="2024-06-30", stdout=StringIO()), count=3)
    assert Reminder.objects.count() == 120
    assert Reminder.objects.filter(email_status=EmailStatus.SENT).count() == 120
    subjects = [m.to[0] + "|" + m.subject for m in mail.outbox]
    assert len(subjects) == 120
    assert len(set(subjects)) == 120


def test_two_workers_never_send_the_same_reminder(organization, make_member):
    users = [make_member(organization, Role.MANAGER, email=f"m{n}@testville.fr") for n in range(2)]
    for n in range(15):
        deadline_for(organization, key=f"k{n}", due=date(2024, 6, 30), recipients=tuple(u.pk for u in users))
    dispatch.plan_reminders(today=date(2024, 6, 30))
    sent: list[str] = []
    in_parallel(lambda: dispatch.deliver_pending(run_date=date(2024, 6, 30), connection=SlowConnection(sent)))
    assert len(sent) == 30
    assert len(set(sent)) == 30
    assert Reminder.objects.filter(email_status=EmailStatus.SENT).count() == 30
