"""PAdES signatures with pyHanko, their verification, and test certificates.

Signing adds an incremental update (earlier signatures stay valid), a visible stamp with
the signatory's name, function and date, and a signed timestamp (B-T) when
``DOCUMENTS_TSA_URL`` names a timestamp server; without one the level is B-B.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from asn1crypto import pem as asn1_pem
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.errors import DomainError
from core.formatting import french_date

STAMP_FONT = Path(settings.BASE_DIR) / "static" / "fonts" / "dejavu" / "DejaVuSerifCondensed.ttf"
STAMP_WIDTH, STAMP_HEIGHT = 180, 58
MAX_PDF_BYTES = 50 * 1024 * 1024


def _outside_event_loop[T](call: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
    """Run pyHanko's synchronous API, which starts its own event loop, safely.

    Called from a thread that already runs an event loop (an async server, a browser
    test driver), ``asyncio.run`` would refuse: the work then goes to a short-lived thread.
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return call(*args, **kwargs)
    with ThreadPoolExecutor(max_workers=1) as executor:
        return executor.submit(call, *args, **kwargs).result()


# --- Certificates ----------------------------------------------------------------------


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


# --- Signing ---------------------------------------------------------------------------


def timestamper() -> Any:
    """The configured timestamp authority (B-T signatures), or None (B-B)."""
    url = getattr(settings, "DOCUMENTS_TSA_URL", "")
    if not url:
        return None
    from pyhanko.sign.timestamps import HTTPTimeStamper

    return HTTPTimeStamper(url, timeout=getattr(settings, "DOCUMENTS_TSA_TIMEOUT", 10))


Box = tuple[float, float, float, float]

STAMP_GAP = 8
STAMP_LEFT = 62  # the left margin of documents/base.html (22 mm)
FOOTER_ZONE = 68  # the bottom margin of documents/base.html (24 mm): page numbers live there
MIN_STAMPS_ON_LAST_PAGE = 4  # room left for this many stamps at the first signature, else a signature page


