"""send_reminders over simulated days: each reminder once, on time, to the right people."""

import smtplib
from datetime import date, timedelta
from io import StringIO
from unittest import mock

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import override_settings

from core.roles import Role
from reminders import dispatch
from reminders.models import EmailMode, EmailStatus, Reminder, UserPreference
from reminders.services import mark_handled, sync_deadlines, update_settings
from tests.factories import OrganizationFactory
from tests.reminders.factories import deadline_for, many_deadlines, source_in, spec

pytestmark = pytest.mark.django_db


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    """Run the command for one day, then the delivery task it enqueues (immediate backend)."""

    def do(day: date) -> str:
        out = StringIO()
        with django_capture_on_commit_callbacks(execute=True):
            call_command("send_reminders", date=day.isoformat(), stdout=out)
        return out.getvalue()

    return do


def days(start: date, end: date):
    day = start
    while day <= end:
        yield day
        day += timedelta(days=1)


def manager(organization, make_member, **fields):
    fields.setdefault("email", "gestionnaire@testville.fr")
    return make_member(organization, Role.MANAGER, **fields)


def test_a_season_of_daily_runs(organization, make_member, run):
    user = manager(organization, make_member)
    deadline_for(organization, recipients=(user.pk,), due=date(2024, 6, 30), title="Fin de la convention FLAG !")
    sent_on: dict[date, list[str]] = {}
    for day in days(date(2024, 2, 1), date(2024, 7, 27)):
        before = len(mail.outbox)
        run(day)
        if len(mail.outbox) > before:
            sent_on[day] = [m.subject for m in mail.outbox[before:]]
    assert sent_on == {
        date(2024, 3, 2): ["[Conventio] Échéance dans 120 jours : Fin de la convention FLAG !"],
        date(2024, 5, 1): ["[Conventio] Échéance dans 60 jours : Fin de la convention FLAG !"],
        date(2024, 5, 31): ["[Conventio] Échéance dans 30 jours : Fin de la convention FLAG !"],
        date(2024, 6, 23): ["[Conventio] Échéance dans 7 jours : Fin de la convention FLAG !"],
        date(2024, 6, 30): ["[Conventio] Échéance aujourd'hui : Fin de la convention FLAG !"],
        date(2024, 7, 7): ["[Conventio] Échéance dépassée de 7 jours : Fin de la convention FLAG !"],
        date(2024, 7, 14): ["[Conventio] Échéance dépassée de 14 jours : Fin de la convention FLAG !"],
        date(2024, 7, 21): ["[Conventio] Échéance dépassée de 21 jours : Fin de la convention FLAG !"],
    }
    message = mail.outbox[0]
    assert message.to == ["gestionnaire@testville.fr"]
    assert "Préparer le renouvellement ou la sortie." in message.body
    assert "http://127.0.0.1:8000/conventions/1/" in message.body
    assert "30 juin 2024" in message.body
    html = message.alternatives[0].content
    assert '<a href="http://127.0.0.1:8000/conventions/1/">Fin de la convention FLAG !</a>' in html
    assert Reminder.objects.filter(email_status=EmailStatus.SENT).count() == 8
    # Each reminder carries its deadline's organization (the unread badge counts from it).
    assert set(Reminder.objects.values_list("organization_id", flat=True)) == {organization.pk}


def test_running_twice_the_same_day_sends_nothing_more(organization, make_member, run):
    user = manager(organization, make_member)
    deadline_for(organization, recipients=(user.pk,), due=date(2024, 6, 30))
    run(date(2024, 6, 23))
    run(date(2024, 6, 23))
    run(date(2024, 6, 24))
    assert len(mail.outbox) == 1
    assert Reminder.objects.count() == 1


