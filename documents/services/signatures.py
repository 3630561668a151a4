"""Signing stored PDFs, verifying signatures and fingerprints, depositing hand-signed scans."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import tenancy
from core.errors import DomainError
from core.formatting import french_date
from core.locking import lock
from core.roles import Capability
from documents import crypto, signing
from documents.models import (
    DocumentFormat,
    Origin,
    SigningCertificate,
    StoredDocument,
    TrustAnchor,
)
from documents.services.generation import (
    sha256_of,
    store,
)


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
    return _sign(
        document=document, certificate=certificate, user=user, passphrase=passphrase, reason=reason, location=location
    )


def seal_document(*, document: StoredDocument, reason: str = "", location: str = "") -> StoredDocument | None:
    """Sign a PDF made by no user (a member's written proxy received online) with the
    organization's certificate, when one signs unattended: in service, valid today, its
    passphrase kept. None when there is no such certificate (the PDF stays unsigned)."""
    now = timezone.now()
    certificate = (
        SigningCertificate.objects.filter(
            organization_id=document.organization_id, is_active=True, not_before__lte=now, not_after__gte=now
        )
        .exclude(encrypted_passphrase="")
        .select_related("signatory__person")
        .defer("pkcs12")
        .order_by("-not_after", "-pk")
        .first()
    )
    if certificate is None:
        return None
    return _sign(document=document, certificate=certificate, user=None, reason=reason, location=location)


def _sign(
    *,
    document: StoredDocument,
    certificate: SigningCertificate,
    user: Any,
    passphrase: str = "",
    reason: str = "",
    location: str = "",
) -> StoredDocument:
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
        source = lock(StoredDocument, document.pk)
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
