"""API of the documents app: documents, templates, signatures, verification, scans, batches."""

from datetime import datetime
from typing import Any, Literal

from django.http import FileResponse, Http404, HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Router, Schema, Status
from ninja.errors import ValidationError as InputError
from ninja.files import UploadedFile
from ninja.pagination import PageNumberPagination, paginate

from core import tenancy
from core.api_inputs import StrictInput
from core.errors import DomainError
from core.roles import Capability
from documents import selectors, services
from documents.models import DocumentBatch, DocumentKind, DocumentTemplate, StoredDocument, TemplateFormat
from parties.models import Signatory
from parties.selectors import organization_for

router = Router(tags=["Documents"])


class DocumentOut(Schema):
    id: int
    organization_id: int
    owner_type: str
    owner_id: int
    kind: str
    format: str
    origin: str
    version: int
    title: str
    sha256: str
    size: int
    template_id: int | None
    template_label: str
    source_id: int | None
    signature_count: int
    created_by_id: int | None
    created_at: datetime
    download_url: str

    @staticmethod
    def resolve_owner_type(obj: StoredDocument) -> str:
        return f"{obj.owner_type.app_label}.{obj.owner_type.model}"

    @staticmethod
    def resolve_download_url(obj: StoredDocument) -> str:
        return f"/api/v1/documents/{obj.pk}/download"


class TemplateOut(Schema):
    id: int
    organization_id: int
    kind: str
    format: str
    version: int
    original_name: str
    sha256: str
    size: int
    comment: str
    is_active: bool
    created_by_id: int | None
    created_at: datetime


class DocumentSignIn(StrictInput):
    certificate_id: int
    passphrase: str = ""
    # Written into the PDF signature dictionary: a line, not a text.
    reason: str = Field("", max_length=200)
    location: str = Field("", max_length=200)


class SignatureOut(Schema):
    field_name: str
    signer: str
    signer_subject: str
    signed_at: datetime | None
    timestamped_at: datetime | None
    intact: bool
    valid: bool
    trusted: bool
    trust_anchor: str
    coverage: str
    modified_after: bool
    later_changes: str
    summary: str


class VerificationOut(Schema):
    sha256: str
    size: int
    is_pdf: bool
    error: str
    all_ok: bool
    signatures: list[SignatureOut]


class StoredVerificationOut(Schema):
    document_id: int
    hash_ok: bool
    recorded_sha256: str
    verification: VerificationOut | None


class BatchOut(Schema):
    """A batch and its progress. ``url`` is its API address (this answer); ``archive_url`` the
    API's download of its ZIP (a bearer token suffices), once the batch is done; ``zip_url`` the
    same file from the pages (a browser session); ``page_url`` the page showing its progress."""

    id: int
    url: str
    organization_id: int
    title: str
    status: str
    total: int
    done: int
    percent: int
    error: str
    archive_url: str | None
    zip_url: str | None
    page_url: str
    created_at: datetime
    finished_at: datetime | None

    @staticmethod
    def resolve_url(obj: DocumentBatch) -> str:
        return batch_url(obj)

    @staticmethod
    def resolve_archive_url(obj: DocumentBatch) -> str | None:
        return archive_url(obj)

    @staticmethod
    def resolve_zip_url(obj: DocumentBatch) -> str | None:
        return reverse("documents:batch_download", args=[obj.pk]) if obj.zip_file else None

    @staticmethod
    def resolve_page_url(obj: DocumentBatch) -> str:
        return obj.get_absolute_url()


def batch_url(batch: DocumentBatch) -> str:
    """The API's address of a batch (its progress, ``BatchOut``)."""
    return reverse("api:document_batch", args=[batch.pk])


def archive_url(batch: DocumentBatch) -> str | None:
    """The API's address of a batch's ZIP, once it is built (``None`` before)."""
    return reverse("api:document_batch_archive", args=[batch.pk]) if batch.zip_file else None


class BatchNotReady(DomainError):
    """The ZIP of a batch still running (or failed) cannot be downloaded yet."""

    status_code = 409


class CertificateOut(Schema):
    id: int
    organization_id: int
    signatory_id: int | None
    label: str
    subject: str
    issuer: str
    serial_number: str
    fingerprint: str
    not_before: datetime
    not_after: datetime
    is_active: bool
    has_stored_passphrase: bool

    @staticmethod
    def resolve_has_stored_passphrase(obj: Any) -> bool:
        return bool(obj.encrypted_passphrase)


class TrustAnchorOut(Schema):
    id: int
    organization_id: int
    label: str
    subject: str
    issuer: str
    fingerprint: str
    not_before: datetime | None
    not_after: datetime
    is_active: bool


@router.get("/documents", response=list[DocumentOut], summary="Documents de vos organisations")
@paginate(PageNumberPagination, page_size=50)
def list_documents(
    request: HttpRequest,
    kind: DocumentKind | Literal[""] = "",
    owner_type: str = "",
    owner_id: int | None = None,
    q: str = "",
) -> Any:
    queryset = selectors.documents_for(request.user)
    if kind:
        queryset = queryset.filter(kind=kind)
    if owner_type:
        app_label, _dot, model = owner_type.partition(".")
        queryset = queryset.filter(owner_type__app_label=app_label, owner_type__model=model)
    if owner_id is not None:
        queryset = queryset.filter(owner_id=owner_id)
    if q:
        queryset = queryset.filter(title__icontains=q)
    # The API gives ids: of the related rows, only the owner's type is printed (by name).
    return queryset.select_related(None).select_related("owner_type")


