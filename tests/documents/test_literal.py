"""File names, URLs and addresses are printed exactly: no typography inside |literal."""

import io

import docx
import pytest

from core.formatting import NBSP, NNBSP
from documents import rendering


def test_html_typography_skips_literals_only():
    env = rendering.html_environment()
    html = env.from_string("<p>Annexe : {{ name|literal }} — {{ name }}</p>").render(name="FLAG ! 2024.docx")
    text = rendering.apply_typography(html)
    assert f"Annexe{NBSP}:" in text
    assert '<span class="literal">FLAG ! 2024.docx</span>' in text
    assert f"FLAG{NNBSP}! 2024.docx</p>" in text


def test_literal_is_escaped_in_html():
    html = rendering.html_environment().from_string("{{ v|literal }}").render(v="<b>x</b> ; y")
    assert "&lt;b&gt;" in html and "<b>" not in html


@pytest.mark.django_db
def test_docx_keeps_literals_as_written(tmp_path):
    from docx import Document

    source = Document()
    source.add_paragraph("{{ name|literal }} / {{ name }}")
    buffer = io.BytesIO()
    source.save(buffer)
    out = rendering.render_docx(buffer.getvalue(), {"name": "FLAG ! 2024.docx"})
    text = docx.Document(io.BytesIO(out)).paragraphs[0].text
    assert text == f"FLAG ! 2024.docx / FLAG{NNBSP}! 2024.docx"
