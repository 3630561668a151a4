"""Readable history of an object: who changed what and when, from django-simple-history."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

_TYPES = {"+": _("Création"), "~": _("Modification"), "-": _("Suppression")}
_HIDDEN_FIELDS = {"updated_at", "created_at", "id"}


@dataclass
class FieldChange:
    label: str
    old: str
    new: str


@dataclass
class HistoryEntry:
    when: datetime
    who: str
    kind: str
    reason: str
    changes: list[FieldChange] = field(default_factory=list)


def _display(record: Any, model_field: Any, value: Any) -> str:
    if value is None or value == "":
        return "—"
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(model_field, models.ForeignKey):
        try:
            related = getattr(record, model_field.name)
        except Exception:  # the related row may be gone; show its id
            return f"#{value}"
        return str(related) if related is not None else "—"
    if isinstance(value, bool):
        return str(_("oui") if value else _("non"))
    return str(value)


def entries_for(obj: models.Model, limit: int = 50) -> list[HistoryEntry]:
    """The newest ``limit`` changes of ``obj``, each with the fields it changed."""
    manager = getattr(obj, "history", None)
    if manager is None:
        return []
    records = list(manager.select_related("history_user").order_by("-history_date", "-history_id")[: limit + 1])
    entries: list[HistoryEntry] = []
    for index, record in enumerate(records[:limit]):
        previous = records[index + 1] if index + 1 < len(records) else None
        changes: list[FieldChange] = []
        if previous is not None and record.history_type == "~":
            delta = record.diff_against(previous)
            for change in delta.changes:
                if change.field in _HIDDEN_FIELDS:
                    continue
                model_field = obj._meta.get_field(change.field)
                changes.append(
                    FieldChange(
                        label=str(getattr(model_field, "verbose_name", change.field)),
                        old=_display(previous, model_field, change.old),
                        new=_display(record, model_field, change.new),
                    )
                )
        user = record.history_user
        entries.append(
            HistoryEntry(
                when=record.history_date,
                who=(user.get_full_name() or user.get_username()) if user else str(_("système")),
                kind=str(_TYPES.get(record.history_type, record.history_type)),
                reason=record.history_change_reason or "",
                changes=changes,
            )
        )
    return entries
