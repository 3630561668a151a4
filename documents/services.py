"""Every write of the documents app: generation, uploads, signatures, scans, batches."""

from __future__ import annotations

import hashlib
import io
import json
import logging
import tempfile
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile, File
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, models, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from core import tenancy
from core.errors import DomainError
from core.formatting import french_date
from core.roles import Capability
from documents import crypto, jobs, rendering, samples, signing, templates_registry
from documents.context import check_plain
from documents.models import (
    DocumentBatch,
    DocumentFormat,
    DocumentKind,
    DocumentTemplate,
    Origin,
    SigningCertificate,
    StoredDocument,
    TemplateFormat,
    TrustAnchor,
)
from parties.models import Organization, Signatory

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class DocumentRequest:
    """One document of a batch, as a domain app's builder describes it (plain data only)."""

    kind: str
    organization_id: int
    context: dict[str, Any]
    owner_content_type_id: int
    owner_id: int
    title: str
    formats: Sequence[str] = field(default=("pdf", "docx"))


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def tenant_of(organization: Organization) -> Organization:
    """Documents belong to the collectivité using Conventio, even when made for a partner."""
    if organization.tenant_id is None:
        return organization
    return organization.tenant  # type: ignore[return-value]


def _check_kind_and_formats(kind: str, formats: Sequence[str]) -> None:
    if kind not in DocumentKind.values:
        raise DomainError(
            _("Type de document inconnu : « %(kind)s ».") % {"kind": kind}, rule="documents.kind", field="kind"
        )
    if not formats:
        raise DomainError(_("Indiquez au moins un format (pdf, docx)."), rule="documents.format", field="formats")
    for document_format in formats:
        if document_format not in DocumentFormat.values:
            raise DomainError(
                _("Format de document inconnu : « %(format)s » (pdf ou docx).") % {"format": document_format},
                rule="documents.format",
                field="formats",
            )


def _job(
    resolved: templates_registry.ResolvedTemplate, document_format: str, context: dict[str, Any], seconds: float | None
) -> jobs.RenderJob:
    """What rendering ``resolved`` needs, as plain data (see documents.jobs)."""
    limit: float = seconds if seconds is not None else getattr(settings, "DOCUMENTS_RENDER_SECONDS", 60)
    if document_format == DocumentFormat.PDF and resolved.uploaded is None:
        return jobs.RenderJob(document_format, context, limit, shipped_name=resolved.shipped_name)
    return jobs.RenderJob(
        document_format,
        context,
        limit,
        source=templates_registry.source_bytes(resolved),
        source_key=resolved.uploaded.sha256 if resolved.uploaded is not None else "",
    )


def render(
    *, kind: str, organization_id: int, document_format: str, context: dict[str, Any], seconds: int | None = None
) -> tuple[bytes, Any]:
    """Render one format; returns the bytes and the template that made them.

    ``seconds``: the render limit (default ``DOCUMENTS_RENDER_SECONDS``, what a person waits
    for after a click; batches in the background pass ``DOCUMENTS_BATCH_RENDER_SECONDS``)."""
    resolved = templates_registry.resolve(organization_id=organization_id, kind=kind, document_format=document_format)
    if document_format == DocumentFormat.PDF:
        rendering.warm_up()
    return jobs.run(_job(resolved, document_format, context, seconds)), resolved


def _next_version(owner_type: ContentType, owner_id: int, kind: str, document_format: str) -> int:
    latest = StoredDocument.objects.filter(
        owner_type=owner_type, owner_id=owner_id, kind=kind, format=document_format
    ).aggregate(latest=Max("version"))["latest"]
    return (latest or 0) + 1


