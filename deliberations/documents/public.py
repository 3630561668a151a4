"""The public register's PDF extracts: which acts have one, and the file itself."""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.http import Http404, HttpResponse

from deliberations.documents.generation import KIND_EXTRACT
from deliberations.models import (
    Deliberation,
)


def _public_documents(deliberation_ids: list[int]) -> Any:
    from documents.models import StoredDocument

    return StoredDocument.objects.filter(
        owner_type=ContentType.objects.get_for_model(Deliberation),
        owner_id__in=deliberation_ids,
        kind=KIND_EXTRACT,
        format="pdf",
    )


def public_extract_urls(deliberations: list[Deliberation]) -> set[int]:
    """Ids of the published deliberations that have a PDF extract (one query)."""
    ids = [d.pk for d in deliberations]
    if not ids:
        return set()
    return set(_public_documents(ids).values_list("owner_id", flat=True))


def public_extract_response(deliberation: Deliberation) -> HttpResponse:
    document = _public_documents([deliberation.pk]).order_by("-version", "-id").first()
    if document is None:
        raise Http404("Aucun extrait publié pour cette délibération.")
    with document.file.open("rb") as handle:
        data = handle.read()
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="extrait-{deliberation.number}.pdf"'
    return response
