"""Reads of conventions, committees and programmes, scoped to the user's organizations."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Sum, Value
from django.db.models.functions import Upper
from django.http import Http404
from django.utils.translation import gettext as _

from conventions import rules
from conventions.models import (
    Amendment,
    AmendmentSignature,
    Annex,
    ClauseTemplate,
    CommitteeMeeting,
    Convention,
    ConventionClause,
    ConventionParty,
    ConventionStatus,
    Evaluation,
    MonitoringCommittee,
    Obligation,
    Programme,
    TerminationNotice,
)
from conventions.models.conventions import COMMITTED_STATES
from core import sql, tenancy
from core.models import Membership
from deliberations.models import Deliberation
from parties.models import Organization, Person, Signatory
from reminders.models import Deadline


def _not_found(what: str) -> Http404:
    return Http404(_("Aucun(e) %(what)s ne correspond à cette adresse.") % {"what": what})


def _scoped(user: Any) -> QuerySet[Convention]:
    return Convention.objects.visible_to(tenancy.organization_ids(user)).select_related(
        "organization", "manager", "programme"
    )


def conventions_for(user: Any) -> QuerySet[Convention]:
    """The conventions of the user's organizations, with what a list shows (no N+1)."""
    return _scoped(user).prefetch_related(
        Prefetch("parties", queryset=ConventionParty.objects.select_related("organization").order_by("position"))
    )


# The columns of a list of conventions (page and API): not the text, terms or perimeter.
SUMMARY_FIELDS = (
    "organization_id",
    "reference",
    "title",
    "kind",
    "status",
    "manager_id",
    "programme_id",
    "effective_date",
    "end_date",
    "amount",
)


def convention_summaries(user: Any) -> QuerySet[Convention]:
    """The conventions of the user's organizations with only what a list shows: its columns
    and the partners' names, in three queries for a page whatever its length."""
    # The partners' organizations are read by id in a query of their own: joined to the
    # parties, PostgreSQL hashes every one of a métropole's 6,700 organizations for the
    # hundred parties of a page (12 ms instead of 0.3).
    parties = ConventionParty.objects.only("convention_id", "organization_id", "position").order_by("position")
    return (
        Convention.objects.visible_to(tenancy.organization_ids(user))
        .only(*SUMMARY_FIELDS)
        .prefetch_related(
            Prefetch("parties", queryset=parties),
            Prefetch("parties__organization", queryset=Organization.objects.only("name")),
        )
    )


@sql.keyed
def _partners_sql(conventions: int) -> str:
    # A page's parties by the parties' (convention, …) index, each organization's name looked
    # up by its key: joined, PostgreSQL could hash every organization (6,700: 2.5 ms) for the
    # hundred parties of a page, as it did on a generated dataset (F68).
    places = sql.placeholders(conventions)
    o = Organization
    name = f"(SELECT {sql.column(o, 'name')} FROM {sql.table(o)} WHERE {sql.column(o, 'id')} = {sql.column(ConventionParty, 'organization')})"
    return (
        f"SELECT {sql.column(ConventionParty, 'convention')}, {sql.column(ConventionParty, 'organization')}, "
        f"{name} FROM {sql.table(ConventionParty)} "
        f"WHERE {sql.column(ConventionParty, 'convention')} IN ({places}) "
        f"ORDER BY {sql.order(ConventionParty, ['convention', 'position'])}"
    )


@sql.keyed
def _managers_sql(organizations: int | None) -> str:
    """The users who are members of the organizations ``%s`` each (``None``: of the
    organizations the user ``%s`` is a member of), by last name."""
    user, membership = get_user_model(), Membership
    scope = tenancy.organizations_sql(organizations)
    columns = ", ".join(sql.column(user, f) for f in ("id", "first_name", "last_name", "username"))
    return (
        f"SELECT DISTINCT {columns} FROM {sql.table(user)} INNER JOIN {sql.table(membership)} "
        f"ON {sql.column(membership, 'user')} = {sql.column(user, 'id')} "
        f"WHERE {sql.column(membership, 'organization')} IN ({scope}) "
        f"ORDER BY {sql.order(user, ['last_name', 'first_name', 'id'])}"
    )


