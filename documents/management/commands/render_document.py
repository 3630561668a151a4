"""manage.py render_document --kind K --organization ID --context data.json --output out.pdf

Renders a document with the organization's template in service (or the shipped default)
without storing it: to try a template on real data before uploading or using it.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from core.errors import DomainError
from documents import services
from documents.context import organization_context
from documents.samples import sample_context
from parties.models import Organization


def _dates(value: Any) -> Any:
    """ISO dates in the JSON ("2024-03-26") become dates, so date filters format them."""
    if isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
        try:
            return date.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, list):
        return [_dates(item) for item in value]
    if isinstance(value, dict):
        return {key: _dates(item) for key, item in value.items()}
    return value


class Command(BaseCommand):
    help = "Produit un document (PDF ou DOCX) sans l'enregistrer, à partir d'un contexte JSON ou de l'exemple du type."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--kind", default="other")
        parser.add_argument("--organization", type=int, required=True)
        parser.add_argument("--context", help="Fichier JSON du contexte (par défaut : l'exemple du type)")
        parser.add_argument("--output", required=True, help="Fichier à écrire (.pdf ou .docx)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            organization = Organization.objects.get(pk=options["organization"])
        except Organization.DoesNotExist as exc:
            raise CommandError(f"Organisation introuvable : {options['organization']}") from exc
        output = Path(options["output"])
        document_format = output.suffix.lstrip(".").lower()
        if document_format not in {"pdf", "docx"}:
            raise CommandError("Le fichier de sortie doit finir par .pdf ou .docx.")
        if options["context"]:
            context = _dates(json.loads(Path(options["context"]).read_text(encoding="utf-8")))
        else:
            context = sample_context(options["kind"])
        context["organization"] = organization_context(organization)
        try:
            data, resolved = services.render(
                kind=options["kind"],
                organization_id=services.tenant_of(organization).pk,
                document_format=document_format,
                context=context,
            )
        except DomainError as exc:
            raise CommandError(str(exc)) from exc
        output.write_bytes(data)
        self.stdout.write(self.style.SUCCESS(f"{output} écrit ({len(data)} octets, {resolved.label})."))