def test_missed_days_are_caught_up_once(organization, make_member, run):
    user = manager(organization, make_member)
    deadline_for(organization, recipients=(user.pk,), due=date(2024, 6, 30))
    run(date(2024, 5, 2))  # the 1 May run never happened: "60 days" goes a day late
    run(date(2024, 5, 29))  # nothing new
    run(date(2024, 6, 3))  # the 31 May run never happened either
    run(date(2024, 6, 4))
    assert [m.subject.split(" :")[0] for m in mail.outbox] == [
        "[Conventio] Échéance dans 59 jours",
        "[Conventio] Échéance dans 27 jours",
    ]
    assert list(Reminder.objects.order_by("run_date").values_list("occurrence", "run_date")) == [
        ("60", date(2024, 5, 2)),
        ("30", date(2024, 6, 3)),
    ]


def test_handled_deadline_stops_reminders(organization, make_member, run):
    user = manager(organization, make_member)
    deadline = deadline_for(organization, recipients=(user.pk,), due=date(2024, 6, 30))
    run(date(2024, 7, 7))
    mark_handled(user=user, deadline=deadline)
    for day in days(date(2024, 7, 8), date(2024, 8, 31)):
        run(day)
    assert len(mail.outbox) == 1


def test_an_avenant_moves_the_end_between_two_runs(organization, make_member, run):
    user = manager(organization, make_member)
    source = source_in(organization)
    sync_deadlines(
        source=source, organization_id=organization.pk, specs=[spec("end", date(2024, 6, 30), recipient_ids=(user.pk,))]
    )
    run(date(2024, 6, 23))  # "dans 7 jours"
    sync_deadlines(
        source=source,
        organization_id=organization.pk,
        specs=[spec("end", date(2024, 12, 31), recipient_ids=(user.pk,))],
    )
    for day in days(date(2024, 6, 24), date(2024, 9, 3)):
        run(day)
    subjects = [m.subject.split(" :")[0] for m in mail.outbox]
    # Nothing about the old date any more; the new one is announced 120 days before.
    assert subjects == ["[Conventio] Échéance dans 7 jours", "[Conventio] Échéance dans 120 jours"]
    assert mail.outbox[1].body.count("31 décembre 2024") == 1


def test_moved_date_cancels_a_reminder_not_yet_sent(organization, make_member, django_capture_on_commit_callbacks):
    user = manager(organization, make_member)
    source = source_in(organization)
    sync_deadlines(
        source=source, organization_id=organization.pk, specs=[spec("end", date(2024, 6, 30), recipient_ids=(user.pk,))]
    )
    call_command("send_reminders", date="2024-06-23", no_delivery=True, stdout=StringIO())
    sync_deadlines(
        source=source,
        organization_id=organization.pk,
        specs=[spec("end", date(2024, 12, 31), recipient_ids=(user.pk,))],
    )
    result = dispatch.deliver_pending(run_date=date(2024, 6, 23))
    assert (result.sent, result.cancelled) == (0, 1)
    assert mail.outbox == []


def test_recipients_by_role_and_settings(organization, make_member, run):
    clerk = make_member(organization, Role.CLERK, email="greffe@testville.fr")
    other_clerk = make_member(organization, Role.CLERK, email="greffe2@testville.fr")
    legal = make_member(organization, Role.LEGAL, email="juriste@testville.fr")
    viewer = make_member(organization, Role.VIEWER, email="lecteur@testville.fr")
    admin = make_member(organization, Role.ADMINISTRATOR, email="admin@testville.fr")
    outsider = make_member(OrganizationFactory(), Role.MANAGER, email="ailleurs@example.org")
    update_settings(
        user=admin,
        organization_id=organization.pk,
        renewal_lead_months=4,
        offsets_days=[0],
        roles_by_kind={"sitting_convocation": ["clerk"]},
    )
    deadline_for(
        organization, key="convocation", kind="sitting_convocation", due=date(2024, 3, 20), recipients=(outsider.pk,)
    )
    deadline_for(organization, key="notice", kind="notice_last_day", due=date(2024, 3, 20), recipient_roles=("legal",))
    run(date(2024, 3, 20))
    to = sorted(m.to[0] for m in mail.outbox)
    assert to == sorted([clerk.email, other_clerk.email, legal.email])
    assert viewer.email not in to
    assert outsider.email not in to  # not a member of the deadline's organization


