"""Reads of assemblies, sittings and deliberations, scoped to the user's organizations.

Nothing here runs a query per row: the attendance of a whole sitting is read in a fixed
number of queries and replayed in memory (``deliberations.attendance``).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from django.db import connection
from django.db.models import Count, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from core import sql, tenancy
from deliberations.attendance import ItemAttendance, ProxyFact, replay
from deliberations.models import (
    AFTER_SIGNATURE_STATES,
    DECIDED_STATES,
    Assembly,
    Attendance,
    AttendanceChange,
    Ballot,
    Deliberation,
    DeliberationKind,
    DeliberationState,
    Mandate,
    MandateRole,
    Proxy,
    Sitting,
    SittingState,
    Transmission,
    VoteResult,
)
from deliberations.models import Annex as DeliberationAnnex
from parties.models import Organization, Person, Signatory
from parties.models import full_name as person_full_name

NOT_FOUND = "Aucun objet ne correspond à cette adresse."


def _get_or_404(queryset: QuerySet[Any], **lookup: Any) -> Any:
    try:
        return queryset.get(**lookup)
    except queryset.model.DoesNotExist as exc:
        raise Http404(_(NOT_FOUND)) from exc


# --- Assemblies and members ---------------------------------------------------------------


def assemblies_for(user: Any) -> QuerySet[Assembly]:
    return Assembly.objects.filter(organization__in=tenancy.organization_ids(user)).select_related("organization")


def assembly_for(user: Any, pk: int) -> Assembly:
    return _get_or_404(assemblies_for(user).select_related("numbering_rule"), pk=pk)


@dataclass(frozen=True, slots=True)
class MemberName:
    """The name of a member as pages and documents print it (no model instance)."""

    pk: int
    civility: str
    first_name: str
    last_name: str

    @property
    def full_name(self) -> str:
        return person_full_name(self.first_name, self.last_name)


@dataclass(frozen=True, slots=True)
class Member:
    """A running mandate, read as plain values: a sitting of a métropole reads 240 of them on
    every page, vote and document, where model instances would cost twice as much."""

    pk: int  # the mandate's
    person_id: int
    role: str
    function: str
    start_date: date
    end_date: date | None
    person: MemberName

    def get_role_display(self) -> str:
        return str(MandateRole(self.role).label)


def members_in_office(assembly: Assembly | int, on: date) -> list[Member]:
    """The mandates running on ``on``, one per member (the latest when a member changed role),
    in name order."""
    assembly_id = assembly if isinstance(assembly, int) else assembly.pk
    rows = (
        Mandate.objects.in_office(on)
        .filter(assembly_id=assembly_id)
        .order_by("person__last_name", "person__first_name", "person_id", "-start_date")
        .values_list(
            "pk",
            "person_id",
            "role",
            "function",
            "start_date",
            "end_date",
            "person__civility",
            "person__first_name",
            "person__last_name",
        )
    )
    seen: set[int] = set()
    result = []
    for pk, person_id, role, function, start, end, civility, first, last in rows:
        if person_id not in seen:
            seen.add(person_id)
            result.append(
                Member(pk, person_id, role, function, start, end, MemberName(person_id, civility, first, last))
            )
    return result


def members_count(assembly: Assembly | int, on: date) -> int:
    assembly_id = assembly if isinstance(assembly, int) else assembly.pk
    return Mandate.objects.in_office(on).filter(assembly_id=assembly_id).values("person").distinct().count()


def mandates_of(assembly: Assembly) -> QuerySet[Mandate]:
    return assembly.mandates.select_related("person").order_by("person__last_name", "person__first_name", "-start_date")


def people_for_assembly(assembly: Assembly) -> QuerySet[Person]:
    return Person.objects.filter(organization_id=assembly.organization_id)


# --- Sittings -------------------------------------------------------------------------------


def sittings_for(user: Any, *, assembly_ids: list[int] | None = None) -> QuerySet[Sitting]:
    """The sittings of the user's organizations (``assembly_ids``: their assemblies, when the
    caller has already read them), with their item count."""
    # The item count is a subquery per row shown, not a GROUP BY over every sitting of ten
    # years (which PostgreSQL would aggregate before sorting and keeping 25).
    items = (
        Deliberation.objects.filter(sitting=OuterRef("pk"))
        .order_by()
        .values("sitting")
        .annotate(n=Count("sitting"))  # the indexed column: an index-only count
        .values("n")
    )
    return (
        Sitting.objects.filter(assembly_id__in=user_assembly_ids(user) if assembly_ids is None else assembly_ids)
        .select_related("assembly__organization", "president", "secretary", "reconvened_from")
        .annotate(item_count=Coalesce(Subquery(items), 0))
    )


def _via(owner: Any, model: Any, key: str) -> str:
    """The row of ``model`` that the ``owner`` row ``%s`` points at by its field ``key``."""
    return (
        f"{sql.column(model, 'id')} = (SELECT {sql.name(owner, key)} FROM {sql.table(owner)} "
        f"WHERE {sql.name(owner, 'id')} = %s)"
    )


def _scoped_with_assembly(model: Any, fields: Sequence[str] | None, organizations: int | None) -> tuple[str, str]:
    """A sitting's or an act's row by its id (``%s``), if its assembly is one of the
    organizations' (``%s`` each; ``None``: those of the user ``%s`` is a member of), and its
    assembly with the organization."""
    a = Assembly
    scope = tenancy.organizations_sql(organizations)
    return (
        f"SELECT {sql.columns(model, fields)} FROM {sql.table(model)} WHERE {sql.column(model, 'id')} = %s "
        f"AND {sql.column(model, 'assembly')} IN (SELECT {sql.name(a, 'id')} FROM {sql.table(a)} "
        f"WHERE {sql.name(a, 'organization')} IN ({scope}))",
        f"SELECT {sql.columns(a)}, {sql.columns(Organization)} FROM {sql.table(a)} JOIN {sql.table(Organization)} "
        f"ON {sql.column(Organization, 'id')} = {sql.column(a, 'organization')} WHERE {_via(model, a, 'assembly')}",
    )


@sql.keyed
def _sitting_sql(organizations: int | None) -> tuple[str, ...]:
    """The queries of :func:`sitting_for`, each of one table or two, keyed by the sitting's id:
    joined in one query (six tables), PostgreSQL took 0.75 ms to plan it and 0.09 ms to run it."""
    s = Sitting
    via = functools.partial(_via, s)
    return (
        *_scoped_with_assembly(s, None, organizations),
        f"SELECT {sql.columns(Person)} FROM {sql.table(Person)} WHERE {via(Person, 'president')}",
        f"SELECT {sql.columns(Person)} FROM {sql.table(Person)} WHERE {via(Person, 'secretary')}",
        f"SELECT {sql.columns(s)} FROM {sql.table(s)} WHERE {via(s, 'reconvened_from')}",
        # The page's notice of the sittings reconvened from this one (a failed quorum).
        f"SELECT {sql.columns(s)} FROM {sql.table(s)} WHERE {sql.column(s, 'reconvened_from')} = %s "
        f"ORDER BY {sql.order(s, ['-starts_at'])}",
    )


def sitting_for(
    user: Any,
    pk: int,
    *,
    page: bool = False,
    panels: sql.Reads[Callable[[Any], None]] | None = None,
    people: bool = True,
) -> Sitting:
    """One sitting of the user's organizations, or 404, with its assembly and organization, its
    president, secretary and the sitting it was reconvened from, as model instances; for its
    ``page``, the sittings reconvened from it too (``reconvened_sittings.all()``). Without
    ``people``, neither the president, the secretary nor the sitting reconvened from are read,
    for a page that prints none of them (each would then cost a query of its own).

    Written as SQL once and read in one round trip (``core.sql.batch``): every sitting page,
    action and API call starts with it."""
    queries, scope, panels = _scoped_reads(user, _sitting_sql, panels)
    statements = [(queries[0], [pk, *scope]), *((text, [pk]) for text in queries[1 : 5 if people else 2])]
    if page:
        statements.append((queries[5], [pk]))
    results, keep = sql.batch_with(statements, panels)
    if not people:
        results[2:2] = [[], [], []]  # not read: nothing cached for them below
    found, assembly, president, secretary, reconvened_from, *reconvened = results
    if not found:
        raise Http404(_(NOT_FOUND))
    sitting = sql.instances(Sitting, found)[0]
    assembly_row, organization_row = sql.split(assembly[0], len(sql.fields_of(Assembly)))
    assembly_instance = sql.instances(Assembly, [assembly_row])[0]
    sql.cache(assembly_instance, "organization", sql.instances(Organization, [organization_row])[0])
    sql.cache(sitting, "assembly", assembly_instance)
    if people:
        sql.cache(sitting, "president", next(iter(sql.instances(Person, president)), None))
        sql.cache(sitting, "secretary", next(iter(sql.instances(Person, secretary)), None))
        sql.cache(sitting, "reconvened_from", next(iter(sql.instances(Sitting, reconvened_from)), None))
    if page:
        sql.attach(sitting, "reconvened_sittings", sql.instances(Sitting, reconvened[0]))
    keep(sitting)
    return sitting


def _scoped_reads(
    user: Any, written: Callable[[int | None], tuple[str, ...]], panels: sql.Reads[Callable[[Any], None]] | None
) -> tuple[tuple[str, ...], list[int], sql.Reads[Callable[[Any], None]] | None]:
    """An object's queries scoped to the user (``written`` by the number of organizations),
    their scope's parameters, and the panels to send with them: the organizations' ids when
    the user's roles are read already (404 without any), else the user's memberships in SQL,
    the roles read in the same round trip (the page's layout and permissions need them next)."""
    roles = tenancy.roles_reads(user)
    if roles is None:
        organizations = tenancy.organization_ids(user)
        if not organizations:
            raise Http404(_(NOT_FOUND))
        return written(len(organizations)), organizations, panels
    return written(None), [user.pk], _and_roles(panels, roles)


def _and_roles(
    panels: sql.Reads[Callable[[Any], None]] | None, roles: sql.Reads[None]
) -> sql.Reads[Callable[[Any], None]]:
    """``panels`` and the user's roles in one set of reads: the roles are kept first, for the
    panels' builders that check a permission."""
    both = sql.gather([roles, panels])

    def build(results: list[list[tuple[Any, ...]]]) -> Callable[[Any], None]:
        keep = both.build(results)[1]
        return keep if keep is not None else lambda _obj: None

    return sql.Reads(both.statements, build)


def agenda(sitting: Sitting) -> list[Deliberation]:
    return list(
        sitting.deliberations.filter(position__isnull=False).select_related("rapporteur", "vote").order_by("position")
    )


@dataclass(frozen=True, slots=True)
class AgendaVote:
    votes_for: int
    votes_against: int
    abstentions: int
    not_voting: int
    result_text: str


@dataclass(frozen=True, slots=True)
class AgendaEntry:
    """An agenda row as the attendance sheet prints it (its grid's columns, its menus of
    items): no rapporteur, no vote, whose joins a 150-item agenda would read for nothing."""

    pk: int
    position: int
    number: str
    title: str
    state: str


@sql.keyed
def _entries_sql() -> str:
    d = Deliberation
    columns = ", ".join(sql.column(d, f) for f in ("id", "position", "number", "title", "state"))
    return (
        f"SELECT {columns} FROM {sql.table(d)} WHERE {sql.column(d, 'sitting')} = %s "
        f"AND {sql.column(d, 'position')} IS NOT NULL ORDER BY {sql.column(d, 'position')}"
    )


@dataclass(frozen=True, slots=True)
class AgendaItem:
    """An agenda row as the sitting page, the attendance page and the API print it, read as
    plain values: 150 items of a métropole's sitting with their rapporteur and vote would
    otherwise be 450 model instances on each of those reads."""

    pk: int
    position: int
    number: str
    kind: str
    title: str
    state: str
    rapporteur: MemberName | None
    vote: AgendaVote | None

    @property
    def is_information(self) -> bool:
        return self.kind == DeliberationKind.INFORMATION

    def get_state_display(self) -> str:
        return str(DeliberationState(self.state).label)


@sql.keyed
def _agenda_sql() -> str:
    """The agenda of a sitting as ``AgendaItem`` fields, in order: each item with its
    rapporteur's name and its vote's totals."""
    d, p, v = Deliberation, Person, VoteResult
    columns = ", ".join(
        [
            *(sql.column(d, f) for f in ("id", "position", "number", "kind", "title", "state", "rapporteur")),
            *(sql.column(p, f) for f in ("civility", "first_name", "last_name")),
            *(
                sql.column(v, f)
                for f in ("id", "votes_for", "votes_against", "abstentions", "not_voting", "result_text")
            ),
        ]
    )
    return (
        f"SELECT {columns} FROM {sql.table(d)} "
        f"LEFT OUTER JOIN {sql.table(p)} ON {sql.column(p, 'id')} = {sql.column(d, 'rapporteur')} "
        f"LEFT OUTER JOIN {sql.table(v)} ON {sql.column(v, 'deliberation')} = {sql.column(d, 'id')} "
        f"WHERE {sql.column(d, 'sitting')} = %s AND {sql.column(d, 'position')} IS NOT NULL "
        f"ORDER BY {sql.column(d, 'position')}"
    )


def _agenda_items(rows: list[tuple[Any, ...]]) -> list[AgendaItem]:
    return [
        AgendaItem(
            pk,
            position,
            number,
            kind,
            title,
            state,
            MemberName(rapporteur, civility, first, last) if rapporteur else None,
            AgendaVote(*vote_values) if vote else None,
        )
        for pk, position, number, kind, title, state, rapporteur, civility, first, last, vote, *vote_values in rows
    ]


def agenda_summary(sitting: Sitting) -> list[AgendaItem]:
    return _agenda_items(sql.rows(_agenda_sql(), [sitting.pk]))


@dataclass
class SittingAttendance:
    """Everything a sitting's attendance grid, quorum display and vote checks need."""

    sitting: Sitting
    members: list[Member]
    items: Sequence[Any]  # Deliberation or AgendaItem rows
    defaults: dict[int, str]
    proxies: list[ProxyFact]  # as plain values, in the order they were recorded
    by_position: dict[int, ItemAttendance] = field(default_factory=dict)
    changes: list[tuple[int, int, str]] = field(default_factory=list)
    replayed_all: bool = True  # False: only some positions were replayed (``positions``)
    proxy_names: dict[int, str] = field(default_factory=dict)  # person id → name, of every giver and holder

    @property
    def members_in_office(self) -> int:
        return len(self.members)

    @property
    def person_names(self) -> dict[int, str]:
        return {m.person_id: m.person.full_name for m in self.members}

    def for_item(self, deliberation: Deliberation) -> ItemAttendance:
        if deliberation.position is not None and deliberation.position in self.by_position:
            return self.by_position[deliberation.position]
        if not self.replayed_all and any(d.position == deliberation.position for d in self.items):
            raise LookupError(f"position {deliberation.position} was not replayed")
        return self.opening()

    def opening(self) -> ItemAttendance:
        """The attendance at the opening (sitting defaults, proxies applying from the start)."""
        return replay(
            members=[m.person_id for m in self.members],
            defaults=self.defaults,
            changes=[],
            positions=[0],
            proxies=self.proxies,
        )[0]

    def first_open_position(self) -> int | None:
        """The first item not yet examined (votes, prises d'acte), where new changes may start."""
        examined = [d.position for d in self.items if d.state in (*DECIDED_STATES, *AFTER_SIGNATURE_STATES)]
        last = max((p for p in examined if p is not None), default=None)
        candidates = [d.position for d in self.items if d.position is not None and (last is None or d.position > last)]
        return min(candidates) if candidates else None


@sql.keyed
def _sheet_sql() -> tuple[str, ...]:
    """What a sitting's attendance sheet reads, beside its agenda: the running mandates of the
    assembly's members (in name order, a member's latest first) with each one's status for the
    sitting; its arrivals and departures; its proxies with the positions they apply from and are
    revoked from (as ``ProxyFact`` fields) with the names of the people they name."""
    m, p, presence = Mandate, Person, Attendance
    mandate_columns = ", ".join(sql.column(m, f) for f in _MEMBER_FIELDS)
    return (
        f"SELECT {mandate_columns}, {sql.column(p, 'civility')}, {sql.column(p, 'first_name')}, "
        f"{sql.column(p, 'last_name')}, {sql.column(presence, 'status')} FROM {sql.table(m)} "
        f"INNER JOIN {sql.table(p)} ON {sql.column(p, 'id')} = {sql.column(m, 'person')} "
        f"LEFT OUTER JOIN {sql.table(presence)} ON {sql.column(presence, 'person')} = {sql.column(m, 'person')} "
        f"AND {sql.column(presence, 'sitting')} = %(sitting)s "
        # Mandate.objects.in_office: started on or before the day, not ended before it.
        f"WHERE ({sql.column(m, 'end_date')} IS NULL OR {sql.column(m, 'end_date')} >= %(day)s) "
        f"AND {sql.column(m, 'start_date')} <= %(day)s AND {sql.column(m, 'assembly')} = %(assembly)s "
        f"ORDER BY {sql.order(p, ['last_name', 'first_name'])}, {sql.order(m, ['person', '-start_date'])}",
        _changes_sql(),
        _proxies_sql(names=True),
    )


_MEMBER_FIELDS = ("id", "person_id", "role", "function", "start_date", "end_date")


_SHEET = "_conventio_sheet"


def sheet_reads(pk: int, user: Any = None, request: Any = None) -> sql.Reads[Callable[[Any], None]]:
    """The queries of ``sitting_attendance(sitting, agenda_rows=True)`` for the sitting ``pk``,
    written so that they need nothing read before (the members in office read the sitting's
    local date and assembly from the sitting itself), and with ``user`` and ``request`` the
    unread count of the header: for ``sitting_for(panels=…)`` to send with the sitting, the
    attendance page is then one round trip. Built, a function that keeps their rows on the
    sitting for ``sitting_attendance``."""
    from reminders.selectors import unread_reads

    params = {"sitting": pk, **_day_params()}
    members, *others = _sheet_sql()
    statements = [
        sql.positional(_by_sitting(members), params),
        *(sql.positional(text, params) for text in others),
        (_entries_sql(), [pk]),
    ]
    parts = sql.gather([sql.Reads(statements, list), unread_reads(user, request) if user is not None else None])

    def build(results: list[list[tuple[Any, ...]]]) -> Callable[[Any], None]:
        rows, _unread = parts.build(results)

        def keep(sitting: Any) -> None:
            sitting.__dict__[_SHEET] = rows

        return keep

    return sql.Reads(parts.statements, build)


def sitting_attendance(
    sitting: Sitting,
    *,
    items: Sequence[Any] | None = None,
    only: Deliberation | None = None,
    agenda_rows: bool = False,
    positions: Sequence[int] | None = None,
) -> SittingAttendance:
    """The derived attendance of every agenda item of a sitting, read in one round trip: the
    members in office with their names, mandates and statuses, the arrivals and departures, the
    proxies (with the people they name); with ``agenda_rows``, the agenda as ``AgendaEntry``
    rows (what the attendance sheet prints), in the same round trip (else ``items``, or the agenda's acts read apart).

    With ``only``, the agenda is not loaded and only that item's position is replayed (the
    changes and proxies before it still apply): for a vote or an item's page.
    ``first_open_position`` needs the whole agenda and is not available then. With
    ``positions``, only the items at those positions are replayed (a page that shows some
    columns of a 150-item agenda); ``for_item`` refuses the others."""
    params = {
        "sitting": sitting.pk,
        "day": connection.ops.adapt_datefield_value(sitting.date),
        "assembly": sitting.assembly_id,
    }
    summary = only is None and items is None and agenda_rows
    kept = sitting.__dict__.pop(_SHEET, None) if summary else None  # read with the sitting (``sheet_reads``)
    if kept is None:
        statements = [sql.positional(text, params) for text in _sheet_sql()]
        if summary:
            statements.append((_entries_sql(), [sitting.pk]))
        kept = sql.batch(statements)
    member_rows, change_rows, proxy_rows, *agenda_part = kept
    if only is not None:
        items = [only]
    elif summary:
        items = [AgendaEntry(*row) for row in agenda_part[0]]
    elif items is None:
        items = agenda(sitting)
    width = len(_MEMBER_FIELDS)
    mandates: Iterable[Sequence[Any]] = [row[:width] for row in member_rows]
    if sql.converts(Mandate, _MEMBER_FIELDS):  # dates read from SQLite's text
        mandates = [tuple(m.values()) for m in sql.convert(Mandate, _MEMBER_FIELDS, mandates)]
    members: list[Member] = []
    defaults: dict[int, str] = {}
    seen: set[int] = set()
    # One row per running mandate (a member who changed role may have two): the latest counts.
    for (pk, person_id, role, function, start, end), (*_m, civility, first, last, status) in zip(
        mandates, member_rows, strict=True
    ):
        if person_id in seen:
            continue
        seen.add(person_id)
        members.append(Member(pk, person_id, role, function, start, end, MemberName(person_id, civility, first, last)))
        if status is not None:
            defaults[person_id] = status
    changes = [(position or 0, person, status) for position, person, status in change_rows]
    # Plain values: the page prints the proxies' names and positions, the replay reads the rest.
    proxies = [ProxyFact(*row[:10]) for row in proxy_rows]
    proxy_names = {}
    for proxy, (*_fact, giver_first, giver_last, holder_first, holder_last) in zip(proxies, proxy_rows, strict=True):
        proxy_names[proxy.giver_id] = person_full_name(giver_first, giver_last)
        proxy_names[proxy.holder_id] = person_full_name(holder_first, holder_last)
    result = SittingAttendance(
        sitting=sitting,
        members=members,
        items=items,
        defaults=defaults,
        proxies=proxies,
        changes=changes,
        proxy_names=proxy_names,
    )
    result.by_position = replay(
        members=[m.person_id for m in members],
        defaults=defaults,
        changes=changes,
        positions=[d.position for d in items if d.position is not None] if positions is None else positions,
        proxies=proxies,
    )
    result.replayed_all = positions is None
    return result


# --- Deliberations --------------------------------------------------------------------------


def assembly_ids_of(organization_ids: Any) -> list[int]:
    """The organizations' assemblies: lists filtered on them walk the (assembly, …) indexes
    in order instead of joining and sorting every deliberation of the organizations."""
    # Unordered: the model's ordering (by organization name) would join every organization.
    return list(Assembly.objects.filter(organization_id__in=organization_ids).order_by().values_list("pk", flat=True))


@sql.keyed
def _user_assemblies_sql() -> str:
    a = Assembly
    return (
        f"SELECT {sql.column(a, 'id')} FROM {sql.table(a)} WHERE {sql.column(a, 'organization')} IN "
        f"({tenancy.organizations_sql(None)})"
    )


def user_assembly_ids(user: Any) -> list[int]:
    """The assemblies of the user's organizations: read with the user's roles, in one round
    trip, when those are not read yet (a list's first read), else by the organizations."""
    roles = tenancy.roles_reads(user)
    if roles is None:
        return assembly_ids_of(tenancy.organization_ids(user))
    assemblies = sql.Reads([(_user_assemblies_sql(), [user.pk])], lambda results: [row[0] for row in results[0]])
    ids, _roles = sql.read_all([assemblies, roles])
    return ids  # type: ignore[no-any-return]


def deliberations_for(user: Any) -> QuerySet[Deliberation]:
    # Typed as the column is: a search walks the index on (assembly, vector) (migration 0005).
    assemblies = sql.InIds("assembly_id", user_assembly_ids(user))
    return Deliberation.objects.filter(assemblies).select_related("assembly__organization", "sitting", "rapporteur")


# An act's fields but its full-text vector (deferred, as its manager defers it).
ACT_FIELDS = tuple(f for f in sql.fields_of(Deliberation) if f != "search_vector")
APPROVED_FIELDS = ("id", "reference", "title")


@sql.keyed
def _act_sql(organizations: int | None) -> tuple[str, ...]:
    """The queries of :func:`deliberation_for`, each of one table or two, keyed by the act's
    id: joined in one query, its six tables took PostgreSQL 1.9 ms to plan, 0.15 ms to run."""
    via = functools.partial(_via, Deliberation)
    return (
        *_scoped_with_assembly(Deliberation, ACT_FIELDS, organizations),
        f"SELECT {sql.columns(Sitting)} FROM {sql.table(Sitting)} WHERE {via(Sitting, 'sitting')}",
        f"SELECT {sql.columns(Person)} FROM {sql.table(Person)} WHERE {via(Person, 'rapporteur')}",
        f"SELECT {sql.columns(Signatory)}, {sql.columns(Person)} FROM {sql.table(Signatory)} JOIN {sql.table(Person)} "
        f"ON {sql.column(Person, 'id')} = {sql.column(Signatory, 'person')} WHERE {via(Signatory, 'signatory')}",
    )


@sql.keyed
def _act_page_sql() -> tuple[str, ...]:
    """What the act's page prints beside it: its transmission, vote, ballots (by name), annexes
    and the conventions it approved."""
    vote_of = f"(SELECT {sql.name(VoteResult, 'id')} FROM {sql.table(VoteResult)} WHERE {sql.name(VoteResult, 'deliberation')} = %s)"
    approved = Deliberation._meta.get_field("approved_conventions")
    through, convention = approved.through, approved.related_model  # type: ignore[union-attr]
    return (
        f"SELECT {sql.columns(Transmission)} FROM {sql.table(Transmission)} WHERE {sql.column(Transmission, 'deliberation')} = %s",
        f"SELECT {sql.columns(VoteResult)} FROM {sql.table(VoteResult)} WHERE {sql.column(VoteResult, 'deliberation')} = %s",
        f"SELECT {sql.column(Ballot, 'person')}, {sql.column(Ballot, 'choice')}, {sql.column(Ballot, 'cast_by')} "
        f"FROM {sql.table(Ballot)} JOIN {sql.table(Person)} ON {sql.column(Person, 'id')} = {sql.column(Ballot, 'person')} "
        f"WHERE {sql.column(Ballot, 'vote')} = {vote_of} "
        f"ORDER BY {sql.order(Person, ['last_name', 'first_name'])}, {sql.column(Ballot, 'id')}",
        f"SELECT {sql.columns(DeliberationAnnex)} FROM {sql.table(DeliberationAnnex)} "
        f"WHERE {sql.column(DeliberationAnnex, 'deliberation')} = %s ORDER BY {sql.column(DeliberationAnnex, 'id')}",
        f"SELECT {sql.columns(convention, APPROVED_FIELDS)} FROM {sql.table(through)} JOIN {sql.table(convention)} "
        f"ON {sql.column(convention, 'id')} = {sql.column(through, 'convention')} "
        f"WHERE {sql.column(through, 'deliberation')} = %s ORDER BY {sql.order(convention, ['-created_at', '-id'])}",
    )


def deliberation_for(
    user: Any, pk: int, *, page: bool = False, panels: sql.Reads[Callable[[Any], None]] | None = None
) -> Deliberation:
    """One act of the user's organizations, or 404, with its assembly and organization, its
    sitting, rapporteur and signatory (with the person), as model instances; for its
    ``page``, its transmission and vote, its annexes and approved conventions (their
    reference and title) too, and ``ballot_rows``: the vote's ballots as (person, choice,
    cast by) ids, by the members' names.

    Written as SQL once and read in one round trip (``core.sql.batch``)."""
    act_queries, scope, panels = _scoped_reads(user, _act_sql, panels)
    statements = [(act_queries[0], [pk, *scope]), *((text, [pk]) for text in act_queries[1:])]
    if page:
        statements += [(text, [pk]) for text in _act_page_sql()]
    results, keep = sql.batch_with(statements, panels)
    found, assembly, sitting, rapporteur, signatory, *extras = results
    if not found:
        raise Http404(_(NOT_FOUND))
    act = sql.instances(Deliberation, found, ACT_FIELDS)[0]
    assembly_row, organization_row = sql.split(assembly[0], len(sql.fields_of(Assembly)))
    assembly_instance = sql.instances(Assembly, [assembly_row])[0]
    sql.cache(assembly_instance, "organization", sql.instances(Organization, [organization_row])[0])
    sql.cache(act, "assembly", assembly_instance)
    sql.cache(act, "sitting", next(iter(sql.instances(Sitting, sitting)), None))
    sql.cache(act, "rapporteur", next(iter(sql.instances(Person, rapporteur)), None))
    signatory_instance = None
    if signatory:
        signatory_row, person_row = sql.split(signatory[0], len(sql.fields_of(Signatory)))
        signatory_instance = sql.instances(Signatory, [signatory_row])[0]
        sql.cache(signatory_instance, "person", sql.instances(Person, [person_row])[0])
    sql.cache(act, "signatory", signatory_instance)
    if page:
        transmission, vote, ballots, annexes, approved = extras
        sql.cache(act, "transmission", next(iter(sql.instances(Transmission, transmission)), None))
        sql.cache(act, "vote", next(iter(sql.instances(VoteResult, vote)), None))
        act.ballot_rows = ballots
        sql.attach(act, "annexes", sql.instances(DeliberationAnnex, annexes))
        convention = Deliberation._meta.get_field("approved_conventions").related_model
        sql.attach(act, "approved_conventions", sql.instances(convention, approved, APPROVED_FIELDS))
    keep(act)
    return act


def deliberation_detail_for(user: Any, pk: int) -> Deliberation:
    """An act with what the API's answer gives of it: its sitting, vote and transmission."""
    queryset = Deliberation.objects.filter(assembly__organization__in=tenancy.organization_ids(user)).select_related(
        "sitting", "vote", "transmission"
    )
    return _get_or_404(queryset, pk=pk)


@sql.keyed
def _rows_by_id_sql(count: int, fields: tuple[str, ...]) -> str:
    d = Deliberation
    return f"SELECT {sql.columns(d, fields)} FROM {sql.table(d)} WHERE {sql.column(d, 'id')} IN ({sql.placeholders(count)})"


def rows_by_id(ids: list[int], fields: Sequence[str]) -> list[dict[str, Any]]:
    """The ``fields`` of the acts ``ids`` (a page of a scoped search's matches) as dicts, by SQL
    written once per page length; in no particular order."""
    if not ids:
        return []
    return sql.convert(Deliberation, fields, sql.rows(_rows_by_id_sql(len(ids), tuple(fields)), list(ids)))


def filter_deliberations(
    queryset: QuerySet[Deliberation], *, q: str = "", year: int | None = None, subject: str = "", state: str = ""
) -> QuerySet[Deliberation]:
    """Filters shared by the pages, the API and the public page.

    Words are searched with French full-text search on PostgreSQL (stemmed, accents and
    stop words handled, GIN index on ``search_vector``) and with a plain substring match
    elsewhere.
    """
    if year:
        queryset = queryset.filter(year=year)
    if subject:
        subject = subject.strip()
        queryset = queryset.filter(Q(subject_code=subject) | Q(subject_code__startswith=subject + "."))
    if state:
        queryset = queryset.filter(state=state)
    if q.strip():
        if connection.vendor == "postgresql":
            from django.contrib.postgres.search import SearchQuery

            queryset = queryset.filter(search_vector=SearchQuery(q.strip(), config="french", search_type="websearch"))
        else:
            for word in q.split():
                queryset = queryset.filter(
                    Q(title__icontains=word)
                    | Q(report__icontains=word)
                    | Q(operative_part__icontains=word)
                    | Q(number__icontains=word)
                    | Q(theme__icontains=word)
                )
    return queryset


@functools.cache
def _public_register_sql() -> str:
    return (
        f"SELECT {sql.column(Organization, 'id')}, {sql.column(Organization, 'name')}, {sql.column(Assembly, 'id')} "
        f"FROM {sql.table(Organization)} LEFT JOIN {sql.table(Assembly)} "
        f"ON {sql.column(Assembly, 'organization')} = {sql.column(Organization, 'id')} "
        f"WHERE {sql.column(Organization, 'id')} = %s AND {sql.column(Organization, 'tenant')} IS NULL"
    )


def public_register(pk: int) -> tuple[Organization, list[int]]:
    """A collectivité whose published deliberations anyone may read (its id and name: what
    the public pages print), with its assemblies' ids — one query written once, where the
    ORM built two (the organization, then its assemblies) in twice their time."""
    rows = sql.rows(_public_register_sql(), [pk])
    if not rows:
        raise Http404(_(NOT_FOUND))
    organization = Organization.from_db(connection.alias, ["id", "name"], list(rows[0][:2]))
    return organization, [assembly_id for _pk, _name, assembly_id in rows if assembly_id is not None]


def published_deliberations(
    organization: Organization, assembly_ids: list[int] | None = None
) -> QuerySet[Deliberation]:
    if assembly_ids is None:
        assembly_ids = assembly_ids_of([organization.pk])
    return (
        Deliberation.objects.published()
        .filter(sql.InIds("assembly_id", assembly_ids))
        .select_related("assembly", "sitting")
        .order_by("-published_on", "-year", "-sequence")
    )


def upcoming_sittings(user: Any, today: date, limit: int = 5, assembly_ids: list[int] | None = None) -> list[Sitting]:
    # A range on ``starts_at`` itself (not ``starts_at__date``) walks the (assembly, starts_at) index.
    since = timezone.make_aware(datetime.combine(today, time.min))
    if assembly_ids is None:
        assembly_ids = user_assembly_ids(user)
    # The dashboard prints the assembly, the date and the state: no item count, no people.
    return list(
        Sitting.objects.filter(assembly_id__in=assembly_ids)
        .select_related("assembly")
        .filter(starts_at__gte=since, state__in=[SittingState.PLANNED, SittingState.CONVENED, SittingState.OPEN])
        .order_by("starts_at")[:limit]
    )


def acts_to_follow_up(user: Any, limit: int = 10, assembly_ids: list[int] | None = None) -> QuerySet[Deliberation]:
    """Decided acts not yet exécutoire: to sign, transmit or publish (of ``assembly_ids``,
    the user's organizations' assemblies, when the caller has read them already)."""
    acts = (
        deliberations_for(user) if assembly_ids is None else Deliberation.objects.filter(assembly_id__in=assembly_ids)
    )
    return acts.filter(
        state__in=[
            *DECIDED_STATES,
            DeliberationState.SIGNED,
            DeliberationState.TRANSMITTED,
            DeliberationState.PUBLISHED,
        ]
    ).order_by("sitting__starts_at", "position")[:limit]


def agenda_with_documents(sitting: Sitting) -> QuerySet[Deliberation]:
    return (
        sitting.deliberations.filter(position__isnull=False).order_by("position").prefetch_related(Prefetch("annexes"))
    )


# --- Attendance facts -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AttendanceFacts:
    """What a vote, a prise d'acte, a proxy or a movement checks and what the API's attendance
    answers count, read as plain values: the members in office with their status, the arrivals
    and departures, the proxies. No model instances: a write on a 240-member sitting needs none
    (the pages that print names read them with ``sitting_attendance``)."""

    members: list[int]  # person ids of the members in office (in name order when read with names)
    # person id → status for the sitting (``item_facts``: at that item); members only, if recorded
    defaults: dict[int, str]
    changes: list[tuple[int, int, str]]  # (position, person id, status)
    proxies: list[ProxyFact]
    names: dict[int, str]  # person id → name, when asked for
    in_office: frozenset[int]

    def replay(self, positions: list[int]) -> dict[int, ItemAttendance]:
        return replay(
            members=self.members,
            defaults=self.defaults,
            changes=self.changes,
            positions=positions,
            proxies=self.proxies,
        )

    def at(self, position: int | None) -> ItemAttendance:
        """The attendance for the item at ``position`` (``None``: at the opening)."""
        if position is None:
            return replay(
                members=self.members, defaults=self.defaults, changes=[], positions=[0], proxies=self.proxies
            )[0]
        return self.replay([position])[position]


def attendance_facts(sitting: Sitting, *, names: bool = False) -> AttendanceFacts:
    """The sitting's attendance facts for every item, in three queries; with ``names``, the
    members' names, members in name order."""
    return _facts(sitting, item=False, names=names)


def attendance_facts_with(
    sitting: Sitting, also: Sequence[tuple[str, Sequence[Any]]], *, names: bool = False
) -> tuple[AttendanceFacts, list[list[tuple[Any, ...]]]]:
    """``attendance_facts`` with other statements (the agenda an answer prints) sent in the
    same round trip: the facts, and the rows of each of ``also``."""
    statements = _facts_statements(sitting, item=False, names=names)
    results = sql.batch([*statements, *also])
    facts = _facts_from(results[: len(statements)], item=False, names=names, proxies=True)
    return facts, results[len(statements) :]


def item_facts(sitting: Sitting, position: int | None, *, proxies: bool = True, names: bool = False) -> AttendanceFacts:
    """The facts for one agenda item (``None``: at the opening) in two queries: each member's
    status there — their last arrival or departure up to that item, else their status for the
    sitting — is read with the members, so the arrivals and departures are not read apart;
    without ``proxies``, no proxies (a movement does not check them). ``at(position)`` is then
    the item's attendance; the facts serve that item only. With ``names``, the members' names."""
    return _facts(sitting, item=True, position=position, proxies=proxies, names=names)


@sql.keyed
def _members_sql(*, at_item: bool, names: bool) -> str:
    """The members in office of a sitting's assembly with each one's status — for the sitting,
    or at an item (their last arrival or departure up to it, else their status for the
    sitting) — and, with ``names``, their names in name order. Written once per variant
    (``core.sql``): every vote, movement and attendance read runs it, and the ORM took longer
    to build it (a correlated subquery per status) than the database to answer it."""
    mandate, person, presence, change, item = Mandate, Person, Attendance, AttendanceChange, Deliberation
    # Joined, not a subquery per member: a member has at most one status per sitting (unique).
    status = sql.column(presence, "status")
    joined = (
        f" LEFT OUTER JOIN {sql.table(presence)} ON {sql.column(presence, 'person')} = {sql.column(mandate, 'person')} "
        f"AND {sql.column(presence, 'sitting')} = %(sitting)s"
    )
    if at_item:
        # Each member's last arrival or departure up to the item, ranked in one pass over the
        # sitting's few movements and joined (a correlated subquery per member ran 240 times:
        # 1.8 ms). Unique per member and item: no tie.
        ranked = (
            f"SELECT {sql.column(change, 'person')} AS person_id, {sql.column(change, 'status')} AS status, "
            f"ROW_NUMBER() OVER (PARTITION BY {sql.column(change, 'person')} "
            f"ORDER BY {sql.column(item, 'position')} DESC) AS latest "
            f"FROM {sql.table(change)} INNER JOIN {sql.table(item)} "
            f"ON {sql.column(change, 'deliberation')} = {sql.column(item, 'id')} "
            f"WHERE {sql.column(item, 'position')} <= %(position)s AND {sql.column(item, 'sitting')} = %(sitting)s "
            f"AND {sql.column(change, 'sitting')} = %(sitting)s"
        )
        joined += (
            f" LEFT OUTER JOIN ({ranked}) moved ON moved.person_id = {sql.column(mandate, 'person')} "
            "AND moved.latest = 1"
        )
        status = f"COALESCE(moved.status, {status})"
    columns = f"{sql.column(mandate, 'person')}, {status}"
    order = ""
    if names:
        columns += f", {sql.column(person, 'first_name')}, {sql.column(person, 'last_name')}"
        joined += f" INNER JOIN {sql.table(person)} ON {sql.column(mandate, 'person')} = {sql.column(person, 'id')}"
        order = (
            f" ORDER BY {sql.column(person, 'last_name')}, {sql.column(person, 'first_name')}, "
            f"{sql.column(mandate, 'person')}, {sql.column(mandate, 'start_date')} DESC"
        )
    # Mandate.objects.in_office: started on or before the day, not ended before it.
    return (
        f"SELECT {columns} FROM {sql.table(mandate)}{joined} "
        f"WHERE ({sql.column(mandate, 'end_date')} IS NULL OR {sql.column(mandate, 'end_date')} >= %(day)s) "
        f"AND {sql.column(mandate, 'start_date')} <= %(day)s AND {sql.column(mandate, 'assembly')} = %(assembly)s"
        f"{order}"
    )


@sql.keyed
def _changes_sql() -> str:
    """A sitting's arrivals and departures: (item position, person, status)."""
    change, item = AttendanceChange, Deliberation
    return (
        f"SELECT {sql.column(item, 'position')}, {sql.column(change, 'person')}, {sql.column(change, 'status')} "
        f"FROM {sql.table(change)} INNER JOIN {sql.table(item)} "
        f"ON {sql.column(change, 'deliberation')} = {sql.column(item, 'id')} "
        f"WHERE {sql.column(item, 'position')} IS NOT NULL AND {sql.column(item, 'sitting')} = %(sitting)s "
        f"AND {sql.column(change, 'sitting')} = %(sitting)s"
    )


@sql.keyed
def _proxies_sql(*, names: bool = False) -> str:
    """A sitting's proxies as ``ProxyFact`` fields: with the positions of the items they apply
    from and are revoked from (items that may have left the agenda since); with ``names``, then
    the first and last names of the giver and of the holder."""
    proxy, item, person = sql.table(Proxy), sql.table(Deliberation), sql.table(Person)
    position, pk = sql.name(Deliberation, "position"), sql.name(Deliberation, "id")
    first, last, person_pk = (sql.name(Person, f) for f in ("first_name", "last_name", "id"))
    fields = ("id", "giver", "holder", "revoked", "revoked_from_item", "written_on", "illness", "from_item")
    c = {name: sql.column(Proxy, name) for name in fields}
    named = (
        (
            f", giver.{first}, giver.{last}, holder.{first}, holder.{last}",
            f" INNER JOIN {person} giver ON giver.{person_pk} = {c['giver']}"
            f" INNER JOIN {person} holder ON holder.{person_pk} = {c['holder']}",
        )
        if names
        else ("", "")
    )
    return (
        f"SELECT {c['id']}, {c['giver']}, {c['holder']}, start_item.{position}, end_item.{position}, "
        f"{c['revoked']}, {c['revoked_from_item']}, {c['written_on']}, {c['illness']}, {c['from_item']}{named[0]} "
        f"FROM {proxy} LEFT OUTER JOIN {item} start_item ON {c['from_item']} = start_item.{pk} "
        f"LEFT OUTER JOIN {item} end_item ON {c['revoked_from_item']} = end_item.{pk}{named[1]} "
        f"WHERE {sql.column(Proxy, 'sitting')} = %(sitting)s ORDER BY {c['id']}"
    )


def _facts_statements(
    sitting: Sitting, *, item: bool, position: int | None = None, names: bool = False, proxies: bool = True
) -> list[tuple[str, list[Any]]]:
    params = {
        "sitting": sitting.pk,
        "position": position,
        "day": connection.ops.adapt_datefield_value(sitting.date),
        "assembly": sitting.assembly_id,
    }
    texts = [_members_sql(at_item=item and position is not None, names=names)]
    if not item:
        texts.append(_changes_sql())
    if proxies:
        texts.append(_proxies_sql())
    return [sql.positional(text, params) for text in texts]


def _facts(
    sitting: Sitting, *, item: bool, position: int | None = None, names: bool = False, proxies: bool = True
) -> AttendanceFacts:
    statements = _facts_statements(sitting, item=item, position=position, names=names, proxies=proxies)
    return _facts_from(sql.batch(statements), item=item, names=names, proxies=proxies)


def agenda_and_facts(sitting: Sitting) -> tuple[list[AgendaItem], AttendanceFacts]:
    """A sitting's agenda as ``AgendaItem`` rows and its attendance facts for every item
    (``attendance_facts``), read in one round trip: the sitting's page and its API answer."""
    kept = sitting.__dict__.pop(_AGENDA_AND_FACTS, None)  # read with the sitting (``agenda_reads``)
    if kept is not None:
        return kept  # type: ignore[no-any-return]
    statements = [(_agenda_sql(), [sitting.pk]), *_facts_statements(sitting, item=False)]
    agenda_rows, *facts = sql.batch(statements)
    return _agenda_items(agenda_rows), _facts_from(facts, item=False, names=False, proxies=True)


_AGENDA_AND_FACTS = "_conventio_agenda_and_facts"


def agenda_reads(pk: int) -> sql.Reads[Callable[[Any], None]]:
    """:func:`agenda_and_facts` of the sitting ``pk`` as queries that need nothing read before
    (the members in office read the sitting's local date and assembly from the sitting
    itself), for ``sitting_for(panels=…)`` to send with the sitting: its page is then one
    round trip. Built, a function that keeps them on the sitting."""
    params = {"sitting": pk, **_day_params()}
    texts = [_by_sitting(_members_sql(at_item=False, names=False)), _changes_sql(), _proxies_sql()]
    statements = [(_agenda_sql(), [pk]), *(sql.positional(text, params) for text in texts)]

    def build(results: list[list[tuple[Any, ...]]]) -> Callable[[Any], None]:
        agenda_rows, *facts = results
        read = (_agenda_items(agenda_rows), _facts_from(facts, item=False, names=False, proxies=True))

        def keep(sitting: Any) -> None:
            sitting.__dict__[_AGENDA_AND_FACTS] = read

        return keep

    return sql.Reads(statements, build)


_ITEM_FACTS = "_conventio_item_facts"


def item_facts_reads(pk: int) -> sql.Reads[Callable[[Any], None]]:
    """``item_facts(act.sitting, act.position, names=True)`` of the act ``pk`` as queries that
    need nothing read before (its sitting, position, the sitting's local date and assembly
    read from the act), for ``deliberation_for(panels=…)`` to send with the act. Built, a
    function that keeps them on the act (``kept_item_facts``); an act off the agenda keeps
    none."""
    params = {"act": pk, **_day_params()}
    texts = [_members_sql(at_item=True, names=True), _proxies_sql()]
    statements = [sql.positional(_by_act_sql(text, _day_sql()[0]), params) for text in texts]

    def build(results: list[list[tuple[Any, ...]]]) -> Callable[[Any], None]:
        facts = _facts_from(results, item=True, names=True, proxies=True)

        def keep(act: Any) -> None:
            if act.sitting_id and act.position:
                act.__dict__[_ITEM_FACTS] = facts

        return keep

    return sql.Reads(statements, build)


def kept_item_facts(act: Deliberation) -> AttendanceFacts | None:
    """The facts ``item_facts_reads`` kept on the act, if it was read with them."""
    return act.__dict__.pop(_ITEM_FACTS, None)


@sql.keyed
def _by_act_sql(text: str, day: str) -> str:
    d = Deliberation

    def of_act(field: str) -> str:
        return f"(SELECT {sql.column(d, field)} FROM {sql.table(d)} WHERE {sql.column(d, 'id')} = %(act)s)"

    # The day first: its subquery names the sitting, replaced next by the act's.
    text = _by_sitting_sql(text, day).replace("%(sitting)s", of_act("sitting"))
    return text.replace("%(position)s", of_act("position"))


def _day_sql() -> tuple[str, tuple[Any, ...]]:
    # ``Sitting.date``, the local date of its start, as the database computes ``starts_at__date``.
    return connection.ops.datetime_cast_date_sql(  # type: ignore[no-any-return]
        sql.column(Sitting, "starts_at"), (), timezone.get_current_timezone_name()
    )


def _day_params() -> dict[str, Any]:
    return {f"day_{n}": value for n, value in enumerate(_day_sql()[1])}


@sql.keyed
def _by_sitting_sql(text: str, day: str) -> str:
    places = iter(range(day.count("%s")))
    day = re.sub(r"%s", lambda _match: f"%(day_{next(places)})s", day)
    s = Sitting
    of_sitting = f"FROM {sql.table(s)} WHERE {sql.column(s, 'id')} = %(sitting)s"
    return text.replace("%(day)s", f"(SELECT {day} {of_sitting})").replace(
        "%(assembly)s", f"(SELECT {sql.column(s, 'assembly')} {of_sitting})"
    )


def _by_sitting(text: str) -> str:
    """A query written with the sitting's day and assembly as parameters (``%(day)s``,
    ``%(assembly)s``), reading them from the sitting (``%(sitting)s``) instead."""
    return _by_sitting_sql(text, _day_sql()[0])


def _facts_from(results: list[list[tuple[Any, ...]]], *, item: bool, names: bool, proxies: bool) -> AttendanceFacts:
    rows = results[0]
    if not names:
        rows = [(*row, "", "") for row in rows]
    members: list[int] = []
    seen: set[int] = set()
    defaults: dict[int, str] = {}
    member_names: dict[int, str] = {}
    # One row per running mandate (a member who changed role may have two): counted once.
    for person_id, person_status, first, last in rows:
        if person_id in seen:
            continue
        seen.add(person_id)
        members.append(person_id)
        if person_status is not None:
            defaults[person_id] = person_status
        if names:
            member_names[person_id] = person_full_name(first, last)
    rest = iter(results[1:])
    changes: list[tuple[int, int, str]] = []
    if not item:
        changes = [(at or 0, person, change) for at, person, change in next(rest)]
    proxy_rows = next(rest) if proxies else []
    return AttendanceFacts(
        members=members,
        defaults=defaults,
        changes=changes,
        proxies=[ProxyFact(*row) for row in proxy_rows],
        names=member_names,
        in_office=frozenset(seen),
    )
