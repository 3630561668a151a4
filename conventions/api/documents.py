"""The documents the pages produce, through the API: a convention's text, its termination
letter, an avenant, a comité meeting's convocation and minutes.

Each operation reads its object within the user's organizations (another organization's:
404), checks the capability to produce documents in the object's organization (403 for a
reader, as on the pages) and calls the same builder as the page (``conventions.documents``).
The answer lists the stored documents, each format apart, with the API address of its file.
"""

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Schema, Status

from conventions import documents, selectors
from conventions.api._common import Router
from conventions.models import Convention
from core import tenancy
from core.errors import DomainError
from core.roles import Capability
from documents.models import StoredDocument

router = Router()


class ConventionDocumentOut(Schema):
    """One stored file produced for a convention, an avenant or a comité meeting."""

    id: int
    kind: str
    format: str
    version: int
    title: str
    sha256: str
    size: int
    download_url: str

    @staticmethod
    def resolve_download_url(obj: StoredDocument) -> str:
        return reverse("api:download_document", args=[obj.pk])


GENERATED = {201: list[ConventionDocumentOut]}


def _require_generation(request: HttpRequest, organization_id: int) -> None:
    # The capability the pages check before producing a document (a reader may only read).
    tenancy.require(request.user, organization_id, Capability.GENERATE_DOCUMENTS)


@router.post(
    "/conventions/{convention_id}/documents",
    response=GENERATED,
    summary="Produire le texte de la convention (PDF et DOCX)",
)
def convention_documents(request: HttpRequest, convention_id: int) -> Status[list[Any]]:
    convention = selectors.convention_for(request.user, convention_id)
    _require_generation(request, convention.organization_id)
    return Status(201, documents.generate_convention(convention=convention, user=request.user))


def _check_notice(convention: Convention) -> None:
    """A termination letter is written only for a convention whose notice is recorded."""
    if getattr(convention, "termination_notice_record", None) is None:
        raise DomainError(_("Cette convention n'a pas été dénoncée."), rule="Résiliation")


@router.post(
    "/conventions/{convention_id}/termination/letter",
    response=GENERATED,
    summary="Produire la lettre de dénonciation (PDF et DOCX)",
)
def termination_letter(request: HttpRequest, convention_id: int) -> Status[list[Any]]:
    convention = selectors.convention_for(request.user, convention_id)
    _require_generation(request, convention.organization_id)
    _check_notice(convention)
    return Status(201, documents.generate_termination_letter(convention=convention, user=request.user))


@router.post(
    "/amendments/{amendment_id}/documents",
    response=GENERATED,
    summary="Produire le texte de l'avenant (PDF et DOCX)",
)
def amendment_documents(request: HttpRequest, amendment_id: int) -> Status[list[Any]]:
    amendment = selectors.amendment_by_id(request.user, amendment_id)
    _require_generation(request, amendment.convention.organization_id)
    return Status(201, documents.generate_amendment(amendment=amendment, user=request.user))


@router.post(
    "/meetings/{meeting_id}/documents",
    response=GENERATED,
    summary="Produire la convocation du comité et, une fois consigné, son compte rendu (PDF et DOCX)",
)
def meeting_documents(request: HttpRequest, meeting_id: int) -> Status[list[Any]]:
    meeting = selectors.meeting_for(request.user, meeting_id)
    _require_generation(request, meeting.committee.organization_id)
    return Status(201, documents.generate_meeting(meeting=meeting, user=request.user))
