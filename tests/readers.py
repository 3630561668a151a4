"""Reading generated documents back, as a person or another program would.

The text of PDFs (pypdf) and DOCX (python-docx) is read with packages pinned in the lock, so
the suite runs anywhere. Poppler (``pdftotext``, ``pdfsig``) and LibreOffice are extra,
independent readers: the tests that use them skip with a message saying how to enable them,
except where ``CONVENTIO_REQUIRE_READERS`` is set (CI), where their absence fails.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

_HOW = {
    "pdftotext": "apt-get install poppler-utils (brew install poppler)",
    "pdfsig": "apt-get install poppler-utils (brew install poppler)",
    "soffice": "apt-get install libreoffice-writer-nogui (brew install --cask libreoffice)",
}


def require(program: str) -> str:
    """The path of an extra reader; skip (fail in CI) when it is not installed."""
    path = shutil.which(program) or (shutil.which("libreoffice") if program == "soffice" else None)
    if path is None:
        message = f"{program} absent: {_HOW[program]} to also read the documents with it"
        if os.environ.get("CONVENTIO_REQUIRE_READERS"):
            pytest.fail(message + " (required here: CONVENTIO_REQUIRE_READERS is set)")
        pytest.skip(message)
    return path


def pdf_text(data: bytes) -> str:
    """The text of a PDF, page after page (pypdf)."""
    from pypdf import PdfReader

    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)


def docx_text(data: bytes) -> str:
    """The paragraphs, tables, headers and footers of a DOCX (python-docx)."""
    from docx import Document

    document = Document(io.BytesIO(data))
    parts = [paragraph.text for paragraph in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    for section in document.sections:
        parts += [paragraph.text for paragraph in section.header.paragraphs]
        parts += [paragraph.text for paragraph in section.footer.paragraphs]
    return "\n".join(parts)


def poppler_text(data: bytes, *options: str) -> str:
    """The text of a PDF as poppler's ``pdftotext`` reads it (an independent reader)."""
    program = require("pdftotext")
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(data)
        handle.flush()
        return subprocess.run(
            [program, "-enc", "UTF-8", *options, handle.name, "-"], capture_output=True, check=True, text=True
        ).stdout


def pdfsig(data: bytes) -> str:
    """poppler's report on a PDF's signatures (an independent validator)."""
    program = require("pdfsig")
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(data)
        handle.flush()
        result = subprocess.run([program, handle.name], capture_output=True, text=True)
        return result.stdout + result.stderr


def libreoffice_text(data: bytes) -> str:
    """A DOCX converted to text by LibreOffice (an independent reader)."""
    program = require("soffice")
    with tempfile.TemporaryDirectory() as directory:
        source = Path(directory) / "doc.docx"
        source.write_bytes(data)
        subprocess.run(
            [
                program,
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
