"""What reaches a user outside the pages they ask for: the calendar feed (read with
icalendar), the reminder e-mails (immediate and digest), the dashboard and the header's
notifications badge. Nothing of the other collectivité, even for someone who left it."""

from __future__ import annotations

import re
from typing import Any

import icalendar
import pytest
from django.test import Client
from django.urls import reverse

from core import services as core_services
from core.models import Membership
from core.roles import Role
from reminders import selectors as reminder_selectors
from reminders.models import Reminder
from tests.canary.reading import message_text, response_text
from tests.canary.world import ROLES, World, found


def client_of(user: Any) -> Client:
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def feed_events(user: Any) -> tuple[str, list[dict[str, str]]]:
    """The user's calendar feed, fetched without a session as a calendar application does:
    (its whole text, unfolded; its events and to-dos as {property: text})."""
    response = Client().get(reverse("reminders:feed", args=[user.reminder_preference.feed_token]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(response.content)
    items = [
        {str(key): str(value) for key, value in component.property_items(recursive=False)}
        for component in calendar.walk()
        if component.name in {"VEVENT", "VTODO"}
    ]
    return response_text(response), items


def badge(html: str) -> str | None:
    """The unread count printed in the header's notifications link, if any."""
    link = re.search(r'<a href="[^"]*" class="notifications-link">(.*?)</a>', html, flags=re.S)
    assert link, "every page has the notifications link in its header"
    count = re.search(r'<span class="badge"[^>]*>([^<]*)</span>', link.group(1))
    return count.group(1).strip() if count else None


@pytest.mark.parametrize("role", ROLES)
def test_calendar_feeds_hold_only_the_readers_collectivite(world: World, role: str) -> None:
    for reader, other in world.pairs():
        text, items = feed_events(reader.users[role])
        assert found(other.tag, text) == []
        if role == Role.MEMBER:
            # An élu's account reads only its convocations: its feed holds no staff deadline.
            assert items == []
            continue
        assert items, "the feed holds the collectivité's deadlines and events"
        for item in items:
            assert found(other.tag, " ".join(item.values())) == []
        summaries = " ".join(item.get("SUMMARY", "") for item in items)
        assert reader["coming_meeting"].committee.name in summaries or found(reader.tag, summaries)
        assert found(reader.tag, summaries)


def test_the_feed_address_given_by_the_api_is_the_readers_own(world: World) -> None:
    for reader, other in world.pairs():
        _token, key = core_services.create_api_token(user=reader.admin, name="agenda")
        answer = Client(headers={"Authorization": f"Bearer {key}"}).get("/api/v1/calendar-feed").json()
        token = reader.admin.reminder_preference.feed_token
        assert token in str(answer)
        assert all(user.reminder_preference.feed_token not in str(answer) for user in other.users.values())


def test_reminder_emails_name_only_their_collectivite(world: World) -> None:
    for reader, other in world.pairs():
        assert reader.outbox, "today's reminders were e-mailed"
        # Every staff account (an élu's is reminded of nothing).
        own_addresses = {user.email for role, user in reader.users.items() if role != Role.MEMBER}
        reached = set()
        for message in reader.outbox:
            text = message_text(message)
            assert set(message.to) <= own_addresses, message.subject
            assert found(other.tag, text) == [], message.subject
            assert found(reader.tag, message.subject + message.body), message.subject
            reached.update(message.to)
        # Every role was reminded, the digest reader with one e-mail for all its reminders.
        assert reached == own_addresses
        digest = [m for m in reader.outbox if reader.users[Role.VIEWER].email in m.to]
        assert len(digest) == 1


def test_the_links_of_the_emails_open_the_readers_own_pages(world: World) -> None:
    """Each link of a reminder e-mail opens, for its recipient, a page of their collectivité."""
    from django.conf import settings

    base = str(settings.SITE_URL).rstrip("/")
    for reader, other in world.pairs():
        by_email = {user.email: user for user in reader.users.values()}
        opened = 0
        for message in reader.outbox:
            client = client_of(by_email[message.to[0]])
            links = set(re.findall(re.escape(base) + r"(/[^\s\"'<>)]*)", message_text(message)))
            assert links, message.subject
            for path in links:
                response = client.get(path, follow=True)
                assert response.status_code == 200, (message.subject, path)
                assert found(other.tag, response_text(response)) == [], path
                opened += 1
        assert opened


@pytest.mark.parametrize("role", [role for role in ROLES if role != Role.MEMBER])
def test_dashboard_and_notifications_badge_count_only_the_readers_collectivite(world: World, role: str) -> None:
    for reader, other in world.pairs():
        user = reader.users[role]
        client = client_of(user)
        for url in ("/", reverse("core:dashboard"), reverse("reminders:notifications")):
            html = response_text(client.get(url))
            assert found(other.tag, html) == [], url
            assert found(reader.tag, html), url
        unread = Reminder.objects.filter(recipient=user, read_at__isnull=True)
        assert unread.exists() and not unread.exclude(organization=reader.organization).exists()
        html = client.get(reverse("core:dashboard")).content.decode()
        assert badge(html) == reminder_selectors.unread_label(unread.count())


def test_someone_who_moved_from_b_to_a_sees_nothing_more_of_b(world: World) -> None:
    """B's manager leaves B and joins A: B's reminders, deadlines and acts stay with B. Their
    own name is renamed first, so only B's data could bring B's canary back."""
    a, b = world.a, world.b
    user = b.users[Role.MANAGER]
    assert Reminder.objects.filter(recipient=user, read_at__isnull=True).exists()
    Membership.objects.filter(user=user).delete()
    Membership.objects.create(user=user, organization=a.organization, role=Role.MANAGER)
    user.username, user.first_name, user.last_name, user.email = "moved", "Camille", "Moved", "moved@example.org"
    user.save()
    client = client_of(user)
    pages = [
        "/",
        reverse("core:dashboard"),
        reverse("reminders:notifications"),
        reverse("reminders:list"),
        reverse("conventions:list"),
        reverse("deliberations:list"),
        reverse("documents:list"),
    ]
    for url in pages:
        html = response_text(client.get(url))
        assert found(b.tag, html) == [], url
        # A's lists are theirs now; their notifications were all of B, so that page is empty.
        assert bool(found(a.tag, html)) == (url != reverse("reminders:notifications")), url
    assert badge(client.get(reverse("core:dashboard")).content.decode()) is None
    text, _items = feed_events(user)
    assert found(b.tag, text) == []
    _token, key = core_services.create_api_token(user=user, name="moved")
    api = Client(headers={"Authorization": f"Bearer {key}"})
    for path in ("/api/v1/notifications", "/api/v1/deadlines", "/api/v1/deadlines/counts", "/api/v1/conventions"):
        response = api.get(path)
        assert response.status_code == 200, path
        assert found(b.tag, response_text(response)) == [], path


def test_an_elu_account_is_sent_to_its_own_sittings(world: World) -> None:
    """An élu's home is « Mes séances »: its own convocations, nothing of B; no staff page,
    no notification, no reminder."""
    for reader, other in world.pairs():
        user = reader.users[Role.MEMBER]
        client = client_of(user)
        for url in ("/", reverse("core:dashboard")):
            response = client.get(url)
            assert response.status_code == 302 and response["Location"] == reverse("deliberations:my_sittings")
        html = response_text(client.get(reverse("deliberations:my_sittings")))
        assert reader["coming_sitting"].assembly.name in html
        assert found(other.tag, html) == []
        assert client.get(reverse("reminders:notifications")).status_code == 403
        assert not Reminder.objects.filter(recipient=user).exists()
