"""Rules of acts: numbering, subject codes, @CTES transmission, publication and
enforceability, annexes (CGCT L2131-1)."""

from __future__ import annotations

import re
import string
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from core import rules as calendar
from core.errors import DomainError
from deliberations.rules.articles import (
    LIST_PUBLICATION_DAYS,
    MINUTES_PUBLICATION_DAYS,
    RECOURS_MONTHS,
    RULE_CTES,
    RULE_NUMBERING,
    RULE_PUBLICATION,
)
from deliberations.rules.matieres import check_matiere

_ALLOWED_FIELDS = {"year", "seq"}
_FORMAT_SPEC = re.compile(r"^0?[0-9]{0,2}d?$")


def check_numbering_pattern(pattern: str) -> None:
    """A numbering pattern uses only {year} and {seq} (with an optional width, {seq:03}) and contains {seq}."""
    try:
        fields = list(string.Formatter().parse(pattern))
    except ValueError as exc:
        raise DomainError(f"Modèle de numéro illisible : « {pattern} » ({exc}).", rule=RULE_NUMBERING, field="pattern")
    names = set()
    for _literal, name, spec, conversion in fields:
        if name is None:
            continue
        if name not in _ALLOWED_FIELDS or conversion or not _FORMAT_SPEC.match(spec or ""):
            raise DomainError(
                f"Modèle de numéro « {pattern} » : seuls {{year}} et {{seq}} (par exemple {{seq:03}}) sont permis.",
                rule=RULE_NUMBERING,
                field="pattern",
            )
        names.add(name)
    if "seq" not in names:
        raise DomainError(
            f"Le modèle de numéro « {pattern} » doit contenir {{seq}}, le rang de la délibération.",
            rule=RULE_NUMBERING,
            field="pattern",
        )


def format_number(pattern: str, *, year: int, seq: int) -> str:
    """``v{year}-{seq:03}``, 2024, 67 → ``v2024-067``; ``{year}_CT2_{seq}``, 2019, 587 → ``2019_CT2_587``."""
    check_numbering_pattern(pattern)
    return pattern.format(year=year, seq=seq)


NEXT_NUMBER_MAX = 999_999


def check_next_number(*, next_value: int, highest_used: int) -> None:
    """The rank the next deliberation of a series will get, set by an administrator so that a
    collectivité starting mid-year continues from its last number: at least 1, and above
    every rank already given in the series, so that no number is given twice (the counter
    then hands out consecutive ranks, without gaps)."""
    if next_value < 1 or next_value > NEXT_NUMBER_MAX:
        raise DomainError(
            f"Le prochain rang doit être compris entre 1 et {NEXT_NUMBER_MAX}.",
            rule=RULE_NUMBERING,
            field="next_value",
        )
    if next_value <= highest_used:
        raise DomainError(
            f"Le rang {next_value} est déjà attribué : le prochain numéro ne peut pas être inférieur à "
            f"{highest_used + 1}, le rang qui suit le dernier attribué.",
            rule=RULE_NUMBERING,
            field="next_value",
        )


def colliding_numbers(pattern: str, *, year: int, after_seq: int, existing: Iterable[str]) -> list[str]:
    """The numbers already given that ``pattern`` would give again in ``year``, to ranks after
    ``after_seq`` (two deliberations of an assembly never share a number)."""
    check_numbering_pattern(pattern)
    regex = ""
    for literal, name, _spec, _conversion in string.Formatter().parse(pattern):
        regex += re.escape(literal)
        if name == "year":
            regex += re.escape(str(year))
        elif name == "seq":
            regex += r"\s*(?P<seq>[0-9]+)" if "(?P<seq>" not in regex else r"\s*(?P=seq)"
    compiled = re.compile(f"^{regex}$")
    found = []
    for number in existing:
        match = compiled.match(number)
        if match is None:
            continue
        seq = int(match.group("seq"))
        if seq > after_seq and format_number(pattern, year=year, seq=seq) == number:
            found.append(number)
    return sorted(found)


