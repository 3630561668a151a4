"""Signing certificates and trust anchors: deposit (opened for real), list, deactivate; tenancy and roles."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test.client import MULTIPART_CONTENT

from core.errors import DomainError
from core.roles import Role
from documents import services, signing
from documents.models import SigningCertificate, TrustAnchor
from tests.documents.helpers import read
from tests.factories import member

pytestmark = pytest.mark.django_db

PASSPHRASE = "phrase-secrète"


@pytest.fixture
def pkcs12_and_ca():
    return signing.create_test_pkcs12(
        common_name="Michaël DELAFOSSE", organization_name="Testville", passphrase=PASSPHRASE
    )


def _upload(data: bytes, name: str = "signataire.p12") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/x-pkcs12")


def _error(callable_, **kwargs) -> DomainError:
    with pytest.raises(DomainError) as info:
        callable_(**kwargs)
    return info.value


# --- Service: the file is opened for real --------------------------------------------


def test_deposit_opens_the_file_and_records_its_facts(organization, signatory, legal_user, pkcs12_and_ca):
    data, ca = pkcs12_and_ca
    certificate = services.add_signing_certificate(
        organization=organization, user=legal_user, pkcs12_data=data, passphrase=PASSPHRASE, signatory=signatory
    )
    assert certificate.label == "Michaël DELAFOSSE"
    assert "CN=Michaël DELAFOSSE" in certificate.subject
    assert certificate.issuer == ca.subject.rfc4514_string()
    assert certificate.not_before < certificate.not_after
    assert certificate.is_active
    assert bytes(SigningCertificate.objects.values_list("pkcs12", flat=True).get(pk=certificate.pk)) == data


@pytest.mark.parametrize(
    ("make", "rule", "field", "words"),
    [
        (lambda data: (data, "mauvaise"), "documents.pkcs12_passphrase", "passphrase", "phrase secrète incorrecte"),
        (lambda data: (b"%PDF-1.7 not a certificate", PASSPHRASE), "documents.pkcs12_format", "pkcs12", "PKCS#12"),
        (lambda data: (data[: len(data) // 2], PASSPHRASE), "documents.pkcs12_format", "pkcs12", "PKCS#12"),
    ],
    ids=["wrong-passphrase", "not-pkcs12", "truncated"],
)
def test_deposit_refuses_bad_files_with_their_reason(organization, legal_user, pkcs12_and_ca, make, rule, field, words):
    data, passphrase = make(pkcs12_and_ca[0])
    error = _error(
        services.add_signing_certificate,
        organization=organization,
        user=legal_user,
        pkcs12_data=data,
        passphrase=passphrase,
    )
    assert (error.rule, error.field) == (rule, field)
    assert words in error.message
    assert not SigningCertificate.objects.exists()


def test_deposit_refuses_a_pkcs12_without_private_key(organization, legal_user, pkcs12_and_ca):
    _data, ca = pkcs12_and_ca
    keyless = pkcs12.serialize_key_and_certificates(
        name=b"ca", key=None, cert=ca, cas=None, encryption_algorithm=serialization.BestAvailableEncryption(b"p")
    )
    error = _error(
        services.add_signing_certificate,
        organization=organization,
        user=legal_user,
        pkcs12_data=keyless,
        passphrase="p",
    )
    assert error.rule == "documents.pkcs12_private_key"
    assert "clé privée" in error.message


def test_deposit_refuses_an_expired_certificate(organization, legal_user):
    data, _ca = signing.create_test_pkcs12(
        common_name="Ancien Maire",
        organization_name="Testville",
        passphrase="p",
        days=30,
        now=datetime(2020, 1, 1, tzinfo=UTC),
    )
    error = _error(
        services.add_signing_certificate, organization=organization, user=legal_user, pkcs12_data=data, passphrase="p"
    )
    assert error.rule == "documents.certificate_validity"
    assert "a expiré le 31 janvier 2020" in error.message


def test_deposit_twice_is_refused_then_deactivate_and_deposit_again(organization, legal_user, pkcs12_and_ca):
    data, _ca = pkcs12_and_ca
    first = services.add_signing_certificate(
        organization=organization, user=legal_user, pkcs12_data=data, passphrase=PASSPHRASE
    )
    error = _error(
        services.add_signing_certificate,
        organization=organization,
        user=legal_user,
        pkcs12_data=data,
        passphrase=PASSPHRASE,
    )
    assert error.rule == "documents.certificate_duplicate"
    services.deactivate_signing_certificate(certificate=first, user=legal_user)
    first.refresh_from_db()
    assert not first.is_active
    again = services.add_signing_certificate(
        organization=organization, user=legal_user, pkcs12_data=data, passphrase=PASSPHRASE
    )
    assert again.pk == first.pk and again.is_active
    assert [h.history_change_reason for h in again.history.order_by("history_id")][-1] == (
        "Certificat déposé de nouveau et remis en service"
    )


def test_a_deactivated_certificate_cannot_sign(organization, pdf_document, certificate, legal_user):
    services.deactivate_signing_certificate(certificate=certificate, user=legal_user)
    certificate.refresh_from_db()
    error = _error(services.sign_document, document=pdf_document, certificate=certificate, user=legal_user)
    assert error.rule == "documents.certificate"


def test_trust_anchor_pem_and_der_are_parsed(organization, legal_user, pkcs12_and_ca):
    _data, ca = pkcs12_and_ca
    anchor = services.add_trust_anchor(
        organization=organization, user=legal_user, certificate_data=signing.certificate_pem(ca).encode()
    )
    assert anchor.subject == ca.subject.rfc4514_string()
    assert anchor.issuer == ca.issuer.rfc4514_string()
    assert anchor.not_before is not None and anchor.is_active
    services.deactivate_trust_anchor(anchor=anchor, user=legal_user)
    assert services.trust_pems_for([organization.pk]) == []
    again = services.add_trust_anchor(
        organization=organization, user=legal_user, certificate_data=ca.public_bytes(serialization.Encoding.DER)
    )
    assert again.pk == anchor.pk and again.is_active
    assert services.trust_pems_for([organization.pk]) == [signing.certificate_pem(ca)]


@pytest.mark.parametrize(
    "data",
    [b"not a certificate", b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n", b""],
    ids=["garbage", "private-key-pem", "empty"],
)
def test_trust_anchor_refuses_what_is_not_a_certificate(organization, legal_user, data):
    error = _error(services.add_trust_anchor, organization=organization, user=legal_user, certificate_data=data)
    assert error.rule == "documents.certificate_format"
    assert error.field == "certificate"
    assert not TrustAnchor.objects.exists()


def test_deactivated_anchor_no_longer_makes_signatures_trusted(organization, pdf_document, certificate, legal_user):
    signed = services.sign_document(document=pdf_document, certificate=certificate, user=legal_user)
    assert services.verify_document(document=signed)[1].signatures[0].trusted
    for anchor in TrustAnchor.objects.filter(organization=organization):
        services.deactivate_trust_anchor(anchor=anchor, user=legal_user)
    report = signing.verify_pdf(read(signed), trust_pems=services.trust_pems_for([organization.pk]))
    assert report.signatures[0].valid and not report.signatures[0].trusted


# --- Roles -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "may_deposit", "may_trust"),
    [
        (Role.ADMINISTRATOR, True, True),
        (Role.LEGAL, True, True),
        (Role.CLERK, True, False),
        (Role.MANAGER, False, False),
        (Role.VIEWER, False, False),
    ],
)
def test_roles(organization, pkcs12_and_ca, role, may_deposit, may_trust, client_for):
    from django.core.exceptions import PermissionDenied

    user = member(organization, role)
    data, ca = pkcs12_and_ca
    if may_deposit:
        services.add_signing_certificate(organization=organization, user=user, pkcs12_data=data, passphrase=PASSPHRASE)
    else:
        with pytest.raises(PermissionDenied):
            services.add_signing_certificate(
                organization=organization, user=user, pkcs12_data=data, passphrase=PASSPHRASE
            )
    pem = signing.certificate_pem(ca).encode()
    if may_trust:
        services.add_trust_anchor(organization=organization, user=user, certificate_data=pem)
    else:
        with pytest.raises(PermissionDenied):
            services.add_trust_anchor(organization=organization, user=user, certificate_data=pem)
    # Everybody of the organization may read the page.
    assert client_for(user).get(f"/documents/certificats/{organization.pk}/").status_code == 200


# --- Pages -------------------------------------------------------------------------------


def test_page_lists_deposits_and_deactivates(organization, signatory, legal_user, client_for, pkcs12_and_ca):
    data, ca = pkcs12_and_ca
    client = client_for(legal_user)
    assert client.get("/documents/certificats/")["Location"] == f"/documents/certificats/{organization.pk}/"
    response = client.post(
        f"/documents/certificats/{organization.pk}/signature/",
        {"pkcs12": _upload(data), "passphrase": PASSPHRASE, "signatory": signatory.pk, "store_passphrase": "on"},
    )
    assert response.status_code == 302
    certificate = SigningCertificate.objects.get()
    assert certificate.signatory == signatory and certificate.encrypted_passphrase
    response = client.post(
        f"/documents/certificats/{organization.pk}/confiance/",
        {"certificate": _upload(signing.certificate_pem(ca).encode(), "ca.pem"), "label": "AC de test"},
    )
    assert response.status_code == 302
    page = client.get(f"/documents/certificats/{organization.pk}/").content.decode()
    assert "Michaël DELAFOSSE — Le Maire" in page
    assert ca.subject.rfc4514_string() in page  # issuer of the certificate, subject of the anchor
    assert "AC de test" in page
    assert client.post(f"/documents/certificats/signature/{certificate.pk}/retirer/").status_code == 302
    certificate.refresh_from_db()
    assert not certificate.is_active
    anchor = TrustAnchor.objects.get()
    assert client.post(f"/documents/certificats/confiance/{anchor.pk}/retirer/").status_code == 302
    anchor.refresh_from_db()
    assert not anchor.is_active
    assert "retirée" in client.get(f"/documents/certificats/{organization.pk}/").content.decode()


def test_page_shows_clear_errors(organization, legal_user, client_for, pkcs12_and_ca):
    client = client_for(legal_user)
    response = client.post(
        f"/documents/certificats/{organization.pk}/signature/",
        {"pkcs12": _upload(pkcs12_and_ca[0]), "passphrase": "mauvaise"},
    )
    assert response.status_code == 400
    assert "phrase secrète incorrecte" in response.content.decode()
    response = client.post(
        f"/documents/certificats/{organization.pk}/signature/", {"pkcs12": _upload(b"hello"), "passphrase": "x"}
    )
    assert response.status_code == 400
    assert "n&#39;est pas un certificat PKCS#12" in response.content.decode()
    response = client.post(
        f"/documents/certificats/{organization.pk}/confiance/", {"certificate": _upload(b"hello", "ca.pem")}
    )
    assert response.status_code == 400
    assert "n&#39;est pas un certificat X.509" in response.content.decode()
    assert not SigningCertificate.objects.exists() and not TrustAnchor.objects.exists()


def test_pages_tenancy_404_and_roles_403(
    organization, other_organization, certificate, client_for, viewer_user, pkcs12_and_ca
):
    anchor = TrustAnchor.objects.get(organization=organization)
    outsider = member(other_organization, Role.ADMINISTRATOR)
    client = client_for(outsider)
    assert client.get(f"/documents/certificats/{organization.pk}/").status_code == 404
    upload = {"pkcs12": _upload(pkcs12_and_ca[0]), "passphrase": PASSPHRASE}
    assert client.post(f"/documents/certificats/{organization.pk}/signature/", upload).status_code == 404
    assert client.post(f"/documents/certificats/signature/{certificate.pk}/retirer/").status_code == 404
    assert client.post(f"/documents/certificats/confiance/{anchor.pk}/retirer/").status_code == 404
    viewer = client_for(viewer_user)
    upload = {"pkcs12": _upload(pkcs12_and_ca[0]), "passphrase": PASSPHRASE}
    assert viewer.post(f"/documents/certificats/{organization.pk}/signature/", upload).status_code == 403
    assert viewer.post(f"/documents/certificats/signature/{certificate.pk}/retirer/").status_code == 403
    assert viewer.post(f"/documents/certificats/confiance/{anchor.pk}/retirer/").status_code == 403
    clerk = client_for(member(organization, Role.CLERK))
    assert clerk.post(f"/documents/certificats/confiance/{anchor.pk}/retirer/").status_code == 403
    certificate.refresh_from_db()
    anchor.refresh_from_db()
    assert certificate.is_active and anchor.is_active


@pytest.mark.parametrize("count", [2, 30])
def test_page_queries_do_not_grow(organization, legal_user, client_for, django_assert_max_num_queries, count):
    from tests.documents.factories_certificates import make_certificates

    make_certificates(organization, count)
    client = client_for(legal_user)
    with django_assert_max_num_queries(14):
        response = client.get(f"/documents/certificats/{organization.pk}/")
    assert response.status_code == 200
    assert response.content.decode().count("Retirer du service") == count


# --- API -----------------------------------------------------------------------------------


def test_api_deposit_list_deactivate(organization, signatory, legal_user, api_for, pkcs12_and_ca):
    data, ca = pkcs12_and_ca
    api = api_for(legal_user)
    response = api.post(
        "/signing-certificates",
        {
            "organization_id": organization.pk,
            "passphrase": PASSPHRASE,
            "signatory_id": signatory.pk,
            "file": _upload(data),
        },
        content_type=MULTIPART_CONTENT,
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["issuer"] == ca.subject.rfc4514_string()
    assert body["signatory_id"] == signatory.pk and body["has_stored_passphrase"] and body["is_active"]
    response = api.post(
        "/trust-anchors",
        {"organization_id": organization.pk, "file": _upload(ca.public_bytes(serialization.Encoding.DER), "ca.der")},
        content_type=MULTIPART_CONTENT,
    )
    assert response.status_code == 201, response.content
    anchor_id = response.json()["id"]
    assert [c["id"] for c in api.get(f"/signing-certificates?organization_id={organization.pk}").json()] == [body["id"]]
    assert api.post(f"/signing-certificates/{body['id']}/deactivate").json()["is_active"] is False
    assert api.get(f"/signing-certificates?organization_id={organization.pk}").json() == []
    listed = api.get(f"/signing-certificates?organization_id={organization.pk}&include_inactive=true").json()
    assert [c["is_active"] for c in listed] == [False]
    assert api.post(f"/trust-anchors/{anchor_id}/deactivate").json()["is_active"] is False
    assert api.get(f"/trust-anchors?organization_id={organization.pk}").json() == []


def test_api_errors_tenancy_and_roles(
    organization, other_organization, legal_user, viewer_user, api_for, pkcs12_and_ca
):
    data, _ca = pkcs12_and_ca
    api = api_for(legal_user)
    response = api.post(
        "/signing-certificates",
        {"organization_id": organization.pk, "passphrase": "mauvaise", "file": _upload(data)},
        content_type=MULTIPART_CONTENT,
    )
    assert response.status_code in (400, 409)
    assert response.json()["rule"] == "documents.pkcs12_passphrase"
    assert response.json()["field"] == "passphrase"
    response = api.post(
        "/trust-anchors",
        {"organization_id": organization.pk, "file": _upload(b"nope", "ca.pem")},
        content_type=MULTIPART_CONTENT,
    )
    assert response.json()["rule"] == "documents.certificate_format"
    response = api.post(
        "/signing-certificates",
        {"organization_id": other_organization.pk, "passphrase": PASSPHRASE, "file": _upload(data)},
        content_type=MULTIPART_CONTENT,
    )
    assert response.status_code == 404
    assert api.get(f"/trust-anchors?organization_id={other_organization.pk}").status_code == 404
    response = api_for(viewer_user).post(
        "/signing-certificates",
        {"organization_id": organization.pk, "passphrase": PASSPHRASE, "file": _upload(data)},
        content_type=MULTIPART_CONTENT,
    )
    assert response.status_code == 403
    assert not SigningCertificate.objects.exists()
