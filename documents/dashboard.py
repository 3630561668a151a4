"""The dashboard panel: PDFs of my organizations still unsigned, and document batches under way."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef
from django.http import HttpRequest
from django.utils.translation import gettext as _

from core import tenancy
from core.roles import Capability
from documents.models import BatchStatus, DocumentBatch, DocumentFormat, Origin, StoredDocument

PANEL_ROWS = 5


def panel(request: HttpRequest) -> dict[str, Any] | None:
    user = request.user
    organizations = tenancy.organizations_where(user, Capability.SIGN_DOCUMENTS)
    if not organizations:
        return None
    # A generated PDF that nobody has signed yet (signing makes a new document from it). NOT
    # EXISTS, not ``derived__isnull``: PostgreSQL turned that LEFT JOIN into a hash of every
    # stored document (47 ms for a métropole's 100,000) where this walks the organization's
    # newest documents and probes the ``source`` index until five are found (0.3 ms).
    unsigned = (
        StoredDocument.objects.filter(
            ~Exists(StoredDocument.objects.filter(source_id=OuterRef("pk"))),
            organization_id__in=organizations,
            format=DocumentFormat.PDF,
            origin=Origin.GENERATED,
        )
        .select_related("organization")
        .order_by("-created_at", "-id")[:PANEL_ROWS]
    )
    batches = (
        DocumentBatch.objects.filter(
            organization_id__in=organizations, status__in=[BatchStatus.PENDING, BatchStatus.RUNNING]
        )
        .select_related("organization")
        .order_by("-id")[:PANEL_ROWS]
    )
    return {
        "title": _("Documents"),
        "template": "pages/core/_dashboard_documents.jinja",
        "unsigned": list(unsigned),
        "batches": list(batches),
    }
