"""The @CTES messages as XML: the ``actes:Acte`` message written into an act's package, the
préfecture's ``actes:ARActe`` acknowledgement read back, and the schema both are checked
against (``schema/actes_acte.xsd``, see its README). No database here: plain values in,
bytes or plain values out."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

from lxml import etree

from core.errors import DomainError
from deliberations.rules import ctes as rules

SCHEMA_PATH = Path(__file__).parent / "schema" / "actes_acte.xsd"
RULE_ACKNOWLEDGEMENT = "@CTES : accusé de réception de la préfecture (ARActe)"
ACKNOWLEDGEMENT_MAX_BYTES = 2 * 1024 * 1024
_A = f"{{{rules.NAMESPACE}}}"


@cache
def schema() -> etree.XMLSchema:
    """The schema of the @CTES messages (read once; it names no remote file)."""
    return etree.XMLSchema(etree.parse(str(SCHEMA_PATH), _safe_parser()))


def _safe_parser() -> etree.XMLParser:
    # No entity is expanded, no DTD loaded, nothing fetched from the network: an uploaded file
    # cannot read the server's files (XXE) nor swell in memory (entity bombs).
    return etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False, huge_tree=False
    )


@dataclass(frozen=True)
class Piece:
    """A file of the package: its name in the package and in the message, and its bytes' size."""

    name: str
    size: int


@dataclass(frozen=True)
class ActMessage:
    """What the ``actes:Acte`` message says of an act."""

    decided_on: date
    number: str
    nature: str
    matieres: list[int]
    title: str
    classification_date: date
    document: Piece
    annexes: list[Piece]


def act_message(message: ActMessage) -> bytes:
    """The ``actes:Acte`` message, ISO-8859-1, checked against the schema before it is given
    out (a message the schema refuses is a fault of Conventio: it raises, never ships)."""
    nsmap = {"actes": rules.NAMESPACE, "xsi": "http://www.w3.org/2001/XMLSchema-instance"}
    root = etree.Element(f"{_A}Acte", nsmap=nsmap)
    root.set("{http://www.w3.org/2001/XMLSchema-instance}schemaLocation", f"{rules.NAMESPACE} actesv1_1.xsd")
    root.set(f"{_A}Date", message.decided_on.isoformat())
    root.set(f"{_A}NumeroInterne", message.number)
    root.set(f"{_A}CodeNatureActe", str(rules.nature_code(message.nature)))
    for level, code in enumerate(message.matieres, start=1):
        etree.SubElement(root, f"{_A}CodeMatiere{level}").set(f"{_A}CodeMatiere", str(code))
    etree.SubElement(root, f"{_A}Objet").text = message.title
    etree.SubElement(root, f"{_A}ClassificationDateVersion").text = message.classification_date.isoformat()
    document = etree.SubElement(root, f"{_A}Document")
    etree.SubElement(document, f"{_A}NomFichier").text = message.document.name
    annexes = etree.SubElement(root, f"{_A}Annexes")
    annexes.set(f"{_A}Nombre", str(len(message.annexes)))
    for piece in message.annexes:
        annex = etree.SubElement(annexes, f"{_A}Annexe")
        etree.SubElement(annex, f"{_A}NomFichier").text = piece.name
    # Everything goes by @CTES; nothing is sent on paper.
    etree.SubElement(root, f"{_A}DocumentPapier").text = "N"
    schema().assertValid(root)
    # Characters ISO-8859-1 lacks (’, œ, €) are written as character references: the XML
    # stays ISO-8859-1 and the préfecture reads back the very object voted.
    return etree.tostring(root, xml_declaration=True, encoding=rules.ENCODING, pretty_print=True)


# --- The acknowledgement ---------------------------------------------------------------------


@dataclass(frozen=True)
class AcknowledgementFile:
    """What an acknowledgement tells: the act's identifier at the préfecture, the day it was
    received, and (an ARActe message) the act as the préfecture received it."""

    acknowledgement_id: str
    received_on: date | None
    decided_on: date | None = None
    number: str = ""
    nature: str = ""


def _refuse(message: str) -> DomainError:
    return DomainError(message, rule=RULE_ACKNOWLEDGEMENT, field="file")


def _attribute(element: etree._Element, name: str) -> str:
    # The schema qualifies the attributes (actes:IDActe); some tools write them bare.
    return (element.get(f"{_A}{name}") or element.get(name) or "").strip()