def _overlap(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _page_layout(page: Any) -> tuple[float, float, float, list[Box]]:
    """(width, floor, ceiling, existing annotation boxes) of a page, in PDF points.

    The free band for stamps lies above the page footer (text in the bottom margin) and
    below the lowest line of the content. Text is taken as full-width bands: a stamp is
    never placed beside a line, only below all of them.
    """
    import pypdf

    box = page.mediabox
    width, height = float(box.width), float(box.height)
    floor, ceiling = STAMP_GAP + 40.0, height - 40.0

    def visit(text: str, cm: Any, tm: Any, _font: Any, size: Any) -> None:
        nonlocal floor, ceiling
        if not text.strip():
            return
        matrix = pypdf.mult(tm, cm)
        baseline = float(matrix[5])
        glyph = float(size or 10) * abs(float(matrix[3]) or 1.0)
        if baseline < FOOTER_ZONE:
            floor = max(floor, baseline + glyph + STAMP_GAP)
        else:
            ceiling = min(ceiling, baseline - 0.3 * glyph - STAMP_GAP)

    page.extract_text(visitor_text=visit)
    annotations: list[Box] = []
    for annotation in page.get("/Annots") or []:
        rect = annotation.get_object().get("/Rect")
        if rect is not None:
            x1, y1, x2, y2 = (float(v) for v in rect)
            if x2 > x1 and y2 > y1:
                annotations.append((min(x1, x2), min(y1, y2), max(x1, x2), max(y1, y2)))
    return width, floor, ceiling, annotations


def free_stamp_boxes(data: bytes, *, page_index: int = -1) -> list[Box]:
    """Where stamps may go on a page, bottom row first, left to right, none on content or another stamp."""
    import pypdf

    reader = pypdf.PdfReader(io.BytesIO(data), strict=False)
    width, floor, ceiling, taken = _page_layout(reader.pages[page_index])
    columns = max(1, int((width - 2 * STAMP_LEFT + STAMP_GAP) // (STAMP_WIDTH + STAMP_GAP)))
    boxes: list[Box] = []
    y1 = floor
    while y1 + STAMP_HEIGHT <= ceiling:
        for column in range(columns):
            x1 = STAMP_LEFT + column * (STAMP_WIDTH + STAMP_GAP)
            candidate = (x1, y1, x1 + STAMP_WIDTH, y1 + STAMP_HEIGHT)
            if not any(_overlap(candidate, other) for other in taken):
                boxes.append(candidate)
        y1 += STAMP_HEIGHT + STAMP_GAP
    return boxes


def with_signature_page(data: bytes) -> bytes:
    """The PDF with a blank page of the last page's size appended, for the stamps."""
    import pypdf

    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(io.BytesIO(data), strict=False))
    last = writer.pages[-1].mediabox
    writer.add_blank_page(width=float(last.width), height=float(last.height))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def place_stamp(data: bytes, *, signed_before: int) -> tuple[bytes, Box]:
    """The bytes to sign and the stamp's box: free space at the bottom of the last page, never on content.

    At the first signature the last page must leave room for MIN_STAMPS_ON_LAST_PAGE
    stamps (documents/base.html reserves it), otherwise a signature page is appended —
    only then: a page added after a signature would break it. Later signers take the
    next free place beside or above the earlier stamps.
    """
    boxes = free_stamp_boxes(data)
    if signed_before == 0 and len(boxes) < MIN_STAMPS_ON_LAST_PAGE:
        data = with_signature_page(data)
        boxes = free_stamp_boxes(data)
    if not boxes:
        raise DomainError(
            _(
                "Il ne reste aucune place libre sur la dernière page pour un tampon de signature visible, et "
                "ajouter une page invaliderait les %(count)s signatures déjà apposées."
            )
            % {"count": signed_before},
            rule="documents.stamp_space",
        )
    return data, boxes[0]


_stamp_font_path: list[str] = []


def stamp_font() -> str:
    """The stamp font, rescaled to 1000 units per em once per process.

    pyHanko writes glyph widths in font units where PDF expects thousandths of an em, so a
    2048-unit TrueType font comes out letter-spaced; a 1000-unit copy is exact.
    """
    if not _stamp_font_path:
        import tempfile

        from fontTools.ttLib import TTFont
        from fontTools.ttLib.scaleUpem import scale_upem

        digest = hashlib.sha256(STAMP_FONT.read_bytes()).hexdigest()[:16]
        target = Path(tempfile.gettempdir()) / f"conventio-stamp-{digest}.ttf"
        if not target.is_file():
            font = TTFont(str(STAMP_FONT))
            scale_upem(font, 1000)
            partial = target.with_suffix(f".{os.getpid()}.tmp")
            font.save(str(partial))
            os.replace(partial, target)
        _stamp_font_path.append(str(target))
    return _stamp_font_path[0]


def existing_signature_count(data: bytes) -> int:
    from pyhanko.pdf_utils.reader import PdfFileReader

    try:
        return len(PdfFileReader(io.BytesIO(data), strict=False).embedded_signatures)
    except Exception as exc:
        raise DomainError(_("Ce fichier n'est pas un PDF lisible."), rule="documents.pdf") from exc


def sign_pdf(data: bytes, **kwargs: Any) -> bytes:
    """Add one PAdES signature with a visible stamp, as an incremental update."""
    return _outside_event_loop(_sign_pdf, data, **kwargs)


def _sign_pdf(
    data: bytes,
    *,
    pkcs12_data: bytes,
    passphrase: str,
    signer_name: str,
    function: str,
    reason: str = "",
    location: str = "",
    when: datetime | None = None,
    tsa: Any = None,
) -> bytes:
    from pyhanko.pdf_utils.font.opentype import GlyphAccumulatorFactory
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.text import TextBoxStyle
    from pyhanko.sign import fields, signers
    from pyhanko.stamp import TextStampStyle

    load_pkcs12(pkcs12_data, passphrase)  # a clear error before pyHanko's
    signer = signers.SimpleSigner.load_pkcs12_data(pkcs12_data, other_certs=[], passphrase=passphrase.encode() or None)
    if signer is None:
        raise DomainError(_("Le certificat PKCS#12 ne s'ouvre pas."), rule="documents.pkcs12")
    index = existing_signature_count(data)
    field_name = f"Signature{index + 1}"
    data, stamp_box = place_stamp(data, signed_before=index)
    when = timezone.localtime(when or timezone.now())
    meta = signers.PdfSignatureMetadata(
        field_name=field_name,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=reason or None,
        location=location or None,
        name=signer_name,
    )
    style = TextStampStyle(
        stamp_text="Signé électroniquement par\n%(name)s\n%(function)s\nle %(when)s",
        text_box_style=TextBoxStyle(font=GlyphAccumulatorFactory(stamp_font()), font_size=8),
        border_width=1,
    )
    pdf_signer = signers.PdfSigner(
        meta,
        signer=signer,
        timestamper=tsa if tsa is not None else timestamper(),
        stamp_style=style,
        new_field_spec=fields.SigFieldSpec(
            sig_field_name=field_name,
            on_page=-1,
            box=tuple(round(v) for v in stamp_box),  # type: ignore[arg-type]
        ),
    )
    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
        out = pdf_signer.sign_pdf(
            writer,
            appearance_text_params={
                "name": signer_name,
                "function": function,
                "when": f"{french_date(when)} à {when:%H:%M}",
            },
        )
    except DomainError:
        raise
    except Exception as exc:
        raise DomainError(
            _("La signature a échoué : %(error)s.") % {"error": f"{type(exc).__name__}: {exc}"},
            rule="documents.signature",
        ) from exc
    return bytes(out.getvalue())


# --- Verification ----------------------------------------------------------------------


@dataclass
class SignatureReport:
    field_name: str
    signer: str
    signer_subject: str
    signed_at: datetime | None
    timestamped_at: datetime | None
    intact: bool
    valid: bool
    trusted: bool
    trust_anchor: str
    coverage: str
    modified_after: bool
    later_changes: str
    summary: str

    @property
    def ok(self) -> bool:
        return self.intact and self.valid and not self.modified_after

    def as_dict(self) -> dict[str, Any]:
        return {
            "field_name": self.field_name,
            "signer": self.signer,
            "signer_subject": self.signer_subject,
            "signed_at": self.signed_at,
            "timestamped_at": self.timestamped_at,
            "intact": self.intact,
            "valid": self.valid,
            "trusted": self.trusted,
            "trust_anchor": self.trust_anchor,
            "coverage": self.coverage,
            "modified_after": self.modified_after,
            "later_changes": self.later_changes,
            "summary": self.summary,
        }


@dataclass
class VerificationReport:
    sha256: str
    size: int
    is_pdf: bool
    signatures: list[SignatureReport] = field(default_factory=list)
    error: str = ""

    @property
    def all_ok(self) -> bool:
        return self.is_pdf and bool(self.signatures) and all(s.ok for s in self.signatures)

    def as_dict(self) -> dict[str, Any]:
        return {
            "sha256": self.sha256,
            "size": self.size,
            "is_pdf": self.is_pdf,
            "error": self.error,
            "all_ok": self.all_ok,
            "signatures": [s.as_dict() for s in self.signatures],
        }


_LATER_CHANGES = {
    "NONE": gettext_lazy("aucune"),
    "LTA_UPDATES": gettext_lazy("données d'archivage (horodatage, validation) seulement"),
    "FORM_FILLING": gettext_lazy("signatures suivantes seulement"),
    "ANNOTATIONS": gettext_lazy("annotations ajoutées"),
    "OTHER": gettext_lazy("contenu modifié"),
}


def _anchors(trust_pems: list[str]) -> list[Any]:
    roots = []
    for pem in trust_pems:
        data = pem.encode()
        if asn1_pem.detect(data):
            _type, _headers, data = asn1_pem.unarmor(data)
        roots.append(asn1_x509.Certificate.load(data))
    return roots


def verify_pdf(data: bytes, *, trust_pems: list[str] | None = None) -> VerificationReport:
    """Check each signature of a PDF: intact, valid, trusted by the given anchors, modified after."""
    return _outside_event_loop(_verify_pdf, data, trust_pems=trust_pems)


def _verify_pdf(data: bytes, *, trust_pems: list[str] | None = None) -> VerificationReport:
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.diff_analysis import ModificationLevel
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.settings import KeyUsageConstraints
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    report = VerificationReport(
        sha256=hashlib.sha256(data).hexdigest(), size=len(data), is_pdf=data[:1024].find(b"%PDF-") >= 0
    )
    if not report.is_pdf:
        report.error = str(_("Ce fichier n'est pas un PDF."))
        return report
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        embedded = list(reader.embedded_signatures)
    except Exception as exc:
        report.is_pdf = False
        report.error = str(_("Ce PDF est illisible : %(error)s.") % {"error": exc})
        return report
    if not embedded:
        report.error = str(_("Ce PDF ne porte aucune signature électronique."))
        return report
    roots = _anchors(trust_pems or [])
    for signature in embedded:
        context = ValidationContext(trust_roots=roots, allow_fetching=False, revocation_mode="soft-fail")
        try:
            status = validate_pdf_signature(
                signature,
                signer_validation_context=context,
                ts_validation_context=ValidationContext(trust_roots=roots, allow_fetching=False),
                key_usage_settings=KeyUsageConstraints(
                    key_usage={"digital_signature", "non_repudiation"}, match_all_key_usages=False
                ),
            )
        except Exception as exc:
            report.signatures.append(
                SignatureReport(
                    field_name=str(signature.field_name),
                    signer="?",
                    signer_subject="",
                    signed_at=None,
                    timestamped_at=None,
                    intact=False,
                    valid=False,
                    trusted=False,
                    trust_anchor="",
                    coverage="",
                    modified_after=True,
                    later_changes="",
                    summary=str(_("Signature illisible : %(error)s") % {"error": exc}),
                )
            )
            continue
        certificate = status.signing_cert
        common_names = [value for key, value in certificate.subject.native.items() if key == "common_name"]
        level = status.modification_level
        coverage = status.coverage
        modified_after = (
            not status.intact
            or coverage not in (SignatureCoverageLevel.ENTIRE_FILE, SignatureCoverageLevel.ENTIRE_REVISION)
            or (
                coverage == SignatureCoverageLevel.ENTIRE_REVISION
                and (level is None or level > ModificationLevel.FORM_FILLING)
            )
        )
        anchor = ""
        if status.trusted and status.validation_path is not None:
            authority = getattr(status.validation_path.trust_anchor, "authority", None)
            anchor = authority.name.human_friendly if authority is not None else ""
        timestamp = status.timestamp_validity
        report.signatures.append(
            SignatureReport(
                field_name=str(signature.field_name),
                signer=str(common_names[0]) if common_names else certificate.subject.human_friendly,
                signer_subject=certificate.subject.human_friendly,
                signed_at=status.signer_reported_dt,
                timestamped_at=timestamp.timestamp if timestamp is not None else None,
                intact=bool(status.intact),
                valid=bool(status.valid),
                trusted=bool(status.trusted),
                trust_anchor=anchor,
                coverage=coverage.name if coverage is not None else "",
                modified_after=modified_after,
                later_changes=str(_LATER_CHANGES.get(level.name, level.name)) if level is not None else "",
                summary=status.summary(),
            )
        )
    return report