def pattern_has_year(pattern: str) -> bool:
    return any(name == "year" for _l, name, _s, _c in string.Formatter().parse(pattern))


def check_subject_code(code: str, known: Collection[str] | None = None) -> str:
    """A matière of the préfecture's @CTES nomenclature (dotted digits such as 7.5 or 1.1.2,
    whose first two levels are in the nomenclature: ``deliberations.rules.matieres``), or of
    the collectivité's imported classification (``known``)."""
    code = code.strip()
    return check_matiere(code, known) if code else code


# --- @CTES transmission --------------------------------------------------------------------

NATURES = {"DE": 1, "AR": 2, "AI": 3, "CC": 4, "BF": 5, "AU": 6}
_INTERNAL_NUMBER = re.compile(r"^([A-Z0-9][A-Z0-9_]{0,13})?[A-Z0-9]$")
_ACK = re.compile(
    r"^(?P<departement>[0-9]{2}[0-9AB])-(?P<siren>[0-9]{9})-(?P<date>[0-9]{8})-"
    r"(?P<number>[A-Z0-9_]{1,15})-(?P<nature>[A-Z]{2})(?P<suffix>(-[0-9]+)*)$"
)


def check_internal_number(value: str) -> str:
    """The act's internal number as @CTES accepts it: capitals, digits and _, 1 to 15 characters."""
    if not _INTERNAL_NUMBER.match(value):
        raise DomainError(
            f"Numéro interne « {value} » refusé par @CTES : 1 à 15 caractères parmi A-Z, 0-9 et _, "
            f"sans _ au début ni à la fin (par exemple 2019_CT2_587).",
            rule=RULE_CTES,
            field="internal_number",
        )
    return value


def suggest_internal_number(number: str) -> str:
    """A deliberation number made acceptable to @CTES: ``v2024-067`` → ``V2024_067``."""
    cleaned = re.sub(r"[^A-Z0-9_]", "_", number.upper()).strip("_")[:15].strip("_")
    return cleaned or "1"


def check_nature(nature: str) -> str:
    if nature not in NATURES:
        raise DomainError(
            f"Nature d'acte « {nature} » inconnue : DE, AR, AI, CC, BF ou AU.", rule=RULE_CTES, field="nature"
        )
    return nature


@dataclass(frozen=True)
class Acknowledgement:
    departement: str
    siren: str
    decision_date: date
    number: str
    nature: str
    suffix: str


def parse_acknowledgement(value: str) -> Acknowledgement:
    """Read an @CTES acknowledgement identifier ``DDD-SIREN-YYYYMMDD-NUMBER-NATURE[-1-1]``."""
    match = _ACK.match(value.strip())
    if not match:
        raise DomainError(
            f"Identifiant d'accusé de réception « {value} » illisible : attendu "
            f"DDD-SIREN-AAAAMMJJ-NUMÉRO-NATURE, par exemple 013-200054807-20191212-2019_CT2_587-DE.",
            rule=RULE_CTES,
            field="acknowledgement_id",
        )
    try:
        decided = datetime.strptime(match["date"], "%Y%m%d").date()  # noqa: DTZ007 (a calendar date, no time)
    except ValueError:
        raise DomainError(
            f"Identifiant d'accusé de réception « {value} » : la date {match['date']} n'existe pas.",
            rule=RULE_CTES,
            field="acknowledgement_id",
        )
    return Acknowledgement(
        match["departement"], match["siren"], decided, match["number"], match["nature"], match["suffix"].lstrip("-")
    )


