"""Reads of documents, templates, certificates and batches, scoped to the user's organizations."""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Model, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from core import tenancy
from core.roles import Capability
from documents.models import (
    DocumentBatch,
    DocumentTemplate,
    SigningCertificate,
    StoredDocument,
    TrustAnchor,
)


def _not_found() -> Http404:
    return Http404(_("Aucun document ne correspond à cette adresse."))


def documents_for(user: Any) -> QuerySet[StoredDocument]:
    return (
        StoredDocument.objects.visible_to(tenancy.organization_ids(user))
        .select_related("organization", "created_by", "owner_type", "template")
        .order_by("-created_at", "-id")
    )


def documents_of(user: Any, owner: Model) -> QuerySet[StoredDocument]:
    """An object's documents, newest first, if the user may see them."""
    return documents_for(user).filter(owner_type=ContentType.objects.get_for_model(owner), owner_id=owner.pk)


def document_for(user: Any, pk: int, *, page: bool = False) -> StoredDocument:
    """One document of the user's organizations, or 404; for its ``page``, with only what the
    page prints joined (its organization and author: no content type or uploaded template,
    whose joins PostgreSQL took longer to plan than to run)."""
    queryset = documents_for(user)
    if page:
        queryset = queryset.select_related(None).select_related("organization", "created_by")
    try:
        return queryset.get(pk=pk)
    except StoredDocument.DoesNotExist as exc:
        raise _not_found() from exc


def versions_of(document: StoredDocument) -> QuerySet[StoredDocument]:
    """Every document of the same object and kind (all formats and origins), newest first."""
    return (
        StoredDocument.objects.filter(
            organization_id=document.organization_id,
            owner_type_id=document.owner_type_id,
            owner_id=document.owner_id,
            kind=document.kind,
        )
        # The versions table prints these columns only (not who produced each version).
        .only("pk", "version", "format", "origin", "created_at", "sha256")
        .order_by("-created_at", "-id")
    )


def templates_for(user: Any) -> QuerySet[DocumentTemplate]:
    return DocumentTemplate.objects.filter(organization_id__in=tenancy.organization_ids(user)).select_related(
        "organization", "created_by"
    )


def template_versions(
    user: Any, *, organization_id: int, kind: str, template_format: str
) -> QuerySet[DocumentTemplate]:
    return (
        templates_for(user)
        .filter(organization_id=organization_id, kind=kind, format=template_format)
        .order_by("-version")
    )


def template_for(user: Any, pk: int) -> DocumentTemplate:
    try:
        return templates_for(user).get(pk=pk)
    except DocumentTemplate.DoesNotExist as exc:
        raise _not_found() from exc


def certificates_of(organization_id: int) -> QuerySet[SigningCertificate]:
    return (
        SigningCertificate.objects.filter(organization_id=organization_id, is_active=True)
        .select_related("signatory__person")
        .defer("pkcs12")
    )


def trust_anchors_of(organization_id: int) -> QuerySet[TrustAnchor]:
    return TrustAnchor.objects.filter(organization_id=organization_id, is_active=True)


def all_certificates_of(organization_id: int) -> QuerySet[SigningCertificate]:
    """Every signing certificate of the organization, in service first (without the PKCS#12 bytes)."""
    return (
        SigningCertificate.objects.filter(organization_id=organization_id)
        .select_related("signatory__person")
        .defer("pkcs12", "encrypted_passphrase")
        .order_by("-is_active", "label", "id")
    )


def all_trust_anchors_of(organization_id: int) -> QuerySet[TrustAnchor]:
    """Every trust anchor of the organization, in service first (without the PEM text)."""
    return (
        TrustAnchor.objects.filter(organization_id=organization_id)
        .defer("certificate_pem")
        .order_by("-is_active", "label", "id")
    )


def certificate_for(user: Any, pk: int) -> SigningCertificate:
    try:
        return (
            SigningCertificate.objects.filter(organization_id__in=tenancy.organization_ids(user))
            .defer("pkcs12")
            .get(pk=pk)
        )
    except SigningCertificate.DoesNotExist as exc:
        raise _not_found() from exc


def trust_anchor_for(user: Any, pk: int) -> TrustAnchor:
    try:
        return TrustAnchor.objects.filter(organization_id__in=tenancy.organization_ids(user)).get(pk=pk)
    except TrustAnchor.DoesNotExist as exc:
        raise _not_found() from exc


def batch_for(user: Any, pk: int) -> DocumentBatch:
    try:
        return DocumentBatch.objects.filter(organization_id__in=tenancy.organization_ids(user)).get(pk=pk)
    except DocumentBatch.DoesNotExist as exc:
        raise _not_found() from exc


# The columns the panel prints: no organization, author, owner type or template joined.
_PANEL_COLUMNS = ("id", "organization_id", "title", "format", "version", "origin", "signature_count", "created_at")


def panel(user: Any, obj: Model, limit: int = 50) -> dict[str, Any]:
    """What an object's documents panel prints (``panels/documents.jinja``): its newest
    documents the user may see (a version per format and per run), and the organizations
    where the user may sign them. One query (the user's roles are read once per request)."""
    if user is None or not user.is_authenticated:
        return {"documents": [], "sign_organizations": set()}
    documents = documents_of(user, obj).select_related(None).only(*_PANEL_COLUMNS)[:limit]
    return {
        "documents": list(documents),
        "sign_organizations": set(tenancy.organizations_where(user, Capability.SIGN_DOCUMENTS)),
    }
