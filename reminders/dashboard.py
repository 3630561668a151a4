"""The dashboard panel: my deadlines overdue, this week and this month, and my organizations' counts."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import connection
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
    mine, mine_params = selectors.mine_sql(user)
    if organizations:
        open_within, open_params = selectors.open_within_sql(today, len(organizations))
        scope = f"{open_within}"
        scope_params = [*organizations, *open_params]
    else:  # no organization: nothing to read, the panel shows zeros
        scope, scope_params = "1 = 0", []
    statements: list[tuple[str, list[Any]]] = [
        (
            f"SELECT {', '.join(sql.column(d, f) for f in _ROW_FIELDS)} FROM {sql.table(d)} WHERE {scope} AND {mine} "
            f"ORDER BY {sql.order(d, ['due_date', 'id'])} LIMIT {PANEL_ROWS}",
            [*scope_params, *mine_params],
        ),
        # The counts of mine and of all my organizations' deadlines, in one pass over the
        # organizations' open deadlines of the month (every column read is in the index of open
        # deadlines: PostgreSQL counts from the index without the table).
        (
            f"SELECT CASE WHEN {sql.column(d, 'due_date')} < %s THEN 'overdue' "
            f"WHEN {sql.column(d, 'due_date')} <= %s THEN 'week' ELSE 'later' END, {mine}, COUNT(*) "
            f"FROM {sql.table(d)} WHERE {scope} GROUP BY 1, 2",
            [
                connection.ops.adapt_datefield_value(today),
                connection.ops.adapt_datefield_value(today + timedelta(days=7)),
                *mine_params,
                *scope_params,
            ],
        ),
    ]
    unread_known = getattr(request, "_unread_notifications", None) is not None
    if not unread_known and organizations:
        statements.append((selectors.unread_sql(len(organizations)), [user.pk, *organizations]))

    def build(results: list[list[tuple[Any, ...]]]) -> dict[str, Any]:
        upcoming, period_rows, *unread_rows = results
        if unread_rows:
            request._unread_notifications = int(unread_rows[0][0][0])  # type: ignore[attr-defined]
        rows_by_period = [{"period": period, "mine": bool(is_mine), "n": n} for period, is_mine, n in period_rows]
        default_url = reverse("reminders:list")
        labels = status_labels()
        rows = []
        for deadline in sql.convert(d, _ROW_FIELDS, upcoming):
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
            "mine": selectors.counted_by_period(r for r in rows_by_period if r["mine"]),
            "organization": selectors.counted_by_period(rows_by_period),
            "rows": rows,
            "unread": unread,
            "unread_label": selectors.unread_label(unread),
        }

    return sql.Reads(statements, build)


def panel(request: HttpRequest) -> dict[str, Any] | None:
    return sql.read_one(reads(request))