def store(
    *,
    data: bytes,
    organization: Organization,
    owner_type: ContentType,
    owner_id: int,
    kind: str,
    document_format: str,
    title: str,
    user: Any,
    origin: str = Origin.GENERATED,
    template: Any = None,
    template_label: str = "",
    source: StoredDocument | None = None,
    signature_count: int = 0,
    reason: str = "",
) -> StoredDocument:
    """Store bytes as the next version of (owner, kind, format). Never rewrites a file."""
    digest = sha256_of(data)
    for attempt in range(5):
        try:
            with transaction.atomic():
                document = StoredDocument(
                    organization=organization,
                    owner_type=owner_type,
                    owner_id=owner_id,
                    kind=kind,
                    format=document_format,
                    origin=origin,
                    version=_next_version(owner_type, owner_id, kind, document_format),
                    title=title[:300],
                    sha256=digest,
                    size=len(data),
                    template=template,
                    template_label=template_label[:120],
                    source=source,
                    signature_count=signature_count,
                    created_by=user if getattr(user, "pk", None) else None,
                )
                document.file.save(f"{digest}.{document_format}", ContentFile(data), save=False)
                document._change_reason = reason or str(_("Document produit"))  # type: ignore[attr-defined]
                document.save()
                return document
        except IntegrityError:
            # Another writer took this version number: take the next one.
            if attempt == 4:
                raise
    raise AssertionError("unreachable")


def generate_document(
    *,
    kind: str,
    organization: Organization,
    context: dict[str, Any],
    owner: models.Model,
    user: Any,
    title: str,
    formats: Sequence[str] = ("pdf", "docx"),
    render_seconds: int | None = None,
) -> list[StoredDocument]:
    """Render ``kind`` for ``owner`` in each format and store each as a new version.

    The context must be plain data (see documents.context); the template is the
    organization's active upload for (kind, format), else the shipped default. Everything
    is rendered before anything is stored, so a failing format stores nothing.
    """
    _check_kind_and_formats(kind, formats)
    check_plain(context)
    if owner.pk is None:
        raise DomainError(_("Le document doit être rattaché à un objet enregistré."), rule="documents.owner")
    tenant = tenant_of(organization)
    rendered = [
        (
            document_format,
            *render(
                kind=kind,
                organization_id=tenant.pk,
                document_format=document_format,
                context=context,
                seconds=render_seconds,
            ),
        )
        for document_format in dict.fromkeys(formats)
    ]
    return _store_rendered(rendered, tenant=tenant, owner=owner, kind=kind, title=title, user=user)


def _store_rendered(
    rendered: Sequence[tuple[str, bytes, templates_registry.ResolvedTemplate]],
    *,
    tenant: Organization,
    owner: models.Model,
    kind: str,
    title: str,
    user: Any,
) -> list[StoredDocument]:
    """Store every format of one document together (all or none)."""
    owner_type = ContentType.objects.get_for_model(owner)
    documents = []
    with transaction.atomic():
        for document_format, data, resolved in rendered:
            documents.append(
                store(
                    data=data,
                    organization=tenant,
                    owner_type=owner_type,
                    owner_id=owner.pk,
                    kind=kind,
                    document_format=document_format,
                    title=title,
                    user=user,
                    template=resolved.uploaded,
                    template_label=resolved.label,
                )
            )
    return documents


# --- Template registry -----------------------------------------------------------------

DOCX_MAGIC = b"PK\x03\x04"


def _template_limit() -> int:
    return int(getattr(settings, "DOCUMENTS_TEMPLATE_MAX_BYTES", 5 * 1024 * 1024))


def check_template(*, kind: str, template_format: str, data: bytes) -> None:
    """Refuse an upload that is not a real template of its format or that does not render."""
    limit = _template_limit()
    if not data:
        raise DomainError(_("Le fichier envoyé est vide."), rule="documents.template_upload", field="file")
    if len(data) > limit:
        raise DomainError(
            _("Le modèle pèse %(size)s octets ; la limite est de %(limit)s octets.")
            % {"size": len(data), "limit": limit},
            rule="documents.template_size",
            field="file",
        )
    sample = samples.sample_context(kind)
    if template_format == TemplateFormat.DOCX:
        _check_docx_container(data)
        output = rendering.render_docx(data, sample)
        try:
            from docx import Document

            Document(io.BytesIO(output))
        except Exception as exc:
            raise DomainError(
                _("Le modèle DOCX rendu n'est plus un document Word valide."),
                rule="documents.template_upload",
                field="file",
            ) from exc
        return
    if template_format != TemplateFormat.HTML:
        raise DomainError(_("Format de modèle inconnu (html ou docx)."), rule="documents.format", field="format")
    if data.startswith((DOCX_MAGIC, b"%PDF")) or b"\x00" in data[:4096]:
        raise DomainError(
            _("Ce fichier n'est pas un modèle HTML (texte) : son contenu est binaire."),
            rule="documents.template_upload",
            field="file",
        )
    try:
        source = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DomainError(
            _("Le modèle HTML doit être encodé en UTF-8."), rule="documents.template_upload", field="file"
        ) from exc
    template = rendering.compile_html(source, env=rendering.html_environment())
    rendering.html_to_pdf(rendering.render_html(template, sample))


