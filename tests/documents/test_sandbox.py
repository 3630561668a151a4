"""Untrusted templates: the sandbox, the resource fetcher, the filters."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from core.errors import DomainError
from documents import filters, rendering
from tests.documents.helpers import sample_context

BASE = '{% extends "documents/base.html" %}{% block title %}T{% endblock %}{% block body %}BODY{% endblock %}'


def html_template(body: str) -> str:
    return BASE.replace("BODY", body)


def render_pdf(source: str, context: dict | None = None) -> bytes:
    template = rendering.compile_html(source)
    return rendering.html_to_pdf(rendering.render_html(template, context or sample_context()))


@pytest.mark.parametrize(
    "expression",
    [
        "{{ ''.__class__.__mro__ }}",
        "{{ ''.__class__ }}",
        "{{ organization.__class__.__init__.__globals__ }}",
        "{{ lipsum.__globals__['os'].popen('id').read() }}",
        "{{ cycler.__init__.__globals__.os }}",
        "{{ self._TemplateReference__context }}",
        "{{ 'x' * 10000000 }}",
        "{{ 2 ** 100000 }}",
        "{% set l = [] %}{{ l.append(1) }}",
    ],
)
def test_escaping_the_sandbox_fails_and_renders_nothing(expression):
    with pytest.raises(DomainError) as error:
        render_pdf(html_template(expression))
    assert error.value.rule == "documents.sandbox"
    assert "Rien n'a été produit" in error.value.message


def test_docx_sandbox_refuses_internals():
    import io

    from docx import Document

    doc = Document()
    doc.add_paragraph("{{ ''.__class__.__mro__ }}")
    buffer = io.BytesIO()
    doc.save(buffer)
    with pytest.raises(DomainError) as error:
        rendering.render_docx(buffer.getvalue(), sample_context())
    assert error.value.rule == "documents.sandbox"


def test_autoescape_keeps_markup_from_data_out_of_the_html():
    html = rendering.render_html(
        rendering.compile_html(html_template("{{ title }}")), sample_context(title='<img src="file:///etc/passwd">')
    )
    assert "<img src=" not in html
    assert "&lt;img" in html


@pytest.mark.parametrize(
    "markup",
    [
        '<img src="file:///etc/passwd">',
        '<link rel="stylesheet" href="http://example.org/style.css">',
        '<img src="https://example.org/tracker.png">',
        '<style>@import url("file:///etc/passwd");</style>',
        '<div style="background: url(/etc/passwd)">x</div>',
        '<img src="/static/../../../../etc/passwd">',
        '<object data="file:///etc/hostname"></object>',
    ],
)
def test_pdf_renderer_refuses_local_files_and_network(markup):
    with pytest.raises(DomainError) as error:
        render_pdf(html_template(markup))
    assert error.value.rule == "documents.resource_refused"


def test_pdf_renderer_allows_own_static_files_and_inline_data():
    pixel = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
    pdf = render_pdf(
        html_template(f'<img src="{pixel}" alt=""><link rel="stylesheet" href="/static/documents/fonts.css">')
    )
    assert pdf.startswith(b"%PDF")


def test_template_syntax_error_names_the_line():
    with pytest.raises(DomainError) as error:
        rendering.compile_html("{% extends 'documents/base.html' %}\n{% block body %}{% if %}{% endblock %}")
    assert error.value.rule == "documents.template_syntax"
    assert "ligne 2" in error.value.message


def test_loader_reaches_only_document_templates():
    for name in (
        "admin/base.html",
        "reminders/email/reminder.html",
        "documents/../admin/base.html",
        "documents/../reminders/email/digest.html",
    ):
        with pytest.raises(DomainError):
            rendering.render_html(rendering.compile_html("{% include '" + name + "' %}"), {})


def test_filters():
    assert filters.date_fr(date(2024, 3, 26)) == "26 mars 2024"
    assert filters.date_fr("2024-04-01") == "1er avril 2024"
    assert filters.datetime_fr(datetime(2024, 3, 26, 17, 30, tzinfo=UTC)) == "26 mars 2024 à 18\u00a0h\u00a030"
    assert filters.datetime_fr(datetime(2024, 3, 26, 9, 0)) == "26 mars 2024 à 9\u00a0h"
    assert filters.amount_fr(Decimal("60000")) == "60\u202f000,00\u00a0€"
    assert filters.amount_fr(1234.5) == "1\u202f234,50\u00a0€"
    assert filters.typo("Objet : la convention ! « FLAG »") == "Objet\u00a0: la convention\u202f! «\u00a0FLAG\u00a0»"
    assert filters.typo(None) == ""


def test_typography_applies_to_text_not_to_markup():
    html = '<style>p { color: red; }</style><p title="a : b">Objet : test ! &amp; suite ; fin</p><b>Art. 1</b> : texte'
    out = rendering.apply_typography(html)
    assert "<style>p { color: red; }</style>" in out
    assert 'title="a : b"' in out
    assert "Objet\u00a0: test\u202f! &amp; suite\u202f; fin" in out
    assert "</b>\u00a0: texte" in out


def test_rendering_has_a_time_budget(settings):
    settings.DOCUMENTS_RENDER_SECONDS = -1  # already spent: any rendering stops at its first check
    with pytest.raises(DomainError) as error:
        rendering.render_html(
            rendering.compile_html(html_template("{% for i in range(10) %}{{ i }}{% endfor %}")), sample_context()
        )
    assert error.value.rule == "documents.render_time_limit"


def test_html_size_budget(settings):
    settings.DOCUMENTS_MAX_HTML_CHARS = 1000
    with pytest.raises(DomainError) as error:
        rendering.render_html(
            rendering.compile_html(html_template("{% for i in range(5000) %}x{% endfor %}")), sample_context()
        )
    assert error.value.rule == "documents.render_size_limit"


def test_pdf_fetcher_loads_no_certificate_store():
    """The fetcher opens no connection: its HTTPS handler gets one context per process, with no
    certificate (loading the system's store cost 40 ms of every PDF, and would trust servers)."""
    import ssl

    first, second = rendering.make_fetcher(), rendering.make_fetcher()
    contexts = [
        handler._context  # the handler urllib builds for https://
        for fetcher in (first, second)
        for handler in fetcher.handlers
        if hasattr(handler, "_context")
    ]
    assert len(contexts) == 2 and contexts[0] is contexts[1]
    assert isinstance(contexts[0], ssl.SSLContext)
    assert contexts[0].cert_store_stats()["x509_ca"] == 0
    assert contexts[0].verify_mode == ssl.CERT_REQUIRED
