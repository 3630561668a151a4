"""Reads of deadlines, reminders and settings, scoped to the user's organizations."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from typing import Any

from django.db import connection
from django.db.models import BooleanField, Case, Count, ExpressionWrapper, Q, QuerySet, Value, When

from core import rules as calendar_rules
from core import sql, tenancy
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
    fields = ("organization_id", "roles_by_kind")
    statement = _settings_sql(len(organization_ids))
    found = {
        r["organization_id"]: r["roles_by_kind"]
        for r in sql.convert(ReminderSettings, fields, sql.rows(statement, list(organization_ids)))
    }
    return {org_id: found.get(org_id) or {} for org_id in organization_ids}


@sql.keyed
def _settings_of_member_sql() -> str:
    s = ReminderSettings
    return (
        f"SELECT {sql.column(s, 'organization')}, {sql.column(s, 'roles_by_kind')} FROM {sql.table(s)} "
        f"WHERE {sql.column(s, 'organization')} IN ({tenancy.organizations_sql(None)})"
    )


def preload(user: Any) -> None:
    """The user's roles and their organizations' reminder roles (``mine_condition``) read in
    one round trip, for the pages that filter or count "my" deadlines."""
    if not user.is_authenticated or getattr(user, "_reminder_roles_by_kind", None) is not None:
        return
    roles = tenancy.roles_reads(user)
    if roles is None:  # the roles are read already: the settings alone
        _kinds_by_role_of(user)
        return
    fields = ("organization_id", "roles_by_kind")

    def keep(results: list[list[tuple[Any, ...]]]) -> None:
        found = {r["organization_id"]: r["roles_by_kind"] for r in sql.convert(ReminderSettings, fields, results[0])}
        user._reminder_roles_by_kind = {
            org_id: found.get(org_id) or {} for org_id in tenancy.roles_by_organization(user)
        }

    sql.read_all([roles, sql.Reads([(_settings_of_member_sql(), [user.pk])], keep)])


def _kinds_by_role_of(user: Any) -> dict[int, dict[str, list[str]]]:
    """``_roles_by_kind`` of the user's organizations, read once per request (kept on the user
    object, as its roles are): a page may filter its list and count by "mine" both."""
    cached = getattr(user, "_reminder_roles_by_kind", None)
    if cached is None:
        cached = _roles_by_kind(list(tenancy.roles_by_organization(user)))
        user._reminder_roles_by_kind = cached
    return cached  # type: ignore[no-any-return]


@functools.cache
def _settings_sql(organizations: int) -> str:
    s = ReminderSettings
    return (
        f"SELECT {sql.column(s, 'organization')}, {sql.column(s, 'roles_by_kind')} FROM {sql.table(s)} "
        f"WHERE {sql.column(s, 'organization')} IN ({sql.placeholders(organizations)})"
    )


def mine_sql(user: Any) -> tuple[str, list[Any]]:
    """:func:`mine_condition` as a condition of SQL on the deadlines' table, with its
    parameters, for reads written here: the same terms (named recipient; the deadline's roles;
    the kinds the organization also sends to the role), in the same order."""
    d = Deadline
    contains = connection.operators["contains"]  # type: ignore[attr-defined]

    def like(value: str) -> str:
        return f"%{connection.ops.prep_for_like_query(value)}%"

    terms = [f"{sql.column(d, 'recipient_ids_text')} {contains}"]
    params: list[Any] = [like(f",{user.pk},")]
    roles = tenancy.roles_by_organization(user)
    settings_of = _kinds_by_role_of(user)
    for org_id, role in roles.items():
        by_role = f"{sql.column(d, 'recipient_roles_text')} {contains}"
        params += [org_id, like(f",{role},")]
        kinds = [kind for kind, kind_roles in settings_of[org_id].items() if role in kind_roles]
        if kinds:
            by_role = f"({by_role} OR {sql.column(d, 'kind')} IN ({sql.placeholders(len(kinds))}))"
            params += kinds
        terms.append(f"({sql.column(d, 'organization')} = %s AND {by_role})")
    return f"({' OR '.join(terms)})", params


def open_within_sql(today: date, organizations: int) -> tuple[str, list[Any]]:
    """``_countable`` on the organizations' deadlines as a condition of SQL (its parameters
    follow the organizations'): open, overdue or due within the month, no event past."""
    d = Deadline
    return (
        f"{sql.column(d, 'organization')} IN ({sql.placeholders(organizations)}) "
        f"AND {sql.column(d, 'due_date')} <= %s AND {sql.column(d, 'handled_at')} IS NULL "
        f"AND NOT ({sql.column(d, 'due_date')} < %s AND {sql.column(d, 'kind')} IN ({sql.placeholders(len(EVENT_KINDS))}))",
        [
            connection.ops.adapt_datefield_value(today + timedelta(days=31)),
            connection.ops.adapt_datefield_value(today),
            *EVENT_KINDS,
        ],
    )