def _check_docx_container(data: bytes) -> None:
    not_docx = DomainError(
        _("Ce fichier n'est pas un document Word (DOCX), quel que soit son nom."),
        rule="documents.template_upload",
        field="file",
    )
    if not data.startswith(DOCX_MAGIC):
        raise not_docx
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            expanded = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile as exc:
        raise not_docx from exc
    if "word/document.xml" not in names or "[Content_Types].xml" not in names:
        raise not_docx
    if expanded > 20 * _template_limit():
        raise DomainError(
            _("Le modèle DOCX décompressé est trop volumineux."), rule="documents.template_size", field="file"
        )


@transaction.atomic
def upload_template(
    *,
    organization: Organization,
    user: Any,
    kind: str,
    template_format: str,
    data: bytes,
    filename: str = "",
    comment: str = "",
) -> DocumentTemplate:
    """Check an uploaded template and make it the organization's new active version."""
    tenancy.require(user, organization.pk, Capability.MANAGE_TEMPLATES)
    if kind not in DocumentKind.values:
        raise DomainError(
            _("Type de document inconnu : « %(kind)s ».") % {"kind": kind}, rule="documents.kind", field="kind"
        )
    if template_format not in TemplateFormat.values:
        raise DomainError(_("Format de modèle inconnu (html ou docx)."), rule="documents.format", field="format")
    check_template(kind=kind, template_format=template_format, data=data)
    # One upload at a time per organization: version numbers stay consecutive.
    Organization.objects.select_for_update().only("id").get(pk=organization.pk)
    versions = DocumentTemplate.objects.filter(organization=organization, kind=kind, format=template_format)
    latest = versions.aggregate(latest=Max("version"))["latest"] or 0
    for previous in versions.filter(is_active=True):
        previous.is_active = False
        previous._change_reason = str(_("Remplacé par la version %(version)s") % {"version": latest + 1})  # type: ignore[attr-defined]
        previous.save(update_fields=["is_active"])
    template = DocumentTemplate(
        organization=organization,
        kind=kind,
        format=template_format,
        version=latest + 1,
        original_name=filename[:255],
        sha256=sha256_of(data),
        size=len(data),
        comment=comment[:300],
        is_active=True,
        created_by=user,
    )
    template.file.save(f"{kind}.{template_format}", ContentFile(data), save=False)
    template._change_reason = str(_("Nouvelle version déposée"))  # type: ignore[attr-defined]
    template.save()
    return template


@transaction.atomic
def activate_template(*, template: DocumentTemplate, user: Any) -> DocumentTemplate:
    """Put an earlier version back in service (or take the active one as is)."""
    tenancy.require(user, template.organization_id, Capability.MANAGE_TEMPLATES)
    locked = DocumentTemplate.objects.select_for_update().get(pk=template.pk)
    siblings = (
        DocumentTemplate.objects.select_for_update()
        .filter(organization_id=locked.organization_id, kind=locked.kind, format=locked.format, is_active=True)
        .exclude(pk=locked.pk)
    )
    for sibling in siblings:
        sibling.is_active = False
        sibling._change_reason = str(_("Version %(version)s remise en service") % {"version": locked.version})  # type: ignore[attr-defined]
        sibling.save(update_fields=["is_active"])
    if not locked.is_active:
        locked.is_active = True
        locked._change_reason = str(_("Remise en service"))  # type: ignore[attr-defined]
        locked.save(update_fields=["is_active"])
    return locked


