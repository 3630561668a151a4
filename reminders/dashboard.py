"""The dashboard panel: my deadlines overdue, this week and this month, and my organizations' counts."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.formatting import french_date
from reminders import selectors
from reminders.models import EVENT_KINDS
from reminders.views import deadline_status, status_labels

PANEL_ROWS = 8


def panel(request: HttpRequest) -> dict[str, Any] | None:
    """My next deadlines, the counts of mine and of my organizations', the unread badge: a
    fixed number of queries whatever the number of deadlines (the roles, the organizations'
    reminder settings, the rows, the counts in one pass, the badge)."""
    user = request.user
    if not user.is_authenticated:
        return None
    today = timezone.localdate()
    my_counts, organization_counts = selectors.overview(user, today, selectors.mine_condition(user))
    default_url = reverse("reminders:list")
    labels = status_labels()
    rows = []
    for deadline in selectors.next_of_mine(user, today, PANEL_ROWS):
        tone, label = deadline_status(
            handled=False,
            is_event=deadline["kind"] in EVENT_KINDS,
            days_left=(deadline["due_date"] - today).days,
            labels=labels,
        )
        rows.append(
            {
                "due_date": french_date(deadline["due_date"]),
                "title": deadline["title"],
                "url": deadline["url"] or default_url,
                "tone": tone,
                "status": label,
            }
        )
    unread = selectors.unread_count(user, request)
    return {
        "title": _("Mes échéances"),
        "template": "pages/core/_dashboard_reminders.jinja",
        "mine": my_counts,
        "organization": organization_counts,
        "rows": rows,
        "unread": unread,
        "unread_label": selectors.unread_label(unread),
    }
