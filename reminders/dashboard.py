"""The dashboard panel: my deadlines overdue, this week and this month, and my organizations' counts."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core import sql, tenancy
from core.formatting import french_date
from reminders import selectors
from reminders.models import EVENT_KINDS, Deadline
from reminders.views import deadline_status, status_labels

PANEL_ROWS = 8
_ROW_FIELDS = ("due_date", "title", "url", "kind")


def preload(request: HttpRequest) -> None:
    """The user's roles and reminder settings in one round trip, before the panels' reads."""
    if request.user.is_authenticated:
        selectors.preload(request.user)


def reads(request: HttpRequest) -> sql.Reads[dict[str, Any] | None] | None:
    """The panel's queries — my next deadlines, the counts of mine and of my organizations',
    the unread badge — for the dashboard to send with the other panels'. The condition "mine"
    needs the organizations' settings: read before, on their own."""
    user = request.user
    if not user.is_authenticated:
        return None
    organizations = tenancy.organization_ids(user)
    today = timezone.localdate()
    d = Deadline
    next_rows = None
    if organizations:
        mine, mine_params = selectors.mine_sql(user)
        scope, scope_params = selectors.open_within_sql(today, len(organizations))
        statement = (
            f"SELECT {', '.join(sql.column(d, f) for f in _ROW_FIELDS)} FROM {sql.table(d)} "
            f"WHERE {scope} AND {mine} ORDER BY {sql.order(d, ['due_date', 'id'])} LIMIT {PANEL_ROWS}",
            [*organizations, *scope_params, *mine_params],
        )
        next_rows = sql.Reads([statement], lambda results: sql.convert(d, _ROW_FIELDS, results[0]))
    parts = sql.gather(
        [next_rows, selectors.counts_reads(user, today, mine=True), selectors.unread_reads(user, request)]
    )

    def build(results: list[list[tuple[Any, ...]]]) -> dict[str, Any]:
        upcoming, (my_counts, organization_counts), _unread = parts.build(results)
        default_url = reverse("reminders:list")
        labels = status_labels()
        rows = []
        for deadline in upcoming or []:
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

    return sql.Reads(parts.statements, build)


def panel(request: HttpRequest) -> dict[str, Any] | None:
    return sql.read_one(reads(request))
