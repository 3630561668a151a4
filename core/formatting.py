"""French formatting for pages and documents: dates, amounts, typography."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal

MONTHS = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
]
WEEKDAYS = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"]
NBSP = "\u00a0"
NNBSP = "\u202f"  # narrow no-break space, before ; ! ? in French typography


def french_date(value: date | datetime, *, weekday: bool = False) -> str:
    """ "26 mars 2024", "1er avril 2024", optionally "mardi 26 mars 2024"."""
    if isinstance(value, datetime):
        value = value.date()
    day = "1er" if value.day == 1 else str(value.day)
    text = f"{day} {MONTHS[value.month - 1]} {value.year}"
    return f"{WEEKDAYS[value.weekday()]} {text}" if weekday else text


def french_amount(value: Decimal | int | float) -> str:
    """ "60 000,00 €" with no-break spaces."""
    quantized = Decimal(value).quantize(Decimal("0.01"))
    integer, _, cents = f"{quantized:.2f}".partition(".")
    sign = "-" if integer.startswith("-") else ""
    digits = integer.lstrip("-")
    groups: list[str] = []
    while digits:
        groups.insert(0, digits[-3:])
        digits = digits[:-3]
    return f"{sign}{NNBSP.join(groups)},{cents}{NBSP}€"


_BEFORE_HIGH_PUNCT = re.compile(r"(?<=[^\s;!?])[ \u00a0\u202f]*([;!?]+)(?=\s|$)")
_BEFORE_COLON = re.compile(r"(?<=\S)[ \u00a0\u202f]*:(?=\s|$)")
_GUILLEMETS_OPEN = re.compile(r"«[ \u00a0\u202f]*")
_GUILLEMETS_CLOSE = re.compile(r"[ \u00a0\u202f]*»")


def french_typography(text: str) -> str:
    """No-break spaces before ; : ! ? and inside « » (Imprimerie nationale rules).

    Leaves URLs and times alone: a colon followed by a non-space ("https://", "10:30") is
    not punctuation.
    """
    text = _BEFORE_HIGH_PUNCT.sub(lambda m: NNBSP + m.group(1), text)
    text = _BEFORE_COLON.sub(NBSP + ":", text)
    text = _GUILLEMETS_OPEN.sub("«" + NBSP, text)
    text = _GUILLEMETS_CLOSE.sub(NBSP + "»", text)
    return text