@transaction.atomic
def deactivate_templates(*, organization: Organization, user: Any, kind: str, template_format: str) -> None:
    """Go back to the shipped default for (kind, format)."""
    tenancy.require(user, organization.pk, Capability.MANAGE_TEMPLATES)
    for template in DocumentTemplate.objects.select_for_update().filter(
        organization=organization, kind=kind, format=template_format, is_active=True
    ):
        template.is_active = False
        template._change_reason = str(_("Retour au modèle livré"))  # type: ignore[attr-defined]
        template.save(update_fields=["is_active"])


# --- Certificates and trust anchors ----------------------------------------------------


def _check_validity(info: signing.CertificateFacts, *, what: str, field: str, rule: str) -> None:
    now = timezone.now()
    if info.not_after <= now:
        raise DomainError(
            _("%(what)s « %(name)s » a expiré le %(end)s : il ne peut plus servir.")
            % {"what": what, "name": info.common_name, "end": french_date(timezone.localtime(info.not_after))},
            rule=rule,
            field=field,
        )


@transaction.atomic
def add_signing_certificate(
    *,
    organization: Organization,
    user: Any,
    pkcs12_data: bytes,
    passphrase: str,
    label: str = "",
    signatory: Signatory | None = None,
    store_passphrase: bool = True,
) -> SigningCertificate:
    """Register a PKCS#12 opened with its passphrase; the passphrase is kept only encrypted (or not at all).

    Whoever may sign the organization's documents may deposit the certificate they sign
    with (Capability.SIGN_DOCUMENTS). The file is opened for real: a wrong passphrase, a
    file that is not PKCS#12, one without the private key or an expired certificate is
    refused with its reason. Depositing a deactivated certificate again puts it back in service.
    """
    if user is not None:
        tenancy.require(user, organization.pk, Capability.SIGN_DOCUMENTS)
    if signatory is not None and signatory.organization_id != organization.pk:
        raise DomainError(
            _("Le signataire doit appartenir à l'organisation du certificat."),
            rule="documents.certificate",
            field="signatory",
        )
    if not pkcs12_data:
        raise DomainError(_("Le fichier envoyé est vide."), rule="documents.pkcs12_format", field="pkcs12")
    if len(pkcs12_data) > 1024 * 1024:
        raise DomainError(_("Le fichier PKCS#12 est trop volumineux."), rule="documents.pkcs12", field="pkcs12")
    _key, certificate, _chain = signing.load_pkcs12(pkcs12_data, passphrase)
    info = signing.facts(certificate)
    _check_validity(info, what=str(_("Le certificat")), field="pkcs12", rule="documents.certificate_validity")
    # One deposit at a time per organization: the fingerprint check below cannot race.
    Organization.objects.select_for_update().only("id").get(pk=organization.pk)
    record = SigningCertificate.objects.filter(organization=organization, fingerprint=info.fingerprint).first()
    if record is not None and record.is_active:
        raise DomainError(
            _("Ce certificat est déjà enregistré et en service (« %(label)s »).") % {"label": record.label},
            rule="documents.certificate_duplicate",
            field="pkcs12",
        )
    reason = _("Certificat enregistré") if record is None else _("Certificat déposé de nouveau et remis en service")
    record = record or SigningCertificate(organization=organization, fingerprint=info.fingerprint)
    record.signatory = signatory
    record.label = (label or info.common_name)[:200]
    record.pkcs12 = pkcs12_data
    record.encrypted_passphrase = crypto.encrypt_passphrase(passphrase) if store_passphrase else ""
    record.subject = info.subject
    record.issuer = info.issuer
    record.serial_number = info.serial_number
    record.not_before = info.not_before
    record.not_after = info.not_after
    record.is_active = True
    record._change_reason = str(reason)  # type: ignore[attr-defined]
    record.save()
    return record


@transaction.atomic
def deactivate_signing_certificate(*, certificate: SigningCertificate, user: Any) -> SigningCertificate:
    """Take a certificate out of service: nobody can sign with it any more; signed documents stay valid."""
    tenancy.require(user, certificate.organization_id, Capability.SIGN_DOCUMENTS)
    locked = SigningCertificate.objects.select_for_update().defer("pkcs12").get(pk=certificate.pk)
    if locked.is_active:
        locked.is_active = False
        locked._change_reason = str(_("Certificat retiré du service"))  # type: ignore[attr-defined]
        locked.save(update_fields=["is_active"])
    return locked


