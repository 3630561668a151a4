"""Template registry: checked uploads, versions, and documents that remember their template."""

from __future__ import annotations

import io
import pickle
import zipfile

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from docx import Document

from core.errors import DomainError
from core.roles import Role
from documents import jobs, services
from documents.models import DocumentBatch, DocumentTemplate, Origin, StoredDocument
from parties.models import Organization
from tests.documents.helpers import docx_text, pdf_text, read, sample_context
from tests.factories import member

pytestmark = pytest.mark.django_db

HTML = """{% extends "documents/base.html" %}{% block title %}Modèle maison : {{ title }}{% endblock %}
{% block body %}<p>Version déposée — {{ date|date_fr }}</p>{% endblock %}"""


def docx_bytes(*paragraphs: str) -> bytes:
    doc = Document()
    for text in paragraphs:
        doc.add_paragraph(text)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def test_upload_docx_becomes_the_active_version_and_is_used(organization, legal_user):
    template = services.upload_template(
        organization=organization,
        user=legal_user,
        kind="other",
        template_format="docx",
        data=docx_bytes("Modèle déposé : {{ title }} du {{ date|date_fr }}"),
        filename="note.docx",
    )
    assert (template.version, template.is_active) == (1, True)
    (document,) = services.generate_document(
        kind="other",
        organization=organization,
        context=sample_context(),
        owner=organization,
        user=legal_user,
        title="Note",
        formats=["docx"],
    )
    assert document.template == template
    assert document.template_label == "modèle déposé v1"
    # Data gets French no-break spaces; the text typed in Word stays as its author wrote it.
    assert "Modèle déposé : Note sur la convention\u00a0: renouvellement du 26 mars 2024" in docx_text(read(document))


def test_new_upload_is_a_new_version_and_older_ones_can_return(organization, legal_user):
    first = services.upload_template(
        organization=organization, user=legal_user, kind="other", template_format="html", data=HTML.encode()
    )
    second = services.upload_template(
        organization=organization,
        user=legal_user,
        kind="other",
        template_format="html",
        data=HTML.replace("Modèle maison", "Deuxième modèle").encode(),
    )
    first.refresh_from_db()
    assert (first.version, first.is_active, second.version, second.is_active) == (1, False, 2, True)
    (pdf,) = services.generate_document(
        kind="other",
        organization=organization,
        context=sample_context(),
        owner=organization,
        user=None,
        title="Note",
        formats=["pdf"],
    )
    assert "Deuxième modèle" in pdf_text(read(pdf))
    services.activate_template(template=first, user=legal_user)
    (pdf,) = services.generate_document(
        kind="other",
        organization=organization,
        context=sample_context(),
        owner=organization,
        user=None,
        title="Note",
        formats=["pdf"],
    )
    assert pdf.template == first
    assert "Modèle maison" in pdf_text(read(pdf))
    services.deactivate_templates(organization=organization, user=legal_user, kind="other", template_format="html")
    (pdf,) = services.generate_document(
        kind="other",
        organization=organization,
        context=sample_context(),
        owner=organization,
        user=None,
        title="Note",
        formats=["pdf"],
    )
    assert pdf.template is None


@pytest.mark.parametrize(
    ("template_format", "data", "rule"),
    [
        ("docx", b"%PDF-1.7 not a word file", "documents.template_upload"),
        ("docx", b"PK\x03\x04 broken zip", "documents.template_upload"),
        ("docx", b"", "documents.template_upload"),
        ("html", b"PK\x03\x04 binary", "documents.template_upload"),
        ("html", b"<p>{{ ''.__class__.__mro__ }}</p>", "documents.sandbox"),
        ("html", b'<img src="file:///etc/passwd">', "documents.resource_refused"),
        ("html", b'<link rel="stylesheet" href="http://example.org/x.css">', "documents.resource_refused"),
        ("html", b"{% if %}", "documents.template_syntax"),
        ("html", "caf\xe9".encode("latin-1"), "documents.template_upload"),
    ],
)
def test_bad_uploads_are_refused_with_a_clear_error(organization, legal_user, template_format, data, rule):
    with pytest.raises(DomainError) as error:
        services.upload_template(
            organization=organization, user=legal_user, kind="other", template_format=template_format, data=data
        )
    assert error.value.rule == rule
    assert not DocumentTemplate.objects.exists()


def test_docx_that_escapes_the_sandbox_is_refused(organization, legal_user):
    with pytest.raises(DomainError) as error:
        services.upload_template(
            organization=organization,
            user=legal_user,
            kind="other",
            template_format="docx",
            data=docx_bytes("{{ ''.__class__.__mro__[1].__subclasses__() }}"),
        )
    assert error.value.rule == "documents.sandbox"


def test_zip_that_is_not_a_docx_is_refused(organization, legal_user):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "x")
    with pytest.raises(DomainError, match="n'est pas un document Word"):
        services.upload_template(
            organization=organization, user=legal_user, kind="other", template_format="docx", data=buffer.getvalue()
        )


