"""Stage 4: stored-document records (100,000 at scale 1) for sittings, deliberations and
conventions, pointing at a few small shared files (real PDF and DOCX files, one per kind
and format), with their true SHA-256 and size. What is measured is the database and the
pages that list documents, not the disk."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterator
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from bench.generator import base
from bench.generator.base import Context

PARIS = ZoneInfo("Europe/Paris")


def ready() -> bool:
    return base.model("documents.StoredDocument") is not None


def small_pdf(title: str) -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": title, "/Producer": "Conventio (jeu d'essai)"})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def small_docx(title: str) -> bytes:
    from docx import Document

    document = Document()
    document.add_heading(title, level=1)
    document.add_paragraph("Document du jeu d'essai de Conventio.")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def shared_file(kind: str, fmt: str, cache: dict[tuple[str, str], tuple[str, str, int]]) -> tuple[str, str, int]:
    """(storage name, sha256, size) of the one shared file for this kind and format."""
    key = (kind, fmt)
    if key not in cache:
        content = small_pdf(kind) if fmt == "pdf" else small_docx(kind)
        sha = hashlib.sha256(content).hexdigest()
        name = f"documents/bench/{kind}-{sha[:12]}.{fmt}"
        if not default_storage.exists(name):
            name = default_storage.save(name, ContentFile(content))
        cache[key] = (name, sha, len(content))
    return cache[key]


def run(ctx: Context) -> None:
    from documents.models import StoredDocument

    budget = round(100_000 * ctx.scale)
    cache: dict[tuple[str, str], tuple[str, str, int]] = {}
    clerk = {t.id: t.users.get("clerk") for t in ctx.tenants}
    legal = {t.id: t.users.get("legal") for t in ctx.tenants}

    def rows() -> Iterator[Any]:
        for made, (owner_ct, owner_id, org, kind, fmt, title, day) in enumerate(_owners(ctx)):
            if made >= budget:
                return
            name, sha, size = shared_file(kind, fmt, cache)
            yield StoredDocument(
                organization_id=org,
                owner_type_id=owner_ct,
                owner_id=owner_id,
                kind=kind,
                format=fmt,
                origin="generated",
                version=1,
                title=title[:300],
                file=name,
                sha256=sha,
                size=size,
                template_label="Modèle livré avec Conventio",
                created_by_id=(legal if kind in ("convention", "amendment") else clerk)[org],
                created_at=datetime.combine(day, time(17, 30), tzinfo=PARIS),
            )

    with base.keep_given_dates(StoredDocument, "created_at"):
        ctx.count("stored documents", base.bulk_quiet(StoredDocument, rows(), 5000))


def _owners(ctx: Context) -> Iterator[tuple[int, int, int, str, str, str, Any]]:
    """(owner type, owner id, organization, kind, format, title, day), most useful first."""
    bench_orgs = [t.id for t in ctx.tenants]
    if base.model("deliberations.Sitting") is not None:
        from django.utils import timezone

        from deliberations.models import Deliberation, Sitting

        sitting_ct = ContentType.objects.get_for_model(Sitting).pk
        for pk, org, name, starts_at, convocation, list_on, approved in (
            Sitting.objects.filter(assembly__organization_id__in=bench_orgs)
            .order_by("-starts_at")
            .values_list(
                "pk",
                "assembly__organization_id",
                "assembly__name",
                "starts_at",
                "convocation_date",
                "list_published_on",
                "minutes_approved_on",
            )
            .iterator(chunk_size=2000)
        ):
            day = timezone.localtime(starts_at).date()
            label = f"{name} du {day:%d/%m/%Y}"
            if convocation:
                yield sitting_ct, pk, org, "convocation", "pdf", f"Convocation — {label}", convocation
            if list_on:
                yield sitting_ct, pk, org, "deliberation_list", "pdf", f"Liste des délibérations — {label}", list_on
            if approved:
                yield sitting_ct, pk, org, "minutes", "pdf", f"Procès-verbal — {label}", approved
        if base.model("conventions.Convention") is not None:
            from bench.generator import convention_outputs as conventions

            yield from conventions.document_owners(ctx)
        deliberation_ct = ContentType.objects.get_for_model(Deliberation).pk
        for pk, org, number, title, signed in (
            Deliberation.objects.filter(assembly__organization_id__in=bench_orgs, signed_on__isnull=False)
            .order_by("-signed_on", "-pk")
            .values_list("pk", "assembly__organization_id", "number", "title", "signed_on")
            .iterator(chunk_size=5000)
        ):
            label = f"Extrait — délibération {number} — {title}"
            yield deliberation_ct, pk, org, "extract", "pdf", label, signed + timedelta(days=0)
            yield deliberation_ct, pk, org, "extract", "docx", label, signed
