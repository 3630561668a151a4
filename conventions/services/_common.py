"""Helpers shared by the conventions services: row locks, transitions, history, today."""

from __future__ import annotations

from datetime import date
from typing import Any

import django_fsm
from django.db import models
from django.utils import timezone

from core.errors import TransitionNotAllowed


def today_or(day: date | None) -> date:
    """The given day (tests, commands with --date), else today in Paris."""
    return day or timezone.localdate()


def lock[M: models.Model](instance: M) -> M:
    """Reload ``instance`` with a row lock (SELECT … FOR UPDATE) for the rest of the transaction."""
    model = type(instance)
    return model._default_manager.select_for_update().get(pk=instance.pk)


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