def managers_for(user: Any) -> list[tuple[int, str]]:
    """Who may manage a convention of the user's organizations (their members), as (id, name)
    for the lists' menu: read with the user's roles, in one round trip, when those are not read
    yet."""
    roles = tenancy.roles_reads(user)
    if roles is None:
        organizations = tenancy.organization_ids(user)
        statement = (_managers_sql(len(organizations)), organizations) if organizations else None
    else:
        statement = (_managers_sql(None), [user.pk])
    if statement is None:
        return []
    found, _roles = sql.read_all([sql.Reads([statement], lambda results: results[0]), roles])
    return [(pk, f"{first} {last}".strip() or username) for pk, first, last, username in found]


def summary_rows(queryset: QuerySet[Convention]) -> list[dict[str, Any]]:
    """A page of conventions as the lists show them, in plain values: its columns, the status
    label and the partners' names (the rows, then their parties with their organizations'
    names by SQL written once per page length: two queries)."""
    rows = list(queryset.prefetch_related(None).values("id", *SUMMARY_FIELDS))
    partner_rows = sql.rows(_partners_sql(len(rows)), [row["id"] for row in rows]) if rows else []
    return _with_partners(rows, partner_rows)


@sql.keyed
def _summaries_sql(conventions: int) -> str:
    columns = ", ".join(sql.column(Convention, f) for f in ("id", *SUMMARY_FIELDS))
    return (
        f"SELECT {columns} FROM {sql.table(Convention)} "
        f"WHERE {sql.column(Convention, 'id')} IN ({sql.placeholders(conventions)})"
    )


def summary_rows_by_id(ids: list[int]) -> list[dict[str, Any]]:
    """``summary_rows`` of the conventions ``ids`` (found by a scoped search: a page of its
    matches), their columns and their partners read in one round trip, by SQL written once
    per page length; in no particular order."""
    if not ids:
        return []
    found, partner_rows = sql.batch([(_summaries_sql(len(ids)), ids), (_partners_sql(len(ids)), ids)])
    return _with_partners(sql.convert(Convention, ("id", *SUMMARY_FIELDS), found), partner_rows)


def _with_partners(rows: list[dict[str, Any]], partner_rows: list[tuple[Any, ...]]) -> list[dict[str, Any]]:
    partners: dict[int, list[tuple[int, str]]] = {}
    for convention_id, organization_id, name in partner_rows:
        partners.setdefault(convention_id, []).append((organization_id, name))
    labels = {value: str(label) for value, label in ConventionStatus.choices}
    for row in rows:
        row["get_status_display"] = labels.get(row["status"], row["status"])
        row["partners"] = [name for o, name in partners.get(row["id"], []) if o != row["organization_id"]]
    return rows


@dataclass
class ConventionFilters:
    status: str = ""
    kind: str = ""
    partner: int | None = None
    partner_name: str = ""  # part of a partner's name, or its SIREN
    manager: int | None = None
    programme: int | None = None
    end_after: date | None = None
    end_before: date | None = None
    q: str = ""