def counts_reads(user: Any, today: date, *, mine: bool) -> sql.Reads[tuple[dict[str, int], dict[str, int]]]:
    """:func:`overview` (``mine``: the counts of mine as well as of all the organizations') or
    :func:`counts` of all as a query written here, for a page to send with its others: the
    counts of mine and of all, each overdue / this week / this month."""
    d = Deadline
    organizations = tenancy.organization_ids(user)
    if not organizations:
        return sql.Reads([], lambda _results: (counted_by_period([]), counted_by_period([])))
    scope, scope_params = open_within_sql(today, len(organizations))
    mine_column, mine_params = mine_sql(user) if mine else ("1", [])
    # Every column read is in the index of open deadlines: PostgreSQL counts from the index.
    statement = (
        f"SELECT CASE WHEN {sql.column(d, 'due_date')} < %s THEN 'overdue' "
        f"WHEN {sql.column(d, 'due_date')} <= %s THEN 'week' ELSE 'later' END, {mine_column}, COUNT(*) "
        f"FROM {sql.table(d)} WHERE {scope} GROUP BY 1, 2",
        [
            connection.ops.adapt_datefield_value(today),
            connection.ops.adapt_datefield_value(today + timedelta(days=7)),
            *mine_params,
            *organizations,
            *scope_params,
        ],
    )

    def build(results: list[list[tuple[Any, ...]]]) -> tuple[dict[str, int], dict[str, int]]:
        rows = [{"period": period, "mine": bool(is_mine), "n": n} for period, is_mine, n in results[0]]
        return counted_by_period(r for r in rows if r["mine"]), counted_by_period(rows)

    return sql.Reads([statement], build)


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


# --- Notifications -----------------------------------------------------------------------


def notifications_for(user: Any) -> QuerySet[Reminder]:
    return (
        Reminder.objects.filter(recipient=user, deadline__organization_id__in=tenancy.organization_ids(user))
        .select_related("deadline", "deadline__organization")
        .order_by("-run_date", "-id")
    )


UNREAD_CAP = 100  # shown as "99+": counting thousands of unread rows tells nobody more


@sql.keyed
def unread_sql(organizations: int | None) -> str:
    """The count, for the recipient ``%s``, in the organizations ``%s`` each (``None``: the
    organizations the recipient is a member of, ``%s`` again: for a page that has not read
    the user's roles yet and reads them in the same round trip)."""
    places = tenancy.organizations_sql(organizations)
    # From the partial index (recipient, organization) of unread reminders alone: the
    # organization is on the row (``Reminder.organization``), no deadline is read.
    return (
        f"SELECT COUNT(*) FROM (SELECT 1 FROM {sql.table(Reminder)} "
        f"WHERE {sql.column(Reminder, 'recipient')} = %s AND {sql.column(Reminder, 'read_at')} IS NULL "
        f"AND {sql.column(Reminder, 'organization')} IN ({places}) LIMIT {UNREAD_CAP}) unread"
    )


def unread_count(user: Any, request: Any = None) -> int:
    """Unread notifications (``notifications_for``), counted up to ``UNREAD_CAP`` (once per
    request when given). The header of every page shows it: its SQL is written once
    (``core.sql``, one per number of organizations) rather than built by the ORM each time."""
    cached = getattr(request, "_unread_notifications", None)
    if cached is not None:
        return int(cached)
    organizations = tenancy.organization_ids(user)
    count = 0
    if organizations:
        count = int(sql.rows(unread_sql(len(organizations)), [user.pk, *organizations])[0][0])
    if request is not None:
        request._unread_notifications = count
    return count


def unread_reads(user: Any, request: Any) -> sql.Reads[int] | None:
    """:func:`unread_count` as a query for a page to send with its others (``None`` when the
    request has counted already); built, the count is kept on the request for the header."""
    if getattr(request, "_unread_notifications", None) is not None:
        return None

    def build(results: list[list[tuple[Any, ...]]]) -> int:
        request._unread_notifications = count = int(results[0][0][0])
        return count

    if not tenancy.roles_known(user):  # the organizations by the user's memberships, in SQL
        if not user.is_authenticated:
            return None
        return sql.Reads([(unread_sql(None), [user.pk, user.pk])], build)
    organizations = tenancy.organization_ids(user)
    if not organizations:
        return None
    return sql.Reads([(unread_sql(len(organizations)), [user.pk, *organizations])], build)


def unread_label(count: int) -> str:
    return f"{UNREAD_CAP - 1}+" if count >= UNREAD_CAP else str(count)