def test_size_limit(organization, legal_user, settings):
    settings.DOCUMENTS_TEMPLATE_MAX_BYTES = 1000
    with pytest.raises(DomainError) as error:
        services.upload_template(
            organization=organization, user=legal_user, kind="other", template_format="docx", data=docx_bytes("x")
        )
    assert error.value.rule == "documents.template_size"


def test_upload_needs_the_templates_capability(organization, other_organization):
    clerk = member(organization, Role.CLERK)
    with pytest.raises(Exception) as error:
        services.upload_template(
            organization=organization, user=clerk, kind="other", template_format="html", data=HTML.encode()
        )
    assert error.type.__name__ == "PermissionDenied"
    outsider = member(other_organization, Role.ADMINISTRATOR)
    with pytest.raises(Exception) as error:
        services.upload_template(
            organization=organization, user=outsider, kind="other", template_format="html", data=HTML.encode()
        )
    assert error.type.__name__ == "Http404"


def test_sample_registry_renders_any_kind(organization, legal_user):
    from documents import samples

    @samples.register("termination_letter")
    def letter(org):
        return {"organization": org, "recipient": "Association FLAG !"}

    try:
        template = services.upload_template(
            organization=organization,
            user=legal_user,
            kind="termination_letter",
            template_format="docx",
            data=docx_bytes("Destinataire : {{ recipient }}"),
        )
        assert template.kind == "termination_letter"
    finally:
        samples._REGISTRY.pop("termination_letter")


# --- Scans -----------------------------------------------------------------------------


def test_scan_is_checked_by_content_and_linked_to_the_object(organization, legal_user, pdf_document):
    scan = services.upload_scan(document=pdf_document, user=legal_user, data=read(pdf_document))
    assert scan.origin == Origin.SCAN
    assert (scan.owner_type_id, scan.owner_id, scan.kind) == (
        pdf_document.owner_type_id,
        pdf_document.owner_id,
        "other",
    )
    assert scan.source == pdf_document
    assert services.check_integrity(scan)
    for data in (b"GIF89a fake", b"%PDF-1.4 garbage that does not parse", docx_bytes("x"), b""):
        with pytest.raises(DomainError) as error:
            services.upload_scan(document=pdf_document, user=legal_user, data=data)
        assert error.value.field == "file"


def test_scan_size_limit(settings, legal_user, pdf_document):
    settings.DOCUMENTS_SCAN_MAX_BYTES = 100
    with pytest.raises(DomainError) as error:
        services.upload_scan(document=pdf_document, user=legal_user, data=read(pdf_document))
    assert error.value.rule == "documents.scan_size"


def test_hash_check_detects_a_changed_file(pdf_document):
    assert services.check_integrity(pdf_document)
    name = pdf_document.file.name
    storage = pdf_document.file.storage
    storage.delete(name)
    assert storage.save(name, ContentFile(b"%PDF-1.7 replaced")) == name
    fresh = StoredDocument.objects.get(pk=pdf_document.pk)
    assert not services.check_integrity(fresh)
    hash_ok, _report = services.verify_document(document=StoredDocument.objects.get(pk=pdf_document.pk))
    assert not hash_ok


# --- Batches ---------------------------------------------------------------------------


def batch_builder(*, organization_id: int, count: int):
    """A builder as a domain app would write one (plain data only)."""
    from parties.models import Organization

    owner_type = ContentType.objects.get_for_model(Organization)
    for index in range(count):
        yield services.DocumentRequest(
            kind="other",
            organization_id=organization_id,
            context=sample_context(title=f"Pièce n° {index + 1}"),
            owner_content_type_id=owner_type.pk,
            owner_id=organization_id,
            title=f"Pièce {index + 1}",
            formats=("pdf", "docx"),
        )


def failing_builder(**kwargs):
    raise DomainError("Rien à produire.", rule="test")


def test_batch_generates_documents_and_a_zip(organization, legal_user, django_capture_on_commit_callbacks):
    batch = _batch_of(3, organization, legal_user, django_capture_on_commit_callbacks)
    assert batch.status == "done"
    assert (batch.done, batch.total, batch.percent) == (3, 3, 100)
    assert batch.documents.count() == 6
    with batch.zip_file.open("rb") as handle, zipfile.ZipFile(io.BytesIO(handle.read())) as archive:
        names = archive.namelist()
        assert len(names) == 6
        pdf_name = next(n for n in names if n.endswith(".pdf"))
        assert "Pièce n°" in pdf_text(archive.read(pdf_name))
    assert batch.get_absolute_url() == f"/documents/lots/{batch.pk}/"