def filter_conventions(queryset: QuerySet[Convention], filters: ConventionFilters) -> QuerySet[Convention]:
    if filters.status:
        queryset = queryset.filter(status=filters.status)
    if filters.kind:
        queryset = queryset.filter(kind=filters.kind)
    # Partners through EXISTS: no join that would repeat a convention (and no DISTINCT,
    # which sorts every row of the organization before paginating).
    if filters.partner:
        queryset = queryset.filter(
            Exists(ConventionParty.objects.filter(convention=OuterRef("pk"), organization_id=filters.partner))
        )
    if filters.partner_name.strip():
        text = filters.partner_name.strip()
        by_name = Q(organization__name__icontains=text)
        if text.replace(" ", "").isdigit():
            by_name |= Q(organization__siren=text.replace(" ", ""))
        queryset = queryset.filter(
            Exists(
                ConventionParty.objects.filter(by_name, convention=OuterRef("pk")).exclude(
                    organization_id=OuterRef("organization_id")
                )
            )
        )
    if filters.manager:
        queryset = queryset.filter(manager_id=filters.manager)
    if filters.programme:
        queryset = queryset.filter(programme_id=filters.programme)
    if filters.end_after:
        queryset = queryset.filter(end_date__gte=filters.end_after)
    if filters.end_before:
        queryset = queryset.filter(end_date__lte=filters.end_before)
    if filters.q:
        # The title or the reference contains the text, whatever its case: as ``icontains``
        # on either, upper-cased by the database on both sides (``Convention.search_text``).
        queryset = queryset.filter(search_text__contains=Upper(Value(filters.q)))
    return queryset


def convention_for(user: Any, pk: int) -> Convention:
    """One convention of the user's organizations, or 404."""
    try:
        return conventions_for(user).get(pk=pk)
    except Convention.DoesNotExist as exc:
        raise _not_found("convention") from exc


