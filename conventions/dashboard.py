"""Dashboard panel: a timeline of the conventions (start → end, notice windows, status colours)
and the counts by status. Pure HTML and CSS; no JavaScript."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from conventions import rules
from conventions.models import Convention, ConventionStatus, RenewalMode
from conventions.models.conventions import LIVE_STATES
from core import tenancy
from core.formatting import french_date
from reminders.models import ReminderSettings

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
    # Each row's text and CSS are written here once: the template only prints them.
    status_labels = {value: str(label) for value, label in ConventionStatus.choices}
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
                "reference": convention.reference,
                "tone": convention.status_tone or "none",
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


def panel(request: HttpRequest) -> dict[str, Any] | None:
    """The counts by status and the timeline of the live conventions of the user's
    organizations, each with its organization's renewal lead (its reminder settings, else the
    default): two queries."""
    if not request.user.is_authenticated:
        return None
    organizations = tenancy.organization_ids(request.user)
    if not organizations:
        return None
    scoped = Convention.objects.visible_to(organizations)
    # Counted from the (organization, status) index alone, without the table.
    counts = dict(scoped.order_by().values_list("status").annotate(n=Count("*")))
    if not counts:
        return None
    default_lead = ReminderSettings._meta.get_field("renewal_lead_months").get_default()
    lead = Subquery(
        ReminderSettings.objects.filter(organization_id=OuterRef("organization_id")).values("renewal_lead_months")[:1]
    )
    shown = list(
        scoped.filter(status__in=LIVE_STATES)
        .only(*_TIMELINE_FIELDS)
        .annotate(renewal_lead=Coalesce(lead, Value(default_lead), output_field=IntegerField()))
        .order_by("end_date")[:MAX_ROWS]
    )
    today = timezone.localdate()
    lead_months = {c.organization_id: c.renewal_lead for c in shown}
    return {
        "title": _("Conventions"),
        "template": "pages/conventions/_dashboard.jinja",
        "counts": [(ConventionStatus(s).label, counts[s], s) for s in ConventionStatus.values if s in counts],
        "timeline": timeline(shown, today=today, lead_months=lead_months),
        "today": today,
        "list_url": reverse("conventions:list"),
    }
