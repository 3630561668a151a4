"""The private calendar feed, read back with a parser and checked line by line."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import icalendar
import pytest
from django.urls import reverse

from core.roles import Role
from reminders.services import mark_handled, regenerate_feed_token, revoke_feed_token, sync_deadlines
from tests.reminders.factories import deadline_for, source_in, spec

pytestmark = pytest.mark.django_db
PARIS = ZoneInfo("Europe/Paris")


def fetch(client, user):
    token = user.reminder_preference.feed_token
    return client.get(reverse("reminders:feed", args=[token]))


@pytest.fixture
def feed_user(organization, make_member):
    user = make_member(organization, Role.MANAGER, first_name="Inès", last_name="Gestion")
    regenerate_feed_token(user=user)
    return user


def test_feed_parses_and_holds_deadlines_and_events(client, organization, feed_user, other_organization, make_member):
    long_title = "Fin de la convention « FLAG ! », partenariat; lutte contre les LGBTphobies — Ville de Montpellier"
    deadline_for(
        organization,
        key="end",
        due=date(2027, 5, 14),
        recipients=(feed_user.pk,),
        title=long_title,
        action="Présenter le renouvellement au conseil, avec la délibération.",
    )
    source = source_in(organization)
    sync_deadlines(
        source=source,
        organization_id=organization.pk,
        specs=[
            spec(
                "meeting",
                date(2024, 5, 29),
                kind="committee_meeting",
                title="Comité de suivi",
                starts_at=datetime(2024, 5, 29, 14, 30, tzinfo=PARIS),
                ends_at=datetime(2024, 5, 29, 16, tzinfo=PARIS),
                location="Salle 3, Hôtel de ville",
                recipient_roles=("manager",),
            ),
        ],
    )
    deadline_for(organization, key="other", due=date(2027, 1, 1), title="Pas pour moi")  # no recipient
    deadline_for(
        other_organization, key="x", due=date(2027, 1, 1), title="Autre collectivité", recipients=(feed_user.pk,)
    )
    response = fetch(client, feed_user)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    raw = response.content
    # RFC 5545: CRLF line ends, lines folded at 75 octets.
    assert raw.endswith(b"\r\n")
    assert b"\n" not in raw.replace(b"\r\n", b"")
    assert all(len(line) <= 75 for line in raw.split(b"\r\n"))
    assert b"\r\n " in raw  # the long title is folded
    calendar = icalendar.Calendar.from_ical(raw)
    events = {str(e["summary"]): e for e in calendar.walk("VEVENT")}
    assert set(events) == {long_title, "Comité de suivi"}
    end = events[long_title]
    assert end.decoded("dtstart") == date(2027, 5, 14)
    assert end["dtstart"].params["VALUE"] == "DATE"
    assert end.decoded("dtend") == date(2027, 5, 15)
    assert "Présenter le renouvellement au conseil" in str(end["description"])
    assert str(end["url"]) == "http://127.0.0.1:8000/conventions/1/"
    assert str(end["uid"]).endswith("-end@127.0.0.1")
    assert end.decoded("dtstamp").tzinfo is not None
    assert b"SUMMARY:Fin de la convention" in raw
    assert b"partenariat\\; lutte" in raw.replace(b"\r\n ", b"")  # escaped as the RFC says
    meeting = events["Comité de suivi"]
    assert meeting.decoded("dtstart") == datetime(2024, 5, 29, 14, 30, tzinfo=PARIS)
    assert meeting["dtstart"].params["TZID"] == "Europe/Paris"
    assert str(meeting["location"]) == "Salle 3, Hôtel de ville"
    assert [tz["tzid"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Paris"]


def test_uid_is_stable_when_the_date_moves(client, organization, feed_user):
    source = source_in(organization)
    sync_deadlines(
        source=source,
        organization_id=organization.pk,
        specs=[spec("end", date(2027, 5, 14), recipient_ids=(feed_user.pk,))],
    )
    first = icalendar.Calendar.from_ical(fetch(client, feed_user).content).walk("VEVENT")[0]
    sync_deadlines(
        source=source,
        organization_id=organization.pk,
        specs=[spec("end", date(2028, 5, 14), recipient_ids=(feed_user.pk,))],
    )
    second = icalendar.Calendar.from_ical(fetch(client, feed_user).content).walk("VEVENT")[0]
    assert first["uid"] == second["uid"]
    assert second.decoded("dtstart") == date(2028, 5, 14)


def test_handled_deadlines_say_so(client, organization, feed_user):
    deadline = deadline_for(organization, due=date(2027, 5, 14), recipients=(feed_user.pk,), title="Fin")
    mark_handled(user=feed_user, deadline=deadline)
    event = icalendar.Calendar.from_ical(fetch(client, feed_user).content).walk("VEVENT")[0]
    assert str(event["summary"]) == "Fin (traitée)"


def test_regenerated_or_revoked_token_stops_the_old_address(client, feed_user):
    old = feed_user.reminder_preference.feed_token
    regenerate_feed_token(user=feed_user)
    assert client.get(reverse("reminders:feed", args=[old])).status_code == 404
    feed_user.reminder_preference.refresh_from_db()
    assert fetch(client, feed_user).status_code == 200
    current = feed_user.reminder_preference.feed_token
    revoke_feed_token(user=feed_user)
    assert client.get(reverse("reminders:feed", args=[current])).status_code == 404
    assert client.get("/echeances/agenda/nimportequoi.ics").status_code == 404


def test_feed_queries_do_not_grow(client, organization, feed_user, django_assert_max_num_queries):
    for count in (10, 200):
        for n in range(count):
            deadline_for(organization, key=f"k{count}-{n}", due=date(2027, 1, 1), recipients=(feed_user.pk,))
        with django_assert_max_num_queries(6):
            assert fetch(client, feed_user).status_code == 200
