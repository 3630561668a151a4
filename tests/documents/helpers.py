"""Shared helpers of the documents tests: reading PDFs and DOCX back with independent tools."""

from __future__ import annotations

import io
import shutil
import subprocess
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

import pytest


def pdf_text(data: bytes) -> str:
    """The text of a PDF as poppler's pdftotext reads it."""
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) is not installed")
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(data)
        handle.flush()
        return subprocess.run(
            ["pdftotext", "-enc", "UTF-8", handle.name, "-"], capture_output=True, check=True, text=True
        ).stdout


def pdfsig(data: bytes) -> str:
    if not shutil.which("pdfsig"):
        pytest.skip("pdfsig (poppler-utils) is not installed")
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(data)
        handle.flush()
        result = subprocess.run(["pdfsig", handle.name], capture_output=True, text=True)
        return result.stdout + result.stderr


def docx_text(data: bytes) -> str:
    from docx import Document

    doc = Document(io.BytesIO(data))
    parts = [p.text for p in doc.paragraphs]
    for section in doc.sections:
        parts += [p.text for p in section.header.paragraphs] + [p.text for p in section.footer.paragraphs]
    return "\n".join(parts)


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


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def convert_docx_with_libreoffice(data: bytes) -> str:
    """Convert a DOCX to text with LibreOffice (skips when it is not installed)."""
    binary = soffice()
    if binary is None:
        pytest.skip("LibreOffice is not installed")
    with tempfile.TemporaryDirectory() as directory:
        source = Path(directory) / "doc.docx"
        source.write_bytes(data)
        subprocess.run(
            [
                binary,
                f"-env:UserInstallation=file://{directory}/profile",
                "--headless",
                "--convert-to",
                "txt:Text",
                "--outdir",
                directory,
                str(source),
            ],
            capture_output=True,
            check=True,
            timeout=180,
        )
        return (Path(directory) / "doc.txt").read_text(encoding="utf-8", errors="replace")
