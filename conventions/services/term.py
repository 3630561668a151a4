"""The term of a convention: its effective and end dates, its entry into force and its
yearly evaluations, as signature, notification and renewals decide them."""

from __future__ import annotations

from datetime import date
from typing import Any

from conventions import rules
from conventions.models import Convention, ConventionStatus, Evaluation
from conventions.services._common import save
from core.formatting import french_date


def set_term(convention: Convention) -> None:
    """Derive the effective date and the last day covered from the start event and duration."""
    parties = list(convention.parties.all())
    effective = rules.effective_start(
        start_event=convention.start_event,
        signature_dates=[p.signed_on for p in parties],
        notification_date=convention.notification_date,
        fixed_date=convention.fixed_start_date,
    )
    convention.effective_date = effective
    if effective is not None:
        convention.end_date = rules.end_date(
            effective, months=convention.duration_months, days=convention.duration_days
        )
        # Tacit renewals already done extend the term by whole periods.
        for _ in range(convention.tacit_renewals_done):
            convention.end_date = rules.renewed_end_date(
                convention.end_date, months=convention.duration_months, days=convention.duration_days
            )


def activate_if_due(convention: Convention, user: Any, today: date) -> None:
    if (
        convention.status == ConventionStatus.SIGNED
        and convention.effective_date is not None
        and convention.effective_date <= today
    ):
        convention.activate()
        save(convention, user=user, reason=f"En vigueur depuis le {french_date(convention.effective_date)}")
        schedule_evaluations(convention)


def schedule_evaluations(convention: Convention) -> None:
    """Create (or move) one evaluation per year of the term when the convention asks for one;
    evaluations already held are kept as they are."""
    if not convention.annual_evaluation or convention.effective_date is None or convention.end_date is None:
        return
    due_dates = rules.evaluation_due_dates(convention.effective_date, convention.end_date)
    existing = {e.number: e for e in convention.evaluations.all()}
    for number, due in enumerate(due_dates, start=1):
        evaluation = existing.pop(number, None)
        if evaluation is None:
            Evaluation.objects.create(convention=convention, number=number, due_date=due)
        elif evaluation.held_on is None and evaluation.due_date != due:
            evaluation.due_date = due
            evaluation._change_reason = "Date recalculée"  # type: ignore[attr-defined]
            evaluation.save(update_fields=["due_date", "updated_at"])
    for leftover in existing.values():
        if leftover.held_on is None:
            leftover.delete()
