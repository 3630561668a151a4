"""A decided act made enforceable: signed, sent to the préfecture, published; its extract and annexes."""

from datetime import date
from typing import Annotated, Any, Literal

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import File, Form, Schema, Status
from ninja.errors import ValidationError as InputError
from ninja.files import UploadedFile

from core.api_inputs import StrictInput
from deliberations import documents, selectors, services
from deliberations.api._common import Router
from deliberations.api.acts import DeliberationDetailOut, act_step
from deliberations.models import Annex, Deliberation, Transmission
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
    type_code: str


class AnnexPatch(StrictInput):
    django_model = Annex
    type_code: str | None = None
    transmitted: bool | None = None


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


def _only_fields(request: HttpRequest, fields: set[str], files: set[str]) -> None:
    """A multipart upload refuses any field it does not take (never dropped silently)."""
    others = [n for n in request.POST if n not in fields] + [n for n in request.FILES if n not in files]
    if others:
        raise InputError(
            [
                {"loc": ("form", name), "msg": _("Champ inconnu pour cet envoi."), "type": "extra_forbidden"}
                for name in others
            ]
        )


@router.post(
    "/deliberations/{deliberation_id}/acknowledgement/file",
    response=DeliberationDetailOut,
    summary="Importer l'accusé de réception (multipart : file = XML ARActe ou PDF tamponné, received_on)",
)
def import_acknowledgement(
    request: HttpRequest,
    deliberation_id: int,
    file: File[UploadedFile],
    received_on: Form[date | None] = None,
) -> Any:
    _only_fields(request, {"received_on"}, {"file"})
    return act_step(
        request,
        deliberation_id,
        services.import_acknowledgement,
        data=file.read(),
        filename=file.name or "",
        received_on=received_on,
    )


@router.get(
    "/deliberations/{deliberation_id}/ctes-package",
    response={200: None},
    summary="Paquet @CTES de l'acte (ZIP : message actes:Acte, acte et annexes en PDF)",
    openapi_extra={"responses": {200: {"content": {"application/zip": {}}, "description": "Le ZIP"}}},
)
def ctes_package(
    request: HttpRequest, deliberation_id: int, nature: Literal["", "DE", "AR", "AI", "CC", "BF", "AU"] = ""
) -> Any:
    deliberation = selectors.deliberation_for(request.user, deliberation_id)
    package = services.build_package(deliberation=deliberation, nature=nature)
    response = HttpResponse(package.data, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{package.name}"'
    return response


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
    type_code: Annotated[str, Form(pattern=r"^[0-9]{2}_[A-Z]{2}$")] = "99_AU",
) -> Any:
    deliberation = selectors.deliberation_for(request.user, deliberation_id)
    annex = services.add_annex(
        user=request.user,
        deliberation=deliberation,
        upload=file,
        title=title,
        transmitted=transmitted,
        type_code=type_code,
    )
    return Status(201, annex)


@router.patch(
    "/deliberations/{deliberation_id}/annexes/{annex_id}",
    response=AnnexOut,
    summary="Type de pièce @CTES d'une annexe (CodeTypePJ), transmise ou non",
)
def update_annex(request: HttpRequest, deliberation_id: int, annex_id: int, payload: AnnexPatch) -> Any:
    deliberation = selectors.deliberation_for(request.user, deliberation_id)
    annex = get_object_or_404(deliberation.annexes.all(), pk=annex_id)
    return services.update_annex(
        user=request.user, annex=annex, type_code=payload.type_code, transmitted=payload.transmitted
    )


@router.delete(
    "/deliberations/{deliberation_id}/annexes/{annex_id}", response={204: None}, summary="Retirer une annexe"
)
def remove_annex(request: HttpRequest, deliberation_id: int, annex_id: int) -> Any:
    deliberation = selectors.deliberation_for(request.user, deliberation_id)
    annex = get_object_or_404(deliberation.annexes.all(), pk=annex_id)
    services.remove_annex(user=request.user, annex=annex)
    return Status(204, None)
