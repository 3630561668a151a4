"""Certificates: the facts of an X.509 certificate, PKCS#12 containers opened or recognised, test certificates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from django.utils.translation import gettext as _

from core.errors import DomainError


@dataclass(frozen=True)
class CertificateFacts:
    subject: str
    common_name: str
    issuer: str
    serial_number: str
    fingerprint: str
    not_before: datetime
    not_after: datetime


def facts(certificate: x509.Certificate) -> CertificateFacts:
    names = certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    return CertificateFacts(
        subject=certificate.subject.rfc4514_string()[:500],
        common_name=str(names[0].value) if names else certificate.subject.rfc4514_string(),
        issuer=certificate.issuer.rfc4514_string()[:500],
        serial_number=format(certificate.serial_number, "x"),
        fingerprint=certificate.fingerprint(hashes.SHA256()).hex(),
        not_before=certificate.not_valid_before_utc,
        not_after=certificate.not_valid_after_utc,
    )


_PKCS7_DATA = bytes.fromhex("06092a864886f70d010701")
_PKCS7_SIGNED_DATA = bytes.fromhex("06092a864886f70d010702")


def _der_header(data: bytes, offset: int) -> tuple[int, int, int]:
    """(tag, start of the content, length of the content) of the DER element at ``offset``."""
    tag = data[offset]
    first = data[offset + 1]
    if first < 0x80:
        return tag, offset + 2, first
    if first == 0x80:  # BER indefinite length, used by some exporters
        return tag, offset + 2, -1
    count = first & 0x7F
    if not 1 <= count <= 4:
        raise ValueError("unsupported DER length")
    length = int.from_bytes(data[offset + 2 : offset + 2 + count], "big")
    return tag, offset + 2 + count, length


def is_pkcs12(data: bytes) -> bool:
    """Is this a PKCS#12 (PFX) container, whatever its passphrase? Read from its structure, not its name.

    RFC 7292 §4: PFX ::= SEQUENCE { version INTEGER {v3(3)}, authSafe ContentInfo (data or
    signedData), macData OPTIONAL }. Only the outer structure is read (by hand: asn1crypto
    caches OID maps that pyHanko extends later), so a wrong passphrase is told apart from
    a file of another kind.
    """
    try:
        tag, start, length = _der_header(data, 0)
        if tag != 0x30 or (length >= 0 and start + length != len(data)):
            return False
        tag, start, length = _der_header(data, start)
        if tag != 0x02 or data[start : start + length] != b"\x03":
            return False
        tag, start, _length = _der_header(data, start + length)
        if tag != 0x30:
            return False
        return data[start : start + len(_PKCS7_DATA)] in (_PKCS7_DATA, _PKCS7_SIGNED_DATA)
    except (IndexError, ValueError):
        return False


def load_pkcs12(data: bytes, passphrase: str) -> tuple[Any, x509.Certificate, list[x509.Certificate]]:
    """The key, certificate and chain of a PKCS#12, or a clear error saying which check failed."""
    try:
        key, certificate, chain = pkcs12.load_key_and_certificates(data, passphrase.encode() if passphrase else None)
    except ValueError as exc:
        # The same error for both: tell a wrong passphrase from a file of another kind.
        if not is_pkcs12(data):
            raise DomainError(
                _("Ce fichier n'est pas un certificat PKCS#12 (.p12 ou .pfx), quel que soit son nom."),
                rule="documents.pkcs12_format",
                field="pkcs12",
            ) from exc
        raise DomainError(
            _("Le certificat PKCS#12 ne s'ouvre pas : phrase secrète incorrecte."),
            rule="documents.pkcs12_passphrase",
            field="passphrase",
        ) from exc
    if key is None:
        raise DomainError(
            _(
                "Le fichier PKCS#12 ne contient pas de clé privée : il ne permet pas de signer. "
                "Exportez le certificat avec sa clé privée."
            ),
            rule="documents.pkcs12_private_key",
            field="pkcs12",
        )
    if certificate is None:
        raise DomainError(
            _("Le fichier PKCS#12 ne contient aucun certificat de signataire."),
            rule="documents.pkcs12_certificate",
            field="pkcs12",
        )
    return key, certificate, list(chain or [])


def load_certificate(data: bytes) -> x509.Certificate:
    """A certificate given as PEM or DER (parsed: the file name proves nothing)."""
    try:
        if b"-----BEGIN CERTIFICATE-----" in data:
            return x509.load_pem_x509_certificate(data)
        if b"-----BEGIN" in data:
            raise ValueError("not a certificate PEM block")
        return x509.load_der_x509_certificate(data)
    except ValueError as exc:
        raise DomainError(
            _("Ce fichier n'est pas un certificat X.509 (PEM ou DER)."),
            rule="documents.certificate_format",
            field="certificate",
        ) from exc


def _name(common_name: str, organization: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "FR"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization[:64]),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name[:64]),
        ]
    )


def create_test_pkcs12(
    *, common_name: str, organization_name: str, passphrase: str, days: int = 3 * 365, now: datetime | None = None
) -> tuple[bytes, x509.Certificate]:
    """A self-made test CA and a signer certificate issued by it, as PKCS#12 (+ the CA).

    For demonstrations and tests only: the CA is made on the spot and trusted by nobody
    unless an organization adds it to its trust list.
    """
    now = now or datetime.now(UTC)
    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ca_name = _name(f"Conventio test CA — {organization_name}", organization_name)
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=days + 1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(common_name, organization_name))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(hours=1))
        .not_valid_after(now + timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    data = pkcs12.serialize_key_and_certificates(
        name=common_name.encode(),
        key=key,
        cert=cert,
        cas=[ca_cert],
        encryption_algorithm=serialization.BestAvailableEncryption(passphrase.encode()),
    )
    return data, ca_cert


def certificate_pem(certificate: x509.Certificate) -> str:
    return certificate.public_bytes(serialization.Encoding.PEM).decode()