@sql.keyed
def _detail_sql(organizations: int) -> tuple[str, ...]:
    """The queries of :func:`convention_detail`, each of one table or two and keyed by the
    convention's id (a plan of a few joins took PostgreSQL longer to make than to run)."""
    c, user = Convention, get_user_model()
    convention = f"{sql.column(c, 'id')} = %s"

    def of(model: Any, key: str = "convention") -> str:
        return f"{sql.column(model, key)} = %s"

    def via(model: Any, key: str) -> str:
        # The row the convention points at: its id read from the convention by key.
        return f"{sql.column(model, 'id')} = (SELECT {sql.name(c, key)} FROM {sql.table(c)} WHERE {sql.name(c, 'id')} = %s)"

    party, signatory, person = ConventionParty, Signatory, Person
    followers = Convention.followers.through
    approving = Convention.approving_deliberations.through
    return (
        f"SELECT {sql.columns(c)}, (SELECT predecessor.{sql.name(c, 'reference')} FROM {sql.table(c)} predecessor "
        f"WHERE predecessor.{sql.name(c, 'id')} = {sql.column(c, 'predecessor')}) FROM {sql.table(c)} "
        f"WHERE {convention} AND {sql.column(c, 'organization')} IN ({sql.placeholders(organizations)})",
        f"SELECT {sql.columns(Organization)} FROM {sql.table(Organization)} WHERE {via(Organization, 'organization')}",
        f"SELECT {sql.columns(user, USER_FIELDS)} FROM {sql.table(user)} WHERE {via(user, 'manager')}",
        f"SELECT {sql.columns(Programme)} FROM {sql.table(Programme)} WHERE {via(Programme, 'programme')}",
        f"SELECT {sql.columns(TerminationNotice)} FROM {sql.table(TerminationNotice)} WHERE {of(TerminationNotice)}",
        f"SELECT {sql.columns(party)}, {sql.columns(Organization)}, {sql.columns(signatory)}, {sql.columns(person)} "
        f"FROM {sql.table(party)} JOIN {sql.table(Organization)} "
        f"ON {sql.column(Organization, 'id')} = {sql.column(party, 'organization')} "
        f"LEFT JOIN {sql.table(signatory)} ON {sql.column(signatory, 'id')} = {sql.column(party, 'signatory')} "
        f"LEFT JOIN {sql.table(person)} ON {sql.column(person, 'id')} = {sql.column(signatory, 'person')} "
        f"WHERE {of(party)} ORDER BY {sql.order(party, ['position', 'id'])}",
        f"SELECT {sql.columns(ConventionClause)} FROM {sql.table(ConventionClause)} WHERE {of(ConventionClause)} "
        f"ORDER BY {sql.order(ConventionClause, ['position', 'id'])}",
        # By their party's position, as their model orders them (the parties read above).
        f"SELECT {sql.columns(Obligation)} FROM {sql.table(Obligation)} "
        f"JOIN {sql.table(party)} ON {sql.column(party, 'id')} = {sql.column(Obligation, 'party')} "
        f"WHERE {of(Obligation)} ORDER BY {sql.order(party, ['position'])}, {sql.order(Obligation, ['id'])}",
        f"SELECT {sql.columns(Amendment)} FROM {sql.table(Amendment)} WHERE {of(Amendment)} "
        f"ORDER BY {sql.order(Amendment, ['number'])}",
        f"SELECT {sql.columns(Evaluation)} FROM {sql.table(Evaluation)} WHERE {of(Evaluation)} "
        f"ORDER BY {sql.order(Evaluation, ['number'])}",
        f"SELECT {sql.columns(Annex)} FROM {sql.table(Annex)} WHERE {of(Annex)} ORDER BY {sql.order(Annex, ['id'])}",
        # Of these, the page and the API print a name, a number or an id only: not the text of
        # an act or a user's password hash.
        f"SELECT {sql.columns(user, USER_FIELDS)} FROM {sql.table(followers)} "
        f"JOIN {sql.table(user)} ON {sql.column(user, 'id')} = {sql.column(followers, 'user')} "
        f"WHERE {of(followers)} ORDER BY {sql.column(user, 'id')}",
        f"SELECT {sql.columns(Deliberation, ACT_FIELDS)} FROM {sql.table(approving)} "
        f"JOIN {sql.table(Deliberation)} ON {sql.column(Deliberation, 'id')} = {sql.column(approving, 'deliberation')} "
        f"WHERE {of(approving)} ORDER BY {sql.order(Deliberation, ['-year', '-sequence'])}",
        f"SELECT {sql.columns(c, SUCCESSOR_FIELDS)} FROM {sql.table(c)} WHERE {of(c, 'predecessor')} "
        f"ORDER BY {sql.order(c, ['-created_at', '-id'])}",
        f"SELECT {sql.columns(MonitoringCommittee)}, (SELECT COUNT(*) FROM {sql.table(CommitteeMeeting)} "
        f"WHERE {sql.column(CommitteeMeeting, 'committee')} = {sql.column(MonitoringCommittee, 'id')}) "
        f"FROM {sql.table(MonitoringCommittee)} WHERE {of(MonitoringCommittee)} "
        f"ORDER BY {sql.order(MonitoringCommittee, ['name', 'id'])}",
        # The page's deadlines: their date and title (the convention's content type first).
        f"SELECT {sql.columns(Deadline, DEADLINE_FIELDS)} FROM {sql.table(Deadline)} "
        f"WHERE {sql.column(Deadline, 'content_type')} = %s AND {sql.column(Deadline, 'object_id')} = %s "
        f"ORDER BY {sql.order(Deadline, ['due_date', 'id'])}",
    )


USER_FIELDS = ("id", "first_name", "last_name", "username")
ACT_FIELDS = ("id", "number")
SUCCESSOR_FIELDS = ("id", "reference")
DEADLINE_FIELDS = ("due_date", "title")


