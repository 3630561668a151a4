"""Calendar rules shared by sittings, conventions and committees. Pure functions, no database.

French administrative law counts delays in three ways, each here once:

* calendar months, keeping the day number and clamped to the end of a shorter month;
* *jours francs* (clear days): neither the day of the starting act nor the day of the
  event counts (CGCT L2121-11/L2121-12 for convocations);
* *jours ouvrés* (working days): Monday to Friday that are not public holidays, with the
  local law of Alsace-Moselle (Good Friday, 26 December) where the collectivité is there.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from functools import lru_cache

import holidays
from dateutil.relativedelta import relativedelta

# Départements whose public holidays differ from the national list (python-holidays codes).
_HOLIDAY_SUBDIVISIONS = {
    "57": "57",
    "67": "6AE",
    "68": "6AE",
    "971": "971",
    "972": "972",
    "973": "973",
    "974": "974",
    "976": "976",
}


def holiday_subdivision(departement_code: str | None) -> str | None:
    """The python-holidays subdivision of a département (Alsace-Moselle, overseas), if any."""
    if not departement_code:
        return None
    code = departement_code.strip()
    if len(code) == 3 and code.startswith("0"):  # "057" as written in @CTES identifiers
        code = code[1:]
    return _HOLIDAY_SUBDIVISIONS.get(code)


@lru_cache(maxsize=256)
def _public_holidays(year: int, subdivision: str | None) -> frozenset[date]:
    return frozenset(holidays.France(years=year, subdiv=subdivision).keys())


def is_public_holiday(day: date, subdivision: str | None = None) -> bool:
    """French public holidays (Code du travail L3133-1; Alsace-Moselle: L3134-13)."""
    return day in _public_holidays(day.year, subdivision)


def is_working_day(day: date, subdivision: str | None = None) -> bool:
    """A jour ouvré: Monday to Friday, not a public holiday."""
    return day.weekday() < 5 and not is_public_holiday(day, subdivision)


def working_days_between(start: date, end: date, subdivision: str | None = None) -> int:
    """Working days strictly between two dates: neither end is counted."""
    count = 0
    day = start + timedelta(days=1)
    while day < end:
        if is_working_day(day, subdivision):
            count += 1
        day += timedelta(days=1)
    return count


def latest_day_before_working_days(event: date, working_days: int, subdivision: str | None = None) -> date:
    """The last day an act can be done so that ``working_days`` full working days lie
    between it and ``event``, neither day counted (e.g. a comité de suivi convened
    15 jours ouvrés ahead: meeting on 29 May 2024 → 2 May 2024)."""
    day = event
    counted = 0
    while counted < working_days:
        day -= timedelta(days=1)
        if is_working_day(day, subdivision):
            counted += 1
    return day - timedelta(days=1)


def add_working_days(start: date, working_days: int, subdivision: str | None = None) -> date:
    """The date ``working_days`` working days after ``start`` (start not counted)."""
    day = start
    counted = 0
    while counted < working_days:
        day += timedelta(days=1)
        if is_working_day(day, subdivision):
            counted += 1
    return day


def latest_day_before_clear_days(event: date, clear_days: int) -> date:
    """The last day an act can be done with ``clear_days`` jours francs before ``event``:
    neither the day of the act nor the day of the event counts (CGCT L2121-12: a sitting
    on 26 March 2024 with 5 jours francs → convocation on 20 March at the latest)."""
    return event - timedelta(days=clear_days + 1)


def clear_days_between(sent: date, event: date) -> int:
    """Jours francs between two dates: the days strictly between them."""
    return max((event - sent).days - 1, 0)


def add_months(day: date, months: int) -> date:
    """Calendar months, keeping the day number, clamped to the month's end (31 Jan + 1 → 28/29 Feb)."""
    return day + relativedelta(months=months)


def add_duration(start: date, *, months: int = 0, days: int = 0) -> date:
    """``start`` moved by a duration in months and days."""
    return add_months(start, months) + timedelta(days=days)


def last_day_covered(start: date, *, months: int = 0, days: int = 0) -> date:
    """Last day covered by a term running from ``start``: start + duration − 1 day."""
    return add_duration(start, months=months, days=days) - timedelta(days=1)


def first_date(dates: Iterable[date | None]) -> date | None:
    present = [d for d in dates if d is not None]
    return min(present) if present else None
