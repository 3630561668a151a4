"""Readable history of an object: who changed what and when, from django-simple-history."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.formatting import french_date

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


def _display(model_field: Any, value: Any, related: dict[tuple[Any, Any], str]) -> str:
    if value is None or value == "":
        return "—"
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(model_field, models.ForeignKey):
        # Read beforehand for every entry at once; a row deleted since shows its id.
        return related.get((model_field.related_model, value), f"#{value}")
    if isinstance(value, bool):
        return str(_("oui") if value else _("non"))
    if isinstance(value, datetime):
        return french_date(timezone.localtime(value) if timezone.is_aware(value) else value)
    if isinstance(value, date):
        return french_date(value)
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value) or "—"
    return str(value)


def _related_names(changes: list[tuple[Any, Any]]) -> dict[tuple[Any, Any], str]:
    """The text of every object a foreign key of the changes points to: one query per model."""
    wanted: dict[Any, set[Any]] = {}
    for model_field, value in changes:
        if isinstance(model_field, models.ForeignKey) and value not in (None, ""):
            wanted.setdefault(model_field.related_model, set()).add(value)
    names: dict[tuple[Any, Any], str] = {}
    for model, ids in wanted.items():
        for pk, row in model._base_manager.in_bulk(list(ids)).items():
            names[(model, pk)] = str(row)
    return names


def entries_for(obj: models.Model, limit: int = 50, offset: int = 0) -> list[HistoryEntry]:
    """The changes of ``obj``, newest first, from ``offset`` on (at most ``limit``), each with the
    fields it changed. A fixed number of queries: the records (one more than asked, to compare
    the oldest with its predecessor), their users, and the objects their foreign keys name."""
    manager = getattr(obj, "history", None)
    if manager is None:
        return []
    records = list(
        manager.model.objects.filter(id=obj.pk)
        .select_related("history_user")
        .order_by("-history_date", "-history_id")[offset : offset + limit + 1]
    )
    return _entries(type(obj), records, limit)


def _entries(model: Any, records: list[Any], limit: int) -> list[HistoryEntry]:
    deltas: list[Any] = []
    for index, record in enumerate(records[:limit]):
        previous = records[index + 1] if index + 1 < len(records) else None
        delta = record.diff_against(previous) if previous is not None and record.history_type == "~" else None
        deltas.append(delta)
    fields: dict[str, Any] = {}
    for delta in deltas:
        for change in delta.changes if delta is not None else ():
            if change.field not in _HIDDEN_FIELDS and change.field not in fields:
                try:
                    fields[change.field] = model._meta.get_field(change.field)
                except FieldDoesNotExist:  # a field removed from the model since
                    continue
    shown = [
        (fields[change.field], value)
        for delta in deltas
        if delta is not None
        for change in delta.changes
        if change.field in fields
        for value in (change.old, change.new)
    ]
    related = _related_names(shown)
    entries: list[HistoryEntry] = []
    for record, delta in zip(records[:limit], deltas, strict=True):
        changes: list[FieldChange] = []
        for change in delta.changes if delta is not None else ():
            if change.field not in fields or isinstance(change.old, dict) or isinstance(change.new, dict):
                # A structure recorded for the record (an avenant's effect) has its own table on its page.
                continue
            model_field = fields[change.field]
            changes.append(
                FieldChange(
                    label=str(getattr(model_field, "verbose_name", change.field)),
                    old=_display(model_field, change.old, related),
                    new=_display(model_field, change.new, related),
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


def panel(obj: models.Model, limit: int = 20) -> dict[str, Any]:
    """What an object's history panel prints (``panels/history.jinja``): its latest changes,
    with a link to its whole history."""
    meta = obj._meta
    return {
        "entries": entries_for(obj, limit),
        "full_url": reverse("core:history", args=[meta.app_label, meta.model_name, obj.pk]),
    }