def convention_detail(
    user: Any, pk: int, *, deadlines: bool = False, panels: sql.Reads[Callable[[Any], None]] | None = None
) -> Convention:
    """One convention with everything its page shows, as model instances for the page, its
    forms and the services its actions call: its organization, manager, programme and notice;
    its parties (with their organizations, signatories and people), clauses, obligations
    (with their parties), avenants, evaluations, annexes, followers, approving acts (their
    numbers), successors (their references) and committees (with ``meeting_count``); and
    ``predecessor_reference``; with ``deadlines``, ``deadline_rows``: its deadlines' dates and
    titles, for its page; with ``panels`` (``core.panels.reads``), its page's panels, read in
    the same round trip and kept on it.

    Written as SQL once and read in one round trip (``core.sql.batch``): prefetched by the
    ORM, building these fifteen queries and their instances took three times what PostgreSQL
    takes to answer them."""
    organizations = tenancy.organization_ids(user)
    if not organizations:
        raise _not_found("convention")
    queries = _detail_sql(len(organizations))
    statements = [(queries[0], [pk, *organizations]), *((text, [pk]) for text in queries[1:-1])]
    if deadlines:
        statements.append((queries[-1], [ContentType.objects.get_for_model(Convention).pk, pk]))
    results, keep = sql.batch_with(statements, panels)
    (
        found,
        organization,
        manager,
        programme,
        notice,
        parties,
        clauses,
        obligations,
        amendments,
        evaluations,
        annexes,
        followers,
        approving,
        successors,
        committees,
        *deadline_rows,
    ) = results
    if not found:
        raise _not_found("convention")
    width = len(sql.fields_of(Convention))
    convention = sql.instances(Convention, [found[0][:width]])[0]
    convention.predecessor_reference = found[0][width]
    sql.cache(convention, "organization", sql.instances(Organization, organization)[0])
    sql.cache(convention, "manager", next(iter(sql.instances(get_user_model(), manager, USER_FIELDS)), None))
    sql.cache(convention, "programme", next(iter(sql.instances(Programme, programme)), None))
    sql.cache(convention, "termination_notice_record", next(iter(sql.instances(TerminationNotice, notice)), None))

    widths = [len(sql.fields_of(m)) for m in (ConventionParty, Organization, Signatory)]
    party_list = []
    for row in parties:
        party_row, organization_row, signatory_row, person_row = sql.split(row, *widths)
        party = sql.instances(ConventionParty, [party_row])[0]
        sql.cache(party, "organization", sql.instances(Organization, [organization_row])[0])
        signatory = None
        if signatory_row[0] is not None:
            signatory = sql.instances(Signatory, [signatory_row])[0]
            sql.cache(
                signatory, "person", sql.instances(Person, [person_row])[0] if person_row[0] is not None else None
            )
        sql.cache(party, "signatory", signatory)
        sql.cache(party, "convention", convention)
        party_list.append(party)
    by_id = {party.pk: party for party in party_list}
    obligation_list = sql.instances(Obligation, obligations)
    for obligation in obligation_list:
        sql.cache(obligation, "party", by_id[obligation.party_id])
    committee_width = len(sql.fields_of(MonitoringCommittee))
    committee_list = []
    for row in committees:
        committee = sql.instances(MonitoringCommittee, [row[:committee_width]])[0]
        committee.meeting_count = row[committee_width]
        committee_list.append(committee)
    collections = {
        "parties": party_list,
        "clauses": sql.instances(ConventionClause, clauses),
        "obligations": obligation_list,
        "amendments": sql.instances(Amendment, amendments),
        "evaluations": sql.instances(Evaluation, evaluations),
        "annexes": sql.instances(Annex, annexes),
        "followers": sql.instances(get_user_model(), followers, USER_FIELDS),
        "approving_deliberations": sql.instances(Deliberation, approving, ACT_FIELDS),
        "successors": sql.instances(Convention, successors, SUCCESSOR_FIELDS),
        "committees": committee_list,
    }
    for name, objects in collections.items():
        for obj in objects if name in ("clauses", "obligations", "amendments", "evaluations", "annexes") else ():
            sql.cache(obj, "convention", convention)
        sql.attach(convention, name, objects)
    if deadlines:
        convention.deadline_rows = sql.convert(Deadline, DEADLINE_FIELDS, deadline_rows[0])
    keep(convention)
    return convention


def _columns(model: Any) -> tuple[str, ...]:
    return tuple(f.attname for f in model._meta.concrete_fields)


