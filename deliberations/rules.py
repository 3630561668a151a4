"""Legal rules of sittings, quorum, proxies, votes, numbering, transmission and publication.

Pure functions over plain values (no database), each citing its article of the Code
général des collectivités territoriales (CGCT). A broken rule raises
:class:`core.errors.DomainError` naming the rule.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from core import rules as calendar
from core.errors import DomainError

POPULATION_THRESHOLD = 3500
LIST_PUBLICATION_DAYS = 7
MINUTES_PUBLICATION_DAYS = 7
RECONVENE_MIN_DAYS = 3
RECOURS_MONTHS = 2
PROXY_MAX_CONSECUTIVE_SITTINGS = 3

RULE_CONVOCATION = "CGCT L2121-11 et L2121-12 (délai de convocation)"
RULE_QUORUM = "CGCT L2121-17 (quorum)"
RULE_PROXY = "CGCT L2121-20 (pouvoirs)"
RULE_MAJORITY = "CGCT L2121-20 (majorité des suffrages exprimés)"
RULE_METHOD = "CGCT L2121-21 (mode de scrutin)"
RULE_TOTALS = "Totaux du vote = présents + représentés"
RULE_PUBLICATION = "CGCT L2131-1 (publicité et caractère exécutoire)"
RULE_CTES = "@CTES (contrôle de légalité)"
RULE_NUMBERING = "Numérotation des délibérations"
RULE_SUBJECT = "Nomenclature des matières (@CTES)"


# --- Convocation ------------------------------------------------------------------------


def convocation_clear_days(*, population: int | None, is_epci: bool, urgency: bool = False) -> int:
    """Jours francs between convocation and sitting (CGCT L2121-11, L2121-12, L5211-1):
    3 in communes under 3,500 inhabitants, 5 in the others and in EPCI; 1 in urgency.
    An unknown population gets the longer delay, which is always lawful."""
    if urgency:
        return 1
    if is_epci or population is None or population >= POPULATION_THRESHOLD:
        return 5
    return 3


def latest_convocation_date(sitting_date: date, clear_days: int) -> date:
    """The last day the convocation may be sent (jours francs: neither end counted, CGCT L2121-12)."""
    return calendar.latest_day_before_clear_days(sitting_date, clear_days)


def check_convocation(
    *,
    sitting_date: date,
    convocation_date: date,
    population: int | None,
    is_epci: bool,
    urgency: bool,
    urgency_reason: str = "",
    clear_days_override: int | None = None,
) -> int:
    """Refuse a late convocation unless urgency is stated (CGCT L2121-11, L2121-12). Returns the delay applied."""
    if convocation_date > sitting_date:
        raise DomainError(
            "La convocation ne peut pas être envoyée après la séance.", rule=RULE_CONVOCATION, field="convocation_date"
        )
    if urgency and not urgency_reason.strip():
        raise DomainError(
            "L'urgence doit être motivée : indiquez son motif.", rule=RULE_CONVOCATION, field="urgency_reason"
        )
    normal = clear_days_override or convocation_clear_days(population=population, is_epci=is_epci)
    required = convocation_clear_days(population=population, is_epci=is_epci, urgency=True) if urgency else normal
    latest = latest_convocation_date(sitting_date, required)
    if convocation_date > latest:
        from core.formatting import french_date

        given = calendar.clear_days_between(convocation_date, sitting_date)
        hint = "" if urgency else " En cas d'urgence motivée, le délai peut être abrégé à un jour franc."
        raise DomainError(
            f"Convocation trop tardive : {required} jour(s) franc(s) sont exigés entre l'envoi et la séance "
            f"({given} seulement) ; elle devait partir le {french_date(latest)} au plus tard.{hint}",
            rule=RULE_CONVOCATION,
            field="convocation_date",
        )
    return required


def check_reconvened_date(*, first_sitting: date, new_sitting: date) -> None:
    """A sitting re-convened after a failed quorum is held at least three days later (CGCT L2121-17)."""
    if (new_sitting - first_sitting).days < RECONVENE_MIN_DAYS:
        from core.formatting import french_date

        earliest = first_sitting + timedelta(days=RECONVENE_MIN_DAYS)
        raise DomainError(
            f"La séance reconvoquée faute de quorum doit se tenir trois jours au moins après la première, "
            f"soit le {french_date(earliest)} au plus tôt.",
            rule=RULE_QUORUM,
            field="starts_at",
        )


# --- Quorum -----------------------------------------------------------------------------


def quorum_needed(members_in_office: int) -> int:
    """Members physically present needed: more than half of those in office (CGCT L2121-17).
    65 in office → 33 (35 > 32.5)."""
    return members_in_office // 2 + 1


def has_quorum(*, present: int, members_in_office: int) -> bool:
    """More than half of the members in office are physically present; proxies do not count (CGCT L2121-17)."""
    return members_in_office > 0 and present * 2 > members_in_office


def check_quorum(*, present: int, members_in_office: int, reconvened: bool = False) -> None:
    """An item without quorum cannot be voted, except in a sitting re-convened for lack of quorum (CGCT L2121-17)."""
    if reconvened or has_quorum(present=present, members_in_office=members_in_office):
        return
    raise DomainError(
        f"Quorum non atteint : {present} membre(s) présent(s) sur {members_in_office} en exercice, "
        f"il en faut au moins {quorum_needed(members_in_office)} (plus de la moitié ; les pouvoirs ne comptent pas). "
        f"Le point ne peut pas être voté : reconvoquez le conseil trois jours au moins plus tard.",
        rule=RULE_QUORUM,
    )


# --- Proxies ----------------------------------------------------------------------------


def check_proxy(
    *,
    giver_name: str,
    holder_name: str,
    same_person: bool,
    giver_in_office: bool,
    holder_in_office: bool,
    giver_present: bool,
    holder_present: bool,
    holder_other_proxy_giver: str | None,
    giver_other_proxy_holder: str | None,
    consecutive_sittings: int,
    illness: bool,
) -> None:
    """The conditions of a pouvoir (CGCT L2121-20): written by a member in office to another,
    the giver absent and the holder present, one proxy per holder (and one per giver),
    valid for at most three consecutive sittings except illness."""
    if same_person:
        raise DomainError("Un élu ne peut pas se donner pouvoir à lui-même.", rule=RULE_PROXY, field="holder")
    if not giver_in_office:
        raise DomainError(
            f"{giver_name} n'est pas membre en exercice de l'assemblée à la date de la séance.",
            rule=RULE_PROXY,
            field="giver",
        )
    if not holder_in_office:
        raise DomainError(
            f"{holder_name} n'est pas membre en exercice : seul un membre du conseil peut recevoir un pouvoir.",
            rule=RULE_PROXY,
            field="holder",
        )
    if giver_present:
        raise DomainError(
            f"{giver_name} est présent(e) : seul un membre absent peut donner pouvoir.", rule=RULE_PROXY, field="giver"
        )
    if not holder_present:
        raise DomainError(
            f"{holder_name} est absent(e) : le mandataire doit être présent pour voter au nom de son mandant.",
            rule=RULE_PROXY,
            field="holder",
        )
    if holder_other_proxy_giver is not None:
        raise DomainError(
            f"{holder_name} détient déjà le pouvoir de {holder_other_proxy_giver} : "
            f"un même élu ne peut détenir qu'un seul pouvoir.",
            rule=RULE_PROXY,
            field="holder",
        )
    if giver_other_proxy_holder is not None:
        raise DomainError(
            f"{giver_name} a déjà donné pouvoir à {giver_other_proxy_holder} pour cette séance ; révoquez-le d'abord.",
            rule=RULE_PROXY,
            field="giver",
        )
    if consecutive_sittings > PROXY_MAX_CONSECUTIVE_SITTINGS and not illness:
        raise DomainError(
            f"Ce pouvoir servirait à une {consecutive_sittings}e séance consécutive : un pouvoir ne vaut que "
            f"pour trois séances consécutives au plus, sauf maladie dûment constatée.",
            rule=RULE_PROXY,
            field="written_on",
        )


# --- Votes ------------------------------------------------------------------------------


METHOD_SHOW_OF_HANDS = "show_of_hands"
METHOD_PUBLIC_BALLOT = "public_ballot"
METHOD_SECRET_BALLOT = "secret_ballot"
METHOD_LABELS = {
    METHOD_SHOW_OF_HANDS: "à main levée",
    METHOD_PUBLIC_BALLOT: "au scrutin public",
    METHOD_SECRET_BALLOT: "au scrutin secret",
}
CHOICE_FOR, CHOICE_AGAINST, CHOICE_ABSTAIN, CHOICE_NOT_VOTING = "for", "against", "abstain", "not_voting"


def check_vote_method(*, method: str, requested_by: int | None, present: int, appointment: bool = False) -> None:
    """Show of hands by default; public ballot at the request of a quarter of the members
    present; secret ballot at the request of a third, or for an appointment (CGCT L2121-21).
    ``requested_by`` None means the request is not recorded and is not checked."""
    if method not in METHOD_LABELS:
        raise DomainError(f"Mode de scrutin inconnu : « {method} ».", rule=RULE_METHOD, field="method")
    if method == METHOD_SHOW_OF_HANDS or requested_by is None or appointment:
        return
    fraction, label = (4, "du quart") if method == METHOD_PUBLIC_BALLOT else (3, "du tiers")
    if requested_by * fraction < present:
        raise DomainError(
            f"Le vote {METHOD_LABELS[method]} doit être demandé par au moins {label} des membres présents "
            f"({requested_by} demande(s) pour {present} présents).",
            rule=RULE_METHOD,
            field="method",
        )


def check_vote_totals(
    *, votes_for: int, votes_against: int, abstentions: int, not_voting: int, present: int, represented: int
) -> None:
    """Pour + contre + abstention + ne prend pas part = members present + members represented for the item."""
    for value, label in (
        (votes_for, "pour"),
        (votes_against, "contre"),
        (abstentions, "abstentions"),
        (not_voting, "ne prend pas part"),
    ):
        if value < 0:
            raise DomainError(f"Le total « {label} » ne peut pas être négatif.", rule=RULE_TOTALS, field="votes_for")
    total = votes_for + votes_against + abstentions + not_voting
    expected = present + represented
    if total != expected:
        raise DomainError(
            f"Les totaux ({votes_for} pour, {votes_against} contre, {abstentions} abstention(s), "
            f"{not_voting} ne prenant pas part) font {total} voix ; il en faut exactement {expected} "
            f"({present} présent(s) + {represented} représenté(s) pour ce point).",
            rule=RULE_TOTALS,
            field="votes_for",
        )


@dataclass(frozen=True)
class Outcome:
    adopted: bool
    casting_vote: bool
    text: str  # "adoptée à l'unanimité", "rejetée", …


def vote_outcome(
    *,
    votes_for: int,
    votes_against: int,
    abstentions: int,
    not_voting: int,
    method: str,
    president_choice: str | None = None,
) -> Outcome:
    """Absolute majority of the votes cast (pour + contre; abstentions and members not taking
    part are not votes cast). On a tie the president's vote decides, except in a secret
    ballot, where a tie rejects (CGCT L2121-20). "À l'unanimité" when every member present
    or represented voted for; "à l'unanimité des suffrages exprimés" when all votes cast
    are for but some abstained or did not take part."""
    cast = votes_for + votes_against
    if votes_for > votes_against:
        if votes_against == 0:
            if abstentions == 0 and not_voting == 0:
                return Outcome(True, False, "adoptée à l'unanimité")
            return Outcome(True, False, "adoptée à l'unanimité des suffrages exprimés")
        return Outcome(True, False, "adoptée à la majorité des suffrages exprimés")
    if votes_for < votes_against or cast == 0:
        return Outcome(False, False, "rejetée" if cast else "rejetée, faute de suffrage exprimé")
    # A tie.
    if method == METHOD_SECRET_BALLOT:
        return Outcome(False, False, "rejetée, le partage égal des voix au scrutin secret valant rejet")
    if president_choice is None:
        raise DomainError(
            f"Partage égal des voix ({votes_for} pour, {votes_against} contre) : indiquez le vote du président, "
            f"dont la voix est prépondérante.",
            rule=RULE_MAJORITY,
            field="president_choice",
        )
    if president_choice == CHOICE_FOR:
        return Outcome(True, True, "adoptée, la voix du président étant prépondérante")
    if president_choice == CHOICE_AGAINST:
        return Outcome(False, True, "rejetée, la voix du président étant prépondérante")
    return Outcome(False, False, "rejetée, faute de majorité (le président n'ayant pas pris part au partage)")


# --- Numbering ----------------------------------------------------------------------------

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


_SUBJECT = re.compile(r"^[1-9][0-9]?(\.[0-9]{1,2}){0,3}$")


def check_subject_code(code: str) -> str:
    """A matière of the préfecture's nomenclature: dotted digits such as 7.5 or 1.1.2."""
    code = code.strip()
    if code and not _SUBJECT.match(code):
        raise DomainError(
            f"Matière « {code} » invalide : attendu un code à points de la nomenclature, par exemple 7.5.",
            rule=RULE_SUBJECT,
            field="subject_code",
        )
    return code


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