@transaction.atomic
def add_trust_anchor(*, organization: Organization, user: Any, certificate_data: bytes, label: str = "") -> TrustAnchor:
    """Trust a CA certificate (PEM or DER, parsed) for verifying signatures in this organization.

    Managing what the organization trusts is part of managing its documents'
    configuration (Capability.MANAGE_TEMPLATES: administrators and legal staff).
    """
    if user is not None:
        tenancy.require(user, organization.pk, Capability.MANAGE_TEMPLATES)
    if not certificate_data:
        raise DomainError(_("Le fichier envoyé est vide."), rule="documents.certificate_format", field="certificate")
    if len(certificate_data) > 256 * 1024:
        raise DomainError(
            _("Le fichier du certificat est trop volumineux."), rule="documents.certificate_format", field="certificate"
        )
    certificate = signing.load_certificate(certificate_data)
    info = signing.facts(certificate)
    _check_validity(
        info,
        what=str(_("Le certificat d'autorité")),
        field="certificate",
        rule="documents.certificate_validity",
    )
    Organization.objects.select_for_update().only("id").get(pk=organization.pk)
    anchor = TrustAnchor.objects.filter(organization=organization, fingerprint=info.fingerprint).first()
    if anchor is not None and anchor.is_active:
        raise DomainError(
            _("Cette autorité est déjà dans la liste de confiance (« %(label)s »).") % {"label": anchor.label},
            rule="documents.trust_anchor_duplicate",
            field="certificate",
        )
    reason = _("Autorité ajoutée") if anchor is None else _("Autorité remise en service")
    anchor = anchor or TrustAnchor(organization=organization, fingerprint=info.fingerprint)
    anchor.label = (label or info.common_name)[:200]
    anchor.certificate_pem = signing.certificate_pem(certificate)
    anchor.subject = info.subject
    anchor.issuer = info.issuer
    anchor.not_before = info.not_before
    anchor.not_after = info.not_after
    anchor.is_active = True
    anchor._change_reason = str(reason)  # type: ignore[attr-defined]
    anchor.save()
    return anchor


@transaction.atomic
def deactivate_trust_anchor(*, anchor: TrustAnchor, user: Any) -> TrustAnchor:
    """Stop trusting an authority: signatures it vouches for are no longer reported as trusted."""
    tenancy.require(user, anchor.organization_id, Capability.MANAGE_TEMPLATES)
    locked = TrustAnchor.objects.select_for_update().get(pk=anchor.pk)
    if locked.is_active:
        locked.is_active = False
        locked._change_reason = str(_("Autorité retirée de la liste de confiance"))  # type: ignore[attr-defined]
        locked.save(update_fields=["is_active"])
    return locked


def create_test_certificate(
    *, organization: Organization, signatory: Signatory, passphrase: str, trust: bool = True
) -> SigningCertificate:
    """A self-made certificate for a signatory (demo and tests only), its CA trusted by the organization."""
    pkcs12_data, ca = signing.create_test_pkcs12(
        common_name=signatory.person.full_name, organization_name=organization.name, passphrase=passphrase
    )
    with transaction.atomic():
        certificate = add_signing_certificate(
            organization=organization,
            user=None,
            pkcs12_data=pkcs12_data,
            passphrase=passphrase,
            signatory=signatory,
            label=f"{signatory.person.full_name} — {signatory.function} (test)",
        )
        if trust:
            add_trust_anchor(
                organization=organization,
                user=None,
                certificate_data=signing.certificate_pem(ca).encode(),
                label=f"Autorité de test — {organization.name}",
            )
    return certificate


# --- Signing, verification, scans ------------------------------------------------------


def read_document(document: StoredDocument) -> bytes:
    with document.file.open("rb") as handle:
        return bytes(handle.read())


def check_integrity(document: StoredDocument) -> bool:
    """Does the stored file still match the fingerprint recorded when it was made?"""
    digest = hashlib.sha256()
    with document.file.open("rb") as handle:
        for chunk in iter(lambda: handle.read(64 * 1024), b""):
            digest.update(chunk)
    return digest.hexdigest() == document.sha256