@sql.keyed
def _record_sql(organizations: int) -> str:
    # The convention and its notice of termination, if any (one row at most: unique).
    places = sql.placeholders(organizations)
    columns = ", ".join(
        [sql.column(Convention, f) for f in _columns(Convention)]
        + [sql.column(TerminationNotice, f) for f in _columns(TerminationNotice)]
    )
    return (
        f"SELECT {columns} FROM {sql.table(Convention)} LEFT JOIN {sql.table(TerminationNotice)} "
        f"ON {sql.column(TerminationNotice, 'convention')} = {sql.column(Convention, 'id')} "
        f"WHERE {sql.column(Convention, 'id')} = %s AND {sql.column(Convention, 'organization')} IN ({places})"
    )


@sql.keyed
def _parties_sql() -> str:
    # One convention's parties joined to their organizations by key (a few rows).
    columns = ", ".join(sql.column(ConventionParty, f) for f in _columns(ConventionParty))
    return (
        f"SELECT {columns}, {sql.column(Organization, 'name')} FROM {sql.table(ConventionParty)} "
        f"JOIN {sql.table(Organization)} ON {sql.column(Organization, 'id')} = {sql.column(ConventionParty, 'organization')} "
        f"WHERE {sql.column(ConventionParty, 'convention')} = %s ORDER BY {sql.order(ConventionParty, ['position', 'id'])}"
    )


@sql.keyed
def _obligations_sql() -> str:
    # In their model's order: by their party's position.
    columns = ", ".join(sql.column(Obligation, f) for f in _columns(Obligation))
    return (
        f"SELECT {columns} FROM {sql.table(Obligation)} "
        f"JOIN {sql.table(ConventionParty)} ON {sql.column(ConventionParty, 'id')} = {sql.column(Obligation, 'party')} "
        f"WHERE {sql.column(Obligation, 'convention')} = %s "
        f"ORDER BY {sql.order(ConventionParty, ['position'])}, {sql.order(Obligation, ['id'])}"
    )


@sql.keyed
def _approving_sql() -> str:
    # The acts' ids, in the acts' order (newest first).
    through = Convention.approving_deliberations.through
    return (
        f"SELECT {sql.column(through, 'deliberation')} FROM {sql.table(through)} "
        f"JOIN {sql.table(Deliberation)} ON {sql.column(Deliberation, 'id')} = {sql.column(through, 'deliberation')} "
        f"WHERE {sql.column(through, 'convention')} = %s ORDER BY {sql.order(Deliberation, ['-year', '-sequence'])}"
    )


@sql.keyed
def _followers_sql() -> str:
    through = Convention.followers.through
    return (
        f"SELECT {sql.column(through, 'user')} FROM {sql.table(through)} "
        f"WHERE {sql.column(through, 'convention')} = %s ORDER BY {sql.column(through, 'user')}"
    )


def convention_record(user: Any, pk: int) -> dict[str, Any]:
    """One convention with what the API returns about it (terms, parties, clauses,
    obligations, evaluations, avenants, approving acts, followers, notice), as plain values:
    its fields, each collection's rows as dicts of their fields, ids where the API gives
    ids, none of the page's annexes, successors or committees.

    Written as SQL once (``core.sql``): the convention with its notice, then one query per
    collection. Prefetched by the ORM, building these eight queries and their model
    instances cost three times what PostgreSQL takes to answer them."""
    organizations = tenancy.organization_ids(user)
    found = sql.rows(_record_sql(len(organizations)), [pk, *organizations]) if organizations else []
    if not found:
        raise _not_found("convention")
    width = len(_columns(Convention))
    record = sql.convert(Convention, _columns(Convention), [found[0][:width]])[0]
    notice = found[0][width:]
    record["termination_notice"] = (
        sql.convert(TerminationNotice, _columns(TerminationNotice), [notice])[0] if notice[0] is not None else None
    )
    record["get_status_display"] = str(dict(ConventionStatus.choices).get(record["status"], record["status"]))
    party_columns = _columns(ConventionParty)
    parties = []
    for row in sql.rows(_parties_sql(), [pk]):
        party = sql.convert(ConventionParty, party_columns, [row[:-1]])[0]
        party["organization.name"] = row[-1]
        parties.append(party)
    record["parties"] = parties
    record["partners"] = [p["organization.name"] for p in parties if p["organization_id"] != record["organization_id"]]
    record["clauses"] = sql.records(ConventionClause, _columns(ConventionClause), "convention", pk, ("position",))
    record["obligations"] = sql.convert(Obligation, _columns(Obligation), sql.rows(_obligations_sql(), [pk]))
    record["evaluations"] = sql.records(Evaluation, _columns(Evaluation), "convention", pk, ("number",))
    record["amendments"] = sql.records(Amendment, _columns(Amendment), "convention", pk, ("number",))
    record["approving_deliberation_ids"] = [row[0] for row in sql.rows(_approving_sql(), [pk])]
    record["follower_ids"] = [row[0] for row in sql.rows(_followers_sql(), [pk])]
    return record