def test_failing_batch_records_the_reason(organization, legal_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        batch = services.start_batch(
            owner=organization,
            organization=organization,
            user=legal_user,
            title="Lot",
            builder="tests.documents.test_registry.failing_builder",
            builder_kwargs={},
        )
    batch = DocumentBatch.objects.get(pk=batch.pk)
    assert batch.status == "failed"
    assert batch.error == "Rien à produire."


def partly_failing_builder(*, organization_id: int):
    """Two good documents and one whose template breaks a rule."""
    yield from batch_builder(organization_id=organization_id, count=1)
    owner_type = ContentType.objects.get_for_model(Organization)
    yield services.DocumentRequest(
        kind="other",
        organization_id=organization_id,
        context={**sample_context(title="Pièce cassée"), "nested": {"a": object()}},
        owner_content_type_id=owner_type.pk,
        owner_id=organization_id,
        title="Pièce cassée",
        formats=("pdf",),
    )
    yield from batch_builder(organization_id=organization_id, count=1)


def test_a_refused_document_does_not_stop_the_batch(organization, legal_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        batch = services.start_batch(
            owner=organization,
            organization=organization,
            user=legal_user,
            title="Lot",
            builder="tests.documents.test_registry.partly_failing_builder",
            builder_kwargs={"organization_id": organization.pk},
        )
    batch = DocumentBatch.objects.get(pk=batch.pk)
    assert batch.status == "done"
    assert (batch.done, batch.total) == (3, 3)
    assert batch.documents.count() == 4
    assert batch.error.startswith("Pièce cassée : ")


def _batch_of(count, organization, legal_user, capture):
    with capture(execute=True):
        batch = services.start_batch(
            owner=organization,
            organization=organization,
            user=legal_user,
            title="Extraits de la séance",
            builder="tests.documents.test_registry.batch_builder",
            builder_kwargs={"organization_id": organization.pk, "count": count},
        )
    return DocumentBatch.objects.get(pk=batch.pk)


def test_batches_have_their_own_render_limit(settings, organization, legal_user, django_capture_on_commit_callbacks):
    # A click's limit already spent does not stop a background batch, which has its own.
    settings.DOCUMENTS_RENDER_SECONDS = -1
    settings.DOCUMENTS_BATCH_RENDER_SECONDS = 300
    batch = _batch_of(2, organization, legal_user, django_capture_on_commit_callbacks)
    assert (batch.status, batch.documents.count()) == ("done", 4)
    with pytest.raises(DomainError) as error:
        services.render(kind="other", organization_id=organization.pk, document_format="pdf", context=sample_context())
    assert error.value.rule == "documents.render_time_limit"

    # And the batch's limit, when spent, refuses each document with the rule said.
    settings.DOCUMENTS_BATCH_RENDER_SECONDS = -1
    batch = _batch_of(2, organization, legal_user, django_capture_on_commit_callbacks)
    assert batch.status == "failed"
    assert "Pièce 1 : " in batch.error and "Pièce 2 : " in batch.error


@pytest.fixture
def pools(settings, monkeypatch):
    """Batches render in two processes; the pools started are recorded."""
    settings.DOCUMENTS_BATCH_PROCESSES = 2
    started = []

    class Recorded(jobs.ProcessPoolExecutor):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            started.append(kwargs["max_workers"])

    monkeypatch.setattr(jobs, "ProcessPoolExecutor", Recorded)
    return started


def test_a_batch_renders_in_a_pool_of_processes(pools, organization, legal_user, django_capture_on_commit_callbacks):
    batch = _batch_of(4, organization, legal_user, django_capture_on_commit_callbacks)
    assert pools == [2]
    assert (batch.status, batch.done, batch.total, batch.error) == ("done", 4, 4, "")
    documents = list(batch.documents.order_by("title", "format"))
    assert [(d.title, d.format) for d in documents] == [
        (f"Pièce {n}", fmt) for n in (1, 2, 3, 4) for fmt in ("docx", "pdf")
    ]
    for document in documents:
        data = services.read_document(document)
        assert services.sha256_of(data) == document.sha256
        number = document.title.removeprefix("Pièce ")
        text = pdf_text(data) if document.format == "pdf" else docx_text(data)
        assert f"Pièce n° {number}" in text


def test_the_pool_renders_with_the_limits_of_the_batch(
    pools, settings, organization, legal_user, django_capture_on_commit_callbacks
):
    # The processes take the parent's limits, and a refusal there comes back with its rule.
    settings.DOCUMENTS_BATCH_RENDER_SECONDS = -1
    batch = _batch_of(4, organization, legal_user, django_capture_on_commit_callbacks)
    assert pools == [2]
    assert batch.status == "failed"
    assert "Pièce 1 : Le modèle met plus de -1 secondes" in batch.error
    assert "Pièce 4 : " in batch.error
    assert batch.documents.count() == 0


def test_a_small_batch_renders_in_its_task(pools, organization, legal_user, django_capture_on_commit_callbacks):
    # Two documents, four renderings: starting processes would cost more than they save.
    batch = _batch_of(2, organization, legal_user, django_capture_on_commit_callbacks)
    assert (pools, batch.status, batch.documents.count()) == ([], "done", 4)


def test_a_domain_error_crosses_processes_whole():
    error = pickle.loads(pickle.dumps(DomainError("Trop long.", rule="documents.render_time_limit", field="file")))
    assert (type(error), error.message, error.rule, error.field) == (
        DomainError,
        "Trop long.",
        "documents.render_time_limit",
        "file",
    )
