"""Legal and date rules of partnership conventions. Pure functions over plain values.

The calendar arithmetic itself (months clamped to the month's end, jours ouvrés with the
French public holidays and Alsace-Moselle) lives in :mod:`core.rules`; this module says
how a convention's clauses use it. Each function cites the clause or article it applies;
"DDD" is the Défenseur des droits' "Egalité contre racisme" convention, "FLAG !" the
Montpellier convention of 2024 (see DESIGN.md, "Conventions").
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

# Clause texts are templates rendered in the documents' sandbox (conventions.rules.clauses).
from conventions.rules.clauses import (  # noqa: F401
    CLAUSE_RULE,
    EMPTY_VALUES,
    EXAMPLE_VALUES,
    VARIABLES,
    check_library_clause,
    clause_variables,
    format_value,
    french_list,
    render_clause,
)

# Signatures and the notices resting on them live in their own module, re-exported here.
from conventions.rules.signatures import (  # noqa: F401
    CORRECTION_RULE,
    NOTICE_AFTER_START_RULE,
    SINGLE_SIGNATURE_RULE,
    check_not_signed_yet,
    check_notice_after_start,
    check_signature_correction,
    notice_earliest_date,
)
from core import rules as calendar
from core.errors import DomainError
from core.formatting import french_date

# Units of a delay written in a convention ("deux mois", "30 jours", "15 jours ouvrés").
MONTHS = "months"
CALENDAR_DAYS = "days"
WORKING_DAYS = "working_days"
DELAY_UNITS = (MONTHS, CALENDAR_DAYS, WORKING_DAYS)

# Start events (DESIGN "Conventions" 1).
START_SIGNATURE = "signature"
START_NOTIFICATION = "notification"
START_FIXED_DATE = "fixed_date"


@dataclass(frozen=True)
class Delay:
    """A delay as a convention writes it: a number of months, calendar days or working days."""

    value: int
    unit: str = MONTHS

    def __post_init__(self) -> None:
        if self.value < 0:
            raise DomainError("Un délai ne peut pas être négatif.", rule="Délai conventionnel")
        if self.unit not in DELAY_UNITS:
            raise DomainError(f"Unité de délai inconnue : « {self.unit} ».", rule="Délai conventionnel")

    def describe(self) -> str:
        """ "deux mois" style text for pages and letters ("2 mois", "30 jours", "15 jours ouvrés")."""
        if self.unit == MONTHS:
            return f"{self.value} mois"
        if self.unit == WORKING_DAYS:
            return f"{self.value} jour{'s' if self.value > 1 else ''} ouvré{'s' if self.value > 1 else ''}"
        return f"{self.value} jour{'s' if self.value > 1 else ''}"


def add_delay(day: date, delay: Delay, subdivision: str | None = None) -> date:
    """``day`` moved forward by ``delay``: months keep the day number, clamped to the month's
    end (DESIGN "Conventions" 2); working days skip weekends and French public holidays."""
    if delay.value == 0:
        return day
    if delay.unit == MONTHS:
        return calendar.add_months(day, delay.value)
    if delay.unit == WORKING_DAYS:
        return calendar.add_working_days(day, delay.value, subdivision)
    return day + timedelta(days=delay.value)


def subtract_delay(day: date, delay: Delay, subdivision: str | None = None) -> date:
    """``day`` moved back by ``delay`` (months clamped to the month's end; working days skip holidays)."""
    if delay.value == 0:
        return day
    if delay.unit == MONTHS:
        return calendar.add_months(day, -delay.value)
    if delay.unit == WORKING_DAYS:
        current, counted = day, 0
        while counted < delay.value:
            current -= timedelta(days=1)
            if calendar.is_working_day(current, subdivision):
                counted += 1
        return current
    return day - timedelta(days=delay.value)


# --- Term: start, duration, end --------------------------------------------------------


def effective_start(
    *,
    start_event: str,
    signature_dates: Iterable[date | None],
    notification_date: date | None = None,
    fixed_date: date | None = None,
) -> date | None:
    """The date the convention takes effect (DESIGN "Conventions" 1).

    * signature: the day the last party signs ("prend effet à compter de la date de sa
      signature par les deux parties", FLAG !); unknown while a party has not signed;
    * notification: the day it is notified to the partner;
    * a fixed date written in the convention.
    """
    if start_event == START_SIGNATURE:
        dates = list(signature_dates)
        if not dates or any(d is None for d in dates):
            return None
        return max(d for d in dates if d is not None)
    if start_event == START_NOTIFICATION:
        return notification_date
    if start_event == START_FIXED_DATE:
        return fixed_date
    raise DomainError(f"Événement de départ inconnu : « {start_event} ».", rule="Durée de la convention")


def end_date(start: date, *, months: int, days: int = 0) -> date:
    """Last day covered by the convention: start + duration − 1 day (DESIGN "Conventions" 1).

    FLAG ! signed on 2 May 2024 for three years → covered until 1 May 2027."""
    if months < 0 or days < 0 or months + days == 0:
        raise DomainError(
            "La durée de la convention doit être positive (en mois et/ou en jours).",
            rule="Durée de la convention",
            field="duration_months",
        )
    return calendar.last_day_covered(start, months=months, days=days)


def renewed_end_date(current_end: date, *, months: int, days: int = 0) -> date:
    """End of the next period after a tacit renewal: a new term starting the day after the end."""
    return end_date(current_end + timedelta(days=1), months=months, days=days)


def renewal_decision_date(end: date, lead_months: int) -> date:
    """The day to decide on an express renewal: the end minus the organization's lead
    (a new deliberation is needed before the end, as Montpellier did for FLAG ! in March 2024)."""
    return calendar.add_months(end, -lead_months)


def tacit_renewal_notice_last_day(end: date, notice: Delay, subdivision: str | None = None) -> date:
    """Last day to give notice so that the convention is *not* renewed tacitly: the notice
    must be given ``notice`` before the end of the current period (DESIGN "Conventions" 3)."""
    return subtract_delay(end, notice, subdivision)


def tacit_renewal_due(*, end: date, today: date, renewals_done: int, renewals_allowed: int) -> bool:
    """Whether a tacitly renewable convention renews on ``today``: its period is over and it
    may still be renewed (N times at most)."""
    return today > end and renewals_done < renewals_allowed


# --- Termination (résiliation, dénonciation) --------------------------------------------


def termination_effective_date(received_on: date, notice: Delay, subdivision: str | None = None) -> date:
    """Date the termination takes effect: the receipt of the registered letter plus the notice
    period (DDD art. 6: "préavis de deux mois par lettre recommandée avec accusé de réception";
    months keep the day number, clamped to the month's end: 31 December + 2 months → 28/29
    February). With no notice (FLAG ! "à tout moment"), the day of receipt."""
    return add_delay(received_on, notice, subdivision)


def data_withdrawal_end(effective: date, delay: Delay, subdivision: str | None = None) -> date:
    """End of the period left to withdraw the partner's data after termination (DDD art. 6:
    "un délai raisonnable qui ne pourra être inférieur à un mois")."""
    return add_delay(effective, delay, subdivision)


def check_notice_dates(*, sent_on: date | None, received_on: date | None) -> None:
    """A registered letter cannot be received before it is sent."""
    if sent_on and received_on and received_on < sent_on:
        raise DomainError(
            f"La date de réception ({french_date(received_on)}) précède la date d'envoi ({french_date(sent_on)}).",
            rule="Lettre recommandée avec accusé de réception",
            field="received_on",
        )


# --- Annual evaluation ------------------------------------------------------------------


def evaluation_due_dates(start: date, end: date) -> list[date]:
    """One evaluation per year of the term, each due on the last day of that year
    (DDD art. 6: "soumise à une évaluation annuelle"); a trailing part-year is evaluated
    on the end date. A 3-year convention from 2 May 2024 → 1 May 2025, 2026 and 2027."""
    dates: list[date] = []
    year = 1
    while True:
        due = calendar.last_day_covered(start, months=12 * year)
        if due >= end:
            break
        dates.append(due)
        year += 1
    if end >= start:
        dates.append(end)
    return dates


# --- Comité de suivi ------------------------------------------------------------------

COMMITTEE_RULE = "Comité de suivi : délai de convocation en jours ouvrés (DDD art. 4.2)"


def committee_convocation_deadline(meeting: date, working_days: int, subdivision: str | None = None) -> date:
    """Last day to convene a comité de suivi: ``working_days`` jours ouvrés between the
    convocation and the meeting, neither counted (DDD art. 4.2: "ne peut être inférieur à
    quinze jours ouvrés"; meeting 29 May 2024 → 2 May 2024, as 1, 8, 9 and 20 May are holidays)."""
    return calendar.latest_day_before_working_days(meeting, working_days, subdivision)


def check_committee_convocation(
    *, sent_on: date, meeting: date, working_days: int, urgency: bool, subdivision: str | None = None
) -> None:
    """Refuse a late convocation unless urgency is declared (DDD art. 4.2, "sauf urgence")."""
    if sent_on > meeting:
        raise DomainError(
            "La convocation ne peut pas être envoyée après la réunion.",
            rule=COMMITTEE_RULE,
            field="convocation_sent_on",
        )
    if urgency:
        return
    latest = committee_convocation_deadline(meeting, working_days, subdivision)
    if sent_on > latest:
        counted = calendar.working_days_between(sent_on, meeting, subdivision)
        raise DomainError(
            f"Convocation trop tardive : il faut {working_days} jours ouvrés entre la convocation et la réunion "
            f"du {french_date(meeting)} (jours fériés exclus), soit un envoi le {french_date(latest)} au plus tard ; "
            f"un envoi le {french_date(sent_on)} n'en laisse que {counted}. Déclarez l'urgence si elle est justifiée.",
            rule=COMMITTEE_RULE,
            field="convocation_sent_on",
        )


# --- Obligations ----------------------------------------------------------------------

ONCE = "once"
RECURRENCE_MONTHS = {"monthly": 1, "quarterly": 3, "yearly": 12}


def obligation_due_dates(first_due: date | None, recurrence: str, until: date | None, *, limit: int = 60) -> list[date]:
    """Due dates of an engagement: once, or every month/quarter/year from the first due
    date until the convention's end (at most ``limit`` occurrences)."""
    if first_due is None:
        return []
    if recurrence == ONCE or until is None:
        return [first_due]
    step = RECURRENCE_MONTHS.get(recurrence)
    if step is None:
        raise DomainError(f"Périodicité inconnue : « {recurrence} ».", rule="Engagements des parties")
    dates: list[date] = []
    n = 0
    while len(dates) < limit:
        due = calendar.add_months(first_due, step * n)
        if due > until:
            break
        dates.append(due)
        n += 1
    return dates


# --- Perimeter (FLAG ! "périmètre fonctionnel et géographique") ---------------------------

_POSTAL_CODE = re.compile(r"^(0[1-9]|[1-8][0-9]|9[0-8])[0-9]{3}$")
PERIMETER_RULE = "Périmètre de la convention"


def normalize_postal_code(value: str) -> str:
    """A French postal code, 5 digits ("34 000" as FLAG ! writes it → "34000")."""
    compact = re.sub(r"[\s\u00a0\u202f]", "", str(value))
    if not _POSTAL_CODE.match(compact):
        raise DomainError(
            f"Le code postal « {value} » est invalide : il faut 5 chiffres, département 01 à 98 (par exemple 34000).",
            rule=PERIMETER_RULE,
            field="perimeter_postal_codes",
        )
    return compact


def normalize_postal_codes(values: Iterable[str]) -> list[str]:
    """Each code checked, duplicates removed, order kept."""
    seen: list[str] = []
    for value in values:
        if not str(value).strip():
            continue
        code = normalize_postal_code(value)
        if code not in seen:
            seen.append(code)
    return seen


_URL = URLValidator(schemes=["http", "https"])


def normalize_url(value: str) -> str:
    """An http(s) address (FLAG !: "https://signalement.flagasso.com/reporting/partner/montpellier")."""
    text = str(value).strip()
    try:
        _URL(text)
    except ValidationError as exc:
        raise DomainError(
            f"L'adresse « {value} » n'est pas une URL valide (http:// ou https://).",
            rule=PERIMETER_RULE,
            field="perimeter_urls",
        ) from exc
    return text


def normalize_urls(values: Iterable[str]) -> list[str]:
    seen: list[str] = []
    for value in values:
        if not str(value).strip():
            continue
        url = normalize_url(value)
        if url not in seen:
            seen.append(url)
    return seen


def split_lines(text: str) -> list[str]:
    """Values typed one per line or separated by commas/semicolons in a form."""
    return [part.strip() for part in re.split(r"[\n;,]+", text or "") if part.strip()]


# --- Avenants ----------------------------------------------------------------------


def next_amendment_number(existing: Iterable[int]) -> int:
    """Avenants are numbered 1, 2, … per convention, without gaps (DESIGN "Conventions" 6)."""
    numbers = sorted(existing)
    return (numbers[-1] if numbers else 0) + 1


def check_amendment_end(*, start: date, new_end: date) -> None:
    if new_end < start:
        raise DomainError(
            f"La nouvelle date de fin ({french_date(new_end)}) précède la prise d'effet ({french_date(start)}).",
            rule="Avenant : effet sur la durée",
            field="new_end_date",
        )


def check_signature_date(*, signed_on: date, approved_on: date | None, today: date) -> None:
    """A party signs after approval and not in the future."""
    if signed_on > today:
        raise DomainError(
            f"La date de signature ({french_date(signed_on)}) est dans le futur.", rule="Signature", field="signed_on"
        )
    if approved_on and signed_on < approved_on:
        raise DomainError(
            f"La signature ({french_date(signed_on)}) ne peut pas précéder l'approbation ({french_date(approved_on)}).",
            rule="Signature après approbation",
            field="signed_on",
        )


# --- Programmes ------------------------------------------------------------------------

PROGRAMME_RULE = "Programme"
BUDGET_RULE = "Programme : budget annuel"
FIRST_BUDGET_YEAR, LAST_BUDGET_YEAR = 2000, 2100


def check_programme_period(*, start: date | None, end: date | None) -> None:
    """A programme ends on or after the day it starts."""
    if start and end and end < start:
        raise DomainError(
            f"La fin du programme ({french_date(end)}) précède son début ({french_date(start)}).",
            rule=PROGRAMME_RULE,
            field="end_date",
        )


def year_outside_period(year: int, *, start: date | None, end: date | None) -> bool:
    """Whether a year falls outside a programme's period (an open end covers every year)."""
    return bool((start and year < start.year) or (end and year > end.year))


def check_budget_year(year: int, *, start: date | None, end: date | None) -> None:
    """A yearly budget is for a year of the programme's period (when the period is known)."""
    if not FIRST_BUDGET_YEAR <= year <= LAST_BUDGET_YEAR:
        raise DomainError(
            f"Année invalide : {year} (entre {FIRST_BUDGET_YEAR} et {LAST_BUDGET_YEAR}).",
            rule=BUDGET_RULE,
            field="year",
        )
    if year_outside_period(year, start=start, end=end):
        period = f"{start.year if start else '…'}–{end.year if end else '…'}"
        raise DomainError(
            f"L'année {year} est hors de la période du programme ({period}).", rule=BUDGET_RULE, field="year"
        )


def years_covered(start: date, end: date | None) -> range:
    """The calendar years a period touches, first to last."""
    return range(start.year, (end or start).year + 1)


def check_budget_removable(year: int, committed: Iterable[tuple[str, date, date | None]]) -> None:
    """A year's budget is not removed while conventions of the programme commit amounts that
    year: ``committed`` gives each such convention's reference and the period its amount covers."""
    references = sorted(ref for ref, start, end in committed if year in years_covered(start, end))
    if references:
        shown = ", ".join(references[:5]) + (" …" if len(references) > 5 else "")
        raise DomainError(
            f"Le budget {year} ne peut pas être supprimé : des conventions du programme y engagent des montants "
            f"({shown}). Modifiez-le plutôt.",
            rule=BUDGET_RULE,
            field="year",
        )
