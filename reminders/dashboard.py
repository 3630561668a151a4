"""The dashboard panel: my deadlines overdue, this week and this month, and my organizations' counts."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from reminders import selectors

PANEL_ROWS = 8


def panel(request: HttpRequest) -> dict[str, Any] | None:
    user = request.user
    if not user.is_authenticated:
        return None
    today = timezone.localdate()
    mine = selectors.my_deadlines(user)
    upcoming = list(
        mine.filter(handled_at__isnull=True, due_date__lte=today + timedelta(days=31))
        .exclude(selectors.past_event(today))
        .order_by("due_date", "pk")[:PANEL_ROWS]
    )
    return {
        "title": _("Mes échéances"),
        "template": "reminders/_dashboard_panel.html",
        "mine": selectors.counts(mine, today),
        "organization": selectors.counts(selectors.deadlines_for(user), today),
        "rows": [(d, (d.due_date - today).days, (today - d.due_date).days) for d in upcoming],
        "unread": (unread := selectors.unread_count(user, request)),
        "unread_label": selectors.unread_label(unread),
    }
