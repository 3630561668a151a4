"""Shared helpers of the documents tests (reading documents back: ``tests.readers``)."""

from __future__ import annotations

from datetime import date
from typing import Any

from tests import readers

pdf_text = readers.pdf_text
pdfsig = readers.pdfsig
docx_text = readers.docx_text


def read(document: Any) -> bytes:
    with document.file.open("rb") as handle:
        return bytes(handle.read())


def sample_context(**extra: Any) -> dict[str, Any]:
    context: dict[str, Any] = {
        "organization": {
            "name": "Ville de Testville",
            "short_name": "Testville",
            "city": "Testville",
            "departement_code": "034",
            "siren": "213401722",
            "logo_data_uri": "",
            "address": "1 place de la Mairie, 34000 Testville",
        },
        "title": "Note sur la convention : renouvellement",
        "reference": "2024-067",
        "date": date(2024, 3, 26),
        "paragraphs": ["Le conseil municipal a délibéré ; il a adopté la délibération !", "Montant : 60000"],
        "signatures": [
            {"function": "Le Maire", "name": "Michaël DELAFOSSE", "place": "Testville", "date": date(2024, 3, 26)}
        ],
    }
    context.update(extra)
    return context


def convert_docx_with_libreoffice(data: bytes) -> str:
    """A DOCX converted to text by LibreOffice (skips, or fails in CI, when it is absent)."""
    return readers.libreoffice_text(data)
