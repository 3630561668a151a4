"""The yearly evaluations of a convention in force."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction

from conventions import deadlines
from conventions.models import (
    Evaluation,
    EvaluationOutcome,
)
from conventions.services._common import lock, save, today_or
from core import tenancy
from core.errors import DomainError
from core.formatting import french_date
from core.roles import Capability


@transaction.atomic
def record_evaluation(
    *, user: Any, evaluation: Evaluation, held_on: date, outcome: str, summary: str = "", today: date | None = None
) -> Evaluation:
    """Record an annual evaluation's outcome."""
    day = today_or(today)
    convention = lock(evaluation.convention)
    tenancy.require(user, convention.organization_id, Capability.FOLLOW_CONVENTIONS)
    locked = lock(evaluation)
    if outcome not in EvaluationOutcome.values:
        raise DomainError("Choisissez le bilan de l'évaluation.", rule="Évaluation annuelle", field="outcome")
    if held_on > day:
        raise DomainError("La date de l'évaluation est dans le futur.", rule="Évaluation annuelle", field="held_on")
    if convention.effective_date and held_on < convention.effective_date:
        raise DomainError(
            "L'évaluation ne peut pas précéder la prise d'effet de la convention.",
            rule="Évaluation annuelle",
            field="held_on",
        )
    locked.held_on, locked.outcome, locked.summary, locked.recorded_by = held_on, outcome, summary.strip(), user
    save(locked, user=user, reason=f"Évaluation n° {locked.number} réalisée le {french_date(held_on)}")
    deadlines.sync_convention(convention)
    return locked
