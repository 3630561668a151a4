"""sync_deadlines / clear_deadlines: deadlines follow their source at once."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from core.errors import DomainError
from core.roles import Role
from reminders.models import Deadline, EmailStatus, Reminder
from reminders.services import clear_deadlines, mark_handled, sync_deadlines
from tests.reminders.factories import source_in, spec

pytestmark = pytest.mark.django_db
PARIS = ZoneInfo("Europe/Paris")


def test_creates_updates_and_deletes_by_key(organization, make_member):
    manager = make_member(organization, Role.MANAGER)
    follower = make_member(organization, Role.LEGAL)
    source = source_in(organization)
    sync_deadlines(
        source=source,
        organization_id=organization.pk,
        specs=[
            spec("end", date(2027, 5, 14), recipient_ids=(manager.pk,)),
            spec("notice", date(2027, 3, 14), kind="notice_last_day", recipient_roles=("legal",)),
        ],
    )
    rows = {d.key: d for d in Deadline.objects.all()}
    assert set(rows) == {"end", "notice"}
    assert rows["end"].due_date == date(2027, 5, 14)
    assert list(rows["end"].recipients.all()) == [manager]
    assert rows["notice"].recipient_roles == ("legal",)
    assert rows["end"].source == source
    assert rows["end"].organization == organization

    # An avenant moves the end date and the notice is no longer relevant.
    sync_deadlines(
        source=source,
        organization_id=organization.pk,
        specs=[
            spec("end", date(2028, 5, 14), recipient_ids=(manager.pk, follower.pk)),
        ],
    )
    end = Deadline.objects.get()
    assert end.pk == rows["end"].pk
    assert end.due_date == date(2028, 5, 14)
    assert set(end.recipients.all()) == {manager, follower}
    assert end.history.first().history_change_reason == "Échéance déplacée au 14/05/2028"


def test_same_date_keeps_handled_state_and_reminders(organization, make_member):
    manager = make_member(organization, Role.MANAGER)
    source = source_in(organization)
    sync_deadlines(source=source, organization_id=organization.pk, specs=[spec("end", date(2027, 5, 14))])
    deadline = Deadline.objects.get()
    Reminder.objects.create(
        deadline=deadline,
        organization_id=deadline.organization_id,
        recipient=manager,
        due_date=deadline.due_date,
        occurrence="30",
        run_date=date(2027, 4, 14),
        email_status=EmailStatus.SENT,
        email_sent_at=datetime(2027, 4, 14, 8, tzinfo=PARIS),
    )
    mark_handled(user=manager, deadline=deadline)
    sync_deadlines(
        source=source, organization_id=organization.pk, specs=[spec("end", date(2027, 5, 14), title="Nouveau titre")]
    )
    deadline.refresh_from_db()
    assert deadline.title == "Nouveau titre"
    assert deadline.handled_at is not None
    assert deadline.reminders.count() == 1


def test_moved_date_rearms_a_handled_deadline(organization, make_member):
    manager = make_member(organization, Role.MANAGER)
    source = source_in(organization)
    sync_deadlines(source=source, organization_id=organization.pk, specs=[spec("end", date(2027, 5, 14))])
    mark_handled(user=manager, deadline=Deadline.objects.get())
    sync_deadlines(source=source, organization_id=organization.pk, specs=[spec("end", date(2027, 9, 1))])
    deadline = Deadline.objects.get()
    assert deadline.handled_at is None
    assert deadline.handled_by is None


def test_unchanged_sync_writes_nothing(organization, django_assert_max_num_queries):
    source = source_in(organization)
    specs = [spec(f"evaluation-{y}", date(y, 3, 1), kind="evaluation") for y in range(2025, 2035)]
    sync_deadlines(source=source, organization_id=organization.pk, specs=specs)
    before = Deadline.history.count()
    with django_assert_max_num_queries(6):
        sync_deadlines(source=source, organization_id=organization.pk, specs=specs)
    assert Deadline.history.count() == before


def test_events_keep_their_time_and_place(organization):
    source = source_in(organization)
    starts = datetime(2024, 5, 29, 14, 30, tzinfo=PARIS)
    sync_deadlines(
        source=source,
        organization_id=organization.pk,
        specs=[
            spec(
                "meeting",
                date(2024, 5, 29),
                kind="committee_meeting",
                starts_at=starts,
                ends_at=datetime(2024, 5, 29, 16, tzinfo=PARIS),
                location="Salle du conseil",
            )
        ],
    )
    deadline = Deadline.objects.get()
    assert deadline.starts_at == starts
    assert deadline.location == "Salle du conseil"
    assert deadline.is_event


@pytest.mark.parametrize(
    ("bad", "field"),
    [
        ({"kind": "inconnue"}, "kind"),
        ({"recipient_roles": ("mayor",)}, "recipient_roles"),
        (
            {"starts_at": datetime(2024, 5, 29, 16, tzinfo=PARIS), "ends_at": datetime(2024, 5, 29, 14, tzinfo=PARIS)},
            "ends_at",
        ),
    ],
)
def test_bad_specs_are_refused_and_nothing_saved(organization, bad, field):
    source = source_in(organization)
    with pytest.raises(DomainError) as caught:
        sync_deadlines(source=source, organization_id=organization.pk, specs=[spec("a"), spec("b", **bad)])
    assert caught.value.field == field
    assert not Deadline.objects.exists()


def test_duplicate_keys_are_refused(organization):
    with pytest.raises(DomainError, match="double"):
        sync_deadlines(source=source_in(organization), organization_id=organization.pk, specs=[spec("a"), spec("a")])


def test_unknown_recipient_ids_are_ignored(organization):
    sync_deadlines(
        source=source_in(organization), organization_id=organization.pk, specs=[spec(recipient_ids=(987654,))]
    )
    assert Deadline.objects.get().recipients.count() == 0


def test_clear_deadlines_only_touches_its_source(organization):
    first, second = source_in(organization), source_in(organization)
    sync_deadlines(source=first, organization_id=organization.pk, specs=[spec("end")])
    sync_deadlines(source=second, organization_id=organization.pk, specs=[spec("end")])
    clear_deadlines(source=first)
    assert list(Deadline.objects.values_list("object_id", flat=True)) == [second.pk]


def test_sources_of_different_models_do_not_collide(organization):
    person = source_in(organization)
    sync_deadlines(source=person, organization_id=organization.pk, specs=[spec("end")])
    sync_deadlines(source=organization, organization_id=organization.pk, specs=[spec("end")])
    assert Deadline.objects.count() == 2


def test_named_recipients_are_kept_on_the_row(organization, make_member):
    """``recipient_ids_text`` mirrors ``recipients`` (what "addressed to me" filters on)."""
    from reminders.selectors import my_deadlines

    first, second = make_member(organization, Role.MANAGER), make_member(organization, Role.LEGAL)
    source = source_in(organization)

    def sync(*users):
        sync_deadlines(
            source=source,
            organization_id=organization.pk,
            specs=[spec("end", date(2027, 5, 14), recipient_ids=tuple(u.pk for u in users))],
        )
        return Deadline.objects.get(key="end")

    deadline = sync(second, first)
    assert deadline.recipient_ids_text == f",{min(first.pk, second.pk)},{max(first.pk, second.pk)},"
    assert my_deadlines(second).filter(pk=deadline.pk).exists()
    deadline = sync(first)
    assert deadline.recipient_ids_text == f",{first.pk},"
    assert set(deadline.recipients.values_list("pk", flat=True)) == {first.pk}
    assert not my_deadlines(second).filter(pk=deadline.pk).exists()
    assert deadline.history.latest().recipient_ids_text == f",{first.pk},"
