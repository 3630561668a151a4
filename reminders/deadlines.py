"""What the domain apps hand over: one :class:`DeadlineSpec` per date that matters."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime


@dataclass(frozen=True)
class DeadlineSpec:
    """A deadline as computed by its source's service (see ``reminders.services.sync_deadlines``)."""

    key: str  # stable within the source: "end", "notice", "evaluation-2025", …
    kind: str  # reminders.models.DeadlineKind value
    due_date: date
    title: str  # French, e.g. "Fin de la convention FLAG ! — Ville de Montpellier"
    url: str = ""  # link to the object
    action: str = ""  # French: what to do
    recipient_ids: tuple[int, ...] = ()  # user ids (responsible manager, followers)
    recipient_roles: tuple[str, ...] = ()  # core.roles.Role values, resolved at send time
    starts_at: datetime | None = None  # for events with a time (sittings, comité meetings)
    ends_at: datetime | None = None
    location: str = ""
