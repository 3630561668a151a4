"""Generation: a document rendered from its template in each format and stored as a new version."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.db import IntegrityError, models, transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from core.errors import DomainError
from documents import jobs, rendering, templates_registry
from documents.context import check_plain
from documents.models import (
    DocumentFormat,
    DocumentKind,
    Origin,
    StoredDocument,
)
from parties.models import Organization


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


def check_kind_and_formats(kind: str, formats: Sequence[str]) -> None:
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


def render_job(
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
    return jobs.run(render_job(resolved, document_format, context, seconds)), resolved


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
    check_kind_and_formats(kind, formats)
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
    return store_rendered(rendered, tenant=tenant, owner=owner, kind=kind, title=title, user=user)


def store_rendered(
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
