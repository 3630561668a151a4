"""Build the shipped DOCX default of kind ``other``: python -m documents.document_templates."""

from __future__ import annotations

from pathlib import Path

from documents import docx_builder as b


def build_other() -> Path:
    doc = b.base_document(title="{{ title }}")
    b.paragraph(doc, "{% if reference %}Réf. : {{ reference }}{% endif %}{% if date %} — {{ date|date_fr }}{% endif %}")
    b.tag(doc, "{%p if subtitle %}")
    b.paragraph(doc, "{{ subtitle }}", bold=True)
    b.tag(doc, "{%p endif %}")
    b.tag(doc, "{%p for paragraph in paragraphs or [] %}")
    b.paragraph(doc, "{{ paragraph }}")
    b.tag(doc, "{%p endfor %}")
    b.tag(doc, "{%p for section in sections or [] %}")
    b.heading(doc, "{{ section.heading }}", level=2)
    b.tag(doc, "{%p for paragraph in section.paragraphs or [] %}")
    b.paragraph(doc, "{{ paragraph }}")
    b.tag(doc, "{%p endfor %}")
    b.tag(doc, "{%p endfor %}")
    b.signature_block(doc)
    return b.save(doc, "other")


if __name__ == "__main__":
    print(build_other())
