"""Many certificates and anchors quickly, for query-count tests (no key generation per row)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from documents.models import SigningCertificate, TrustAnchor
from tests.factories import PersonFactory, SignatoryFactory


def make_certificates(organization: Any, count: int) -> None:
    signatory = SignatoryFactory(person=PersonFactory(organization=organization))
    for index in range(count):
        SigningCertificate.objects.create(
            organization=organization,
            signatory=signatory,
            label=f"Certificat {index:03d}",
            pkcs12=b"x",
            subject=f"CN=Signataire {index}",
            issuer="CN=AC de test",
            serial_number=str(index),
            fingerprint=f"{index:064x}",
            not_before=datetime(2024, 1, 1, tzinfo=UTC),
            not_after=datetime(2099, 1, 1, tzinfo=UTC),
        )
        TrustAnchor.objects.create(
            organization=organization,
            label=f"AC {index:03d}",
            certificate_pem="-",
            subject=f"CN=AC {index}",
            issuer=f"CN=AC {index}",
            fingerprint=f"{index:064x}",
            not_after=datetime(2099, 1, 1, tzinfo=UTC),
        )
