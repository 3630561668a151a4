"""The dashboard panel: PDFs of my organizations still unsigned, and document batches under way."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _

from core import sql, tenancy
from core.roles import Capability
from documents.models import BatchStatus, DocumentBatch, DocumentFormat, Origin, StoredDocument
from parties.models import Organization

PANEL_ROWS = 5
# What the panel prints: a document's title, organization and date; a batch's title and status.
_DOCUMENT_FIELDS = ("id", "organization_id", "title", "created_at")
_ORGANIZATION_FIELDS = ("id", "name", "short_name")
_BATCH_FIELDS = ("id", "organization_id", "title", "status")


@sql.keyed
def _panel_sql(organizations: int) -> tuple[str, str]:
    """The unsigned PDFs and the running batches of the organizations (``%s`` each), prepared
    once per connection (``core.sql.keyed``), as the dashboard's other panels."""
    d, b = StoredDocument, DocumentBatch
    places = sql.placeholders(organizations)
    return (
        # A generated PDF that nobody has signed yet (signing makes a new document from it). NOT
        # EXISTS, not a LEFT JOIN on ``source``: PostgreSQL turned that join into a hash of every
        # stored document (47 ms for a métropole's 100,000) where this walks the organization's
        # newest documents and probes the ``source`` index until five are found (0.3 ms).
        f"SELECT {sql.columns(d, _DOCUMENT_FIELDS)}, {sql.columns(Organization, _ORGANIZATION_FIELDS)} "
        f"FROM {sql.table(d)} INNER JOIN {sql.table(Organization)} "
        f"ON {sql.column(Organization, 'id')} = {sql.column(d, 'organization')} "
        f"WHERE NOT EXISTS (SELECT 1 FROM {sql.table(d)} signed "
        f"WHERE signed.{sql.name(d, 'source')} = {sql.column(d, 'id')}) "
        f"AND {sql.column(d, 'format')} = %s AND {sql.column(d, 'organization')} IN ({places}) "
        f"AND {sql.column(d, 'origin')} = %s ORDER BY {sql.order(d, ['-created_at', '-id'])} LIMIT {PANEL_ROWS}",
        f"SELECT {sql.columns(b, _BATCH_FIELDS)} FROM {sql.table(b)} "
        f"WHERE {sql.column(b, 'organization')} IN ({places}) AND {sql.column(b, 'status')} IN (%s, %s) "
        f"ORDER BY {sql.order(b, ['-id'])} LIMIT {PANEL_ROWS}",
    )


def reads(request: HttpRequest) -> sql.Reads[dict[str, Any] | None] | None:
    """The panel's two queries, for the dashboard to send with the other panels'."""
    organizations = tenancy.organizations_where(request.user, Capability.SIGN_DOCUMENTS)
    if not organizations:
        return None
    documents, batches = _panel_sql(len(organizations))
    statements = [
        (documents, [DocumentFormat.PDF, *organizations, Origin.GENERATED]),
        (batches, [*organizations, BatchStatus.PENDING, BatchStatus.RUNNING]),
    ]

    def build(results: list[list[tuple[Any, ...]]]) -> dict[str, Any]:
        document_rows, batch_rows = results
        unsigned = sql.with_related(
            StoredDocument, _DOCUMENT_FIELDS, "organization", Organization, _ORGANIZATION_FIELDS, document_rows
        )
        return {
            "title": _("Documents"),
            "template": "pages/core/_dashboard_documents.jinja",
            "unsigned": unsigned,
            "batches": sql.instances(DocumentBatch, batch_rows, _BATCH_FIELDS),
        }

    return sql.Reads(statements, build)


def panel(request: HttpRequest) -> dict[str, Any] | None:
    return sql.read_one(reads(request))
