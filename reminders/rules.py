"""When to remind, as pure functions over plain values (no database).

A deadline is announced at offsets counted in calendar days before its due date (for
example 120, 60, 30, 7 days before and on the day), then, as long as nobody marks it
handled, once a week after it has passed. Each announcement has an *occurrence key*
("30", "0", "retard-2") that stays the same for the whole period it covers, so that a
daily run repeated, run twice, or run late produces it once and only once.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from core.errors import DomainError

DEFAULT_OFFSETS: tuple[int, ...] = (120, 60, 30, 7, 0)
DEFAULT_RENEWAL_LEAD_MONTHS = 4
MAX_OFFSET_DAYS = 730
OVERDUE_PREFIX = "retard-"
OVERDUE_PERIOD_DAYS = 7


def normalize_offsets(values: Iterable[Any]) -> tuple[int, ...]:
    """Offsets as whole days from 0 (on the day) to two years, deduplicated, latest first.

    Raises DomainError naming the offending value, so a settings page can say what is wrong.
    """
    offsets: set[int] = set()
    for value in values:
        if isinstance(value, bool):
            raise DomainError(f"« {value} » n'est pas un nombre de jours.", rule="rappels", field="offsets_days")
        try:
            number = int(str(value).strip())
        except ValueError:
            raise DomainError(f"« {value} » n'est pas un nombre entier de jours.", rule="rappels", field="offsets_days")
        if number < 0:
            raise DomainError(
                f"Un rappel se compte en jours avant l'échéance : {number} est négatif.",
                rule="rappels",
                field="offsets_days",
            )
        if number > MAX_OFFSET_DAYS:
            raise DomainError(
                f"Un rappel plus de {MAX_OFFSET_DAYS} jours avant l'échéance n'est pas possible ({number}).",
                rule="rappels",
                field="offsets_days",
            )
        offsets.add(number)
    return tuple(sorted(offsets, reverse=True))


def parse_offsets(text: str) -> tuple[int, ...]:
    """ "120, 60 ; 30 7 0" → (120, 60, 30, 7, 0)."""
    parts = [p for p in text.replace(";", ",").replace(" ", ",").split(",") if p.strip()]
    return normalize_offsets(parts)


def occurrence_for(*, due_date: date, today: date, offsets: tuple[int, ...], repeat_overdue: bool = True) -> str | None:
    """The occurrence key a reminder of this deadline has on ``today``, or None.

    Before or on the due date: the nearest offset already reached (so a run missed on the
    offset's own day still catches it up, once; when several offsets were missed, only the
    latest one is sent — nobody wants three reminders of one deadline on one morning).
    After the due date: the on-the-day reminder during the first week, then one per
    overdue week ("retard-1", "retard-2"…), unless the deadline is an event.
    """
    if not offsets:
        return None
    days_left = (due_date - today).days
    if days_left >= 0:
        reached = [o for o in offsets if o >= days_left]
        return str(min(reached)) if reached else None
    if not repeat_overdue:
        return None  # an event that has taken place needs no reminder
    weeks_late = -days_left // OVERDUE_PERIOD_DAYS
    if weeks_late == 0:
        # Within the first week after the date: catch up the last announcement, if missed.
        return str(min(offsets))
    return f"{OVERDUE_PREFIX}{weeks_late}"


def earliest_announced_day(due_date: date, offsets: tuple[int, ...]) -> int:
    """How many days before the due date the first reminder can go (the largest offset)."""
    return max(offsets) if offsets else 0


def when_label(due_date: date, on: date) -> str:
    """French wording of how far a deadline is on a given day: "échéance dans 30 jours",
    "échéance aujourd'hui", "échéance dépassée de 8 jours"."""
    return f"échéance {days_left_label((due_date - on).days)}"


def days_left_label(days_left: int) -> str:
    """ "dans 3 jours", "aujourd'hui", "dépassée de 2 jours"."""
    if days_left == 0:
        return "aujourd'hui"
    if days_left == 1:
        return "demain"
    if days_left > 1:
        return f"dans {days_left} jours"
    if days_left == -1:
        return "dépassée d'un jour"
    return f"dépassée de {-days_left} jours"


def join_roles(roles: Iterable[str]) -> str:
    """("clerk", "manager") → ",clerk,manager," (searchable with LIKE ",clerk,")."""
    cleaned = sorted({r.strip() for r in roles if r and r.strip()})
    return f",{','.join(cleaned)}," if cleaned else ""


def join_ids(ids: Iterable[int]) -> str:
    """{17, 4} → ",4,17," (the named recipients, searchable with LIKE ",4," like the roles)."""
    cleaned = sorted({int(i) for i in ids})
    return f",{','.join(map(str, cleaned))}," if cleaned else ""


def split_roles(text: str) -> tuple[str, ...]:
    return tuple(r for r in text.split(",") if r)