def test_events_are_announced_but_never_overdue(organization, make_member, run):
    user = manager(organization, make_member)
    deadline_for(organization, key="sitting", kind="sitting", due=date(2024, 3, 26), recipients=(user.pk,))
    for day in days(date(2024, 3, 19), date(2024, 4, 30)):
        run(day)
    assert [m.subject.split(" :")[0] for m in mail.outbox] == [
        "[Conventio] Échéance dans 7 jours",
        "[Conventio] Échéance aujourd'hui",
    ]


def test_per_kind_offsets(organization, make_member, run):
    admin = make_member(organization, Role.ADMINISTRATOR)
    user = manager(organization, make_member)
    update_settings(
        user=admin,
        organization_id=organization.pk,
        renewal_lead_months=4,
        offsets_days=[30],
        offsets_by_kind={"evaluation": [14, 2]},
    )
    deadline_for(organization, key="evaluation-2024", kind="evaluation", due=date(2024, 5, 15), recipients=(user.pk,))
    for day in days(date(2024, 4, 1), date(2024, 5, 15)):
        run(day)
    assert [m.subject.split(" :")[0] for m in mail.outbox] == [
        "[Conventio] Échéance dans 14 jours",
        "[Conventio] Échéance dans 2 jours",
    ]
    assert list(Reminder.objects.values_list("occurrence", flat=True).order_by("run_date")) == ["14", "2"]


def test_digest_groups_a_day_in_one_email(organization, make_member, run):
    user = manager(organization, make_member)
    UserPreference.objects.create(user=user, email_mode=EmailMode.DIGEST)
    for n in range(3):
        deadline_for(
            organization,
            key=f"k{n}",
            due=date(2024, 6, 30) + timedelta(days=n),
            recipients=(user.pk,),
            title=f"Échéance {n}",
        )
    run(date(2024, 6, 30))
    assert len(mail.outbox) == 1
    digest = mail.outbox[0]
    assert digest.subject == "[Conventio] Vos échéances du 30 juin 2024 (3)"
    for n in range(3):
        assert f"Échéance {n}" in digest.body
    assert "Échéance aujourd'hui — Échéance 0" in digest.body
    assert "Échéance demain — Échéance 1" in digest.body
    assert "Échéance dans 2 jours — Échéance 2" in digest.body


def test_organization_digest_default_and_opt_out(organization, make_member, run):
    admin = make_member(organization, Role.ADMINISTRATOR)
    update_settings(
        user=admin, organization_id=organization.pk, renewal_lead_months=4, offsets_days=[0], digest_by_default=True
    )
    digest_user = manager(organization, make_member, email="a@testville.fr")
    single_user = manager(organization, make_member, email="b@testville.fr")
    silent_user = manager(organization, make_member, email="c@testville.fr")
    UserPreference.objects.create(user=single_user, email_mode=EmailMode.IMMEDIATE)
    UserPreference.objects.create(user=silent_user, email_mode=EmailMode.NONE)
    everyone = (digest_user.pk, single_user.pk, silent_user.pk)
    deadline_for(organization, key="a", due=date(2024, 6, 30), recipients=everyone)
    deadline_for(organization, key="b", due=date(2024, 6, 30), recipients=everyone)
    run(date(2024, 6, 30))
    by_recipient = {}
    for message in mail.outbox:
        by_recipient.setdefault(message.to[0], []).append(message.subject)
    assert len(by_recipient["a@testville.fr"]) == 1
    assert len(by_recipient["b@testville.fr"]) == 2
    assert "c@testville.fr" not in by_recipient
    # The silent user still has the in-app notifications.
    assert Reminder.objects.filter(recipient=silent_user, email_status=EmailStatus.SKIPPED).count() == 2