def evaluation_attachments(convention: Convention) -> dict[int, list[Annex]]:
    """{evaluation id: its attachments}, from the annexes loaded by :func:`convention_detail`."""
    attachments: dict[int, list[Annex]] = {}
    for annex in convention.annexes.all():
        if annex.evaluation_id:
            attachments.setdefault(annex.evaluation_id, []).append(annex)
    return attachments


def amendment_for(user: Any, convention_pk: int, number: int) -> Amendment:
    try:
        return (
            Amendment.objects.filter(convention__organization_id__in=tenancy.organization_ids(user))
            .select_related("convention__organization", "clause")
            .get(convention_id=convention_pk, number=number)
        )
    except Amendment.DoesNotExist as exc:
        raise _not_found("avenant") from exc


def amendment_by_id(user: Any, pk: int) -> Amendment:
    try:
        return (
            Amendment.objects.filter(convention__organization_id__in=tenancy.organization_ids(user))
            .select_related("convention__organization", "clause")
            .get(pk=pk)
        )
    except Amendment.DoesNotExist as exc:
        raise _not_found("avenant") from exc


@dataclass
class PartySignature:
    """A party of the convention and its signature of an avenant, if it has signed."""

    party: ConventionParty
    signature: AmendmentSignature | None


def amendment_signatures(amendment: Amendment) -> list[PartySignature]:
    """Every party of the avenant's convention, in order, with its signature of the avenant."""
    signatures = {
        s.party_id: s
        for s in AmendmentSignature.objects.filter(amendment=amendment).select_related("signatory__person")
    }
    parties = ConventionParty.objects.filter(convention_id=amendment.convention_id).select_related(
        "organization", "signatory__person"
    )
    return [PartySignature(p, signatures.get(p.pk)) for p in parties.order_by("position")]


def evaluation_for(user: Any, pk: int) -> Evaluation:
    try:
        return (
            Evaluation.objects.filter(convention__organization_id__in=tenancy.organization_ids(user))
            .select_related("convention")
            .get(pk=pk)
        )
    except Evaluation.DoesNotExist as exc:
        raise _not_found("évaluation") from exc


def committees_for(user: Any) -> QuerySet[MonitoringCommittee]:
    return MonitoringCommittee.objects.visible_to(tenancy.organization_ids(user)).select_related(
        "organization", "convention", "programme"
    )


def committee_for(user: Any, pk: int) -> MonitoringCommittee:
    try:
        return committees_for(user).prefetch_related("members__organization", "meetings").get(pk=pk)
    except MonitoringCommittee.DoesNotExist as exc:
        raise _not_found("comité") from exc


def meeting_for(user: Any, pk: int) -> CommitteeMeeting:
    try:
        return (
            CommitteeMeeting.objects.filter(committee__organization_id__in=tenancy.organization_ids(user))
            .select_related("committee__organization", "committee__convention", "committee__programme")
            .prefetch_related("attendance__member", "decisions__convention", "committee__members")
            .get(pk=pk)
        )
    except CommitteeMeeting.DoesNotExist as exc:
        raise _not_found("réunion") from exc


