"""Every write of the documents app, by subject: generation, the template registry,
certificates and trust anchors, signatures and scans, batches.

The domain apps, the views, the API and the tasks import these names from
``documents.services``."""

from documents.services.batches import run_batch, start_batch
from documents.services.certificates import (
    add_signing_certificate,
    add_trust_anchor,
    create_test_certificate,
    deactivate_signing_certificate,
    deactivate_trust_anchor,
)
from documents.services.generation import (
    DocumentRequest,
    generate_document,
    render,
    sha256_of,
    store,
    tenant_of,
)
from documents.services.signatures import (
    check_integrity,
    check_scan,
    read_document,
    seal_document,
    sign_document,
    trust_pems_for,
    upload_scan,
    verify_bytes,
    verify_document,
)
from documents.services.templates import (
    DOCX_MAGIC,
    activate_template,
    check_template,
    deactivate_templates,
    upload_template,
)

__all__ = [
    "DOCX_MAGIC",
    "DocumentRequest",
    "activate_template",
    "add_signing_certificate",
    "add_trust_anchor",
    "check_integrity",
    "check_scan",
    "check_template",
    "create_test_certificate",
    "deactivate_signing_certificate",
    "deactivate_templates",
    "deactivate_trust_anchor",
    "generate_document",
    "read_document",
    "render",
    "run_batch",
    "seal_document",
    "sha256_of",
    "sign_document",
    "start_batch",
    "store",
    "tenant_of",
    "trust_pems_for",
    "upload_scan",
    "upload_template",
    "verify_bytes",
    "verify_document",
]