class FlakySMTP:
    """Stands in for smtplib.SMTP: refuses while ``down`` is set, records what it accepts."""

    down = True
    accepted: list[str] = []

    def __init__(self, host, port, **kwargs):
        if FlakySMTP.down:
            raise smtplib.SMTPConnectError(421, "Service indisponible")

    def ehlo(self, *a, **k):
        return (250, b"ok")  # noqa: E704

    def starttls(self, *a, **k):
        return (220, b"ok")  # noqa: E704

    def login(self, *a, **k):
        return (235, b"ok")  # noqa: E704

    def quit(self):
        return (221, b"bye")  # noqa: E704

    def close(self):
        pass  # noqa: E704

    def sendmail(self, from_addr, to_addrs, msg, **kwargs):
        FlakySMTP.accepted.extend(to_addrs)
        return {}


SMTP_MAILER = {
    "default": {
        "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "OPTIONS": {"host": "smtp.invalid", "port": 25, "timeout": 1},
    }
}


@override_settings(MAILERS=SMTP_MAILER)
def test_failing_smtp_server_leaves_reminders_for_next_time(organization, make_member, run):
    FlakySMTP.down, FlakySMTP.accepted = True, []
    user = manager(organization, make_member)
    deadline_for(organization, key="a", due=date(2024, 6, 30), recipients=(user.pk,))
    deadline_for(organization, key="b", due=date(2024, 7, 7), recipients=(user.pk,))
    with mock.patch("django.core.mail.backends.smtp.smtplib.SMTP", FlakySMTP):
        run(date(2024, 6, 30))
        pending = Reminder.objects.filter(email_status=EmailStatus.PENDING)
        assert pending.count() == 2
        assert pending.filter(attempts=1).count() == 1  # stopped at the first failure
        assert "Service indisponible" in pending.get(attempts=1).last_error
        FlakySMTP.down = False
        run(date(2024, 7, 1))
        run(date(2024, 7, 1))
    assert FlakySMTP.accepted == ["gestionnaire@testville.fr"] * 2
    assert Reminder.objects.filter(email_status=EmailStatus.SENT).count() == 2


def test_no_email_address_keeps_the_notification(organization, make_member, run):
    user = manager(organization, make_member, email="")
    deadline_for(organization, due=date(2024, 6, 30), recipients=(user.pk,))
    run(date(2024, 6, 30))
    assert mail.outbox == []
    assert Reminder.objects.get().email_status == EmailStatus.SKIPPED


def test_bad_date_is_refused():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="Date invalide"):
        call_command("send_reminders", date="30/06/2024")


@pytest.mark.parametrize("count", [10, 1000])
def test_queries_do_not_grow_with_deadlines(organization, make_member, count, django_assert_max_num_queries):
    admin = make_member(organization, Role.ADMINISTRATOR)
    update_settings(
        user=admin,
        organization_id=organization.pk,
        renewal_lead_months=4,
        offsets_days=[30, 0],
        roles_by_kind={"evaluation": ["legal"]},
    )
    users = [manager(organization, make_member, email=f"m{n}@testville.fr") for n in range(3)]
    make_member(organization, Role.LEGAL, email="juriste@testville.fr")
    other = OrganizationFactory()
    for org in (organization, other):  # half in each
        many_deadlines(
            org,
            count // 2,
            kind=lambda n: "evaluation" if n % 3 else "convention_end",
            due=lambda n: date(2024, 6, 1) + timedelta(days=n % 40),
            recipients=tuple(u.pk for u in users),
            recipient_roles=("manager",),
        )
    with django_assert_max_num_queries(10):
        result = dispatch.plan_reminders(today=date(2024, 6, 10))
    assert result.deadlines_due > 0
    assert result.reminders_created == result.reminders_planned > 0
    with django_assert_max_num_queries(10):
        again = dispatch.plan_reminders(today=date(2024, 6, 10))
    assert again.reminders_created == 0


def test_chunks_cover_every_deadline(organization, make_member):
    user = manager(organization, make_member)
    for n in range(25):
        deadline_for(organization, key=f"k{n}", due=date(2024, 6, 30), recipients=(user.pk,))
    dispatch.plan_reminders(today=date(2024, 6, 30), chunk_size=7)
    assert Reminder.objects.count() == 25


