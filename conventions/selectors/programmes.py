"""Programmes of the user's organizations and their summary (partners, states, budget, what
is due)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Count, Prefetch, QuerySet, Sum
from django.utils.translation import gettext as _

from conventions import rules
from conventions.models import Convention, ConventionParty, ConventionStatus, Evaluation, Obligation, Programme
from conventions.models.conventions import COMMITTED_STATES
from conventions.selectors._common import not_found
from core import tenancy


def programmes_for(user: Any) -> QuerySet[Programme]:
    return (
        Programme.objects.visible_to(tenancy.organization_ids(user))
        .select_related("organization", "coordinator")
        .annotate(convention_count=Count("conventions"))
    )


def programme_for(user: Any, pk: int) -> Programme:
    """A programme of the user's organizations, or 404."""
    try:
        return programmes_for(user).get(pk=pk)
    except Programme.DoesNotExist as exc:
        raise not_found("programme") from exc


@dataclass(frozen=True)
class DueItem:
    due_date: date
    label: str
    convention: Convention


@dataclass(frozen=True)
class ProgrammeSummary:
    programme: Programme
    conventions: list[Convention]
    by_status: dict[str, int]
    budgets: list[Any]
    committed: Decimal
    spent: Decimal
    due: list[DueItem] = field(default_factory=list)


def _due(conventions: list[Convention], today: date, limit: date) -> list[DueItem]:
    due: list[DueItem] = []
    for convention in conventions:
        if (
            convention.end_date
            and today <= convention.end_date <= limit
            and convention.status in (ConventionStatus.ACTIVE, ConventionStatus.SUSPENDED)
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
    return due


def programme_summary(programme: Programme, *, today: date, horizon_days: int = 180) -> ProgrammeSummary:
    """Partners, their conventions' states, the budget committed and spent, and what is due
    (a programme read through ``programme_for``: its conventions are its organization's)."""
    # Its organization's conventions only: a programme is its organization's (services refuse
    # another's), and a read scoped twice costs nothing.
    of_programme = Convention.objects.filter(programme=programme, organization_id=programme.organization_id)
    conventions = list(
        of_programme.select_related("manager")
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
    spent = Obligation.objects.filter(convention__in=of_programme, fulfilled_on__isnull=False).aggregate(
        s=Sum("amount")
    )["s"] or Decimal("0")
    limit = date.fromordinal(today.toordinal() + horizon_days)
    return ProgrammeSummary(
        programme=programme,
        conventions=conventions,
        by_status=by_status,
        budgets=list(programme.budgets.all()),
        committed=committed,
        spent=spent,
        due=_due(conventions, today, limit),
    )
