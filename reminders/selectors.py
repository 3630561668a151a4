"""Reads of deadlines, reminders and settings, scoped to the user's organizations."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from typing import Any

from django.db.models import BooleanField, Case, Count, ExpressionWrapper, Q, QuerySet, Value, When

from core import rules as calendar_rules
from core import tenancy
from reminders.models import (
    EVENT_KINDS,
    Deadline,
    EmailMode,
    HolidayCalendar,
    Reminder,
    ReminderSettings,
    UserPreference,
)


def settings_for(organization_id: int) -> ReminderSettings:
    """The organization's reminder settings; defaults (unsaved) when it never changed them."""
    found = ReminderSettings.objects.filter(organization_id=organization_id).first()
    return found if found is not None else ReminderSettings(organization_id=organization_id)


def settings_by_organization(organization_ids: Iterable[int]) -> dict[int, ReminderSettings]:
    """Settings of many organizations in one query, with defaults for the others."""
    ids = set(organization_ids)
    found = {s.organization_id: s for s in ReminderSettings.objects.filter(organization_id__in=ids)}
    return {org_id: found.get(org_id) or ReminderSettings(organization_id=org_id) for org_id in ids}


def holiday_subdivision_for(organization: Any) -> str | None:
    """The holidays subdivision for working-day counts: the organization's override
    (Alsace-Moselle, overseas, or plainly national), else the one of its département."""
    choice = (
        ReminderSettings.objects.filter(organization_id=organization.pk)
        .values_list("holiday_calendar", flat=True)
        .first()
    )
    if choice == HolidayCalendar.NATIONAL:
        return None
    if choice:
        return str(choice)
    return calendar_rules.holiday_subdivision(organization.departement_code)


def email_mode_for(preference_mode: str, org_settings: Iterable[ReminderSettings]) -> str:
    """A user's chosen mode, else digest when one of their organizations asks for it by default."""
    if preference_mode:
        return preference_mode
    return EmailMode.DIGEST if any(s.digest_by_default for s in org_settings) else EmailMode.IMMEDIATE


def preference_of(user: Any) -> UserPreference:
    found = UserPreference.objects.filter(user=user).first()
    return found if found is not None else UserPreference(user=user)


# --- Deadlines ---------------------------------------------------------------------------


def deadlines_for(user: Any) -> QuerySet[Deadline]:
    """Every deadline of the user's organizations."""
    return Deadline.objects.of_organizations(tenancy.organization_ids(user)).select_related(
        "organization", "handled_by"
    )


def mine_condition(user: Any) -> Q:
    """The deadlines addressed to the user: named recipient, or through their role
    (the deadline's roles, or the roles the organization adds for that kind)."""
    condition = Q(recipient_ids_text__contains=f",{user.pk},")
    roles = tenancy.roles_by_organization(user)
    settings_of = _kinds_by_role_of(user)
    for org_id, role in roles.items():
        by_role = Q(recipient_roles_text__contains=f",{role},")
        kinds = [kind for kind, kind_roles in settings_of[org_id].items() if role in kind_roles]
        if kinds:
            by_role |= Q(kind__in=kinds)
        condition |= Q(organization_id=org_id) & by_role
    return condition


def _roles_by_kind(organization_ids: Sequence[int]) -> dict[int, dict[str, list[str]]]:
    """Each organization's ``roles_by_kind`` setting (empty when it never changed its settings)."""
    if not organization_ids:
        return {}
    found = dict(
        ReminderSettings.objects.filter(organization_id__in=organization_ids).values_list(
            "organization_id", "roles_by_kind"
        )
    )
    return {org_id: found.get(org_id) or {} for org_id in organization_ids}


# The organizations' reminder roles, read once per request and kept on the user object next to
# its memberships (``core.tenancy``): a page may filter its list and count by "mine" both.
_ROLES_BY_KIND_ATTR = "_reminder_roles_by_kind"


def _kinds_by_role_of(user: Any) -> dict[int, dict[str, list[str]]]:
    """``_roles_by_kind`` of the user's organizations, read once per request."""
    cached = getattr(user, _ROLES_BY_KIND_ATTR, None)
    if cached is None:
        cached = _roles_by_kind(list(tenancy.roles_by_organization(user)))
        setattr(user, _ROLES_BY_KIND_ATTR, cached)
    return cached  # type: ignore[no-any-return]


def my_deadlines(user: Any) -> QuerySet[Deadline]:
    return deadlines_for(user).filter(mine_condition(user))


def deadline_for(user: Any, pk: int) -> Deadline:
    return tenancy.get_scoped_or_404(deadlines_for(user), user, pk=pk)


PERIODS = ("overdue", "today", "week", "month", "upcoming")


def past_event(today: date) -> Q:
    """Events (sittings, comité meetings, end of the recours period) that have taken place:
    nothing is left to do about them, so they are neither open nor overdue."""
    return Q(kind__in=EVENT_KINDS, due_date__lt=today)


def filter_period(queryset: QuerySet[Deadline], period: str, today: date) -> QuerySet[Deadline]:
    """overdue: past and not handled; week: today to 7 days; month: today to 31 days."""
    if period == "overdue":
        return queryset.filter(due_date__lt=today, handled_at__isnull=True).exclude(past_event(today))
    if period == "today":
        return queryset.filter(due_date=today)
    if period == "week":
        return queryset.filter(due_date__gte=today, due_date__lte=today + timedelta(days=7))
    if period == "month":
        return queryset.filter(due_date__gte=today, due_date__lte=today + timedelta(days=31))
    if period == "upcoming":
        return queryset.filter(due_date__gte=today)
    return queryset


