"""Rules of the @CTES package: what the préfecture's transmission platform accepts.

The @CTES specification of the Ministère de l'Intérieur (message ``actes:Acte``, namespace
``http://www.interieur.gouv.fr/ACTES#v1.1-20040216``, encoded ISO-8859-1) and the naming of
its files, as the certified operators (S2LOW, Pastell) apply them: the internal number, the
object, the nature and matière codes, the type of each piece (the *typologie des pièces*,
CodeTypePJ), the files' names and the 150 Mo limit of one transmission. Pure functions over
plain values; a refusal names the rule and what to change.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from core.errors import DomainError
from deliberations.rules.articles import RULE_CTES, RULE_SUBJECT

NAMESPACE = "http://www.interieur.gouv.fr/ACTES#v1.1-20040216"
ENCODING = "ISO-8859-1"

RULE_NUMBER = "@CTES : numéro interne de l'acte ([0-9A-Z_], 1 à 15 caractères)"
RULE_OBJECT = "@CTES : objet de l'acte (1 à 499 caractères)"
RULE_SIZE = "@CTES : taille d'une transmission (150 Mo au plus, acte et annexes)"
RULE_FORMAT = "@CTES : pièces transmises au format PDF"
RULE_TYPOLOGY = "@CTES : typologie des pièces (CodeTypePJ)"
RULE_EMITTER = "@CTES : identification de la collectivité (SIREN, département)"

NATURE_CODES = {"DE": 1, "AR": 2, "AI": 3, "CC": 4, "BF": 5, "AU": 6}
NATURE_OF_CODE = {number: nature for nature, number in NATURE_CODES.items()}
OBJECT_MAX_LENGTH = 499
NUMBER_MAX_LENGTH = 15
PACKAGE_MAX_BYTES = 150 * 1024 * 1024
MATIERE_MAX_LEVELS = 5

_NUMBER = re.compile(r"^([A-Z0-9][A-Z0-9_]{0,13})?[A-Z0-9]$")
_DEPARTEMENT = re.compile(r"^[0-9]{2}[0-9AB]$")
_SIREN = re.compile(r"^[0-9]{9}$")
_TYPE_CODE = re.compile(r"^[0-9]{2}_[A-Z]{2}$")
# Characters XML 1.0 cannot carry at all, even as a character reference.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


# --- Internal number -------------------------------------------------------------------------


def internal_number(number: str) -> str:
    """The act's internal number as @CTES accepts it (``NumeroInterne``: capitals, digits and
    ``_``, 1 to 15 characters, neither starting nor ending with ``_``), by one mapping shown to
    the user: letters in capitals without their accents, every other character ``_``, leading
    and trailing ``_`` dropped. ``v2024-067`` → ``V2024_067``; ``2019/CT2/587`` →
    ``2019_CT2_587``. A number that would still be longer than 15 characters is refused, never
    cut: two acts could then share one number at the préfecture."""
    letters = unicodedata.normalize("NFKD", number.strip().upper())
    letters = "".join(c for c in letters if not unicodedata.combining(c))
    mapped = re.sub(r"[^A-Z0-9_]", "_", letters).strip("_")
    if not mapped or len(mapped) > NUMBER_MAX_LENGTH or not _NUMBER.match(mapped):
        raise DomainError(
            f"Le numéro « {number} » ne peut pas servir de numéro interne @CTES : une fois écrit avec "
            f"A-Z, 0-9 et _, il donne « {mapped} », qui doit compter 1 à 15 caractères. "
            f"Indiquez un numéro interne à l'enregistrement de la transmission.",
            rule=RULE_NUMBER,
            field="internal_number",
        )
    return mapped


def check_internal_number(value: str) -> str:
    """A number given as is (by the user, or read back from the préfecture) is already in the
    @CTES form: ``[0-9A-Z_]``, 1 to 15 characters, no ``_`` at either end."""
    if not _NUMBER.match(value):
        raise DomainError(
            f"Numéro interne « {value} » refusé par @CTES : 1 à 15 caractères parmi A-Z, 0-9 et _, "
            f"sans _ au début ni à la fin.",
            rule=RULE_NUMBER,
            field="internal_number",
        )
    return value


# --- Object, nature, matière ----------------------------------------------------------------


def check_object(title: str) -> str:
    """The act's object (``Objet``): 1 to 499 characters once the spaces are tidied (runs of
    spaces and line breaks become one space); characters XML cannot carry are refused. It is
    refused when too long, never cut: the préfecture reads the object the council voted."""
    if _NOT_XML.search(title):
        raise DomainError(
            "L'objet de l'acte contient un caractère de contrôle qu'@CTES ne peut pas transmettre : corrigez l'objet.",
            rule=RULE_OBJECT,
            field="title",
        )
    text = " ".join(title.split())
    if not 1 <= len(text) <= OBJECT_MAX_LENGTH:
        raise DomainError(
            f"L'objet de l'acte compte {len(text)} caractères : @CTES en accepte de 1 à {OBJECT_MAX_LENGTH}. "
            f"Raccourcissez l'objet de la délibération.",
            rule=RULE_OBJECT,
            field="title",
        )
    return text


def nature_code(nature: str) -> int:
    """``CodeNatureActe``: 1 DE délibérations, 2 AR actes réglementaires, 3 AI actes individuels,
    4 CC contrats, conventions et avenants, 5 BF documents budgétaires et financiers, 6 AU autres."""
    if nature not in NATURE_CODES:
        raise DomainError(
            f"Nature d'acte « {nature} » inconnue : DE, AR, AI, CC, BF ou AU.", rule=RULE_CTES, field="nature"
        )
    return NATURE_CODES[nature]


def matiere_codes(subject_code: str) -> list[int]:
    """The matière of the préfecture's classification split into ``CodeMatiere1`` … ``CodeMatiere5``:
    ``7.5`` → [7, 5], ``1.1.2`` → [1, 1, 2]. @CTES asks for at least the first two levels."""
    code = subject_code.strip()
    if not code:
        raise DomainError(
            "La matière de l'acte n'est pas indiquée : @CTES demande son code dans la classification "
            "de la préfecture (par exemple 7.5).",
            rule=RULE_SUBJECT,
            field="subject_code",
        )
    parts = code.split(".")
    if not all(p.isdigit() for p in parts):
        raise DomainError(
            f"Matière « {code} » invalide : attendu un code à points, par exemple 7.5.",
            rule=RULE_SUBJECT,
            field="subject_code",
        )
    if not 2 <= len(parts) <= MATIERE_MAX_LEVELS:
        raise DomainError(
            f"Matière « {code} » : @CTES demande de 2 à {MATIERE_MAX_LEVELS} niveaux "
            f"(par exemple 7.5 ou 1.1.2), pas {len(parts)}.",
            rule=RULE_SUBJECT,
            field="subject_code",
        )
    return [int(p) for p in parts]


# --- The collectivité and the files' names ------------------------------------------------


def check_emitter(*, siren: str, departement: str, name: str) -> tuple[str, str]:
    """The collectivité that transmits is known to @CTES by its SIREN (9 digits) and its
    département (3 characters: 034, 02A, 971). Returns both as the file names write them."""
    missing = []
    if not _SIREN.match(siren or ""):
        missing.append("son SIREN")
    departement = (departement or "").strip().upper()
    if len(departement) in (1, 2):
        departement = departement.zfill(3)
    if not _DEPARTEMENT.match(departement):
        missing.append("son département")
    if missing:
        raise DomainError(
            f"{name} : indiquez {' et '.join(missing)} sur la fiche de l'organisation ; @CTES en a besoin "
            f"pour nommer les fichiers de l'acte.",
            rule=RULE_EMITTER,
            field="siren" if "son SIREN" in missing else "departement_code",
        )
    return siren, departement


def act_identifier(*, departement: str, siren: str, decided_on: date, number: str, nature: str) -> str:
    """The act's identifier at the préfecture: ``DDD-SIREN-YYYYMMDD-NUMERO-NATURE``, for example
    ``034-213401722-20240326-262151-CC`` (the date is the decision's)."""
    nature_code(nature)
    return f"{departement}-{siren}-{decided_on:%Y%m%d}-{check_internal_number(number)}-{nature}"


def envelope_file_name(identifier: str) -> str:
    """The XML message of the act: ``DDD-SIREN-YYYYMMDD-NUMERO-NATURE-1-1_0.xml``."""
    return f"{identifier}-1-1_0.xml"


def piece_file_name(identifier: str, *, index: int, type_code: str) -> str:
    """A piece of the act: the act is piece 1, the annexes 2, 3 …, each named after the act and
    prefixed by its type (CodeTypePJ), as the operators name the pieces they send since the
    typologie des pièces: ``99_DE-034-213401722-20240326-262151-CC-1-1_1.pdf``."""
    if index < 1:
        raise ValueError("the pieces are numbered from 1 (0 is the XML message)")
    return f"{check_type_code(type_code)}-{identifier}-1-1_{index}.pdf"


def check_package_size(sizes: Iterable[int]) -> int:
    """The act and its annexes weigh 150 Mo at most in one transmission."""
    total = sum(sizes)
    if total > PACKAGE_MAX_BYTES:
        raise DomainError(
            f"L'acte et ses annexes pèsent {total / 1_048_576:.1f} Mo : @CTES accepte "
            f"{PACKAGE_MAX_BYTES // 1_048_576} Mo au plus par transmission. Allégez ou retirez des annexes.",
            rule=RULE_SIZE,
            field="annexes",
        )
    return total


def check_pdf(*, name: str, content_type: str) -> None:
    """@CTES transmits PDF files only: an annex in another format is refused, not converted."""
    if content_type != "application/pdf":
        raise DomainError(
            f"L'annexe « {name} » n'est pas un PDF ({content_type}) : @CTES ne transmet que des PDF. "
            f"Joignez-la en PDF, ou marquez-la « non transmise ».",
            rule=RULE_FORMAT,
            field="annexes",
        )


# --- Typologie des pièces (CodeTypePJ) ----------------------------------------------------


@dataclass(frozen=True)
class PieceType:
    code: str
    label: str
    natures: tuple[str, ...]


# The generic types of each nature and those the operators' public documentation names. The
# préfecture sends each collectivité its own list with its classification (TypePJNatureActe of
# the RetourClassification message): a code ``XY_..`` belongs to the matière X.Y, ``99_..`` to
# every matière. This list is the common ground of those lists.
PIECE_TYPES: tuple[PieceType, ...] = (
    PieceType("99_DE", "Délibération", ("DE",)),
    PieceType("99_AR", "Acte réglementaire", ("AR",)),
    PieceType("99_AI", "Acte individuel", ("AI",)),
    PieceType("99_CO", "Contrat, convention et avenant", ("CC",)),
    PieceType("99_BU", "Document budgétaire et financier", ("BF",)),
    PieceType("99_AU", "Autre document", ("DE", "AR", "AI", "CC", "BF", "AU")),
    PieceType("41_NC", "Notification de création ou de vacance de poste", ("AI",)),
    PieceType("41_DE", "Délibération établissant la liste de postes à pourvoir", ("AI",)),
    PieceType("41_CA", "Avis de commission administrative paritaire", ("AI",)),
    PieceType("41_IC", "Information du centre de gestion", ("AI",)),
    PieceType("41_AT", "Attestation", ("AI",)),
    PieceType("41_CM", "Avis de la commission mixte paritaire", ("AI",)),
)
PIECE_TYPE_LABELS = {t.code: t.label for t in PIECE_TYPES}
ACT_TYPE_CODES = {"DE": "99_DE", "AR": "99_AR", "AI": "99_AI", "CC": "99_CO", "BF": "99_BU", "AU": "99_AU"}
DEFAULT_ANNEX_TYPE = "99_AU"


def check_type_code(code: str) -> str:
    """A CodeTypePJ is two digits (the matière, or 99 for any), ``_`` and two capitals: ``99_AU``."""
    if not _TYPE_CODE.match(code or ""):
        raise DomainError(
            f"Type de pièce « {code} » invalide : attendu un code comme 99_AU (deux chiffres, _, deux lettres).",
            rule=RULE_TYPOLOGY,
            field="type_code",
        )
    return code


ImportedTypes = Mapping[str, Sequence[Sequence[str]]]


def _known_types(imported: ImportedTypes | None, nature: str) -> tuple[PieceType, ...]:
    # The préfecture's own list for this nature when the collectivité imported its
    # classification (TypePJNatureActe), the built-in common ground otherwise.
    if imported and imported.get(nature):
        return tuple(PieceType(code, label, (nature,)) for code, label in imported[nature])
    return PIECE_TYPES


def piece_type_labels(imported: ImportedTypes | None = None) -> dict[str, str]:
    """Every known CodeTypePJ with its title: the built-in ones and the préfecture's."""
    labels = dict(PIECE_TYPE_LABELS)
    for types in (imported or {}).values():
        labels.update({code: label for code, label in types})
    return labels


def piece_types_for(
    nature: str, matieres: list[int] | None = None, imported: ImportedTypes | None = None
) -> list[PieceType]:
    """The types a piece of an act of this nature (and matière, when known) may take: the
    nature's own, then those of its matière (``41_..`` for 4.1), ``99_AU`` last. ``imported``:
    the types per nature of the collectivité's classification, which replace the built-in list."""
    nature_code(nature)
    prefix = f"{matieres[0]}{matieres[1]}_" if matieres and len(matieres) >= 2 else None
    found = [
        t
        for t in _known_types(imported, nature)
        if nature in t.natures and (t.code.startswith("99_") or (prefix is not None and t.code.startswith(prefix)))
    ]
    return sorted(found, key=lambda t: (t.code == DEFAULT_ANNEX_TYPE, not t.code.startswith("99_"), t.code))


def check_annex_type(
    code: str, *, nature: str, matieres: list[int], annex: str, imported: ImportedTypes | None = None
) -> str:
    """An annex's type is one of the list of its act's nature and matière (see ``piece_types_for``)."""
    check_type_code(code)
    allowed = [t.code for t in piece_types_for(nature, matieres, imported)]
    if code not in allowed:
        raise DomainError(
            f"L'annexe « {annex} » est typée {code}, type que @CTES n'accepte pas pour un acte de nature "
            f"{nature} en matière {'.'.join(map(str, matieres))} : choisissez parmi {', '.join(allowed)}.",
            rule=RULE_TYPOLOGY,
            field="type_code",
        )
    return code