def programmes_for(user: Any) -> QuerySet[Programme]:
    return (
        Programme.objects.visible_to(tenancy.organization_ids(user))
        .select_related("organization", "coordinator")
        .annotate(convention_count=Count("conventions"))
    )


def programme_for(user: Any, pk: int) -> Programme:
    try:
        return programmes_for(user).get(pk=pk)
    except Programme.DoesNotExist as exc:
        raise _not_found("programme") from exc


@dataclass
class DueItem:
    due_date: date
    label: str
    convention: Convention


@dataclass
class ProgrammeSummary:
    programme: Programme
    conventions: list[Convention]
    by_status: dict[str, int]
    budgets: list[Any]
    committed: Decimal
    spent: Decimal
    due: list[DueItem] = field(default_factory=list)


def programme_summary(programme: Programme, *, today: date, horizon_days: int = 180) -> ProgrammeSummary:
    """Partners, their conventions' states, the budget committed and spent, and what is due."""
    conventions = list(
        programme.conventions.select_related("manager")
        .prefetch_related(
            Prefetch("parties", queryset=ConventionParty.objects.select_related("organization").order_by("position")),
            Prefetch("evaluations", queryset=Evaluation.objects.filter(held_on__isnull=True)),
            Prefetch("obligations", queryset=Obligation.objects.select_related("party__organization")),
        )
        .order_by("title")
    )
    by_status: dict[str, int] = {}
    for convention in conventions:
        label = convention.get_status_display()
        by_status[label] = by_status.get(label, 0) + 1
    committed = sum(
        (c.amount for c in conventions if c.amount is not None and c.status in COMMITTED_STATES), Decimal("0")
    )
    spent = Obligation.objects.filter(convention__programme=programme, fulfilled_on__isnull=False).aggregate(
        s=Sum("amount")
    )["s"] or Decimal("0")
    limit = date.fromordinal(today.toordinal() + horizon_days)
    due: list[DueItem] = []
    for convention in conventions:
        if (
            convention.end_date
            and today <= convention.end_date <= limit
            and convention.status
            in (
                ConventionStatus.ACTIVE,
                ConventionStatus.SUSPENDED,
            )
        ):
            due.append(DueItem(convention.end_date, _("Fin de la convention"), convention))
        for evaluation in convention.evaluations.all():
            if evaluation.due_date <= limit:
                due.append(DueItem(evaluation.due_date, _("Évaluation annuelle"), convention))
        for obligation in convention.obligations.all():
            if obligation.fulfilled_on:
                continue
            for day in rules.obligation_due_dates(
                obligation.first_due_date, obligation.recurrence, convention.end_date
            ):
                if today <= day <= limit:
                    due.append(DueItem(day, obligation.description[:80], convention))
                    break
    due.sort(key=lambda item: item.due_date)
    return ProgrammeSummary(
        programme=programme,
        conventions=conventions,
        by_status=by_status,
        budgets=list(programme.budgets.all()),
        committed=committed,
        spent=spent,
        due=due,
    )


# --- Clause library ----------------------------------------------------------------------


def clause_templates_for(
    user: Any, *, q: str = "", organization_ids: list[int] | None = None
) -> QuerySet[ClauseTemplate]:
    """The library of the user's organizations (or of the given ones among them), searched in
    the code, title, category and text; active clauses first."""
    ids = tenancy.organization_ids(user)
    if organization_ids is not None:
        ids = [i for i in ids if i in organization_ids]
    queryset = ClauseTemplate.objects.filter(organization_id__in=ids).select_related("organization")
    for word in q.split():
        queryset = queryset.filter(
            Q(title__icontains=word) | Q(key__icontains=word) | Q(category__icontains=word) | Q(body__icontains=word)
        )
    return queryset.order_by("-is_active", "category", "title", "pk")


def clause_template_for(user: Any, pk: int) -> ClauseTemplate:
    """One clause of the user's organizations' library, or 404."""
    try:
        return clause_templates_for(user).get(pk=pk)
    except ClauseTemplate.DoesNotExist as exc:
        raise _not_found("clause") from exc