def test_digest_delivery_queries_do_not_grow(organization, make_member, django_assert_max_num_queries):
    users = [manager(organization, make_member, email=f"m{n}@testville.fr") for n in range(2)]
    for user in users:
        UserPreference.objects.create(user=user, email_mode=EmailMode.DIGEST)
    for n in range(50):
        deadline_for(organization, key=f"k{n}", due=date(2024, 6, 30), recipients=tuple(u.pk for u in users))
    dispatch.plan_reminders(today=date(2024, 6, 30))
    with django_assert_max_num_queries(2 + 5 * len(users)):
        result = dispatch.deliver_pending(run_date=date(2024, 6, 30))
    assert (result.emails, result.sent) == (2, 100)


def test_the_daily_run_closes_past_events_and_only_them(organization, make_member, run):
    from reminders.models import Deadline
    from reminders.selectors import counts, my_deadlines

    user = manager(organization, make_member)
    sitting = deadline_for(organization, key="sitting", kind="sitting", due=date(2024, 3, 26), recipients=(user.pk,))
    task = deadline_for(
        organization, key="list", kind="deliberation_list_publication", due=date(2024, 3, 27), recipients=(user.pk,)
    )
    run(date(2024, 3, 26))  # the day of the sitting: still open
    assert Deadline.objects.get(pk=sitting.pk).handled_at is None
    run(date(2024, 3, 28))
    sitting.refresh_from_db()
    task.refresh_from_db()
    assert sitting.handled_at is not None and sitting.handled_by is None  # took place: closed, by nobody
    assert task.handled_at is None  # a task past its date stays open: it is overdue
    assert counts(my_deadlines(user), date(2024, 3, 28))["overdue"] == 1

    # The sitting postponed to a later day opens again (a moved date re-arms a deadline).
    deadline_for(
        organization, key="sitting", kind="sitting", due=date(2024, 4, 9), recipients=(user.pk,), source=sitting.source
    )
    sitting.refresh_from_db()
    assert sitting.handled_at is None


class SMTPFailingAtSecond(FlakySMTP):
    """Accepts one message, then the server goes away."""

    def sendmail(self, from_addr, to_addrs, msg, **kwargs):
        if len(FlakySMTP.accepted) >= 1:
            raise smtplib.SMTPServerDisconnected("Connexion perdue")
        return super().sendmail(from_addr, to_addrs, msg, **kwargs)


@override_settings(MAILERS=SMTP_MAILER)
def test_a_server_lost_midway_records_what_was_sent(organization, make_member, run):
    FlakySMTP.down, FlakySMTP.accepted = False, []
    user = manager(organization, make_member)
    for key, due in (("a", date(2024, 6, 30)), ("b", date(2024, 7, 7)), ("c", date(2024, 7, 7))):
        deadline_for(organization, key=key, due=due, recipients=(user.pk,))
    with mock.patch("django.core.mail.backends.smtp.smtplib.SMTP", SMTPFailingAtSecond):
        run(date(2024, 6, 30))
    assert FlakySMTP.accepted == ["gestionnaire@testville.fr"]
    assert Reminder.objects.filter(email_status=EmailStatus.SENT).count() == 1
    failed = Reminder.objects.filter(email_status=EmailStatus.PENDING, attempts=1)
    assert failed.count() == 1 and "Connexion perdue" in failed.get().last_error
    assert Reminder.objects.filter(email_status=EmailStatus.PENDING, attempts=0).count() == 1
    with mock.patch("django.core.mail.backends.smtp.smtplib.SMTP", FlakySMTP):
        run(date(2024, 6, 30))  # the next run sends the two others, and only them
    assert FlakySMTP.accepted == ["gestionnaire@testville.fr"] * 3
    assert Reminder.objects.filter(email_status=EmailStatus.SENT).count() == 3
