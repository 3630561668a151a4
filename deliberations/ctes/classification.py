"""The préfecture's classification of a collectivité, as @CTES sends it (the
``actes:RetourClassification`` message, answer to a DemandeClassification, code message 7-2):

* ``actes:DateClassification``: the version of the classification, which every act's message
  then names (``ClassificationDateVersion``);
* ``actes:NaturesActes``: per nature of act (``actes:NatureActe`` with ``CodeNatureActe``,
  ``TypeAbrege`` DE/AR/AI/CC/BF/AU and ``Libelle``), the piece types allowed for its files
  (``actes:TypePJNatureActe``, ``CodeTypePJ`` and ``Libelle``);
* ``actes:Matieres``: the matières as a tree (``actes:Matiere1`` … ``actes:Matiere5``, each with
  ``CodeMatiere`` and ``Libelle``), "7" then "7.5".

Read safely: no DTD, no entity expanded, nothing fetched from the network, a size limit.
No database here: bytes in, plain values out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from django.utils.translation import gettext as _
from lxml import etree

from core.errors import DomainError
from deliberations.ctes import _A, _attribute, _safe_parser
from deliberations.rules import ctes as rules

RULE_CLASSIFICATION = "@CTES : classification de la préfecture (RetourClassification)"
CLASSIFICATION_MAX_BYTES = 5 * 1024 * 1024
MAX_MATIERES = 5000
MAX_PIECE_TYPES = 2000
_TYPE_ABREGE = re.compile(r"^[A-Z]{2}$")


@dataclass(frozen=True)
class ClassificationFile:
    """What a RetourClassification says: its version date, the matières by dotted code with
    their titles, and per nature (DE, CC, …) the allowed piece types (code, title)."""

    classified_on: date
    matieres: dict[str, str] = field(default_factory=dict)
    piece_types: dict[str, list[tuple[str, str]]] = field(default_factory=dict)


def _refuse(message: str) -> DomainError:
    return DomainError(message, rule=RULE_CLASSIFICATION, field="file")


def _matieres(parent: etree._Element, prefix: str, level: int, found: dict[str, str]) -> None:
    for child in parent:
        if not isinstance(child.tag, str) or child.tag != f"{_A}Matiere{level}":
            continue
        code = _attribute(child, "CodeMatiere")
        if not code.isdigit() or len(code) > 3:
            raise _refuse(
                _("Matière de niveau {level} sans code numérique lisible (CodeMatiere « {code} »).").format(
                    level=level, code=code[:20]
                )
            )
        dotted = f"{prefix}.{int(code)}" if prefix else str(int(code))
        found[dotted] = _attribute(child, "Libelle")[:250]
        if len(found) > MAX_MATIERES:
            raise _refuse(_("La classification compte trop de matières pour être celle d'une préfecture."))
        if level < rules.MATIERE_MAX_LEVELS:
            _matieres(child, dotted, level + 1, found)


def read_classification(data: bytes) -> ClassificationFile:
    """Read a RetourClassification message (see the module's docstring). A file with a DTD or
    entities, another message, or one without its date or matières is refused unread."""
    if len(data) > CLASSIFICATION_MAX_BYTES:
        raise _refuse(_("Le fichier de classification est trop lourd (5 Mo au plus)."))
    # Refused before any parsing: a declaration of a DTD or entities (XXE, entity bombs).
    if re.search(rb"<!(DOCTYPE|ENTITY)", data, re.IGNORECASE) or re.search(
        "<!(DOCTYPE|ENTITY)".encode("utf-16-le"), data, re.IGNORECASE
    ):
        raise _refuse(_("Le fichier déclare une DTD ou des entités : une classification @CTES n'en contient pas."))
    try:
        tree = etree.fromstring(data, _safe_parser()).getroottree()
    except etree.XMLSyntaxError as exc:
        raise _refuse(_("Le fichier n'est pas un XML lisible : {error}.").format(error=exc.msg))
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
        raise _refuse(_("Le fichier déclare une DTD ou des entités : une classification @CTES n'en contient pas."))
    root = tree.getroot()
    if root.tag != f"{_A}RetourClassification":
        raise _refuse(
            _(
                "Le fichier n'est pas une classification @CTES (élément racine « {found} » au lieu de "
                "actes:RetourClassification, espace {namespace})."
            ).format(found=etree.QName(root).localname, namespace=rules.NAMESPACE)
        )
    dated = root.find(f"{_A}DateClassification")
    text = (dated.text or "").strip() if dated is not None else ""
    try:
        classified_on = date.fromisoformat(text)
    except ValueError:
        raise _refuse(
            _("La classification ne porte pas de date lisible (DateClassification « {value} »).").format(
                value=text[:20]
            )
        )
    matieres: dict[str, str] = {}
    block = root.find(f"{_A}Matieres")
    if block is not None:
        _matieres(block, "", 1, matieres)
    if not any("." in code for code in matieres):
        raise _refuse(_("La classification ne contient aucune matière de niveau 2 (actes:Matieres)."))
    piece_types: dict[str, list[tuple[str, str]]] = {}
    count = 0
    for nature in root.iterfind(f"{_A}NaturesActes/{_A}NatureActe"):
        abbreviation = _attribute(nature, "TypeAbrege")
        number = _attribute(nature, "CodeNatureActe")
        if not _TYPE_ABREGE.match(abbreviation) and number.isdigit():
            abbreviation = rules.NATURE_OF_CODE.get(int(number), "")
        if abbreviation not in rules.NATURE_CODES:
            continue  # a nature Conventio does not transmit
        types = piece_types.setdefault(abbreviation, [])
        for piece in nature.iterfind(f"{_A}TypePJNatureActe"):
            code = _attribute(piece, "CodeTypePJ").upper()
            rules.check_type_code(code)
            types.append((code, _attribute(piece, "Libelle")[:250]))
            count += 1
            if count > MAX_PIECE_TYPES:
                raise _refuse(_("La classification compte trop de types de pièces."))
    return ClassificationFile(classified_on=classified_on, matieres=matieres, piece_types=piece_types)
