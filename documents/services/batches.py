"""Batches: many documents rendered in a pool of processes, stored in order, zipped."""

from __future__ import annotations

import json
import logging
import tempfile
import zipfile
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import File
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from core.errors import DomainError
from core.locking import lock
from documents import jobs, templates_registry
from documents.context import check_plain
from documents.models import (
    DocumentBatch,
    StoredDocument,
)
from documents.services.generation import (
    DocumentRequest,
    check_kind_and_formats,
    render_job,
    store_rendered,
    tenant_of,
)
from parties.models import Organization

logger = logging.getLogger(__name__)


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
        batch = lock(DocumentBatch, batch_id)
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
        check_kind_and_formats(request.kind, request.formats)
        check_plain(request.context)
        for document_format in dict.fromkeys(request.formats):
            resolved = templates_registry.resolve(
                organization_id=tenant.pk, kind=request.kind, document_format=document_format
            )
            item.jobs.append((resolved, render_job(resolved, document_format, request.context, seconds)))
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
    return store_rendered(
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
            batch = lock(DocumentBatch, batch.pk)
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
