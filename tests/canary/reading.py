"""Every output read back as text: HTML and JSON as sent, PDF with pypdf, DOCX with
python-docx (paragraphs, tables, headers and footers), ZIP archives member by member."""

from __future__ import annotations

import io
import re
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
    # An XML file says its encoding (the @CTES messages are ISO-8859-1).
    declared = re.match(rb"<\?xml[^>]*encoding=['\"]([A-Za-z0-9_-]+)['\"]", data)
    encoding = declared.group(1).decode() if declared else "utf-8"
    try:
        text = data.decode(encoding, errors="replace")
    except LookupError:
        text = data.decode("utf-8", errors="replace")
    if text.startswith("BEGIN:VCALENDAR"):
        return unfold(text)
    return text


def unfold(ics: str) -> str:
    """An iCalendar text with its folded lines joined (RFC 5545, 3.1): a word cut at 75
    octets is whole again."""
    return re.sub(r"\r?\n[ \t]", "", ics)


def message_text(message: Any) -> str:
    """Everything an e-mail shows: addresses, subject, text and HTML bodies, attachments."""
    parts = [
        message.subject,
        message.body,
        message.from_email,
        *message.to,
        *message.cc,
        *message.bcc,
        *message.reply_to,
        *(f"{key}: {value}" for key, value in message.extra_headers.items()),
    ]
    parts += [str(content) for content, _mimetype in getattr(message, "alternatives", [])]
    for attachment in message.attachments:
        name, content = (attachment[0], attachment[1]) if isinstance(attachment, tuple) else ("", attachment)
        parts.append(name or "")
        parts.append(bytes_text(content, name or "") if isinstance(content, bytes) else str(content))
    return "\n".join(parts)


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
