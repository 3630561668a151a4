"""A batch through the API: its progress and its ZIP, downloaded with a bearer token; scoped."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.urls import reverse

from core.roles import Role
from documents import services
from documents.models import DocumentBatch, StoredDocument
from tests.documents.helpers import docx_text, pdf_text

pytestmark = pytest.mark.django_db

BUILDER = "tests.documents.test_registry.batch_builder"


def _start(organization, user, *, count: int = 2) -> DocumentBatch:
    return services.start_batch(
        owner=organization,
        organization=organization,
        user=user,
        title="Lot",
        builder=BUILDER,
        builder_kwargs={"organization_id": organization.pk, "count": count},
    )


@pytest.fixture
def done_batch(organization, legal_user, django_capture_on_commit_callbacks) -> DocumentBatch:
    with django_capture_on_commit_callbacks(execute=True):
        batch = _start(organization, legal_user)
    return DocumentBatch.objects.get(pk=batch.pk)


def test_the_zip_downloads_with_a_token(api_for, done_batch, viewer_user):
    # Reading a batch is reading its documents: a reader of the organization may download it.
    api = api_for(viewer_user)
    body = api.get(f"/document-batches/{done_batch.pk}").json()
    assert (body["status"], body["done"], body["total"]) == ("done", 2, 2)
    assert body["url"] == f"/api/v1/document-batches/{done_batch.pk}"
    assert body["archive_url"] == f"/api/v1/document-batches/{done_batch.pk}/archive"
    response = api.get(body["archive_url"].removeprefix("/api/v1"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert f'filename="lot-{done_batch.pk}.zip"' in response["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    stored = {d.filename: d for d in StoredDocument.objects.filter(batches=done_batch)}
    assert sorted(archive.namelist()) == sorted(stored)
    texts = {
        name: pdf_text(archive.read(name)) if name.endswith(".pdf") else docx_text(archive.read(name))
        for name in archive.namelist()
    }
    assert sum("Pièce n° 1" in text for text in texts.values()) == 2  # its PDF and its DOCX
    assert sum("Pièce n° 2" in text for text in texts.values()) == 2


def test_the_pages_archive_wants_a_session_the_apis_a_token(api_for, done_batch, legal_user):
    """Why the API has its own download: the page's answers a token with the login page."""
    api = api_for(legal_user)
    page = api.client.get(f"/documents/lots/{done_batch.pk}/archive/")
    assert page.status_code == 302
    assert page["Location"].startswith(reverse("login"))
    assert api.get(f"/document-batches/{done_batch.pk}/archive").status_code == 200


def test_a_batch_not_yet_built_answers_409(api_for, organization, legal_user):
    batch = _start(organization, legal_user)  # its task is queued after a commit that never comes
    api = api_for(legal_user)
    assert api.get(f"/document-batches/{batch.pk}").json()["archive_url"] is None
    response = api.get(f"/document-batches/{batch.pk}/archive")
    assert response.status_code == 409
    body = response.json()
    assert body["rule"] == "documents.batch" and "pas prête" in body["detail"] and "En attente" in body["detail"]


def test_a_failed_batch_has_no_archive(api_for, organization, legal_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        batch = services.start_batch(
            owner=organization,
            organization=organization,
            user=legal_user,
            title="Lot",
            builder="tests.documents.test_registry.failing_builder",
            builder_kwargs={},
        )
    api = api_for(legal_user)
    assert api.get(f"/document-batches/{batch.pk}").json()["status"] == "failed"
    response = api.get(f"/document-batches/{batch.pk}/archive")
    assert response.status_code == 409 and "Échec" in response.json()["detail"]


def test_another_organizations_batch_is_404(api_for, done_batch, other_organization, make_member, client):
    stranger = api_for(make_member(other_organization, Role.ADMINISTRATOR))
    for path in (f"/document-batches/{done_batch.pk}", f"/document-batches/{done_batch.pk}/archive"):
        response = stranger.get(path)
        assert response.status_code == 404, path
        assert set(response.json()) >= {"detail", "rule", "field"}
    assert client.get(f"/api/v1/document-batches/{done_batch.pk}/archive").status_code == 401


def test_the_download_is_documented_as_a_zip(client):
    schema = client.get("/api/v1/openapi.json").json()
    operation = schema["paths"]["/api/v1/document-batches/{batch_id}/archive"]["get"]
    assert operation["responses"]["200"]["content"] == {
        "application/zip": {"schema": {"type": "string", "format": "binary"}}
    }
    assert operation["responses"]["409"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ErrorOut"
    }
    properties = schema["components"]["schemas"]["BatchOut"]["properties"]
    assert {"id", "url", "status", "done", "total", "archive_url", "zip_url", "page_url"} <= set(properties)


def test_an_archive_gone_from_the_storage_is_404(api_for, done_batch, legal_user):
    done_batch.zip_file.storage.delete(done_batch.zip_file.name)
    response = api_for(legal_user).get(f"/document-batches/{done_batch.pk}/archive")
    assert response.status_code == 404 and "plus disponible" in response.json()["detail"]
