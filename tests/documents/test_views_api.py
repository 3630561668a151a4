"""Pages and API of signing, verification, scans, templates and batches; tenancy and roles."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from core.roles import Role
from documents import services
from documents.models import DocumentBatch, DocumentTemplate, Origin, StoredDocument
from tests.documents.helpers import pdfsig, read, sample_context
from tests.documents.test_registry import HTML, docx_bytes
from tests.factories import member

pytestmark = pytest.mark.django_db


def test_sign_page_makes_a_signed_version(client_for, legal_user, pdf_document, certificate):
    client = client_for(legal_user)
    page = client.get(f"/documents/{pdf_document.pk}/")
    assert "Signer électroniquement" in page.content.decode()
    response = client.post(
        f"/documents/{pdf_document.pk}/signer/", {"certificate": certificate.pk, "location": "Testville"}
    )
    assert response.status_code == 302
    signed = StoredDocument.objects.get(origin=Origin.SIGNED)
    assert response["Location"] == signed.get_absolute_url()
    assert "Signature is Valid" in pdfsig(read(signed))


def test_sign_page_shows_errors_and_needs_the_role(client_for, legal_user, viewer_user, pdf_document, certificate):
    response = client_for(legal_user).post(
        f"/documents/{pdf_document.pk}/signer/", {"certificate": certificate.pk, "passphrase": "mauvaise"}
    )
    assert response.status_code == 400
    assert "phrase secrète incorrecte" in response.content.decode()
    assert (
        client_for(viewer_user)
        .post(f"/documents/{pdf_document.pk}/signer/", {"certificate": certificate.pk})
        .status_code
        == 403
    )
    assert (
        "Signer électroniquement" not in client_for(viewer_user).get(f"/documents/{pdf_document.pk}/").content.decode()
    )


def test_verification_pages(client_for, legal_user, pdf_document, certificate):
    signed = services.sign_document(document=pdf_document, certificate=certificate, user=legal_user)
    client = client_for(legal_user)
    stored = client.get(f"/documents/{signed.pk}/verification/").content.decode()
    assert "Le fichier correspond à" in stored
    assert "Michaël DELAFOSSE" in stored
    upload = client.post("/documents/verifier/", {"file": SimpleUploadedFile("x.pdf", read(signed))})
    assert upload.status_code == 200
    body = upload.content.decode()
    assert "Signatures valides" in body
    assert "Michaël DELAFOSSE" in body
    not_pdf = client.post("/documents/verifier/", {"file": SimpleUploadedFile("fake.pdf", b"GIF89a")})
    assert "n&#39;est pas un PDF" in not_pdf.content.decode()


def test_scan_page(client_for, legal_user, viewer_user, pdf_document):
    client = client_for(legal_user)
    bad = client.post(
        f"/documents/{pdf_document.pk}/original-signe/", {"file": SimpleUploadedFile("scan.pdf", b"not a pdf")}
    )
    assert bad.status_code == 400
    assert "n&#39;est pas un PDF" in bad.content.decode()
    good = client.post(
        f"/documents/{pdf_document.pk}/original-signe/", {"file": SimpleUploadedFile("scan.pdf", read(pdf_document))}
    )
    assert good.status_code == 302
    assert StoredDocument.objects.filter(origin=Origin.SCAN, source=pdf_document).exists()
    denied = client_for(viewer_user).post(
        f"/documents/{pdf_document.pk}/original-signe/", {"file": SimpleUploadedFile("scan.pdf", read(pdf_document))}
    )
    assert denied.status_code == 403


def test_template_pages(client_for, legal_user, viewer_user, organization, other_organization):
    client = client_for(legal_user)
    listing = client.get("/documents/modeles/").content.decode()
    assert "Autre document" in listing and "modèle livré" in listing
    url = f"/documents/modeles/{organization.pk}/other/docx/"
    refused = client.post(url, {"file": SimpleUploadedFile("faux.docx", b"%PDF-1.4 not word"), "comment": "essai"})
    assert refused.status_code == 400
    assert "n&#39;est pas un document Word" in refused.content.decode()
    accepted = client.post(
        url, {"file": SimpleUploadedFile("vrai.docx", docx_bytes("{{ title }}")), "comment": "Nouveau"}
    )
    assert accepted.status_code == 302
    history = client.get(url).content.decode()
    assert "v1" in history and "en service" in history and "Nouveau" in history
    template = DocumentTemplate.objects.get()
    assert client.get(f"/documents/modeles/version/{template.pk}/telecharger/").status_code == 200
    assert client_for(viewer_user).post(url, {"file": SimpleUploadedFile("v.docx", docx_bytes("x"))}).status_code == 403
    assert client.get(f"/documents/modeles/{other_organization.pk}/other/docx/").status_code == 404
    outsider = member(other_organization, Role.ADMINISTRATOR)
    assert client_for(outsider).get(f"/documents/modeles/version/{template.pk}/telecharger/").status_code == 404


def test_batch_pages(client_for, legal_user, organization, other_organization, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        batch = services.start_batch(
            owner=organization,
            organization=organization,
            user=legal_user,
            title="Extraits",
            builder="tests.documents.test_registry.batch_builder",
            builder_kwargs={"organization_id": organization.pk, "count": 1},
        )
    client = client_for(legal_user)
    page = client.get(batch.get_absolute_url()).content.decode()
    assert "Terminé" in page and "archive ZIP" in page
    assert "hx-get" not in page  # finished: no more polling
    assert client.get(f"/documents/lots/{batch.pk}/archive/")["Content-Type"] == "application/zip"
    pending = DocumentBatch.objects.create(
        organization=organization,
        owner_type=batch.owner_type,
        owner_id=organization.pk,
        title="En attente",
        builder="x.y",
    )
    partial = client.get(f"/documents/lots/{pending.pk}/progression/").content.decode()
    assert 'hx-get="/documents/lots/' in partial and 'hx-trigger="every 2s"' in partial
    assert "Aucun worker" not in partial  # asked for a moment ago
    DocumentBatch.objects.filter(pk=pending.pk).update(created_at=timezone.now() - timedelta(minutes=2))
    stalled = client.get(f"/documents/lots/{pending.pk}/progression/").content.decode()
    assert "Aucun worker de tâches de fond n'a pris ce lot" in stalled and "conventio-worker" in stalled
    assert client.get(f"/documents/lots/{pending.pk}/archive/").status_code == 404
    outsider = member(other_organization, Role.ADMINISTRATOR)
    assert client_for(outsider).get(batch.get_absolute_url()).status_code == 404


# --- API -------------------------------------------------------------------------------


def test_api_list_download_and_tenancy(api_for, legal_user, pdf_document, other_organization):
    api = api_for(legal_user)
    listing = api.get("/documents")
    assert listing.status_code == 200
    (item,) = listing.json()["items"]
    assert item["sha256"] == pdf_document.sha256
    assert item["owner_type"] == "parties.organization"
    download = api.get(f"/documents/{pdf_document.pk}/download")
    assert b"".join(download.streaming_content) == read(pdf_document)
    outsider = api_for(member(other_organization, Role.ADMINISTRATOR))
    assert outsider.get(f"/documents/{pdf_document.pk}").status_code == 404
    assert outsider.get(f"/documents/{pdf_document.pk}/download").status_code == 404
    assert outsider.get("/documents").json()["items"] == []


@pytest.mark.parametrize("count", [10, 1000])
def test_api_list_query_count(api_for, legal_user, organization, django_assert_max_num_queries, count):
    from tests.documents.test_pages import make_documents

    make_documents(organization, count)
    api = api_for(legal_user)
    # Token, its last use, roles, the count, the page (owner types joined).
    with django_assert_max_num_queries(5):
        response = api.get("/documents")
    assert response.status_code == 200
    assert response.json()["items"][0]["owner_type"] == "parties.organization"


def test_api_sign_and_verify(api_for, legal_user, pdf_document, certificate, viewer_user):
    api = api_for(legal_user)
    response = api.post(f"/documents/{pdf_document.pk}/sign", {"certificate_id": certificate.pk})
    assert response.status_code == 201, response.content
    signed_id = response.json()["id"]
    assert response.json()["signature_count"] == 1
    verification = api.get(f"/documents/{signed_id}/verify").json()
    assert verification["hash_ok"] is True
    (signature,) = verification["verification"]["signatures"]
    assert signature["signer"] == "Michaël DELAFOSSE" and signature["trusted"] and signature["intact"]
    again = api.post(f"/documents/{pdf_document.pk}/sign", {"certificate_id": certificate.pk})
    assert again.status_code == 400
    assert again.json()["rule"] == "documents.sign_latest"
    assert (
        api_for(viewer_user).post(f"/documents/{signed_id}/sign", {"certificate_id": certificate.pk}).status_code == 403
    )
    signed = StoredDocument.objects.get(pk=signed_id)
    upload = api.client.post("/api/v1/pdf-verifications", {"file": SimpleUploadedFile("s.pdf", read(signed))})
    assert upload.status_code == 200
    assert upload.json()["all_ok"] is True


def test_api_upload_template_and_scan(api_for, legal_user, organization, pdf_document):
    api = api_for(legal_user)
    created = api.client.post(
        "/api/v1/document-templates",
        {
            "organization_id": organization.pk,
            "kind": "other",
            "format": "html",
            "file": SimpleUploadedFile("t.html", HTML.encode()),
        },
    )
    assert created.status_code == 201, created.content
    assert created.json()["version"] == 1
    bad = api.client.post(
        "/api/v1/document-templates",
        {
            "organization_id": organization.pk,
            "kind": "other",
            "format": "docx",
            "file": SimpleUploadedFile("t.docx", b"MZ\x90\x00"),
        },
    )
    assert bad.status_code == 400
    assert bad.json()["rule"] == "documents.template_upload"
    assert api.get("/document-templates").json()["items"][0]["kind"] == "other"
    scan = api.client.post(
        f"/api/v1/documents/{pdf_document.pk}/scan", {"file": SimpleUploadedFile("s.pdf", read(pdf_document))}
    )
    assert scan.status_code == 201
    assert scan.json()["origin"] == "scan"
    fake = api.client.post(
        f"/api/v1/documents/{pdf_document.pk}/scan", {"file": SimpleUploadedFile("s.pdf", b"<html>")}
    )
    assert fake.status_code == 400
    extra = api.client.post(
        f"/api/v1/documents/{pdf_document.pk}/scan",
        {"file": SimpleUploadedFile("s.pdf", read(pdf_document)), "signed_on": "2024-03-26"},
    )
    assert extra.status_code == 422 and extra.json()["field"] == "signed_on"
    assert StoredDocument.objects.filter(origin="scan").count() == 1  # the refused one stored nothing


def test_api_batch_status(api_for, legal_user, organization, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        batch = services.start_batch(
            owner=organization,
            organization=organization,
            user=legal_user,
            title="Lot",
            builder="tests.documents.test_registry.batch_builder",
            builder_kwargs={"organization_id": organization.pk, "count": 2},
        )
    body = api_for(legal_user).get(f"/document-batches/{batch.pk}").json()
    assert body["status"] == "done" and body["done"] == 2 and body["percent"] == 100
    assert body["zip_url"] == f"/documents/lots/{batch.pk}/archive/"


def test_demo_loader_is_idempotent():
    from core.management.commands import load_demo  # noqa: F401  (the command exists)
    from documents import demo
    from documents.models import SigningCertificate
    from parties import demo as parties_demo

    parties_demo.load()
    first = demo.load()
    second = demo.load()
    assert first == second
    assert SigningCertificate.objects.count() == 1
    certificate = SigningCertificate.objects.get()
    assert "DELAFOSSE" in certificate.subject
    montpellier = parties_demo.organization("montpellier")
    document = services.generate_document(
        kind="other",
        organization=montpellier,
        context=sample_context(),
        owner=montpellier,
        user=None,
        title="Démo",
        formats=["pdf"],
    )[0]
    admin = member(montpellier, Role.ADMINISTRATOR)
    signed = services.sign_document(document=document, certificate=certificate, user=admin)
    report = services.verify_document(document=signed)[1]
    assert report is not None and report.all_ok and report.signatures[0].trusted
    assert io  # keep the import for readers of the helper module
