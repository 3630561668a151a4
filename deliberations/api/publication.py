"""A decided act made enforceable: signed, sent to the préfecture, published; its extract and annexes."""

from datetime import date
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import File, Form, Schema, Status
from ninja.files import UploadedFile

from core.api_inputs import StrictInput
from deliberations import documents, selectors, services
from deliberations.api._common import Router
from deliberations.api.acts import DeliberationDetailOut, act_step
from deliberations.models import Deliberation, Transmission
from parties.models import Signatory

router = Router()


class DeliberationSignIn(StrictInput):
    django_model = Deliberation
    signed_on: date
    signatory_id: int | None = None


class TransmissionIn(StrictInput):
    django_model = Transmission
    sent_on: date
    nature: Literal["DE", "AR", "AI", "CC", "BF", "AU"] = "DE"
    internal_number: str = ""
    received_on: date | None = None
    acknowledgement_id: str = ""


class AcknowledgementIn(StrictInput):
    django_model = Transmission
    received_on: date
    acknowledgement_id: str


class PublicationIn(StrictInput):
    django_model = Deliberation
    published_on: date


class ActDocumentOut(Schema):
    id: int
    kind: str
    format: str
    version: int
    title: str
    sha256: str


class AnnexOut(Schema):
    id: int
    title: str
    content_type: str
    size: int
    sha256: str
    transmitted: bool


@router.post("/deliberations/{deliberation_id}/sign", response=DeliberationDetailOut, summary="Signer")
def sign(request: HttpRequest, deliberation_id: int, payload: DeliberationSignIn) -> Any:
    deliberation = selectors.deliberation_for(request.user, deliberation_id)
    signatory = (
        get_object_or_404(Signatory, pk=payload.signatory_id, organization_id=deliberation.assembly.organization_id)
        if payload.signatory_id
        else None
    )
    return act_step(request, deliberation_id, services.sign, signed_on=payload.signed_on, signatory=signatory)


@router.post(
    "/deliberations/{deliberation_id}/transmission",
    response=DeliberationDetailOut,
    summary="Transmission en préfecture (@CTES)",
)
def transmit(request: HttpRequest, deliberation_id: int, payload: TransmissionIn) -> Any:
    return act_step(request, deliberation_id, services.record_transmission, **payload.dict())


@router.post(
    "/deliberations/{deliberation_id}/acknowledgement",
    response=DeliberationDetailOut,
    summary="Accusé de réception de la préfecture",
)
def acknowledge(request: HttpRequest, deliberation_id: int, payload: AcknowledgementIn) -> Any:
    return act_step(request, deliberation_id, services.record_acknowledgement, **payload.dict())


@router.post("/deliberations/{deliberation_id}/publication", response=DeliberationDetailOut, summary="Publication")
def publish(request: HttpRequest, deliberation_id: int, payload: PublicationIn) -> Any:
    return act_step(request, deliberation_id, services.publish, published_on=payload.published_on)


@router.post(
    "/deliberations/{deliberation_id}/extract",
    response={201: list[ActDocumentOut]},
    summary="Produire l'extrait (PDF et DOCX)",
)
def extract(request: HttpRequest, deliberation_id: int) -> Any:
    deliberation = selectors.deliberation_for(request.user, deliberation_id)
    return Status(201, documents.generate_extract(user=request.user, deliberation=deliberation))


@router.post(
    "/deliberations/{deliberation_id}/annexes",
    response={201: AnnexOut},
    summary="Joindre une annexe (multipart : file, title, transmitted)",
)
def add_annex(
    request: HttpRequest,
    deliberation_id: int,
    file: File[UploadedFile],
    title: Annotated[str, Form(max_length=200)] = "",
    transmitted: Form[bool] = True,
) -> Any:
    deliberation = selectors.deliberation_for(request.user, deliberation_id)
    annex = services.add_annex(
        user=request.user, deliberation=deliberation, upload=file, title=title, transmitted=transmitted
    )
    return Status(201, annex)


@router.delete(
    "/deliberations/{deliberation_id}/annexes/{annex_id}", response={204: None}, summary="Retirer une annexe"
)
def remove_annex(request: HttpRequest, deliberation_id: int, annex_id: int) -> Any:
    deliberation = selectors.deliberation_for(request.user, deliberation_id)
    annex = get_object_or_404(deliberation.annexes.all(), pk=annex_id)
    services.remove_annex(user=request.user, annex=annex)
    return Status(204, None)