@router.get("/documents/{document_id}", response=DocumentOut)
def get_document(request: HttpRequest, document_id: int) -> StoredDocument:
    return selectors.document_for(request.user, document_id)


@router.get("/documents/{document_id}/download", summary="Télécharger le fichier", response={200: None})
def download_document(request: HttpRequest, document_id: int) -> FileResponse:
    document = selectors.document_for(request.user, document_id)
    return FileResponse(
        document.file.open("rb"), as_attachment=True, filename=document.filename, content_type=document.content_type
    )


@router.post("/documents/{document_id}/sign", response={201: DocumentOut}, summary="Signer (PAdES) : nouvelle version")
def sign_document(request: HttpRequest, document_id: int, payload: DocumentSignIn) -> Status[StoredDocument]:
    document = selectors.document_for(request.user, document_id)
    certificate = selectors.certificates_of(document.organization_id).filter(pk=payload.certificate_id).first()
    if certificate is None:
        raise DomainError(
            "Ce certificat n'est pas un certificat en service de l'organisation du document.",
            rule="documents.certificate",
            field="certificate_id",
        )
    signed = services.sign_document(
        document=document,
        certificate=certificate,
        user=request.user,
        passphrase=payload.passphrase,
        reason=payload.reason,
        location=payload.location,
    )
    return Status(201, signed)


@router.get(
    "/documents/{document_id}/verify", response=StoredVerificationOut, summary="Vérifier un document enregistré"
)
def verify_stored(request: HttpRequest, document_id: int) -> dict[str, Any]:
    document = selectors.document_for(request.user, document_id)
    hash_ok, report = services.verify_document(document=document)
    return {
        "document_id": document.pk,
        "hash_ok": hash_ok,
        "recorded_sha256": document.sha256,
        "verification": report.as_dict() if report is not None else None,
    }


def _only_the_file(request: HttpRequest) -> None:
    """An upload that takes a file alone refuses any other field (never dropped silently)."""
    others = [name for name in request.POST if name != "file"] + [name for name in request.FILES if name != "file"]
    if others:
        raise InputError(
            [
                {
                    "loc": ("form", name),
                    "msg": _("Champ inconnu : seul « file » est attendu."),
                    "type": "extra_forbidden",
                }
                for name in others
            ]
        )


@router.post("/pdf-verifications", response=VerificationOut, summary="Vérifier les signatures d'un PDF envoyé")
def verify_upload(request: HttpRequest, file: UploadedFile = File(...)) -> dict[str, Any]:  # noqa: B008
    _only_the_file(request)
    data = _read_upload(file, "DOCUMENTS_VERIFY_MAX_BYTES", 50 * 1024 * 1024)
    return services.verify_bytes(data=data, organization_ids=tenancy.organization_ids(request.user)).as_dict()


@router.post("/documents/{document_id}/scan", response={201: DocumentOut}, summary="Déposer l'original signé numérisé")
def upload_scan(request: HttpRequest, document_id: int, file: UploadedFile = File(...)) -> Status[StoredDocument]:  # noqa: B008
    _only_the_file(request)
    document = selectors.document_for(request.user, document_id)
    data = _read_upload(file, "DOCUMENTS_SCAN_MAX_BYTES", 20 * 1024 * 1024)
    return Status(201, services.upload_scan(document=document, user=request.user, data=data))


@router.get("/document-templates", response=list[TemplateOut], summary="Modèles déposés")
@paginate(PageNumberPagination, page_size=50)
def list_templates(
    request: HttpRequest, organization_id: int | None = None, kind: DocumentKind | Literal[""] = ""
) -> Any:
    queryset = selectors.templates_for(request.user)
    if organization_id is not None:
        queryset = queryset.filter(organization_id=organization_id)
    if kind:
        queryset = queryset.filter(kind=kind)
    return queryset


@router.post("/document-templates", response={201: TemplateOut}, summary="Déposer une nouvelle version de modèle")
def upload_template(
    request: HttpRequest,
    organization_id: int = Form(...),
    kind: DocumentKind = Form(...),  # noqa: B008
    format: TemplateFormat = Form(...),  # noqa: B008
    comment: str = Form("", max_length=300),
    file: UploadedFile = File(...),  # noqa: B008
) -> Status[DocumentTemplate]:
    organization = organization_for(request.user, organization_id)
    data = _read_upload(file, "DOCUMENTS_TEMPLATE_MAX_BYTES", 5 * 1024 * 1024)
    template = services.upload_template(
        organization=organization,
        user=request.user,
        kind=kind,
        template_format=format,
        data=data,
        filename=file.name or "",
        comment=comment,
    )
    return Status(201, template)


