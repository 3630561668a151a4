"""PAdES signatures with pyHanko, their verification, and test certificates.

Signing adds an incremental update (earlier signatures stay valid), a visible stamp with
the signatory's name, function and date, and a signed timestamp (B-T) when
``DOCUMENTS_TSA_URL`` names a timestamp server; without one the level is B-B.

By subject: ``certificates`` (X.509 and PKCS#12), ``stamps`` (where a stamp goes),
``pades`` (signing), ``verification``; the names other modules use are importable from
``documents.signing``.
"""

from documents.signing.certificates import (
    CertificateFacts,
    certificate_pem,
    create_test_pkcs12,
    facts,
    is_pkcs12,
    load_certificate,
    load_pkcs12,
)
from documents.signing.pades import existing_signature_count, sign_pdf, timestamper
from documents.signing.stamps import (
    MIN_STAMPS_ON_LAST_PAGE,
    free_stamp_boxes,
    place_stamp,
    stamp_font,
    with_signature_page,
)
from documents.signing.verification import SignatureReport, VerificationReport, verify_pdf

__all__ = [
    "MIN_STAMPS_ON_LAST_PAGE",
    "CertificateFacts",
    "SignatureReport",
    "VerificationReport",
    "certificate_pem",
    "create_test_pkcs12",
    "existing_signature_count",
    "facts",
    "free_stamp_boxes",
    "is_pkcs12",
    "load_certificate",
    "load_pkcs12",
    "place_stamp",
    "sign_pdf",
    "stamp_font",
    "timestamper",
    "verify_pdf",
    "with_signature_page",
]
