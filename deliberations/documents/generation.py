"""Producing a sitting's documents: one at once, or the whole sitting as a background batch
(``sitting_bundle``, run by ``documents.start_batch``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import QuerySet

from core.errors import DomainError
from core.formatting import french_date
from core.roles import Capability
from core.tenancy import can, require
from deliberations import selectors
from deliberations.documents.contexts import (
    convocation_context,
    extract_context,
    list_context,
    minutes_context,
)
from deliberations.models import (
    EXAMINED_STATES,
    Deliberation,
    Sitting,
)

KIND_EXTRACT, KIND_LIST, KIND_MINUTES, KIND_CONVOCATION = "extract", "deliberation_list", "minutes", "convocation"


def _load_sitting(sitting_id: int) -> Sitting:
    return Sitting.objects.select_related("assembly__organization", "president", "secretary", "reconvened_from").get(
        pk=sitting_id
    )


def _items_for_documents(sitting: Sitting) -> QuerySet[Deliberation]:
    return selectors.agenda_with_documents(sitting)


def _agenda_for_documents(sitting: Sitting) -> list[Deliberation]:
    return list(_items_for_documents(sitting))


def extract_source(deliberation_id: int) -> tuple[Deliberation, selectors.SittingAttendance]:
    """The deliberation with what its extract prints, and the attendance of its item only
    (the changes and proxies of the items before it apply; the rest of the agenda is not read)."""
    deliberation = Deliberation.objects.only("sitting_id").get(pk=deliberation_id)
    if deliberation.sitting_id is None:
        raise DomainError(
            "Cette délibération n'a pas été examinée en séance : pas d'extrait.", rule="Extrait du registre"
        )
    sitting = _load_sitting(deliberation.sitting_id)
    fresh = _items_for_documents(sitting).get(pk=deliberation_id)
    return fresh, selectors.sitting_attendance(sitting, only=fresh)


def generate_extract(*, user: Any, deliberation: Deliberation) -> list[Any]:
    """Render the extract of one deliberation (PDF and DOCX) and store it."""
    from documents.services import generate_document

    require(user, deliberation.assembly.organization_id, Capability.GENERATE_DOCUMENTS)
    if deliberation.sitting_id is None or deliberation.state not in EXAMINED_STATES:
        raise DomainError(
            "Un extrait ne se produit qu'une fois le point examiné en séance.", rule="Extrait du registre"
        )
    fresh, view = extract_source(deliberation.pk)
    return generate_document(
        kind=KIND_EXTRACT,
        organization=view.sitting.assembly.organization,
        context=extract_context(fresh, view),
        owner=fresh,
        user=user,
        title=f"Extrait — délibération n° {fresh.number}",
    )


def has_extract(deliberation: Deliberation) -> bool:
    """Whether an extract (any format, any version) is stored for this deliberation."""
    from documents.models import StoredDocument

    return StoredDocument.objects.filter(
        owner_type=ContentType.objects.get_for_model(Deliberation), owner_id=deliberation.pk, kind=KIND_EXTRACT
    ).exists()


def generate_missing_extract(*, deliberation_id: int, user_id: int) -> bool:
    """The extract of a just published deliberation, made once: nothing if one exists, if the
    deliberation is gone, or if its publisher can no longer generate documents."""
    from django.contrib.auth import get_user_model

    deliberation = Deliberation.objects.select_related("assembly__organization").filter(pk=deliberation_id).first()
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if deliberation is None or user is None or deliberation.published_on is None or has_extract(deliberation):
        return False
    if not can(user, deliberation.assembly.organization_id, Capability.GENERATE_DOCUMENTS):
        return False
    generate_extract(user=user, deliberation=deliberation)
    return True


def sitting_bundle(*, sitting_id: int) -> Iterator[Any]:
    """The documents of a whole sitting for ``documents.start_batch``: convocation, list of
    deliberations, procès-verbal, and the extract of each examined item."""
    from documents.services import DocumentRequest

    sitting = _load_sitting(sitting_id)
    items = _agenda_for_documents(sitting)
    view = selectors.sitting_attendance(sitting, items=items)
    organization_id = sitting.assembly.organization_id
    sitting_type = ContentType.objects.get_for_model(Sitting).pk
    deliberation_type = ContentType.objects.get_for_model(Deliberation).pk
    label = f"{sitting.assembly.name} du {french_date(sitting.date)}"
    yield DocumentRequest(
        KIND_CONVOCATION,
        organization_id,
        convocation_context(sitting, view),
        sitting_type,
        sitting.pk,
        f"Convocation — {label}",
    )
    yield DocumentRequest(
        KIND_LIST,
        organization_id,
        list_context(sitting, view),
        sitting_type,
        sitting.pk,
        f"Liste des délibérations — {label}",
    )
    yield DocumentRequest(
        KIND_MINUTES,
        organization_id,
        minutes_context(sitting, view),
        sitting_type,
        sitting.pk,
        f"Procès-verbal — {label}",
    )
    for deliberation in items:
        if deliberation.state in EXAMINED_STATES:
            yield DocumentRequest(
                KIND_EXTRACT,
                organization_id,
                extract_context(deliberation, view),
                deliberation_type,
                deliberation.pk,
                f"Extrait — délibération n° {deliberation.number}",
            )


def generate_sitting_document(*, user: Any, sitting: Sitting, kind: str) -> list[Any]:
    """Render one document of a sitting at once (convocation, list, procès-verbal)."""
    from documents.services import generate_document

    require(user, sitting.assembly.organization_id, Capability.GENERATE_DOCUMENTS)
    builders = {KIND_CONVOCATION: convocation_context, KIND_LIST: list_context, KIND_MINUTES: minutes_context}
    titles = {KIND_CONVOCATION: "Convocation", KIND_LIST: "Liste des délibérations", KIND_MINUTES: "Procès-verbal"}
    if kind not in builders:
        raise DomainError(f"Document de séance inconnu : « {kind} ».", field="kind")
    loaded = _load_sitting(sitting.pk)
    view = selectors.sitting_attendance(loaded, items=_agenda_for_documents(loaded))
    return generate_document(
        kind=kind,
        organization=loaded.assembly.organization,
        context=builders[kind](loaded, view),
        owner=loaded,
        user=user,
        title=f"{titles[kind]} — {loaded.assembly.name} du {french_date(loaded.date)}",
    )


def start_sitting_bundle(*, user: Any, sitting: Sitting) -> Any:
    """Start the background generation of every document of a sitting (one ZIP at the end).
    Returns the batch (its page shows the progress), or the sitting when the documents app
    offers no background batches and the documents were rendered at once."""
    from documents import services as document_services

    require(user, sitting.assembly.organization_id, Capability.GENERATE_DOCUMENTS)
    start_batch = getattr(document_services, "start_batch", None)
    if start_batch is not None:
        return start_batch(
            owner=sitting,
            organization=sitting.assembly.organization,
            user=user,
            title=f"Documents — {sitting.assembly.name} du {french_date(sitting.date)}",
            builder="deliberations.documents.sitting_bundle",
            builder_kwargs={"sitting_id": sitting.pk},
        )
    owners = {(ContentType.objects.get_for_model(Sitting).pk, sitting.pk): sitting}
    for request in sitting_bundle(sitting_id=sitting.pk):
        owner = owners.get((request.owner_content_type_id, request.owner_id)) or Deliberation.objects.get(
            pk=request.owner_id
        )
        document_services.generate_document(
            kind=request.kind,
            organization=sitting.assembly.organization,
            context=request.context,
            owner=owner,
            user=user,
            title=request.title,
            formats=request.formats,
        )
    return sitting
