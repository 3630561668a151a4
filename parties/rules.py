"""Identifiers of French organizations. Pure functions."""

from __future__ import annotations

import re

from stdnum import exceptions as stdnum_errors
from stdnum.fr import siren as stdnum_siren

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
