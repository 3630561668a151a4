"""The filters of document templates: French dates, times, amounts and typography."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import timezone

from core.formatting import french_amount, french_date, french_typography


def date_fr(value: Any) -> str:
    """ "26 mars 2024"; an ISO string is accepted too."""
    if value in (None, ""):
        return ""
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value[:10])
        except ValueError:
            return value
    if isinstance(value, datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    return french_date(value)


def datetime_fr(value: Any) -> str:
    """ "26 mars 2024 à 18 h 30" in the local time zone."""
    if value in (None, ""):
        return ""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return value
    if not isinstance(value, datetime):
        return date_fr(value)
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    minutes = f"{value.minute:02d}" if value.minute else ""
    return f"{french_date(value)} à {value.hour}\u00a0h\u00a0{minutes}".rstrip("\u00a0")


def amount_fr(value: Any) -> str:
    """ "60 000,00 €"."""
    if value in (None, ""):
        return ""
    try:
        return french_amount(Decimal(str(value)))
    except (InvalidOperation, ValueError):
        return str(value)


def typo(value: Any) -> str:
    """French no-break spaces before ; : ! ? and inside « »."""
    return french_typography("" if value is None else str(value))


FILTERS: dict[str, Callable[..., Any]] = {
    "date_fr": date_fr,
    "datetime_fr": datetime_fr,
    "amount_fr": amount_fr,
    "typo": typo,
}
