"""The documents pages as a person uses them, in headless Chromium."""

from __future__ import annotations

import io

import pytest
from docx import Document
from playwright.sync_api import expect

from core.roles import Role
from documents import services
from documents.models import DocumentBatch, StoredDocument
from tests.documents.helpers import sample_context
from tests.factories import PersonFactory, SignatoryFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _pdf(organization):
    return services.generate_document(
        kind="other",
        organization=organization,
        context=sample_context(),
        owner=organization,
        user=None,
        title="Convention FLAG",
        formats=["pdf"],
    )[0]


def _certificate(organization):
    person = PersonFactory(organization=organization, first_name="Michaël", last_name="Delafosse")
    signatory = SignatoryFactory(person=person, function="Le Maire")
    return services.create_test_certificate(organization=organization, signatory=signatory, passphrase="secret")


def test_sign_a_document_then_verify_it(page, login, organization, make_member, accessibility_violations):
    document = _pdf(organization)
    _certificate(organization)
    login(make_member(organization, Role.LEGAL))
    page.goto("/documents/")
    assert accessibility_violations() == []
    page.get_by_role("link", name="Convention FLAG").click()
    expect(page.get_by_role("heading", name="Signer électroniquement")).to_be_visible()
    assert accessibility_violations() == []
    page.get_by_label("Lieu").fill("Testville")
    page.get_by_role("button", name="Signer", exact=True).click()
    page.wait_for_load_state()
    expect(page.get_by_role("status")).to_contain_text("Document signé : version 2.")
    signed = StoredDocument.objects.get(source=document)
    assert page.url.endswith(f"/documents/{signed.pk}/")
    page.get_by_role("link", name="Vérifier ce document").click()
    expect(page.get_by_text("Le fichier correspond à l'empreinte enregistrée")).to_be_visible()
    table = page.get_by_role("table", name="Signatures du document, dans l'ordre où elles ont été apposées")
    expect(table).to_contain_text("Michaël DELAFOSSE")
    assert accessibility_violations() == []


def test_verify_an_uploaded_pdf(page, login, organization, make_member, tmp_path, accessibility_violations):
    document = _pdf(organization)
    certificate = _certificate(organization)
    signed = services.sign_document(
        document=document, certificate=certificate, user=make_member(organization, Role.LEGAL)
    )
    path = tmp_path / "signe.pdf"
    with signed.file.open("rb") as handle:
        path.write_bytes(handle.read())
    login(make_member(organization, Role.VIEWER))
    page.goto("/documents/verifier/")
    assert accessibility_violations() == []
    page.get_by_label("Fichier PDF").set_input_files(str(path))
    page.get_by_role("button", name="Vérifier").click()
    page.wait_for_load_state()
    expect(page.get_by_text("Signatures valides")).to_be_visible()
    expect(page.get_by_role("table")).to_contain_text("Michaël DELAFOSSE")
    assert accessibility_violations() == []


def test_upload_a_template_version(page, login, organization, make_member, tmp_path, accessibility_violations):
    login(make_member(organization, Role.LEGAL))
    page.goto("/documents/modeles/")
    assert accessibility_violations() == []
    page.get_by_role("link", name="Versions et dépôt — Autre document docx").click()
    expect(page.get_by_text("le modèle livré avec Conventio est en service")).to_be_visible()
    fake = tmp_path / "faux.docx"
    fake.write_bytes(b"%PDF-1.4 pas un document Word")
    page.get_by_label("Fichier du modèle").set_input_files(str(fake))
    page.get_by_role("button", name="Déposer").click()
    page.wait_for_load_state()
    expect(page.get_by_role("alert").first).to_contain_text("n'est pas un document Word")
    doc = Document()
    doc.add_paragraph("{{ title }} — {{ date|date_fr }}")
    buffer = io.BytesIO()
    doc.save(buffer)
    real = tmp_path / "vrai.docx"
    real.write_bytes(buffer.getvalue())
    page.get_by_label("Fichier du modèle").set_input_files(str(real))
    page.get_by_label("Ce qui change").fill("Première version maison")
    page.get_by_role("button", name="Déposer").click()
    page.wait_for_load_state()
    expect(page.get_by_role("status")).to_contain_text("Version 1 déposée et mise en service.")
    expect(page.get_by_role("table")).to_contain_text("Première version maison")
    assert accessibility_violations() == []


def test_batch_progress_updates_by_itself(page, login, organization, make_member, accessibility_violations):
    from django.contrib.contenttypes.models import ContentType

    user = make_member(organization, Role.CLERK)
    batch = DocumentBatch.objects.create(
        organization=organization,
        owner_type=ContentType.objects.get_for_model(organization),
        owner_id=organization.pk,
        title="Extraits de la séance",
        builder="tests.documents.test_registry.batch_builder",
        builder_kwargs={"organization_id": organization.pk, "count": 2},
        created_by=user,
    )
    login(user)
    page.goto(f"/documents/lots/{batch.pk}/")
    expect(page.get_by_text("En attente")).to_be_visible()
    assert accessibility_violations() == []
    services.run_batch(batch_id=batch.pk)
    page.get_by_role("link", name="Télécharger l'archive ZIP").wait_for(timeout=15000)
    expect(page.get_by_text("Terminé")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger l'archive ZIP").click()
    assert download.value.suggested_filename == f"lot-{batch.pk}.zip"


def test_deposit_a_signing_certificate_and_an_authority(
    page, login, organization, make_member, tmp_path, accessibility_violations
):
    from documents import signing
    from documents.models import SigningCertificate, TrustAnchor

    data, ca = signing.create_test_pkcs12(
        common_name="Michaël DELAFOSSE", organization_name="Testville", passphrase="s"
    )
    (tmp_path / "maire.p12").write_bytes(data)
    (tmp_path / "ac.pem").write_text(signing.certificate_pem(ca))
    login(make_member(organization, Role.LEGAL))
    page.goto("/documents/")
    page.get_by_role("link", name="Certificats de signature").click()
    expect(page.get_by_role("heading", name="Certificats de signature", level=1)).to_be_visible()
    assert accessibility_violations() == []
    page.get_by_label("Fichier du certificat (PKCS#12 : .p12 ou .pfx)").set_input_files(str(tmp_path / "maire.p12"))
    page.get_by_label("Phrase secrète du fichier").fill("mauvaise")
    page.get_by_role("button", name="Déposer le certificat").click()
    expect(page.get_by_role("alert").first).to_contain_text("phrase secrète incorrecte")
    assert accessibility_violations() == []
    page.get_by_label("Fichier du certificat (PKCS#12 : .p12 ou .pfx)").set_input_files(str(tmp_path / "maire.p12"))
    page.get_by_label("Phrase secrète du fichier").fill("s")
    page.get_by_role("button", name="Déposer le certificat").click()
    expect(page.get_by_role("status")).to_contain_text("Certificat « Michaël DELAFOSSE » enregistré.")
    page.get_by_label("Certificat de l'autorité (PEM ou DER : .pem, .crt, .cer, .der)").set_input_files(
        str(tmp_path / "ac.pem")
    )
    page.get_by_role("button", name="Ajouter l'autorité").click()
    table = page.get_by_role("table", name="Autorités de confiance de l'organisation, en service d'abord")
    expect(table).to_contain_text("Conventio test CA")
    assert accessibility_violations() == []
    page.get_by_role("button", name="Retirer du service : Michaël DELAFOSSE").click()
    expect(page.get_by_role("status")).to_contain_text("retiré du service")
    assert not SigningCertificate.objects.get().is_active
    assert TrustAnchor.objects.get().is_active
