"""PAdES signatures: signed by pyHanko, checked by poppler's pdfsig and by our verifier."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import call_command

from core.errors import DomainError
from core.roles import Role
from documents import crypto, services, signing
from documents.models import Origin, SigningCertificate
from tests import readers
from tests.documents.helpers import pdfsig, read, sample_context
from tests.factories import OrganizationFactory, PersonFactory, SignatoryFactory, member

pytestmark = pytest.mark.django_db


def test_passphrase_is_stored_encrypted(certificate):
    stored = SigningCertificate.objects.get(pk=certificate.pk)
    assert "phrase-secrète" not in stored.encrypted_passphrase
    assert crypto.decrypt_passphrase(stored.encrypted_passphrase) == "phrase-secrète"


def test_sign_makes_a_new_version_that_pdfsig_accepts(organization, pdf_document, certificate, legal_user):
    signed = services.sign_document(
        document=pdf_document, certificate=certificate, user=legal_user, location="Testville"
    )
    assert signed.origin == Origin.SIGNED
    assert signed.version == pdf_document.version + 1
    assert signed.source == pdf_document
    assert signed.signature_count == 1
    data = read(signed)
    assert services.check_integrity(pdf_document)  # the unsigned source is untouched
    report = pdfsig(data)
    assert "Signature is Valid" in report
    assert "Michaël DELAFOSSE" in report
    assert "ETSI.CAdES.detached" in report
    text = readers.poppler_text(data)  # the stamp is the signature field's appearance, which poppler prints
    assert "Signé électroniquement par" in text
    assert "Le Maire" in text

    verification = signing.verify_pdf(data, trust_pems=services.trust_pems_for([organization.pk]))
    (signature,) = verification.signatures
    assert signature.intact and signature.valid and signature.trusted
    assert signature.signer == "Michaël DELAFOSSE"
    assert not signature.modified_after
    assert verification.all_ok


def test_second_signature_keeps_the_first_valid(organization, pdf_document, certificate, legal_user):
    partner_org = OrganizationFactory(name="FLAG !")
    partner_signatory = SignatoryFactory(
        person=PersonFactory(organization=partner_org, first_name="Marie", last_name="Partenaire"),
        function="La Présidente",
    )
    partner_pkcs12, _ca = signing.create_test_pkcs12(
        common_name="Marie PARTENAIRE", organization_name="FLAG !", passphrase="p"
    )
    # The partner signs first (with its own certificate), then the maire.
    first = signing.sign_pdf(
        read(pdf_document),
        pkcs12_data=partner_pkcs12,
        passphrase="p",
        signer_name=partner_signatory.person.full_name,
        function="La Présidente",
    )
    both = signing.sign_pdf(
        first,
        pkcs12_data=bytes(certificate.pkcs12),
        passphrase="phrase-secrète",
        signer_name="Michaël DELAFOSSE",
        function="Le Maire",
    )
    report = pdfsig(both)
    assert report.count("Signature is Valid") == 2
    verification = signing.verify_pdf(both, trust_pems=services.trust_pems_for([organization.pk]))
    partner, maire = verification.signatures
    assert partner.intact and partner.valid and not partner.modified_after
    assert not partner.trusted  # the partner's test CA is not on our trust list
    assert partner.later_changes == "signatures suivantes seulement"
    assert maire.intact and maire.trusted and not maire.modified_after


def test_signing_in_turn_through_the_service(pdf_document, certificate, legal_user, organization, signatory):
    once = services.sign_document(document=pdf_document, certificate=certificate, user=legal_user)
    twice = services.sign_document(document=once, certificate=certificate, user=legal_user)
    assert twice.signature_count == 2
    assert pdfsig(read(twice)).count("Signature is Valid") == 2
    with pytest.raises(DomainError) as error:
        services.sign_document(document=pdf_document, certificate=certificate, user=legal_user)
    assert error.value.rule == "documents.sign_latest"


def test_a_pdf_altered_after_signing_is_detected(pdf_document, certificate, legal_user, organization, tmp_path):
    signed = read(services.sign_document(document=pdf_document, certificate=certificate, user=legal_user))
    # 1. Bytes changed inside the signed range.
    position = signed.find(b"/Producer")
    altered = signed[:position] + b"/Producex" + signed[position + 9 :]
    (signature,) = signing.verify_pdf(altered).signatures
    assert not signature.intact
    assert signature.modified_after
    assert "Signature is Valid" not in pdfsig(altered)
    # 2. An incremental update that changes the content after signing.
    import pypdf

    writer = pypdf.PdfWriter(io.BytesIO(signed), incremental=True)
    writer.add_metadata({"/Title": "Falsifié"})
    writer.pages[0].merge_page(pypdf.PdfReader(io.BytesIO(signed)).pages[0])
    buffer = io.BytesIO()
    writer.write(buffer)
    updated = buffer.getvalue()
    assert updated.startswith(signed[:100])
    (signature,) = signing.verify_pdf(updated).signatures
    assert signature.intact  # the signed bytes are still there…
    assert signature.modified_after  # …but the document was changed afterwards
    assert "Not total document signed" in pdfsig(updated)

    path = tmp_path / "altered.pdf"
    path.write_bytes(updated)
    with pytest.raises(SystemExit):
        call_command("verify_pdf", str(path), stdout=io.StringIO())


def test_verify_pdf_command(pdf_document, certificate, legal_user, organization, tmp_path):
    path = tmp_path / "signed.pdf"
    path.write_bytes(read(services.sign_document(document=pdf_document, certificate=certificate, user=legal_user)))
    out = io.StringIO()
    call_command("verify_pdf", str(path), "--organization", str(organization.pk), stdout=out)
    text = out.getvalue()
    assert "Michaël DELAFOSSE" in text
    assert "intacte : oui" in text
    assert "certificat de confiance : oui" in text
    assert "Résultat : VALIDE" in text
    out = io.StringIO()
    call_command("verify_pdf", str(path), "--json", stdout=out)  # no trust list: valid but untrusted
    assert '"trusted": false' in out.getvalue()


def test_create_test_certificate_command(signatory, tmp_path):
    out = io.StringIO()
    target = tmp_path / "test.p12"
    call_command(
        "create_test_certificate",
        "--signatory",
        str(signatory.pk),
        "--passphrase",
        "x",
        "--export",
        str(target),
        stdout=out,
    )
    certificate = SigningCertificate.objects.get(signatory=signatory)
    assert "Michaël DELAFOSSE" in certificate.subject
    signing.load_pkcs12(target.read_bytes(), "x")
    assert signatory.organization.trust_anchors.count() == 1


def test_signing_rules(organization, pdf_document, certificate, legal_user, other_organization):
    viewer = member(organization, Role.VIEWER)
    with pytest.raises(Exception) as forbidden:
        services.sign_document(document=pdf_document, certificate=certificate, user=viewer)
    assert forbidden.type.__name__ == "PermissionDenied"
    outsider = member(other_organization, Role.ADMINISTRATOR)
    with pytest.raises(Exception) as hidden:
        services.sign_document(document=pdf_document, certificate=certificate, user=outsider)
    assert hidden.type.__name__ == "Http404"
    with pytest.raises(DomainError, match="phrase secrète"):
        services.sign_document(document=pdf_document, certificate=certificate, user=legal_user, passphrase="wrong")
    docx = services.generate_document(
        kind="other",
        organization=organization,
        context=sample_context(),
        owner=organization,
        user=None,
        title="x",
        formats=["docx"],
    )[0]
    with pytest.raises(DomainError, match="Seuls les PDF"):
        services.sign_document(document=docx, certificate=certificate, user=legal_user)


def test_expired_certificate_is_refused(organization, signatory, pdf_document, legal_user):
    data, _ca = signing.create_test_pkcs12(
        common_name="Ancien MAIRE",
        organization_name=organization.name,
        passphrase="p",
        days=10,
    )
    old = services.add_signing_certificate(organization=organization, user=None, pkcs12_data=data, passphrase="p")
    # Valid when deposited (an expired file is refused then), expired since.
    SigningCertificate.objects.filter(pk=old.pk).update(
        not_before=datetime(2020, 1, 1, tzinfo=UTC), not_after=datetime(2020, 1, 11, tzinfo=UTC)
    )
    old.refresh_from_db()
    with pytest.raises(DomainError) as error:
        services.sign_document(document=pdf_document, certificate=old, user=legal_user)
    assert error.value.rule == "documents.certificate_validity"


def test_timestamped_signature_b_t(pdf_document, certificate, legal_user, monkeypatch):
    """B-T against an in-process timestamp authority (pyHanko's dummy TSA; no network)."""
    from asn1crypto import keys as asn1_keys
    from asn1crypto import x509 as asn1_x509
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
    from pyhanko.sign.timestamps import DummyTimeStamper

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Horodatage de test")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=30))
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
        .sign(key, hashes.SHA256())
    )
    tsa = DummyTimeStamper(
        tsa_cert=asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER)),
        tsa_key=asn1_keys.PrivateKeyInfo.load(
            key.private_bytes(
                serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        ),
    )
    from documents.signing import pades

    monkeypatch.setattr(pades, "timestamper", lambda: tsa)  # where the signing reads it
    signed = read(services.sign_document(document=pdf_document, certificate=certificate, user=legal_user))
    (signature,) = signing.verify_pdf(signed).signatures
    assert signature.intact and signature.valid
    assert signature.timestamped_at is not None
    assert "Signature is Valid" in pdfsig(signed)