def filter_deadlines(
    queryset: QuerySet[Deadline],
    *,
    today: date,
    period: str = "",
    kind: str = "",
    status: str = "open",
    organization_id: int | None = None,
    q: str = "",
    due_after: date | None = None,
    due_before: date | None = None,
) -> QuerySet[Deadline]:
    if status == "open":
        queryset = queryset.filter(handled_at__isnull=True).exclude(past_event(today))
    elif status == "handled":
        queryset = queryset.filter(handled_at__isnull=False)
    if kind:
        queryset = queryset.filter(kind=kind)
    if organization_id:
        queryset = queryset.filter(organization_id=organization_id)
    if q:
        queryset = queryset.filter(title__icontains=q)
    if due_after:
        queryset = queryset.filter(due_date__gte=due_after)
    if due_before:
        queryset = queryset.filter(due_date__lte=due_before)
    return filter_period(queryset, period, today)


def _countable(queryset: QuerySet[Deadline], today: date) -> QuerySet[Deadline]:
    # Only rows that can be counted are read: overdue or due within the month, not the
    # years of future ends and evaluations a métropole's conventions hold.
    return queryset.filter(handled_at__isnull=True, due_date__lte=today + timedelta(days=31)).exclude(past_event(today))


def counted_by_period(rows: Iterable[dict[str, Any]]) -> dict[str, int]:
    """overdue / week / month from counts by period ("month" holds the week)."""
    by_period = {"overdue": 0, "week": 0, "later": 0}
    for row in rows:
        by_period[row["period"]] += row["n"]
    return {
        "overdue": by_period["overdue"],
        "week": by_period["week"],
        "month": by_period["week"] + by_period["later"],
    }


def _by_period(queryset: QuerySet[Deadline], today: date, *groups: str) -> QuerySet[Any, dict[str, Any]]:
    """The countable deadlines counted by period (and ``groups``), in one pass.

    Grouped rather than one ``COUNT … FILTER`` per figure: each filter would repeat its
    conditions in the SQL and be compiled again. ``COUNT(*)``: every column read is in the
    index of open deadlines, so PostgreSQL counts from the index without the table."""
    period = Case(
        When(due_date__lt=today, then=Value("overdue")),
        When(due_date__lte=today + timedelta(days=7), then=Value("week")),
        default=Value("later"),
    )
    return (
        _countable(queryset.order_by(), today)
        .annotate(period=period)
        .values("period", *groups)
        .annotate(n=Count("*"))
        .order_by()
    )


def counts(queryset: QuerySet[Deadline], today: date) -> dict[str, int]:
    """Open deadlines overdue, due this week, due this month — in one query."""
    return counted_by_period(_by_period(queryset, today))


def overview(user: Any, today: date, mine: Q) -> tuple[dict[str, int], dict[str, int]]:
    """The counts of the user's own deadlines (``mine``: :func:`mine_condition`) and of all
    their organizations' deadlines, read together in one pass over the organizations' open
    deadlines of the month."""
    queryset = deadlines_for(user).annotate(mine=ExpressionWrapper(mine, output_field=BooleanField()))
    rows = list(_by_period(queryset, today, "mine"))
    return counted_by_period(r for r in rows if r["mine"]), counted_by_period(rows)


def next_of_mine(user: Any, today: date, limit: int) -> QuerySet[Deadline, Any]:
    """The user's next ``limit`` countable deadlines (overdue or due within the month), as the
    values a short list prints."""
    return (
        _countable(my_deadlines(user), today)
        .order_by("due_date", "id")
        .values("pk", "due_date", "title", "url", "kind")[:limit]
    )


# --- Notifications -----------------------------------------------------------------------


def notifications_for(user: Any) -> QuerySet[Reminder]:
    return (
        Reminder.objects.filter(recipient=user, deadline__organization_id__in=tenancy.organization_ids(user))
        .select_related("deadline", "deadline__organization")
        .order_by("-run_date", "-id")
    )


UNREAD_CAP = 100  # shown as "99+": counting thousands of unread rows tells nobody more


# The count is kept on the request: the header and the dashboard's panel both show it.
_UNREAD_ATTR = "_unread_notifications"


def unread_notifications(user: Any) -> QuerySet[Reminder]:
    """The user's unread notifications of their organizations, read from the partial index
    (recipient, organization) of unread reminders alone: the organization is on the row
    (``Reminder.organization``), no deadline is joined."""
    return Reminder.objects.filter(
        recipient=user, read_at__isnull=True, organization_id__in=tenancy.organization_ids(user)
    )


def unread_count(user: Any, request: Any = None) -> int:
    """Unread notifications (``notifications_for``), counted up to ``UNREAD_CAP`` (once per
    request when given)."""
    cached = getattr(request, _UNREAD_ATTR, None)
    if cached is not None:
        return int(cached)
    count = 0
    if user is not None and user.is_authenticated:
        # COUNT over a slice: Django counts at most UNREAD_CAP rows through a subquery.
        count = unread_notifications(user).order_by()[:UNREAD_CAP].count()
    if request is not None:
        setattr(request, _UNREAD_ATTR, count)
    return count


def unread_label(count: int) -> str:
    return f"{UNREAD_CAP - 1}+" if count >= UNREAD_CAP else str(count)
