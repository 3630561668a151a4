"""Identifiers of French organizations. Pure functions."""

from __future__ import annotations

import re

from stdnum import exceptions as stdnum_errors
from stdnum.fr import siren as stdnum_siren
from stdnum.fr import siret as stdnum_siret

from core.errors import DomainError

_DEPARTEMENT = re.compile(r"^(0[1-9]|[1-8][0-9]|9[0-5]|2[AB]|97[1-6])$")
_INSEE = re.compile(r"^([0-9]{2}|2[AB])[0-9]{3}$")

# Population threshold of CGCT L2121-11/L2121-12 (3 or 5 jours francs).
POPULATION_THRESHOLD = 3500


def normalize_siren(value: str) -> str:
    """Check a SIREN (INSEE, 9 digits with a Luhn key) and return it without spaces."""
    try:
        return str(stdnum_siren.validate(value))
    except stdnum_errors.InvalidLength as exc:
        raise DomainError(
            f"Le SIREN « {value} » doit compter 9 chiffres.", rule="SIREN (INSEE) : 9 chiffres", field="siren"
        ) from exc
    except stdnum_errors.InvalidFormat as exc:
        raise DomainError(
            f"Le SIREN « {value} » ne doit contenir que des chiffres.", rule="SIREN (INSEE) : 9 chiffres", field="siren"
        ) from exc
    except stdnum_errors.InvalidChecksum as exc:
        raise DomainError(
            f"Le SIREN « {value} » est invalide : sa clé de contrôle (algorithme de Luhn) ne correspond pas.",
            rule="SIREN (INSEE) : clé de Luhn",
            field="siren",
        ) from exc


def normalize_departement(value: str) -> str:
    """A département code as written in @CTES identifiers: three characters ("034", "013", "02A", "971")."""
    code = value.strip().upper()
    if len(code) == 3 and code.startswith("0"):
        code = code[1:]
    elif len(code) == 1:
        code = "0" + code
    if not _DEPARTEMENT.match(code):
        raise DomainError(
            f"Le code de département « {value} » est inconnu (attendu par exemple 034, 13, 2A ou 971).",
            rule="Code officiel géographique",
            field="departement_code",
        )
    return code.zfill(3)


def normalize_insee(value: str) -> str:
    code = value.strip().upper()
    if not _INSEE.match(code):
        raise DomainError(
            f"Le code INSEE « {value} » doit compter 5 caractères (par exemple 34172).",
            rule="Code officiel géographique",
            field="insee_code",
        )
    return code


_RNA = re.compile(r"^W[0-9]{9}$")


def normalize_siret(value: str, *, siren: str = "") -> str:
    """Check a SIRET (INSEE: the 9-digit SIREN then the 5-digit NIC of the establishment,
    with a Luhn key) and return it without spaces; when the organization's SIREN is known,
    the SIRET must start with it (an establishment of that organization)."""
    try:
        siret = str(stdnum_siret.validate(value))
    except stdnum_errors.InvalidLength as exc:
        raise DomainError(
            f"Le SIRET « {value} » doit compter 14 chiffres (SIREN puis NIC).",
            rule="SIRET (INSEE) : 14 chiffres",
            field="siret",
        ) from exc
    except stdnum_errors.InvalidFormat as exc:
        raise DomainError(
            f"Le SIRET « {value} » ne doit contenir que des chiffres.",
            rule="SIRET (INSEE) : 14 chiffres",
            field="siret",
        ) from exc
    except stdnum_errors.InvalidChecksum as exc:
        raise DomainError(
            f"Le SIRET « {value} » est invalide : sa clé de contrôle (algorithme de Luhn) ne correspond pas.",
            rule="SIRET (INSEE) : clé de Luhn",
            field="siret",
        ) from exc
    if siren and not siret.startswith(siren):
        raise DomainError(
            f"Le SIRET « {siret} » n'est pas un établissement du SIREN {siren} : il doit commencer par ce SIREN.",
            rule="SIRET (INSEE) : SIREN + NIC",
            field="siret",
        )
    return siret


def normalize_rna(value: str) -> str:
    """Check an association's number in the Répertoire national des associations (décret
    n° 2009-1186 du 29 septembre 2009): « W » then 9 digits, the form the SCDL
    "subventions" schema asks (``^W\\d{9}$``). python-stdnum has no validator for it and
    the number has no check key: only its form is checked."""
    rna = value.strip().upper().replace(" ", "")
    if not _RNA.match(rna):
        raise DomainError(
            f"Le numéro RNA « {value} » est invalide : attendu « W » suivi de 9 chiffres (par exemple W343012345).",
            rule="RNA (décret 2009-1186) : W + 9 chiffres",
            field="rna",
        )
    return rna
