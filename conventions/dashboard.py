"""Dashboard panel: a timeline of the conventions (start → end, notice windows, status colours)
and the counts by status. Pure HTML and CSS; no JavaScript."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Count
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from conventions import rules, selectors
from conventions.models import ConventionStatus, RenewalMode
from conventions.models.conventions import LIVE_STATES
from reminders.selectors import settings_by_organization

MAX_ROWS = 15


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
        rows.append(
            {
                "convention": convention,
                "left": left,
                "width": max(right - left, 0.5),
                "window_left": window_left - left,
                "window_width": max(right - window_left, 0),
                "window_start": window_start,
                "window_label": window_label,
            }
        )
    years = [
        {"year": year, "left": _percent(date(year, 1, 1), start, span)} for year in range(start.year + 1, end.year + 1)
    ]
    return {"rows": rows, "years": years, "today_left": _percent(today, start, span), "start": start, "end": end}


def panel(request: HttpRequest) -> dict[str, Any] | None:
    if not request.user.is_authenticated:
        return None
    queryset = selectors.conventions_for(request.user)
    counts = {row["status"]: row["n"] for row in queryset.order_by().values("status").annotate(n=Count("id"))}
    if not counts:
        return None
    today = timezone.localdate()
    shown = list(queryset.filter(status__in=LIVE_STATES).order_by("end_date")[:MAX_ROWS])
    lead = {
        org_id: s.renewal_lead_months
        for org_id, s in settings_by_organization({c.organization_id for c in shown}).items()
    }
    return {
        "title": _("Conventions"),
        "template": "conventions/_dashboard.html",
        "counts": [(ConventionStatus(s).label, counts[s], s) for s in ConventionStatus.values if s in counts],
        "timeline": timeline(shown, today=today, lead_months=lead),
        "today": today,
    }
