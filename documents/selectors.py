"""Reads of documents, templates, certificates and batches, scoped to the user's organizations."""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Model, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core import sql, tenancy
from core.roles import Capability
from documents.models import (
    DocumentBatch,
    DocumentTemplate,
    Origin,
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


_PANEL_PK = 987654321  # placeholder pk replaced in the panel's reversed addresses
_PANEL_PK_TEXT = f"/{_PANEL_PK}/"
# The columns the panel prints: no organization, author, owner type or template joined.
_PANEL_COLUMNS = ("id", "organization_id", "title", "format", "version", "origin", "signature_count", "created_at")


@sql.keyed
def _panel_sql(organizations: int | None, limit: int) -> str:
    # ``documents_of`` in its order, as SQL written once (``core.sql``): the ORM took longer
    # to build this query than PostgreSQL to answer it, on every page that has the panel.
    # The organizations are ``%s`` each, or (``None``) those the user ``%s`` is a member of.
    d = StoredDocument
    columns = ", ".join(sql.column(d, f) for f in _PANEL_COLUMNS)
    scope = tenancy.organizations_sql(organizations)
    return (
        f"SELECT {columns} FROM {sql.table(d)} WHERE {sql.column(d, 'owner_type')} = %s "
        f"AND {sql.column(d, 'owner_id')} = %s AND {sql.column(d, 'organization')} IN ({scope}) "
        f"ORDER BY {sql.order(d, ['-created_at', '-id'])} LIMIT {int(limit)}"
    )


def panel(user: Any, obj: Model, limit: int = 50) -> dict[str, Any]:
    """What an object's documents panel prints (``panels/documents.jinja``), each row decided
    here from plain values: the panel is on every sitting, act and convention page, with a
    version per format and per run."""
    return sql.read_one(panel_reads(user, type(obj), obj.pk, limit)) or {"rows": [], "labels": {}}


def panel_reads(user: Any, model: Any, pk: Any, limit: int = 50) -> sql.Reads[dict[str, Any]]:
    """:func:`panel` of the object ``pk`` of ``model`` as a query, for a page to send with its own."""
    if user is None:
        return sql.Reads([], lambda _results: {"rows": [], "labels": {}})
    owner_type = ContentType.objects.get_for_model(model)  # cached by Django after its first read
    if user.is_authenticated and not tenancy.roles_known(user):
        # Scoped by the user's memberships: the page reads the roles in the same round trip
        # (before this panel is built: it checks who may sign).
        statement = (_panel_sql(None, limit), [owner_type.pk, pk, user.pk])
    else:
        organizations = tenancy.organization_ids(user)
        if not organizations:
            return sql.Reads([], lambda _results: _panel_context(user, []))
        statement = (_panel_sql(len(organizations), limit), [owner_type.pk, pk, *organizations])

    def build(results: list[list[tuple[Any, ...]]]) -> dict[str, Any]:
        return _panel_context(user, results[0])

    return sql.Reads([statement], build)


def _panel_context(user: Any, raw: list[tuple[Any, ...]]) -> dict[str, Any]:
    documents = [tuple(row.values()) for row in sql.convert(StoredDocument, _PANEL_COLUMNS, raw)]
    sign_orgs = set(tenancy.organizations_where(user, Capability.SIGN_DOCUMENTS))
    detail = reverse("documents:detail", args=[_PANEL_PK])
    download = reverse("documents:download", args=[_PANEL_PK])
    origins = {value: str(label) for value, label in Origin.choices}
    rows = []
    for pk, organization_id, title, document_format, version, origin, signatures, created_at in documents:
        local = timezone.localtime(created_at)
        origin_label = origins.get(origin, origin)
        if signatures:
            origin_label += " (" + ngettext("%(n)s signature", "%(n)s signatures", signatures) % {"n": signatures} + ")"
        rows.append(
            {
                "url": detail.replace(_PANEL_PK_TEXT, f"/{pk}/"),
                "download_url": download.replace(_PANEL_PK_TEXT, f"/{pk}/"),
                "title": title,
                "format": document_format.upper(),
                "version": version,
                "origin": origin_label,
                "created_iso": local.isoformat(),
                "created": local.strftime("%d/%m/%Y %H:%M"),
                "pdf": document_format == "pdf",
                "can_sign": organization_id in sign_orgs,
            }
        )
    labels = {"download": _("Télécharger"), "verify": _("Vérifier"), "sign": _("Signer")}
    return {"rows": rows, "labels": labels}
