"""Demo data of the documents app: a TEST signing certificate for Montpellier's maire.

Idempotent: the certificate is made once; a second run finds it. The key is generated
on the spot by a test authority that only Montpellier's trust list knows: it signs demo
documents and nothing else.
"""

from __future__ import annotations

from documents import services
from documents.models import SigningCertificate

DEMO_PASSPHRASE = "conventio-demo"


def load() -> list[str]:
    from parties import demo as parties_demo

    montpellier = parties_demo.organization("montpellier")
    signatory = montpellier.signatories.select_related("person").filter(is_default=True).first()
    if signatory is None:
        return []
    existing = SigningCertificate.objects.filter(organization=montpellier, signatory=signatory, is_active=True).first()
    if existing is None:
        existing = services.create_test_certificate(
            organization=montpellier, signatory=signatory, passphrase=DEMO_PASSPHRASE
        )
    return [f"Certificat de signature de démonstration : {existing.label}"]
