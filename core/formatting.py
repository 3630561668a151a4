"""French formatting for pages and documents: dates, amounts, typography."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal

from django.utils.translation import gettext, ngettext

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


def french_number(value: int | Decimal) -> str:
    """ "1 234" with narrow no-break spaces; a count, never a year (years print as they are)."""
    integer = int(value)
    digits = str(abs(integer))
    groups: list[str] = []
    while digits:
        groups.insert(0, digits[-3:])
        digits = digits[:-3]
    return ("-" if integer < 0 else "") + NNBSP.join(groups)


def french_duration(days: int) -> str:
    """A number of days in the unit a person would say: "5 jours", "2 mois", "3 ans".

    Under a month it counts days; under a year, months (30.44 days each, rounded); beyond,
    years (365.25 days each, rounded): 1 092 days is "3 ans", 45 days "1 mois".
    """
    days = abs(days)
    if days < 31:
        return ngettext("%(n)s jour", "%(n)s jours", days) % {"n": days}
    if days < 365:
        months = max(1, round(days / 30.44))
        return ngettext("%(n)s mois", "%(n)s mois", months) % {"n": months}
    years = max(1, round(days / 365.25))
    return ngettext("%(n)s an", "%(n)s ans", years) % {"n": years}


def french_relative(days: int) -> str:
    """How far a day is from today, as said in French: "aujourd'hui", "demain", "hier",
    "dans 3 ans", "dans 2 mois", "il y a 5 jours" (``days`` is the day minus today)."""
    if days == 0:
        return gettext("aujourd'hui")
    if days == 1:
        return gettext("demain")
    if days == -1:
        return gettext("hier")
    if days > 0:
        return gettext("dans %(duree)s") % {"duree": french_duration(days)}
    return gettext("il y a %(duree)s") % {"duree": french_duration(days)}


def french_datetime(value: datetime) -> str:
    """ "3 décembre 2029 à 14 h 30" (in the time zone ``value`` carries)."""
    return gettext("%(date)s à %(heure)s") % {"date": french_date(value), "heure": f"{value.hour} h {value.minute:02d}"}


def french_value(value: object) -> str:
    """Any stored value as a person reads it: dates in words, amounts with their separators,
    yes/no, a dash for nothing. Choices and foreign keys are named by the caller, which knows
    the field (``core.history``)."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return gettext("oui") if value else gettext("non")
    if isinstance(value, datetime):
        return french_datetime(value)
    if isinstance(value, date):
        return french_date(value)
    if isinstance(value, Decimal):
        return french_amount(value)
    if isinstance(value, int):
        return french_number(value)
    if isinstance(value, (list, tuple)):
        return ", ".join(french_value(item) for item in value) or "—"
    if isinstance(value, dict):
        return "; ".join(f"{key} : {french_value(item)}" for key, item in value.items()) or "—"
    return str(value)
