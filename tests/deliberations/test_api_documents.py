"""A sitting's documents through the API: the batch answered with its id, status and progress,
its ZIP downloaded with the token; one document at once; scoped and by role."""

import io
import zipfile

import pytest

from core.roles import Role
from deliberations import services
from documents.models import DocumentBatch, StoredDocument
from tests.readers import docx_text, pdf_text

pytestmark = pytest.mark.django_db


def _flat(text):
    return " ".join(text.replace("\u202f", " ").replace("\u00a0", " ").split())


@pytest.fixture
def sitting(council_factory, organization):
    council = council_factory(organization, 5)
    sitting = council.sitting()
    item = council.item(sitting, title="Subvention à l'association FLAG !")
    council.attend(sitting, present=5)
    services.record_vote(
        user=council.clerk, deliberation=item, votes_for=5, votes_against=0, abstentions=0, not_voting=0
    )
    sitting.council = council
    sitting.item = item
    return sitting


def test_a_sittings_documents_run_as_a_batch_whose_zip_the_token_downloads(
    api_for, sitting, django_capture_on_commit_callbacks
):
    api = api_for(sitting.council.clerk)
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(f"/sittings/{sitting.pk}/documents")
    assert response.status_code == 202, response.json()
    started = response.json()
    batch = DocumentBatch.objects.get()
    assert started["id"] == batch.pk and started["status"] == "pending"
    assert (started["done"], started["total"]) == (0, 0)
    assert started["url"] == f"/api/v1/document-batches/{batch.pk}" == response["Location"]
    assert started["archive_url"] is None  # not built yet when the request answers
    assert started["page_url"] == f"/documents/lots/{batch.pk}/"

    progress = api.get(started["url"].removeprefix("/api/v1")).json()
    assert progress["status"] == "done", progress["error"]
    assert (progress["done"], progress["total"]) == (4, 4)  # convocation, list, procès-verbal, one extract
    assert progress["archive_url"] == f"/api/v1/document-batches/{batch.pk}/archive"
    download = api.get(progress["archive_url"].removeprefix("/api/v1"))
    assert download.status_code == 200
    assert download["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content)))
    names = archive.namelist()
    assert len(names) == 8  # each document in PDF and DOCX
    extract = {d.format: d.filename for d in StoredDocument.objects.filter(kind="extract", owner_id=sitting.item.pk)}
    assert set(extract.values()) <= set(names)
    pdf, word = extract["pdf"], extract["docx"]
    assert "Subvention à l'association FLAG !" in _flat(pdf_text(archive.read(pdf)))
    assert "Subvention à l'association FLAG !" in _flat(docx_text(archive.read(word)))


def test_one_document_of_the_sitting_at_once(api_for, sitting):
    api = api_for(sitting.council.clerk)
    response = api.post(f"/sittings/{sitting.pk}/documents/deliberation_list")
    assert response.status_code == 201, response.json()
    files = {}
    for item in response.json():
        assert item["kind"] == "deliberation_list"
        download = api.get(item["download_url"].removeprefix("/api/v1"))
        files[item["format"]] = b"".join(download.streaming_content)
    assert set(files) == {"pdf", "docx"}
    assert "Subvention à l'association FLAG !" in _flat(pdf_text(files["pdf"]))
    assert "Subvention à l'association FLAG !" in _flat(docx_text(files["docx"]))
    refused = api.post(f"/sittings/{sitting.pk}/documents/extract")
    assert refused.status_code == 422 and refused.json()["field"] == "kind"


def test_another_organization_gets_404(api_for, sitting, other_organization, make_member):
    stranger = api_for(make_member(other_organization, Role.ADMINISTRATOR))
    for path in (f"/sittings/{sitting.pk}/documents", f"/sittings/{sitting.pk}/documents/minutes"):
        response = stranger.post(path)
        assert response.status_code == 404, path
        assert set(response.json()) >= {"detail", "rule", "field"}
    assert not DocumentBatch.objects.exists() and not StoredDocument.objects.exists()


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        (Role.VIEWER, False),
        (Role.MANAGER, True),
        (Role.CLERK, True),
        (Role.LEGAL, True),
        (Role.ADMINISTRATOR, True),
    ],
)
def test_only_roles_that_produce_documents_may(api_for, sitting, organization, make_member, role, allowed):
    api = api_for(make_member(organization, role))
    batch = api.post(f"/sittings/{sitting.pk}/documents")
    single = api.post(f"/sittings/{sitting.pk}/documents/convocation")
    assert (batch.status_code, single.status_code) == ((202, 201) if allowed else (403, 403))
    if not allowed:
        assert "produire les documents" in batch.json()["detail"]
        assert not DocumentBatch.objects.exists() and not StoredDocument.objects.exists()


def test_the_operations_are_documented(client):
    schema = client.get("/api/v1/openapi.json").json()
    batch = schema["paths"]["/api/v1/sittings/{sitting_id}/documents"]["post"]["responses"]["202"]
    assert batch["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/BatchOut"}
    assert "Location" in batch["headers"]
    properties = schema["components"]["schemas"]["BatchOut"]["properties"]
    assert {"id", "status", "done", "total", "url", "archive_url"} <= set(properties)
    single = schema["paths"]["/api/v1/sittings/{sitting_id}/documents/{kind}"]["post"]
    assert single["responses"]["201"]["content"]["application/json"]["schema"]["items"] == {
        "$ref": "#/components/schemas/SittingDocumentOut"
    }
    kind = next(p for p in single["parameters"] if p["name"] == "kind")
    assert kind["schema"]["enum"] == ["convocation", "deliberation_list", "minutes"]