def check_acknowledgement(
    value: str, *, departement: str, siren: str, decision_date: date, internal_number: str, nature: str
) -> Acknowledgement:
    """The acknowledgement identifier matches the act: département, SIREN, date of decision, internal number, nature."""
    ack = parse_acknowledgement(value)
    problems = []
    if departement and ack.departement != departement.zfill(3):
        problems.append(f"département {ack.departement} au lieu de {departement.zfill(3)}")
    if siren and ack.siren != siren:
        problems.append(f"SIREN {ack.siren} au lieu de {siren}")
    if ack.decision_date != decision_date:
        problems.append(f"date {ack.decision_date:%d/%m/%Y} au lieu de {decision_date:%d/%m/%Y} (date de la séance)")
    if ack.number != internal_number:
        problems.append(f"numéro {ack.number} au lieu de {internal_number}")
    if ack.nature != nature:
        problems.append(f"nature {ack.nature} au lieu de {nature}")
    if problems:
        raise DomainError(
            f"L'accusé de réception « {value} » ne correspond pas à cet acte : " + ", ".join(problems) + ".",
            rule=RULE_CTES,
            field="acknowledgement_id",
        )
    return ack


# --- Publication, enforceability, deadlines ------------------------------------------------


def enforceable_on(*, published_on: date | None, received_on: date | None, requires_transmission: bool) -> date | None:
    """An act is exécutoire once published and, when it must be, received by the préfet (CGCT L2131-1)."""
    if published_on is None:
        return None
    if not requires_transmission:
        return published_on
    if received_on is None:
        return None
    return max(published_on, received_on)


def recours_end(published_on: date, subdivision: str | None = None) -> date:
    """Last day to bring a recours: two months from publication (CJA R421-1), a délai franc
    (the day of publication and the day it falls are not counted), carried to the next
    working day when it ends on a Saturday, Sunday or public holiday. 9 April 2024 → 10 June 2024."""
    day = calendar.add_months(published_on, RECOURS_MONTHS) + timedelta(days=1)
    while not calendar.is_working_day(day, subdivision):
        day += timedelta(days=1)
    return day


def list_publication_deadline(sitting_date: date) -> date:
    """The list of deliberations examined is published within one week of the sitting (CGCT L2121-25)."""
    return sitting_date + timedelta(days=LIST_PUBLICATION_DAYS)


def minutes_publication_deadline(approved_on: date) -> date:
    """The procès-verbal is published within one week of its approval (CGCT L2121-15)."""
    return approved_on + timedelta(days=MINUTES_PUBLICATION_DAYS)


def check_publication_date(*, published_on: date, decided_on: date) -> None:
    """An act cannot be published before it is taken (CGCT L2131-1)."""
    if published_on < decided_on:
        raise DomainError(
            "La date de publication ne peut pas précéder la séance.", rule=RULE_PUBLICATION, field="published_on"
        )


# --- Annexes ------------------------------------------------------------------------------

_SIGNATURES = {
    b"%PDF-": ("application/pdf", {"pdf"}),
    b"PK\x03\x04": ("application/zip", {"docx", "xlsx", "pptx", "odt", "ods", "odp", "zip"}),
    b"\x89PNG\r\n\x1a\n": ("image/png", {"png"}),
    b"\xff\xd8\xff": ("image/jpeg", {"jpg", "jpeg"}),
}
_OFFICE_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "odt": "application/vnd.oasis.opendocument.text",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "odp": "application/vnd.oasis.opendocument.presentation",
    "zip": "application/zip",
}


def check_annex(*, filename: str, head: bytes, size: int, max_size: int) -> str:
    """An annex is a PDF, an office document or an image, recognised by its content (not its
    name) and not larger than ``max_size``. Returns its content type."""
    if size <= 0:
        raise DomainError("Le fichier est vide.", rule="Annexes", field="file")
    if size > max_size:
        raise DomainError(
            f"Le fichier « {filename} » pèse {size / 1_048_576:.1f} Mo ; "
            f"la limite est de {max_size / 1_048_576:.0f} Mo.",
            rule="Annexes",
            field="file",
        )
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    for magic, (content_type, extensions) in _SIGNATURES.items():
        if head.startswith(magic):
            if extension not in extensions:
                break
            return _OFFICE_TYPES.get(extension, content_type)
    raise DomainError(
        f"Le fichier « {filename} » n'est pas accepté : son contenu doit être un PDF, un document bureautique "
        f"(DOCX, XLSX, ODT…) ou une image (PNG, JPEG), conforme à son extension.",
        rule="Annexes",
        field="file",
    )