def sign_document(
    *,
    document: StoredDocument,
    certificate: SigningCertificate,
    user: Any,
    passphrase: str = "",
    reason: str = "",
    location: str = "",
) -> StoredDocument:
    """Sign a PDF (PAdES) as a new version; the signed source stays as it was."""
    tenancy.require(user, document.organization_id, Capability.SIGN_DOCUMENTS)
    if document.format != DocumentFormat.PDF:
        raise DomainError(_("Seuls les PDF peuvent être signés électroniquement."), rule="documents.sign_pdf_only")
    if certificate.organization_id != document.organization_id or not certificate.is_active:
        raise DomainError(
            _("Ce certificat n'est pas un certificat en service de l'organisation du document."),
            rule="documents.certificate",
            field="certificate",
        )
    now = timezone.now()
    if not certificate.not_before <= now <= certificate.not_after:
        raise DomainError(
            _("Le certificat « %(label)s » n'est pas valide aujourd'hui (du %(start)s au %(end)s).")
            % {
                "label": certificate.label,
                "start": french_date(certificate.not_before),
                "end": french_date(certificate.not_after),
            },
            rule="documents.certificate_validity",
            field="certificate",
        )
    if not passphrase:
        if not certificate.encrypted_passphrase:
            raise DomainError(
                _("Saisissez la phrase secrète du certificat."), rule="documents.passphrase", field="passphrase"
            )
        passphrase = crypto.decrypt_passphrase(certificate.encrypted_passphrase)
    signatory = certificate.signatory
    signer_name = signatory.person.full_name if signatory else certificate.label
    function = signatory.function if signatory else ""
    with transaction.atomic():
        source = StoredDocument.objects.select_for_update().get(pk=document.pk)
        newer = source.derived.filter(origin=Origin.SIGNED).order_by("-version").first()
        if newer is not None:
            raise DomainError(
                _(
                    "Ce document a déjà été signé : signez sa dernière version (v%(version)s) pour garder toutes les signatures."
                )
                % {"version": newer.version},
                rule="documents.sign_latest",
            )
        data = read_document(source)
        if sha256_of(data) != source.sha256:
            raise DomainError(
                _("Le fichier enregistré ne correspond plus à son empreinte : il ne peut pas être signé."),
                rule="documents.integrity",
            )
        signed = signing.sign_pdf(
            data,
            pkcs12_data=bytes(SigningCertificate.objects.values_list("pkcs12", flat=True).get(pk=certificate.pk)),
            passphrase=passphrase,
            signer_name=signer_name,
            function=function,
            reason=reason,
            location=location,
        )
        return store(
            data=signed,
            organization=source.organization,
            owner_type=source.owner_type,
            owner_id=source.owner_id,
            kind=source.kind,
            document_format=DocumentFormat.PDF,
            title=source.title,
            user=user,
            origin=Origin.SIGNED,
            template=source.template,
            template_label=source.template_label,
            source=source,
            signature_count=source.signature_count + 1,
            reason=str(_("Signé par %(name)s") % {"name": signer_name}),
        )


def trust_pems_for(organization_ids: Sequence[int]) -> list[str]:
    return list(
        TrustAnchor.objects.filter(organization_id__in=organization_ids, is_active=True).values_list(
            "certificate_pem", flat=True
        )
    )


def verify_bytes(*, data: bytes, organization_ids: Sequence[int]) -> signing.VerificationReport:
    """Verify a PDF's signatures against the trust lists of the given organizations."""
    limit = int(getattr(settings, "DOCUMENTS_VERIFY_MAX_BYTES", 50 * 1024 * 1024))
    if len(data) > limit:
        raise DomainError(
            _("Le fichier dépasse la taille maximale de %(limit)s octets.") % {"limit": limit},
            rule="documents.size",
            field="file",
        )
    return signing.verify_pdf(data, trust_pems=trust_pems_for(organization_ids))


def verify_document(*, document: StoredDocument) -> tuple[bool, signing.VerificationReport | None]:
    """The stored file against its fingerprint, and its signatures if it is a PDF."""
    data = read_document(document)
    hash_ok = sha256_of(data) == document.sha256
    if document.format != DocumentFormat.PDF:
        return hash_ok, None
    return hash_ok, signing.verify_pdf(data, trust_pems=trust_pems_for([document.organization_id]))


