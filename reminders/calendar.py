"""The private calendar feed (RFC 5545) of a user's deadlines and events.

Built with the icalendar library: one VEVENT per deadline, UID stable across re-syncs
(source and key, not the row id), DTSTAMP from the last change, all-day deadlines as DATE
values, timed events (sittings, comité meetings) in Europe/Paris with their VTIMEZONE;
text is escaped and lines folded at 75 octets, with CRLF line ends, by the library.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import icalendar
from django.conf import settings
from django.utils import timezone

from core.formatting import french_date
from reminders.dispatch import _absolute
from reminders.models import Deadline

PARIS = ZoneInfo("Europe/Paris")


def _domain() -> str:
    return urlsplit(str(getattr(settings, "SITE_URL", ""))).hostname or "conventio.localhost"


def _description(deadline: Deadline, url: str) -> str:
    lines = [
        f"{deadline.get_kind_display()} — {deadline.organization.name}",
        f"Échéance : {french_date(deadline.due_date)}",
    ]
    if deadline.action:
        lines.append(f"À faire : {deadline.action}")
    if deadline.handled_at and not deadline.is_event:
        lines.append(f"Traitée le {french_date(timezone.localdate(deadline.handled_at))}")
    lines.append(f"Voir : {url}")
    return "\n".join(lines)


def feed(deadlines: Iterable[Deadline], *, name: str) -> bytes:
    """The iCalendar text of these deadlines (already scoped to one user)."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Conventio//Échéances//FR")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", "Europe/Paris")
    domain = _domain()
    for deadline in deadlines:
        url = _absolute(deadline.url)
        event = icalendar.Event()
        event.add("uid", f"{deadline.feed_uid}@{domain}")
        event.add("dtstamp", deadline.updated_at.astimezone(ZoneInfo("UTC")))
        event.add("last-modified", deadline.updated_at.astimezone(ZoneInfo("UTC")))
        if deadline.starts_at is not None:
            starts = deadline.starts_at.astimezone(PARIS)
            event.add("dtstart", starts)
            event.add("dtend", (deadline.ends_at or deadline.starts_at + timedelta(hours=2)).astimezone(PARIS))
        else:
            event.add("dtstart", deadline.due_date)
            event.add("dtend", deadline.due_date + timedelta(days=1))
            event.add("transp", "TRANSPARENT")
        summary = deadline.title
        if deadline.handled_at and not deadline.is_event:
            summary = f"{summary} (traitée)"
        event.add("summary", summary)
        event.add("description", _description(deadline, url))
        event.add("url", url)
        event.add("categories", [str(deadline.get_kind_display())])
        if deadline.location:
            event.add("location", deadline.location)
        calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()
