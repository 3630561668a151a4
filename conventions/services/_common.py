"""Helpers shared by the conventions services: row locks, guards, transitions, history, today."""

from __future__ import annotations

from datetime import date
from typing import Any

import django_fsm
from django.db import models
from django.utils import timezone

from conventions.models import Convention
from conventions.models.conventions import EDITABLE_STATES
from core import tenancy
from core.errors import DomainError, TransitionNotAllowed
from core.locking import lock
from core.roles import Capability

__all__ = ["delete", "lock", "require_edit", "require_editable", "run_transition", "save", "today_or"]


def today_or(day: date | None) -> date:
    """The given day (tests, commands with --date), else today in Paris."""
    return day or timezone.localdate()


def require_edit(user: Any, convention: Convention) -> None:
    """The user may draft and take through its life the conventions of its organization."""
    tenancy.require(user, convention.organization_id, Capability.EDIT_CONVENTIONS)


def require_editable(convention: Convention) -> None:
    """A convention's text and terms change freely until it is approved, then by avenant only."""
    if convention.status not in EDITABLE_STATES:
        raise DomainError(
            f"La convention est « {convention.get_status_display()} » : son texte et ses conditions ne se modifient "
            "plus que par avenant.",
            rule="Modification par avenant",
        )


def save(instance: models.Model, *, user: Any, reason: str, update_fields: list[str] | None = None) -> None:
    """Save with the acting user and the reason recorded in the history."""
    instance._change_reason = reason  # type: ignore[attr-defined]
    instance._history_user = user if getattr(user, "is_authenticated", False) else None  # type: ignore[attr-defined]
    instance.save(update_fields=update_fields)


def delete(instance: models.Model, *, user: Any, reason: str) -> None:
    """Delete, the history recording the acting user and the reason."""
    instance._change_reason = reason  # type: ignore[attr-defined]
    instance._history_user = user if getattr(user, "is_authenticated", False) else None  # type: ignore[attr-defined]
    instance.delete()


def status_label(instance: models.Model, value: str) -> str:
    field = instance._meta.get_field("status")
    return str(dict(field.flatchoices).get(value, value))  # type: ignore[union-attr]


def run_transition(instance: models.Model, name: str, *, target_label: str) -> None:
    """Call the FSM transition ``name``; refuse clearly (and change nothing) when the current
    state does not allow it."""
    method = getattr(instance, name)
    if not django_fsm.can_proceed(method):
        current = status_label(instance, instance.status)  # type: ignore[attr-defined]
        allowed = [status_label(instance, t.target) for t in instance.get_available_status_transitions()]  # type: ignore[attr-defined]
        hint = f" Depuis cet état, possible : {', '.join(allowed)}." if allowed else ""
        raise TransitionNotAllowed(
            f"Impossible de passer à l'état « {target_label} » depuis l'état « {current} ».{hint}",
            rule="Cycle de vie",
            field="status",
        )
    method()
