"""One convention with everything its page, its forms, its actions and the API show, scoped
to the user's organizations."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, F, Model, Prefetch, QuerySet

from conventions.models import (
    Amendment,
    Annex,
    Convention,
    ConventionClause,
    ConventionParty,
    ConventionStatus,
    Evaluation,
    MonitoringCommittee,
    Obligation,
)
from conventions.selectors._common import not_found
from core import tenancy
from deliberations.models import Deliberation
from reminders.models import Deadline


def _parties() -> QuerySet[ConventionParty]:
    return ConventionParty.objects.select_related("organization", "signatory__person").order_by("position", "id")


def _obligations() -> QuerySet[Obligation]:
    # In their model's order: by their party's position.
    return Obligation.objects.select_related("party__organization").order_by("party__position", "id")


def convention_details(user: Any) -> QuerySet[Convention]:
    """The conventions of the user's organizations, each with everything its page shows: its
    organization, manager, programme and notice (``termination_notice_record``) and its
    ``predecessor_reference``; its parties (with their organizations, signatories and people),
    clauses, obligations (with their parties), avenants, evaluations, annexes, followers,
    approving acts, successors and committees (with ``meeting_count``). A dozen queries
    whatever the convention's size; each collection, chained (``parties.filter(…)``), stays
    the convention's."""
    return (
        Convention.objects.visible_to(tenancy.organization_ids(user))
        .select_related("organization", "manager", "programme", "termination_notice_record")
        .defer("manager__password")
        .annotate(predecessor_reference=F("predecessor__reference"))
        .prefetch_related(
            Prefetch("parties", queryset=_parties()),
            Prefetch("clauses", queryset=ConventionClause.objects.order_by("position", "id")),
            Prefetch("obligations", queryset=_obligations()),
            Prefetch("amendments", queryset=Amendment.objects.order_by("number")),
            Prefetch("evaluations", queryset=Evaluation.objects.order_by("number")),
            Prefetch("annexes", queryset=Annex.objects.order_by("id")),
            # Never a user's password hash (read on no page).
            Prefetch("followers", queryset=get_user_model().objects.defer("password").order_by("id")),
            Prefetch("approving_deliberations", queryset=Deliberation.objects.order_by("-year", "-sequence")),
            Prefetch("successors", queryset=Convention.objects.order_by("-created_at", "-id")),
            Prefetch(
                "committees",
                queryset=MonitoringCommittee.objects.annotate(meeting_count=Count("meetings")).order_by("name", "id"),
            ),
        )
    )


def convention_detail(user: Any, pk: int) -> Convention:
    """One convention of the user's organizations with everything its page shows (see
    ``convention_details``), or 404."""
    try:
        return convention_details(user).get(pk=pk)
    except Convention.DoesNotExist as exc:
        raise not_found("convention") from exc


def convention_deadlines(convention: Convention) -> list[dict[str, Any]]:
    """The deadlines of a convention (read through a scoped selector), their date and title,
    soonest first."""
    rows = (
        Deadline.objects.filter(
            organization_id=convention.organization_id,
            content_type=ContentType.objects.get_for_model(Convention),
            object_id=convention.pk,
        )
        .order_by("due_date", "id")
        .values("due_date", "title")
    )
    return [dict(row) for row in rows]


def evaluation_attachments(convention: Convention) -> dict[int, list[Annex]]:
    """{evaluation id: its attachments}, from the annexes loaded by :func:`convention_detail`."""
    attachments: dict[int, list[Annex]] = {}
    for annex in convention.annexes.all():
        if annex.evaluation_id:
            attachments.setdefault(annex.evaluation_id, []).append(annex)
    return attachments


def _fields(obj: Model) -> dict[str, Any]:
    """A model instance's concrete fields as a dict (``organization_id`` for a foreign key)."""
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}


def convention_record(user: Any, pk: int) -> dict[str, Any]:
    """One convention with what the API returns about it (terms, parties, clauses,
    obligations, evaluations, avenants, approving acts, followers, notice), as plain values:
    its fields, each collection's rows as dicts of their fields, ids where the API gives
    ids, none of the page's annexes, successors or committees."""
    try:
        convention = (
            Convention.objects.visible_to(tenancy.organization_ids(user))
            .select_related("termination_notice_record")
            .prefetch_related(
                Prefetch(
                    "parties",
                    queryset=ConventionParty.objects.select_related("organization").order_by("position", "id"),
                ),
                Prefetch("clauses", queryset=ConventionClause.objects.order_by("position", "id")),
                Prefetch("obligations", queryset=Obligation.objects.order_by("party__position", "id")),
                Prefetch("evaluations", queryset=Evaluation.objects.order_by("number")),
                Prefetch("amendments", queryset=Amendment.objects.order_by("number")),
                Prefetch(
                    "approving_deliberations", queryset=Deliberation.objects.only("id").order_by("-year", "-sequence")
                ),
                Prefetch("followers", queryset=get_user_model().objects.only("id").order_by("id")),
            )
            .get(pk=pk)
        )
    except Convention.DoesNotExist as exc:
        raise not_found("convention") from exc
    record = _fields(convention)
    notice = getattr(convention, "termination_notice_record", None)
    record["termination_notice"] = _fields(notice) if notice is not None else None
    record["get_status_display"] = str(dict(ConventionStatus.choices).get(convention.status, convention.status))
    parties = []
    for party in convention.parties.all():
        row = _fields(party)
        row["organization.name"] = party.organization.name
        parties.append(row)
    record["parties"] = parties
    record["partners"] = [p["organization.name"] for p in parties if p["organization_id"] != convention.organization_id]
    record["clauses"] = [_fields(c) for c in convention.clauses.all()]
    record["obligations"] = [_fields(o) for o in convention.obligations.all()]
    record["evaluations"] = [_fields(e) for e in convention.evaluations.all()]
    record["amendments"] = [_fields(a) for a in convention.amendments.all()]
    record["approving_deliberation_ids"] = [d.pk for d in convention.approving_deliberations.all()]
    record["follower_ids"] = [u.pk for u in convention.followers.all()]
    return record
