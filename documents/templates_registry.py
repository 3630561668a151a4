"""Which template makes a document: the organization's active upload, else the shipped default."""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from core.errors import DomainError
from documents import rendering
from documents.models import DocumentFormat, DocumentTemplate, TemplateFormat

TEMPLATE_FORMAT = {DocumentFormat.PDF: TemplateFormat.HTML, DocumentFormat.DOCX: TemplateFormat.DOCX}

_cache_lock = threading.Lock()
_bytes_cache: OrderedDict[tuple[str, str], bytes] = OrderedDict()


@dataclass(frozen=True)
class ResolvedTemplate:
    kind: str
    format: str  # TemplateFormat
    uploaded: DocumentTemplate | None

    @property
    def label(self) -> str:
        if self.uploaded is None:
            return str(_("modèle livré (%(name)s)") % {"name": self.shipped_name})
        return str(_("modèle déposé v%(version)s") % {"version": self.uploaded.version})

    @property
    def shipped_name(self) -> str:
        return f"documents/{self.kind}.{self.format}"


def shipped_path(kind: str, template_format: str) -> Path:
    return rendering.TEMPLATE_ROOT / "documents" / f"{kind}.{template_format}"


def resolve(*, organization_id: int, kind: str, document_format: str) -> ResolvedTemplate:
    template_format = TEMPLATE_FORMAT[DocumentFormat(document_format)]
    uploaded = (
        DocumentTemplate.objects.filter(
            organization_id=organization_id, kind=kind, format=template_format, is_active=True
        )
        .only("id", "version", "file", "sha256", "kind", "format", "organization_id")
        .first()
    )
    if uploaded is None and not shipped_path(kind, template_format).is_file():
        raise DomainError(
            _("Aucun modèle %(format)s n'existe pour les documents de type « %(kind)s ».")
            % {"format": template_format.upper(), "kind": kind},
            rule="documents.template_missing",
        )
    return ResolvedTemplate(kind=kind, format=template_format, uploaded=uploaded)


def _cached_bytes(key: tuple[str, str], load: Any) -> bytes:
    with _cache_lock:
        if key in _bytes_cache:
            _bytes_cache.move_to_end(key)
            return _bytes_cache[key]
    data: bytes = load()
    with _cache_lock:
        _bytes_cache[key] = data
        while len(_bytes_cache) > 64:
            _bytes_cache.popitem(last=False)
    return data


def uploaded_bytes(template: DocumentTemplate) -> bytes:
    """An uploaded template's content, read from storage once (keyed by its fingerprint)."""

    def load() -> bytes:
        with template.file.open("rb") as handle:
            return bytes(handle.read())

    return _cached_bytes(("upload", template.sha256), load)


def source_bytes(resolved: ResolvedTemplate) -> bytes:
    if resolved.uploaded is not None:
        return uploaded_bytes(resolved.uploaded)
    path = shipped_path(resolved.kind, resolved.format)
    return _cached_bytes(("shipped", f"{path}:{path.stat().st_mtime_ns}"), path.read_bytes)
