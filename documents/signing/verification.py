"""Verifying the signatures of a PDF: intact, valid, trusted by the organization's anchors, modified after."""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from asn1crypto import pem as asn1_pem
from asn1crypto import x509 as asn1_x509
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from documents.signing.pades import outside_event_loop


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
    return outside_event_loop(_verify_pdf, data, trust_pems=trust_pems)


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