def check_scan(data: bytes) -> int:
    """A scan must be a real PDF (by its content, not its name) within the size limit; returns its pages."""
    limit = int(getattr(settings, "DOCUMENTS_SCAN_MAX_BYTES", 20 * 1024 * 1024))
    if not data:
        raise DomainError(_("Le fichier envoyé est vide."), rule="documents.scan", field="file")
    if len(data) > limit:
        raise DomainError(
            _("Le scan pèse %(size)s octets ; la limite est de %(limit)s octets.")
            % {"size": len(data), "limit": limit},
            rule="documents.scan_size",
            field="file",
        )
    not_pdf = DomainError(_("Ce fichier n'est pas un PDF, quel que soit son nom."), rule="documents.scan", field="file")
    if b"%PDF-" not in data[:1024]:
        raise not_pdf
    try:
        import pypdf

        reader = pypdf.PdfReader(io.BytesIO(data), strict=False)
        pages = len(reader.pages)
    except Exception as exc:
        raise not_pdf from exc
    if pages < 1:
        raise not_pdf
    return pages


def upload_scan(*, document: StoredDocument, user: Any, data: bytes) -> StoredDocument:
    """Store the hand-signed original's scan beside the document it was printed from."""
    tenancy.require(user, document.organization_id, Capability.GENERATE_DOCUMENTS)
    check_scan(data)
    return store(
        data=data,
        organization=document.organization,
        owner_type=document.owner_type,
        owner_id=document.owner_id,
        kind=document.kind,
        document_format=DocumentFormat.PDF,
        title=str(_("%(title)s — original signé") % {"title": document.title}),
        user=user,
        origin=Origin.SCAN,
        source=document,
        reason=str(_("Original signé numérisé déposé")),
    )


# --- Batches ---------------------------------------------------------------------------


def start_batch(
    *,
    owner: models.Model,
    organization: Organization,
    user: Any,
    title: str,
    builder: str,
    builder_kwargs: dict[str, Any],
) -> DocumentBatch:
    """Record a batch and enqueue its generation once the caller's transaction commits."""
    check_plain(builder_kwargs, "builder_kwargs")
    if not builder or "." not in builder:
        raise DomainError(
            _("Le constructeur du lot doit être un chemin pointé."), rule="documents.batch", field="builder"
        )
    tenant = tenant_of(organization)
    batch = DocumentBatch(
        organization=tenant,
        owner_type=ContentType.objects.get_for_model(owner),
        owner_id=owner.pk,
        title=title[:300],
        builder=builder,
        builder_kwargs=json.loads(json.dumps(builder_kwargs, cls=DjangoJSONEncoder)),
        created_by=user if getattr(user, "pk", None) else None,
    )
    batch._change_reason = str(_("Lot demandé"))  # type: ignore[attr-defined]
    batch.save()

    def enqueue() -> None:
        from documents.tasks import run_batch

        run_batch.enqueue(batch.pk)

    transaction.on_commit(enqueue)
    return batch


def _transition(batch_id: int, action: str, **fields: Any) -> DocumentBatch:
    with transaction.atomic():
        batch = DocumentBatch.objects.select_for_update().get(pk=batch_id)
        getattr(batch, action)()
        for name, value in fields.items():
            setattr(batch, name, value)
        batch._change_reason = action  # type: ignore[attr-defined]
        batch.save()
    return batch


@dataclass
class _BatchItem:
    """One requested document of a batch: its formats' templates and renderings, or why it is refused."""

    request: DocumentRequest
    tenant: Organization
    owner: models.Model
    jobs: list[tuple[templates_registry.ResolvedTemplate, jobs.RenderJob]] = field(default_factory=list)
    pending: list[Any] = field(default_factory=list)  # one future per job, in the same order
    refused: str = ""


