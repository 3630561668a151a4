"""Dashboard panel: a timeline of the conventions (start → end, notice windows, status colours)
and the counts by status. Pure HTML and CSS; no JavaScript."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from conventions import rules
from conventions.models import Convention, ConventionStatus, RenewalMode
from conventions.models.conventions import LIVE_STATES
from core import sql, tenancy
from core.formatting import french_date
from reminders.models import ReminderSettings

MAX_ROWS = 15
_URL_PK = 987654321  # placeholder pk replaced in reversed addresses
_URL_PK_TEXT = f"/{_URL_PK}/"


def _percent(day: date, start: date, span: int) -> float:
    return round(max(0.0, min(100.0, (day - start).days * 100 / span)), 2)


def timeline(conventions: list[Any], *, today: date, lead_months: dict[int, int]) -> dict[str, Any]:
    """Bars placed in percent of a window that holds every convention shown and today."""
    dated = [c for c in conventions if c.effective_date and c.end_date]
    if not dated:
        return {"rows": [], "years": []}
    start = min([c.effective_date for c in dated] + [today])
    end = max([c.end_date for c in dated] + [today])
    span = max((end - start).days, 1)
    # Each row's text, link and CSS are written here once: the template only prints them.
    status_labels = {value: str(label) for value, label in ConventionStatus.choices}
    detail_url = reverse("conventions:detail", args=[_URL_PK])
    rows = []
    for convention in dated:
        if (
            convention.renewal == RenewalMode.TACIT
            and convention.tacit_renewals_done < convention.tacit_renewals_allowed
        ):
            window_start = rules.tacit_renewal_notice_last_day(convention.end_date, convention.renewal_notice)
            window_label = _("dernier jour pour dénoncer")
        else:
            window_start = rules.renewal_decision_date(
                convention.end_date, lead_months.get(convention.organization_id, 4)
            )
            window_label = _("décision de renouvellement")
        left = _percent(convention.effective_date, start, span)
        right = _percent(convention.end_date, start, span)
        window_left = _percent(max(window_start, convention.effective_date), start, span)
        width = max(right - left, 0.5)
        status = status_labels.get(convention.status, convention.status)
        effective, ends, window_day = (
            french_date(d) for d in (convention.effective_date, convention.end_date, window_start)
        )
        rows.append(
            {
                "convention": convention,
                "left": left,
                "width": width,
                "window_left": window_left - left,
                "window_width": max(right - window_left, 0),
                "window_start": window_start,
                "window_label": window_label,
                "url": detail_url.replace(_URL_PK_TEXT, f"/{convention.pk}/"),
                "reference": convention.reference,
                "tone": convention.status_tone or "none",
                # Percentages as Python writes them (a dot), never localized ("12,5" is no CSS).
                "bar_style": f"left: {left}%; width: {width}%;",
                "window_style": f"left: calc({window_left - left}% * 100 / {width}); right: 0;",
                "window_title": f"{window_label} : {window_day}",
                "text": f"{status} : {effective} → {ends} ; {window_label} {window_day}",
                "dates": f"{status} · {convention.effective_date:%m/%Y} → {convention.end_date:%m/%Y}",
            }
        )
    years = [
        {"year": year, "left": _percent(date(year, 1, 1), start, span)} for year in range(start.year + 1, end.year + 1)
    ]
    return {
        "rows": rows,
        "years": years,
        "today_left": _percent(today, start, span),
        "today_style": f"left: {_percent(today, start, span)}%;",
        "start": start,
        "end": end,
    }


# What the timeline reads of a convention: no parties, manager or programme (the full
# list's ``conventions_for`` loads them for its columns).
_TIMELINE_FIELDS = (
    "id",
    "organization_id",
    "reference",
    "status",
    "effective_date",
    "end_date",
    "renewal",
    "tacit_renewals_allowed",
    "tacit_renewals_done",
    "renewal_notice_value",
    "renewal_notice_unit",
)


@sql.keyed
def _panel_sql(organizations: int) -> tuple[str, str]:
    """The counts by status and the timeline's conventions of the organizations (``%s`` each),
    prepared once per connection (``core.sql.keyed``), as the dashboard's other panels."""
    c, settings = Convention, ReminderSettings
    of_organizations = f"{sql.column(c, 'organization')} IN ({sql.placeholders(organizations)})"
    return (
        # COUNT(*): counted from the (organization, status) index alone, without the table.
        f"SELECT {sql.column(c, 'status')}, COUNT(*) FROM {sql.table(c)} WHERE {of_organizations} "
        f"GROUP BY {sql.column(c, 'status')}",
        # The organization's renewal lead comes with each row (its settings, else the default).
        f"SELECT {sql.columns(c, _TIMELINE_FIELDS)}, COALESCE((SELECT {sql.name(settings, 'renewal_lead_months')} "
        f"FROM {sql.table(settings)} WHERE {sql.name(settings, 'organization')} = {sql.column(c, 'organization')}), %s) "
        f"FROM {sql.table(c)} WHERE {of_organizations} "
        f"AND {sql.column(c, 'status')} IN ({sql.placeholders(len(LIVE_STATES))}) "
        f"ORDER BY {sql.column(c, 'end_date')} LIMIT {MAX_ROWS}",
    )


def reads(request: HttpRequest) -> sql.Reads[dict[str, Any] | None] | None:
    """The panel's two queries, for the dashboard to send with the other panels'."""
    if not request.user.is_authenticated:
        return None
    organizations = tenancy.organization_ids(request.user)
    if not organizations:
        return None
    counts_sql, timeline_sql = _panel_sql(len(organizations))
    default_lead = ReminderSettings._meta.get_field("renewal_lead_months").get_default()
    statements = [
        (counts_sql, list(organizations)),
        (timeline_sql, [default_lead, *organizations, *LIVE_STATES]),
    ]

    def build(results: list[list[tuple[Any, ...]]]) -> dict[str, Any] | None:
        count_rows, timeline_rows = results
        counts = dict(count_rows)
        if not counts:
            return None
        today = timezone.localdate()
        width = len(_TIMELINE_FIELDS)
        shown = sql.instances(Convention, [row[:width] for row in timeline_rows], _TIMELINE_FIELDS)
        lead_months = {c.organization_id: row[width] for c, row in zip(shown, timeline_rows, strict=True)}
        return {
            "title": _("Conventions"),
            "template": "pages/conventions/_dashboard.jinja",
            "counts": [(ConventionStatus(s).label, counts[s], s) for s in ConventionStatus.values if s in counts],
            "timeline": timeline(shown, today=today, lead_months=lead_months),
            "today": today,
            "list_url": reverse("conventions:list"),
        }

    return sql.Reads(statements, build)


def panel(request: HttpRequest) -> dict[str, Any] | None:
    return sql.read_one(reads(request))
