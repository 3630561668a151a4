"""Helpers for the reminders tests: deadlines synced from a test-only source (a Person)."""

from __future__ import annotations

from datetime import date
from typing import Any

from reminders.deadlines import DeadlineSpec
from reminders.services import sync_deadlines
from tests.factories import PersonFactory


def source_in(organization: Any) -> Any:
    """Any model instance will do as a deadline source; the domain apps use their own."""
    return PersonFactory(organization=organization)


def spec(key: str = "end", due: date = date(2024, 6, 30), **fields: Any) -> DeadlineSpec:
    fields.setdefault("kind", "convention_end")
    fields.setdefault("title", f"Fin de la convention {key}")
    fields.setdefault("url", "/conventions/1/")
    fields.setdefault("action", "Préparer le renouvellement ou la sortie.")
    return DeadlineSpec(key=key, due_date=due, **fields)


def deadline_for(
    organization: Any,
    *,
    recipients: tuple[int, ...] = (),
    key: str = "end",
    due: date = date(2024, 6, 30),
    source: Any = None,
    **fields: Any,
) -> Any:
    from reminders.models import Deadline

    source = source or source_in(organization)
    sync_deadlines(
        source=source, organization_id=organization.pk, specs=[spec(key, due, recipient_ids=recipients, **fields)]
    )
    return Deadline.objects.get(object_id=source.pk, key=key, content_type__model=source._meta.model_name)


def many_deadlines(organization: Any, count: int, *, due: Any, prefix: str = "k", **fields: Any) -> None:
    """``count`` deadlines of one source in one sync (as a convention's own services give
    theirs): ``due(n)`` and, when given, ``title(n)`` and ``kind(n)`` vary with the row."""
    title, kind = fields.pop("title", None), fields.pop("kind", None)
    specs = []
    for n in range(count):
        extra = dict(fields)
        if title:
            extra["title"] = title(n)
        if kind:
            extra["kind"] = kind(n)
        recipients = extra.pop("recipients", ())
        specs.append(spec(f"{prefix}{n}", due(n), recipient_ids=recipients, **extra))
    sync_deadlines(source=source_in(organization), organization_id=organization.pk, specs=specs)
