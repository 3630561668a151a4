"""The @CTES nomenclature of matières (classification of acts sent to the préfecture).

Levels 1 and 2 of the "nomenclature ACTES" tree as the préfectures publish it and as the
SCDL "Délibérations" schema (2.1.5, fields DELIB_MATIERE_CODE and DELIB_MATIERE_NOM) refers
to it: a code is dotted digits ("7.5", "1.1.2" for deeper levels); the open-data file keeps
its first two levels and names them "level-1 title/level-2 title" ("Finances locales/
Subventions"). Deeper levels are set by each préfecture and are not listed here.
"""

from __future__ import annotations

import re
from collections.abc import Collection

from core.errors import DomainError
from deliberations.rules.articles import RULE_SUBJECT

LEVEL_1: dict[str, str] = {
    "1": "Commande Publique",
    "2": "Urbanisme",
    "3": "Domaine et patrimoine",
    "4": "Fonction publique",
    "5": "Institutions et vie politique",
    "6": "Libertés publiques et pouvoirs de police",
    "7": "Finances locales",
    "8": "Domaines de compétences par thèmes",
    "9": "Autres domaines de compétences",
}

LEVEL_2: dict[str, str] = {
    "1.1": "Marchés publics",
    "1.2": "Délégation de service public",
    "1.3": "Conventions de mandat",
    "1.4": "Autres types de contrats",
    "1.5": "Transactions /protocole d'accord transactionnel",
    "1.6": "Actes relatifs à la maîtrise d'œuvre",
    "1.7": "Actes spéciaux et divers",
    "2.1": "Documents d'urbanisme",
    "2.2": "Actes relatifs au droit d'occupation ou d'utilisation des sols",
    "2.3": "Droit de préemption urbain",
    "3.1": "Acquisitions",
    "3.2": "Aliénations",
    "3.3": "Locations",
    "3.4": "Limites territoriales",
    "3.5": "Autres actes de gestion du domaine public",
    "3.6": "Autres actes de gestion du domaine privé",
    "4.1": "Personnel titulaires et stagiaires de la F.P.T.",
    "4.2": "Personnel contractuel",
    "4.3": "Fonction publique hospitalière",
    "4.4": "Autres catégories de personnels",
    "4.5": "Régime indemnitaire",
    "5.1": "Élection exécutif",
    "5.2": "Fonctionnement des assemblées",
    "5.3": "Désignation de représentants",
    "5.4": "Délégation de fonctions",
    "5.5": "Délégation de signature",
    "5.6": "Exercice des mandats locaux",
    "5.7": "Intercommunalité",
    "5.8": "Décision d'ester en justice",
    "6.1": "Police municipale",
    "6.2": "Pouvoir du président du conseil général",
    "6.3": "Pouvoir du président du conseil régional",
    "6.4": "Autres actes réglementaires",
    "6.5": "Actes pris au nom de l'État et soumis au contrôle hiérarchique",
    "7.1": "Décisions budgétaires",
    "7.2": "Fiscalité",
    "7.3": "Emprunts",
    "7.4": "Interventions économiques",
    "7.5": "Subventions",
    "7.6": "Contributions budgétaires",
    "7.7": "Avances",
    "7.8": "Fonds de concours",
    "7.9": "Prise de participation (SEM, etc.)",
    "7.10": "Divers",
    "8.1": "Enseignement",
    "8.2": "Aide sociale",
    "8.3": "Voirie",
    "8.4": "Aménagement du territoire",
    "8.5": "Politique de la ville-habitat-logement",
    "8.6": "Emploi-formation professionnelle",
    "8.7": "Transports",
    "8.8": "Environnement",
    "8.9": "Culture",
    "9.1": "Autres domaines de compétences des communes",
    "9.2": "Autres domaines de compétences des départements",
    "9.3": "Autres domaines de compétences des régions",
    "9.4": "Vœux et motions",
}

_CODE = re.compile(r"^[1-9][0-9]?(\.[0-9]{1,2}){0,3}$")


def two_levels(code: str) -> str:
    """The first two levels of a matière code, as the SCDL file gives it: "1.1.2" → "1.1"."""
    return ".".join(code.strip().split(".")[:2])


def check_matiere(code: str, known: Collection[str] | None = None) -> str:
    """A matière code whose first two levels are in the @CTES nomenclature (arrêté du
    26 octobre 2005, CGCT R2131-1 et s.); a deeper code ("1.1.2") is accepted when its
    level-2 parent is known. ``known``: the dotted codes of the collectivité's own
    classification, when imported (``CtesClassification``), which then replace the built-in
    list. Returns the code without spaces."""
    code = code.strip()
    if not _CODE.match(code):
        raise DomainError(
            f"Matière « {code} » invalide : attendu un code à points de la nomenclature, par exemple 7.5.",
            rule=RULE_SUBJECT,
            field="subject_code",
        )
    if "." not in code:
        raise DomainError(
            f"Matière « {code} » incomplète : la nomenclature @CTES classe un acte au moins au niveau 2 "
            f"(par exemple {code}.1).",
            rule=RULE_SUBJECT,
            field="subject_code",
        )
    if known:
        if code not in known and two_levels(code) not in known:
            raise DomainError(
                f"Matière « {code} » inconnue de la classification de la préfecture importée pour la "
                f"collectivité : choisissez un code de cette classification (par exemple "
                f"{next((c for c in sorted(known) if '.' in c), '7.5')}).",
                rule=RULE_SUBJECT,
                field="subject_code",
            )
        return code
    if two_levels(code) not in LEVEL_2:
        raise DomainError(
            f"Matière « {code} » inconnue : « {two_levels(code)} » n'est pas une matière de niveau 2 "
            f"de la nomenclature @CTES (de 1.1 à 9.4, par exemple 7.5 Subventions).",
            rule=RULE_SUBJECT,
            field="subject_code",
        )
    return code


def _scdl_title(title: str) -> str:
    """A title as DELIB_MATIERE_NOM writes it: without comma nor parenthesis, and without a
    slash of its own (the slash separates the two levels)."""
    for sign, replacement in (("(", ""), (")", ""), (",", ""), ("/", "- ")):
        title = title.replace(sign, replacement)
    return " ".join(title.split())


def matiere_name(code: str) -> str:
    """The SCDL name of a matière (schema "scdl/deliberations" 2.1.5, DELIB_MATIERE_NOM):
    level-1 title/level-2 title of the @CTES nomenclature, without comma nor parenthesis,
    e.g. "7.5" → "Finances locales/Subventions", "7.9" → "Finances locales/Prise de
    participation SEM etc."; a deeper code is cut to its first two levels."""
    code = check_matiere(code)
    level_2 = two_levels(code)
    return f"{_scdl_title(LEVEL_1[level_2.split('.')[0]])}/{_scdl_title(LEVEL_2[level_2])}"
