"""Signatures of a convention and what rests on them: one signature per party, a date
corrected only on purpose, a notice of termination given once the convention has started.
Pure functions over plain values; each cites the clause or article it applies."""

from __future__ import annotations

from datetime import date

from django.utils.translation import gettext as _

from core.errors import DomainError
from core.formatting import french_date

# Rule names are identifiers quoted by pages and API answers, like the other rules' names.
SINGLE_SIGNATURE_RULE = "Signature unique de chaque partie"
CORRECTION_RULE = "Correction d'une date de signature"
NOTICE_AFTER_START_RULE = "Dénonciation d'une convention signée, après sa prise d'effet"


def check_not_signed_yet(*, party_name: str, signed_on: date | None) -> None:
    """A party signs a convention once (DESIGN "Conventions" 1: the term runs from the
    signatures): signing again would silently move the start; a wrong date is corrected."""
    if signed_on is not None:
        raise DomainError(
            _(
                "%(party)s a déjà signé la convention, le %(day)s. Pour corriger cette date, utilisez "
                "« Corriger une date de signature » avec son motif."
            )
            % {"party": party_name, "day": french_date(signed_on)},
            rule=SINGLE_SIGNATURE_RULE,
            field="party",
        )


def check_signature_correction(*, party_name: str, recorded: date | None, corrected: date, reason: str) -> None:
    """A signature date is corrected only for a party that has signed, to another date, with
    the reason kept in the history (DESIGN "Conventions" 1: the start and the end follow it)."""
    if recorded is None:
        raise DomainError(
            _("%(party)s n'a pas encore signé : enregistrez sa signature.") % {"party": party_name},
            rule=CORRECTION_RULE,
            field="party",
        )
    if corrected == recorded:
        raise DomainError(
            _("La signature de %(party)s est déjà datée du %(day)s.")
            % {"party": party_name, "day": french_date(recorded)},
            rule=CORRECTION_RULE,
            field="signed_on",
        )
    if not reason.strip():
        raise DomainError(
            _("Indiquez le motif de la correction : il est conservé dans l'historique."),
            rule=CORRECTION_RULE,
            field="reason",
        )


def notice_earliest_date(*, signed_on: date | None, effective_date: date | None) -> date | None:
    """The first day a notice of termination may bear: the convention's start, and never before
    its signature (a fixed start may precede the signatures). None while it is unsigned."""
    if signed_on is None:
        return None
    return max(signed_on, effective_date) if effective_date else signed_on


def check_notice_after_start(
    *, signed_on: date | None, effective_date: date | None, dates: dict[str, date | None]
) -> None:
    """A notice of termination is given on a signed convention, dated on or after its start
    (DESIGN "Conventions" 2; C. civ. art. 1103: only a contract formed binds, and so can be
    denounced). ``dates`` maps each form field (sent_on, received_on) to its date."""
    earliest = notice_earliest_date(signed_on=signed_on, effective_date=effective_date)
    if earliest is None:
        raise DomainError(
            _("Seule une convention signée par toutes les parties peut être dénoncée."),
            rule=NOTICE_AFTER_START_RULE,
            field="convention",
        )
    for field, day in dates.items():
        if day is not None and day < earliest:
            raise DomainError(
                _("La dénonciation (%(day)s) précède la prise d'effet de la convention (%(start)s).")
                % {"day": french_date(day), "start": french_date(earliest)},
                rule=NOTICE_AFTER_START_RULE,
                field=field,
            )
