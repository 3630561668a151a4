"""Every output read back as text: HTML and JSON as sent, PDF with pypdf, DOCX with
python-docx (paragraphs, tables, headers and footers), ZIP archives member by member."""

from __future__ import annotations

import io
import zipfile
from typing import Any


def pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    parts = [page.extract_text() or "" for page in reader.pages]
    metadata = reader.metadata or {}
    parts += [str(value) for value in metadata.values()]
    return "\n".join(parts)


def docx_text(data: bytes) -> str:
    from docx import Document

    document = Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts += [cell.text for cell in row.cells]
    for section in document.sections:
        for part in (section.header, section.footer, section.first_page_header, section.first_page_footer):
            parts += [p.text for p in part.paragraphs]
            for table in part.tables:
                for row in table.rows:
                    parts += [cell.text for cell in row.cells]
    core = document.core_properties
    parts += [core.title or "", core.subject or "", core.author or "", core.keywords or ""]
    return "\n".join(parts)


def zip_text(data: bytes) -> str:
    parts = []
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            parts.append(name)
            parts.append(bytes_text(archive.read(name), name))
    return "\n".join(parts)


def bytes_text(data: bytes, name: str = "", content_type: str = "") -> str:
    """The text a reader would see in a file, whatever its format."""
    if data.startswith(b"%PDF") or name.endswith(".pdf"):
        return pdf_text(data)
    if data.startswith(b"PK"):
        names = zipfile.ZipFile(io.BytesIO(data)).namelist()
        if "word/document.xml" in names:
            return docx_text(data)
        return zip_text(data)
    return data.decode("utf-8", errors="replace")


def response_text(response: Any) -> str:
    """A response's body as text, with its headers (a file name is an output too)."""
    data = b"".join(response.streaming_content) if response.streaming else response.content
    content_type = response.get("Content-Type", "")
    headers = " ".join(f"{key}: {value}" for key, value in response.items())
    return headers + "\n" + bytes_text(data, content_type=content_type)


def document_text(document: Any) -> str:
    """A stored document's text and its title."""
    with document.file.open("rb") as handle:
        data = bytes(handle.read())
    return f"{document.title}\n" + bytes_text(data, document.file.name)
