"""Helpers shared by the services: permission, locking, saving with a history reason."""

from __future__ import annotations

from typing import Any

from django.db import models

from core import tenancy
from core.errors import DomainError, TransitionNotAllowed
from deliberations.models import Deliberation, Sitting


def require(user: Any, organization_id: int, capability: str) -> None:
    tenancy.require(user, organization_id, capability)


def save(obj: models.Model, *, user: Any, reason: str, update_fields: list[str] | None = None) -> None:
    """Save with the actor and the reason shown in the object's history."""
    obj._change_reason = reason  # type: ignore[attr-defined]
    if user is not None and getattr(user, "is_authenticated", False):
        obj._history_user = user  # type: ignore[attr-defined]
    obj.save(update_fields=update_fields)


def lock_sitting(sitting: Sitting | int) -> Sitting:
    pk = sitting if isinstance(sitting, int) else sitting.pk
    return Sitting.objects.select_for_update().select_related("assembly__organization").get(pk=pk)


def lock_deliberation(deliberation: Deliberation | int) -> Deliberation:
    pk = deliberation if isinstance(deliberation, int) else deliberation.pk
    return Deliberation.objects.select_for_update().select_related("assembly__organization").get(pk=pk)


_THE = {"sitting": "la séance", "deliberation": "la délibération"}


def transition(obj: Any, method: str, *, label: str) -> None:
    """Run a django-fsm transition, or say in French why it is not allowed from this state."""
    from django_fsm import can_proceed

    bound = getattr(obj, method)
    if not can_proceed(bound):
        raise TransitionNotAllowed(
            f"Action « {label} » impossible : {_THE.get(obj._meta.model_name, obj._meta.verbose_name)} "
            f"est à l'état « {obj.get_state_display()} ».",
            rule="Cycle de vie",
        )
    bound()


def refuse(message: str, *, rule: str = "", field: str | None = None) -> DomainError:
    return DomainError(message, rule=rule, field=field)