def _iso_day(value: str, what: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise _refuse(f"Accusé de réception : {what} « {value} » n'est pas une date AAAA-MM-JJ.")


def read_acknowledgement_xml(data: bytes) -> AcknowledgementFile:
    """Read an ``actes:ARActe`` message: ``IDActe``, ``DateReception`` and the act received
    (date, internal number, nature). A file with a DTD or entities is refused unread."""
    if len(data) > ACKNOWLEDGEMENT_MAX_BYTES:
        raise _refuse("Le fichier d'accusé de réception est trop lourd pour un message ARActe (2 Mo au plus).")
    try:
        tree = etree.fromstring(data, _safe_parser()).getroottree()
    except etree.XMLSyntaxError as exc:
        raise _refuse(f"Le fichier n'est pas un XML lisible : {exc.msg}.")
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
        raise _refuse("Le fichier déclare une DTD ou des entités : un accusé de réception @CTES n'en contient pas.")
    root = tree.getroot()
    if root.tag != f"{_A}ARActe":
        raise _refuse(
            f"Le fichier n'est pas un accusé de réception d'acte @CTES (élément racine "
            f"« {etree.QName(root).localname} » au lieu de actes:ARActe, espace {rules.NAMESPACE})."
        )
    identifier = _attribute(root, "IDActe")
    if not re.fullmatch(r"[09][0-9][0-9AB]-[0-9]{9}-[0-9]{8}-[A-Za-z0-9_]{1,15}-[A-Z]{2}", identifier):
        raise _refuse(f"L'accusé de réception ne porte pas d'identifiant d'acte lisible (IDActe « {identifier} »).")
    received = _attribute(root, "DateReception")
    if not received:
        raise _refuse("L'accusé de réception ne porte pas de date de réception (DateReception).")
    found = AcknowledgementFile(identifier, _iso_day(received, "la date de réception"))
    acte = root.find(f"{_A}ActeRecu")
    if acte is None:
        return found
    nature_number = _attribute(acte, "CodeNatureActe")
    decided = _attribute(acte, "Date")
    return AcknowledgementFile(
        identifier,
        found.received_on,
        decided_on=_iso_day(decided, "la date de l'acte") if decided else None,
        number=_attribute(acte, "NumeroInterne"),
        nature=rules.NATURE_OF_CODE.get(int(nature_number), "") if nature_number.isdigit() else "",
    )


_STAMP_ID = re.compile(r"(?<![0-9A-Za-z])([09][0-9][0-9AB]-[0-9]{9}-[0-9]{8}-[A-Z0-9_]{1,15}-[A-Z]{2})(?:-[0-9]+)*")
_STAMP_DATE = re.compile(
    r"(?:re[çc]u(?:e)?\s+(?:en|par\s+la)\s+pr[ée]fecture\s+le|date\s+de\s+r[ée]ception(?:\s+(?:en|par\s+la)\s+pr[ée]fecture)?)"
    r"\s*:?\s*([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})",
    re.IGNORECASE,
)


def read_acknowledgement_text(text: str) -> AcknowledgementFile:
    """The identifier and the day of receipt stamped on an act's PDF by the operator
    ("Accusé de réception en préfecture 034-213401722-20240326-262151-CC … Reçu en préfecture
    le 08/04/2024"). The day is empty when the stamp does not give it."""
    flat = " ".join(text.split())
    identifiers = {m.group(1) for m in _STAMP_ID.finditer(flat)}
    if not identifiers:
        raise _refuse(
            "Aucun identifiant d'acte @CTES (DDD-SIREN-AAAAMMJJ-NUMÉRO-NATURE) n'a été trouvé dans le PDF : "
            "est-ce bien l'acte tamponné par la préfecture ?"
        )
    if len(identifiers) > 1:
        raise _refuse(
            f"Le PDF porte plusieurs identifiants d'acte ({', '.join(sorted(identifiers))}) : lequel retenir ?"
        )
    received = None
    match = _STAMP_DATE.search(flat)
    if match:
        day, month, year = (int(g) for g in match.groups())
        try:
            received = date(year, month, day)
        except ValueError:
            raise _refuse(f"La date de réception du tampon ({match.group(0)}) n'existe pas.")
    return AcknowledgementFile(identifiers.pop(), received)