@router.get("/signing-certificates", response=list[CertificateOut], summary="Certificats de signature")
def list_certificates(request: HttpRequest, organization_id: int, include_inactive: bool = False) -> list[Any]:
    organization = organization_for(request.user, organization_id)
    if include_inactive:
        return list(selectors.all_certificates_of(organization.pk).defer(None).defer("pkcs12"))
    return list(selectors.certificates_of(organization.pk))


@router.post(
    "/signing-certificates", response={201: CertificateOut}, summary="Déposer un certificat PKCS#12 de signataire"
)
def add_certificate(
    request: HttpRequest,
    organization_id: int = Form(...),
    passphrase: str = Form(""),
    label: str = Form("", max_length=200),
    signatory_id: int | None = Form(None),
    store_passphrase: bool = Form(True),
    file: UploadedFile = File(...),  # noqa: B008
) -> Status[Any]:
    organization = organization_for(request.user, organization_id)
    tenancy.require(request.user, organization.pk, Capability.SIGN_DOCUMENTS)
    signatory = None
    if signatory_id is not None:
        signatory = Signatory.objects.filter(organization=organization, pk=signatory_id).first()
        if signatory is None:
            raise DomainError(
                "Ce signataire n'appartient pas à l'organisation du certificat.",
                rule="documents.certificate",
                field="signatory_id",
            )
    certificate = services.add_signing_certificate(
        organization=organization,
        user=request.user,
        pkcs12_data=_read_upload(file, "DOCUMENTS_PKCS12_MAX_BYTES", 1024 * 1024),
        passphrase=passphrase,
        label=label,
        signatory=signatory,
        store_passphrase=store_passphrase,
    )
    return Status(201, certificate)


@router.post(
    "/signing-certificates/{certificate_id}/deactivate", response=CertificateOut, summary="Retirer un certificat"
)
def deactivate_certificate(request: HttpRequest, certificate_id: int) -> Any:
    certificate = selectors.certificate_for(request.user, certificate_id)
    return services.deactivate_signing_certificate(certificate=certificate, user=request.user)


@router.get("/trust-anchors", response=list[TrustAnchorOut], summary="Autorités de confiance")
def list_trust_anchors(request: HttpRequest, organization_id: int, include_inactive: bool = False) -> list[Any]:
    organization = organization_for(request.user, organization_id)
    anchors = selectors.all_trust_anchors_of(organization.pk)
    return list(anchors if include_inactive else anchors.filter(is_active=True))


@router.post("/trust-anchors", response={201: TrustAnchorOut}, summary="Ajouter une autorité de confiance (PEM ou DER)")
def add_trust_anchor(
    request: HttpRequest,
    organization_id: int = Form(...),
    label: str = Form("", max_length=200),
    file: UploadedFile = File(...),  # noqa: B008
) -> Status[Any]:
    organization = organization_for(request.user, organization_id)
    anchor = services.add_trust_anchor(
        organization=organization,
        user=request.user,
        certificate_data=_read_upload(file, "DOCUMENTS_CERTIFICATE_MAX_BYTES", 256 * 1024),
        label=label,
    )
    return Status(201, anchor)


@router.post("/trust-anchors/{anchor_id}/deactivate", response=TrustAnchorOut, summary="Retirer une autorité")
def deactivate_trust_anchor(request: HttpRequest, anchor_id: int) -> Any:
    anchor = selectors.trust_anchor_for(request.user, anchor_id)
    return services.deactivate_trust_anchor(anchor=anchor, user=request.user)


@router.get("/document-batches/{batch_id}", response=BatchOut, summary="Avancement d'un lot", url_name="document_batch")
def get_batch(request: HttpRequest, batch_id: int) -> DocumentBatch:
    return selectors.batch_for(request.user, batch_id)


@router.get(
    "/document-batches/{batch_id}/archive",
    response={200: None},
    summary="Télécharger l'archive ZIP d'un lot terminé",
    url_name="document_batch_archive",
    openapi_extra={
        "responses": {
            200: {
                "description": "L'archive ZIP des documents du lot",
                "content": {"application/zip": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def download_batch(request: HttpRequest, batch_id: int) -> FileResponse:
    batch = selectors.batch_for(request.user, batch_id)
    if not batch.zip_file:
        raise BatchNotReady(
            _("L'archive de ce lot n'est pas prête (état : {status}).").format(status=batch.get_status_display()),
            rule="documents.batch",
        )
    try:
        archive = batch.zip_file.open("rb")
    except FileNotFoundError as exc:
        # Recorded but gone from the storage (a restore without the media, say): not a server error.
        raise Http404(_("L'archive de ce lot n'est plus disponible.")) from exc
    # Streamed by chunks from the storage: a sitting's archive is never read whole into memory.
    return FileResponse(archive, as_attachment=True, filename=f"lot-{batch.pk}.zip", content_type="application/zip")


def _read_upload(file: UploadedFile, setting: str, default: int) -> bytes:
    from django.conf import settings

    limit = int(getattr(settings, setting, default))
    if file.size is not None and file.size > limit:
        raise DomainError(
            f"Le fichier dépasse la taille maximale de {limit} octets.", rule="documents.size", field="file"
        )
    return bytes(file.read(limit + 1))
