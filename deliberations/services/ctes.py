"""An act's @CTES package for the préfecture, and the préfecture's acknowledgement read back.

The package is one ZIP ready for a certified operator (S2LOW, Pastell): the ``actes:Acte``
message (``…-1-1_0.xml``), the act as PDF (``…_1.pdf``: the signed extract when there is
one) and each annex transmitted, as PDF (``…_2.pdf``, …), every name as the operators write
them. The acknowledgement — the ARActe message, or the act's PDF stamped by the operator — is
recorded through :func:`deliberations.services.record_acknowledgement`, so the same checks
apply as when its identifier is typed in.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction

from core.errors import DomainError
from core.roles import Capability
from deliberations import ctes
from deliberations.ctes.classification import read_classification
from deliberations.models import (
    AFTER_SIGNATURE_STATES,
    Annex,
    CtesClassification,
    Deliberation,
    DeliberationState,
    Transmission,
)
from deliberations.rules import ctes as rules
from deliberations.rules.articles import RULE_CTES
from deliberations.selectors.acts import classification_of, ctes_classification
from deliberations.services._common import lock_deliberation, require, save
from parties.models import Organization

# The version of the préfecture's classification the matière codes come from
# (ClassificationDateVersion); the préfecture gives it with its classification.
DEFAULT_CLASSIFICATION_DATE = date(2019, 8, 29)
PACKABLE_STATES = (DeliberationState.ADOPTED, DeliberationState.TAKEN_NOTE, *AFTER_SIGNATURE_STATES)
ANNEX_EDITABLE_STATES = (
    DeliberationState.DRAFT,
    DeliberationState.ON_AGENDA,
    DeliberationState.POSTPONED,
    DeliberationState.ADOPTED,
    DeliberationState.REJECTED,
    DeliberationState.TAKEN_NOTE,
    DeliberationState.SIGNED,
)


def classification_date() -> date:
    """The classification version named when the collectivité imported none (a setting)."""
    value = getattr(settings, "DELIBERATIONS_CTES_CLASSIFICATION_DATE", DEFAULT_CLASSIFICATION_DATE)
    return value if isinstance(value, date) else date.fromisoformat(str(value))


@dataclass(frozen=True)
class PlannedAnnex:
    annex_id: int
    title: str
    type_code: str
    type_label: str
    file_name: str


@dataclass(frozen=True)
class PackagePlan:
    """What the package of an act will hold, shown on its page before it is downloaded."""

    identifier: str
    nature: str
    number: str
    number_from_transmission: bool
    decided_on: date
    matieres: list[int]
    title: str
    classification_date: date
    act_type_code: str
    envelope_name: str
    act_name: str
    annexes: list[PlannedAnnex]
    not_transmitted: list[str]

    @property
    def zip_name(self) -> str:
        return f"{self.identifier}.zip"


def package_plan(deliberation: Deliberation, *, nature: str = "") -> PackagePlan:
    """The package of ``deliberation`` (already scoped to the reader) as names and values, or a
    refusal naming the @CTES rule the act does not meet yet. ``nature``: the act's nature when
    no transmission records it yet (default DE, délibération)."""
    if deliberation.state not in PACKABLE_STATES or deliberation.sitting_id is None:
        raise DomainError(
            f"La délibération est « {deliberation.get_state_display()} » : seul un acte adopté (ou une prise "
            f"d'acte) se transmet en préfecture.",
            rule=RULE_CTES,
        )
    if not deliberation.requires_transmission:
        raise DomainError(
            "Cet acte est marqué « non soumis à la transmission au contrôle de légalité » : pas de paquet @CTES.",
            rule=RULE_CTES,
        )
    organization = deliberation.assembly.organization
    siren, departement = rules.check_emitter(
        siren=organization.siren, departement=organization.departement_code, name=organization.name
    )
    transmission = Transmission.objects.filter(deliberation=deliberation).first()
    if transmission is not None:
        if nature and nature != transmission.nature:
            raise DomainError(
                f"La transmission enregistrée est de nature {transmission.nature}, pas {nature}.",
                rule=RULE_CTES,
                field="nature",
            )
        nature, number = transmission.nature, transmission.internal_number
    else:
        nature = nature or "DE"
        number = rules.internal_number(deliberation.number)
    rules.nature_code(nature)
    matieres = rules.matiere_codes(deliberation.subject_code)
    title = rules.check_object(deliberation.title)
    decided_on = deliberation.sitting.date  # type: ignore[union-attr]
    identifier = rules.act_identifier(
        departement=departement, siren=siren, decided_on=decided_on, number=number, nature=nature
    )
    act_type = rules.ACT_TYPE_CODES[nature]
    classification = classification_of(organization)
    imported = classification.piece_types if classification is not None else None
    labels = rules.piece_type_labels(imported)
    planned: list[PlannedAnnex] = []
    left_out: list[str] = []
    for annex in Annex.objects.filter(deliberation=deliberation).order_by("id"):
        if not annex.transmitted:
            left_out.append(annex.title)
            continue
        rules.check_pdf(name=annex.title, content_type=annex.content_type)
        rules.check_annex_type(annex.type_code, nature=nature, matieres=matieres, annex=annex.title, imported=imported)
        planned.append(
            PlannedAnnex(
                annex.pk,
                annex.title,
                annex.type_code,
                labels.get(annex.type_code, ""),
                rules.piece_file_name(identifier, index=len(planned) + 2, type_code=annex.type_code),
            )
        )
    return PackagePlan(
        identifier=identifier,
        nature=nature,
        number=number,
        number_from_transmission=transmission is not None,
        decided_on=decided_on,
        matieres=matieres,
        title=title,
        classification_date=classification.classified_on if classification is not None else classification_date(),
        act_type_code=act_type,
        envelope_name=rules.envelope_file_name(identifier),
        act_name=rules.piece_file_name(identifier, index=1, type_code=act_type),
        annexes=planned,
        not_transmitted=left_out,
    )


def _act_pdf(deliberation: Deliberation) -> bytes:
    """The act itself: the latest signed (or signed and scanned) extract, else the latest one
    produced, else the extract rendered now (not stored: downloading changes nothing)."""
    from deliberations.documents import KIND_EXTRACT, extract_context, extract_source
    from documents.models import Origin, StoredDocument
    from documents.services import read_document
    from documents.services.generation import render

    stored = StoredDocument.objects.filter(
        owner_type=ContentType.objects.get_for_model(Deliberation),
        owner_id=deliberation.pk,
        kind=KIND_EXTRACT,
        format="pdf",
        organization_id=deliberation.assembly.organization_id,
    )
    for origins in ((Origin.SIGNED, Origin.SCAN), (Origin.GENERATED,)):
        document = stored.filter(origin__in=origins).order_by("-created_at", "-id").first()
        if document is not None:
            return read_document(document)
    fresh, view = extract_source(deliberation.pk)
    data, _template = render(
        kind=KIND_EXTRACT,
        organization_id=deliberation.assembly.organization_id,
        document_format="pdf",
        context=extract_context(fresh, view),
    )
    return bytes(data)


def _annex_bytes(annex: Annex) -> bytes:
    with annex.file.open("rb") as handle:
        data = bytes(handle.read())
    if hashlib.sha256(data).hexdigest() != annex.sha256:
        raise DomainError(
            f"Le fichier de l'annexe « {annex.title} » ne correspond plus à celui qui a été joint "
            f"(empreinte SHA-256 différente) : joignez-le à nouveau.",
            rule="Annexes",
            field="annexes",
        )
    return data


@dataclass(frozen=True)
class Package:
    name: str
    data: bytes
    plan: PackagePlan


def build_package(*, deliberation: Deliberation, nature: str = "") -> Package:
    """The ZIP of an act for @CTES (see the module's docstring), its message checked against
    the schema, the 150 Mo limit of a transmission checked on the real files."""
    plan = package_plan(deliberation, nature=nature)
    act = _act_pdf(deliberation)
    annexes = {a.pk: a for a in Annex.objects.filter(pk__in=[p.annex_id for p in plan.annexes])}
    contents = [(p.file_name, _annex_bytes(annexes[p.annex_id])) for p in plan.annexes]
    rules.check_package_size([len(act), *(len(data) for _name, data in contents)])
    message = ctes.act_message(
        ctes.ActMessage(
            decided_on=plan.decided_on,
            number=plan.number,
            nature=plan.nature,
            matieres=plan.matieres,
            title=plan.title,
            classification_date=plan.classification_date,
            document=ctes.Piece(plan.act_name, len(act)),
            annexes=[ctes.Piece(name, len(data)) for name, data in contents],
        )
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(plan.envelope_name, message)
        archive.writestr(plan.act_name, act)
        for name, data in contents:
            archive.writestr(name, data)
    return Package(plan.zip_name, buffer.getvalue(), plan)


# --- Annex types ------------------------------------------------------------------------------


@transaction.atomic
def update_annex(*, user: Any, annex: Annex, type_code: str | None = None, transmitted: bool | None = None) -> Annex:
    """Give an annex its type in the typologie des pièces (CodeTypePJ), or say whether it goes
    to the préfecture, until the act is transmitted (``None``: unchanged)."""
    require(user, annex.deliberation.assembly.organization_id, Capability.MANAGE_SITTINGS)
    locked_act = lock_deliberation(annex.deliberation_id)
    if locked_act.state not in ANNEX_EDITABLE_STATES:
        raise DomainError("Les annexes d'un acte transmis ou publié ne changent plus.", rule="Cycle de vie")
    locked = Annex.objects.select_for_update().get(pk=annex.pk)
    changes = []
    if type_code is not None:
        type_code = rules.check_type_code(type_code.strip().upper())
        classification = ctes_classification(locked_act.assembly.organization_id)
        labels = rules.piece_type_labels(classification.piece_types if classification is not None else None)
        if type_code not in labels:
            raise DomainError(
                f"Type de pièce « {type_code} » inconnu : choisissez parmi {', '.join(sorted(labels))}.",
                rule=rules.RULE_TYPOLOGY,
                field="type_code",
            )
        locked.type_code = type_code
        changes.append(f"type de pièce @CTES : {type_code}")
    if transmitted is not None:
        locked.transmitted = transmitted
        changes.append("transmise en préfecture" if transmitted else "non transmise en préfecture")
    if changes:
        save(locked, user=user, reason="Annexe : " + ", ".join(changes))
    return locked


# --- The acknowledgement back -------------------------------------------------------------

ACKNOWLEDGEMENT_PDF_MAX_BYTES = 50 * 1024 * 1024


def read_acknowledgement(*, data: bytes, filename: str = "") -> ctes.AcknowledgementFile:
    """An acknowledgement file read by its content: an ARActe XML message, or a PDF stamped by
    the operator (its text read with pypdf). Anything else is refused."""
    head = data[:1024].lstrip()
    if data.startswith(b"%PDF-"):
        if len(data) > ACKNOWLEDGEMENT_PDF_MAX_BYTES:
            raise DomainError(
                "Le PDF tamponné est trop lourd (50 Mo au plus).", rule=ctes.RULE_ACKNOWLEDGEMENT, field="file"
            )
        return ctes.read_acknowledgement_text(_pdf_text(data))
    if head.startswith(b"<") or head.startswith(b"\xef\xbb\xbf<"):
        return ctes.read_acknowledgement_xml(data)
    raise DomainError(
        f"Le fichier « {filename or 'envoyé'} » n'est ni un accusé de réception ARActe (XML) ni un PDF tamponné.",
        rule=ctes.RULE_ACKNOWLEDGEMENT,
        field="file",
    )


def _pdf_text(data: bytes) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        # The operator's stamp is on the first page (sometimes on each page): the first pages suffice.
        return "\n".join(page.extract_text() or "" for page in reader.pages[:3])
    except (PdfReadError, ValueError, KeyError, TypeError) as exc:
        raise DomainError(f"Le PDF n'a pas pu être lu ({exc}).", rule=ctes.RULE_ACKNOWLEDGEMENT, field="file") from exc


@transaction.atomic
def import_acknowledgement(
    *, user: Any, deliberation: Deliberation, data: bytes, filename: str = "", received_on: date | None = None
) -> Deliberation:
    """Record the préfecture's acknowledgement from its file: the identifier and the day of
    receipt it carries (``received_on`` when a stamped PDF does not give the day), checked
    against the act — the same checks as when they are typed in (same SIREN, département,
    date, internal number, nature) — and, for an ARActe, the act it says it received."""
    require(user, deliberation.assembly.organization_id, Capability.MANAGE_SITTINGS)
    found = read_acknowledgement(data=data, filename=filename)
    day = found.received_on or received_on
    if day is None:
        raise DomainError(
            "Le tampon ne donne pas la date de réception en préfecture : indiquez-la.",
            rule=ctes.RULE_ACKNOWLEDGEMENT,
            field="received_on",
        )
    if found.received_on and received_on and found.received_on != received_on:
        raise DomainError(
            f"L'accusé donne la réception au {found.received_on:%d/%m/%Y}, pas au {received_on:%d/%m/%Y}.",
            rule=ctes.RULE_ACKNOWLEDGEMENT,
            field="received_on",
        )
    transmission = Transmission.objects.filter(deliberation=deliberation).first()
    if transmission is not None and (found.number or found.nature or found.decided_on):
        problems = []
        if found.number and found.number != transmission.internal_number:
            problems.append(f"numéro {found.number} au lieu de {transmission.internal_number}")
        if found.nature and found.nature != transmission.nature:
            problems.append(f"nature {found.nature} au lieu de {transmission.nature}")
        if found.decided_on and deliberation.sitting and found.decided_on != deliberation.sitting.date:
            problems.append(f"date {found.decided_on:%d/%m/%Y} au lieu de {deliberation.sitting.date:%d/%m/%Y}")
        if problems:
            raise DomainError(
                "L'acte reçu par la préfecture n'est pas celui-ci : " + ", ".join(problems) + ".",
                rule=ctes.RULE_ACKNOWLEDGEMENT,
                field="file",
            )
    from deliberations.services.acts import record_acknowledgement

    return record_acknowledgement(
        user=user, deliberation=deliberation, received_on=day, acknowledgement_id=found.acknowledgement_id
    )


# --- The préfecture's classification ----------------------------------------------------------


@transaction.atomic
def import_classification(
    *, user: Any, organization: Organization, data: bytes, filename: str = ""
) -> CtesClassification:
    """Record the préfecture's classification of the collectivité from its RetourClassification
    file (read by :func:`deliberations.ctes.classification.read_classification`): its date then
    names the version in every act's message, its matières are those an act may take, its
    piece types those its annexes may take. Replaces the previous one (kept in the history)."""
    require(user, organization.pk, Capability.MANAGE_ORGANIZATION)
    found = read_classification(data)
    current = CtesClassification.objects.select_for_update().filter(organization=organization).first()
    classification = current or CtesClassification(organization=organization)
    classification.classified_on = found.classified_on
    classification.matieres = found.matieres
    classification.piece_types = {nature: [list(t) for t in types] for nature, types in found.piece_types.items()}
    classification.file_name = filename[:200]
    classification.imported_by = user
    save(
        classification,
        user=user,
        reason=f"Classification @CTES du {found.classified_on:%d/%m/%Y} importée ({len(found.matieres)} matières)",
    )
    return classification