def _prepare(batch: DocumentBatch, request: DocumentRequest, seconds: float) -> _BatchItem:
    """Check one request and resolve its templates (reads the database; renders nothing)."""
    organization = Organization.objects.get(pk=request.organization_id)
    owner_type = ContentType.objects.get_for_id(request.owner_content_type_id)
    owner = owner_type.get_object_for_this_type(pk=request.owner_id)
    tenant = tenant_of(organization)
    if tenant.pk != batch.organization_id:
        raise DomainError(_("Un document du lot appartient à une autre organisation."), rule="documents.batch")
    item = _BatchItem(request=request, tenant=tenant, owner=owner)
    try:
        _check_kind_and_formats(request.kind, request.formats)
        check_plain(request.context)
        for document_format in dict.fromkeys(request.formats):
            resolved = templates_registry.resolve(
                organization_id=tenant.pk, kind=request.kind, document_format=document_format
            )
            item.jobs.append((resolved, _job(resolved, document_format, request.context, seconds)))
    except DomainError as exc:
        item.refused, item.jobs = exc.message, []
    return item


def _collect(item: _BatchItem, *, user: Any, failures: list[str]) -> list[StoredDocument]:
    """Wait for one document's renderings and store them, or record why it is refused."""
    try:
        if item.refused:
            raise DomainError(item.refused, rule="documents.batch")
        rendered = [
            (job.document_format, pending.result(), resolved)
            for (resolved, job), pending in zip(item.jobs, item.pending, strict=True)
        ]
    except DomainError as exc:
        failures.append(f"{item.request.title} : {exc.message}")
        return []
    return _store_rendered(
        rendered, tenant=item.tenant, owner=item.owner, kind=item.request.kind, title=item.request.title, user=user
    )


def run_batch(*, batch_id: int) -> DocumentBatch:
    """Build every requested document, then the ZIP.

    The documents are rendered in a pool of processes (``documents.jobs``: one per CPU)
    while this process reads the database and stores each document in the order requested,
    all its formats together. A document refused by a rule (a template too slow or too long
    for one item, say) is recorded in the batch's error with its title and the others are
    still produced: one procès-verbal must not lose a sitting's 150 extracts. Anything else
    stops the batch."""
    batch = _transition(batch_id, "start")
    try:
        builder = import_string(batch.builder)
        requests = list(builder(**batch.builder_kwargs))
        DocumentBatch.objects.filter(pk=batch.pk).update(total=len(requests))
        user = batch.created_by
        failures: list[str] = []
        # Nobody waits on a background batch: a long procès-verbal gets more time than a click.
        batch_seconds = getattr(settings, "DOCUMENTS_BATCH_RENDER_SECONDS", 300)
        items = [_prepare(batch, request, batch_seconds) for request in requests]
        with jobs.pool(sum(len(item.jobs) for item in items)) as renderer:
            for item in items:
                item.pending = [renderer.submit(job) for _resolved, job in item.jobs]
            for item in items:
                documents = _collect(item, user=user, failures=failures)
                if documents:
                    batch.documents.add(*documents)
                DocumentBatch.objects.filter(pk=batch.pk).update(done=models.F("done") + 1)
        if requests and len(failures) == len(requests):
            raise DomainError("\n".join(failures), rule="documents.batch")
        zip_file = _build_zip(batch)
        with transaction.atomic():
            batch = DocumentBatch.objects.select_for_update().get(pk=batch.pk)
            batch.zip_file.save(f"batch-{batch.pk}.zip", zip_file, save=False)
            batch.error = "\n".join(failures)[:2000]
            batch.finish()
            batch.finished_at = timezone.now()
            batch._change_reason = "finish"  # type: ignore[attr-defined]
            batch.save()
        zip_file.close()
        return batch
    except Exception as exc:
        logger.exception("Document batch %s failed", batch_id)
        message = exc.message if isinstance(exc, DomainError) else f"{type(exc).__name__}: {exc}"
        return _transition(batch_id, "fail", error=message[:2000], finished_at=timezone.now())


def _build_zip(batch: DocumentBatch) -> File:
    """Stream each file into a spooled ZIP: memory stays bounded whatever the batch size."""
    spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115  (closed by the caller)
    used: set[str] = set()
    with zipfile.ZipFile(spool, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for document in batch.documents.order_by("id").iterator():
            name = document.filename
            while name in used:
                name = f"{document.pk}-{name}"
            used.add(name)
            with document.file.open("rb") as source, archive.open(name, "w") as target:
                for chunk in iter(lambda: source.read(256 * 1024), b""):
                    target.write(chunk)
    spool.seek(0)
    return File(spool, name=f"batch-{batch.pk}.zip")
