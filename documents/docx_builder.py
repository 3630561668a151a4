"""Helpers to build DOCX default templates with python-docx and docxtpl tags.

The domain apps' ``<app>/document_templates.py`` scripts use these so that every
shipped DOCX looks alike: A4, serif font, the organization in the header, "Page X sur Y"
in the footer, and a signature block driven by the ``signatures`` context list.

Example::

    from documents import docx_builder as b

    doc = b.base_document(title="{{ title }}")
    b.paragraph(doc, "{{ body }}")
    b.signature_block(doc)
    b.save(doc, "other")
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates" / "documents"
FONT = "Times New Roman"  # metric-compatible with Liberation Serif in LibreOffice


def _field(run: Any, instruction: str) -> None:
    """A Word field (PAGE, NUMPAGES) inside a run."""
    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = instruction
    separate = OxmlElement("w:fldChar")
    separate.set(qn("w:fldCharType"), "separate")
    placeholder = OxmlElement("w:t")
    placeholder.text = "1"
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    for element in (begin, instr, separate, placeholder, end):
        run._r.append(element)


def base_document(*, title: str, subtitle: str = "") -> Any:
    """A4 document with the organization header, the title and numbered pages."""
    doc = Document()
    section = doc.sections[0]
    section.page_height, section.page_width = Mm(297), Mm(210)
    section.top_margin, section.bottom_margin = Mm(22), Mm(22)
    section.left_margin, section.right_margin = Mm(22), Mm(20)

    normal = doc.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(11)
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), FONT)
    for style_name in ("Title", "Heading 1", "Heading 2"):
        style = doc.styles[style_name]
        style.font.name = FONT
        style.font.color.rgb = None

    header = section.header.paragraphs[0]
    header.text = "{{ organization.name }}"
    header.runs[0].bold = True
    address = section.header.add_paragraph("{{ organization.address }}")
    address.runs[0].font.size = Pt(8.5)

    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    footer.add_run("Page ")
    _field(footer.add_run(), "PAGE")
    footer.add_run(" sur ")
    _field(footer.add_run(), "NUMPAGES")
    for run in footer.runs:
        run.font.size = Pt(8.5)

    heading = doc.add_paragraph(style="Title")
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    heading.add_run(title)
    if subtitle:
        sub = doc.add_paragraph(subtitle)
        sub.alignment = WD_ALIGN_PARAGRAPH.CENTER
    return doc


def paragraph(doc: Any, text: str, *, bold: bool = False, style: str | None = None) -> Any:
    para = doc.add_paragraph(style=style)
    para.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    run = para.add_run(text)
    run.bold = bold
    return para


def heading(doc: Any, text: str, level: int = 1) -> Any:
    return doc.add_heading(text, level=level)


def tag(doc: Any, text: str) -> Any:
    """A paragraph holding only a docxtpl paragraph tag ({%p for … %}, {%p endfor %})."""
    return doc.add_paragraph(text)


def signature_block(doc: Any) -> None:
    """One block per entry of the ``signatures`` context list."""
    tag(doc, "{%p for signature in signatures or [] %}")
    when = doc.add_paragraph(
        "{% if signature.place %}Fait à {{ signature.place }}{% endif %}"
        "{% if signature.date %}, le {{ signature.date|date_fr }}{% endif %}"
    )
    when.paragraph_format.space_before = Pt(18)
    function = doc.add_paragraph()
    function.add_run("{{ signature.function }}").bold = True
    doc.add_paragraph("{{ signature.name }}")
    tag(doc, "{%p endfor %}")


def save(doc: Any, kind: str) -> Path:
    path = TEMPLATES_DIR / f"{kind}.docx"
    path.parent.mkdir(parents=True, exist_ok=True)
    doc.core_properties.title = kind
    doc.core_properties.author = "Conventio"
    doc.save(path)
    return path
