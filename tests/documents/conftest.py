from __future__ import annotations

from typing import Any

import pytest

from documents import services
from tests.documents.helpers import sample_context
from tests.factories import PersonFactory, SignatoryFactory


@pytest.fixture
def signatory(organization: Any) -> Any:
    person = PersonFactory(organization=organization, first_name="Michaël", last_name="Delafosse", civility="M.")
    return SignatoryFactory(person=person, function="Le Maire")


@pytest.fixture
def certificate(organization: Any, signatory: Any) -> Any:
    return services.create_test_certificate(organization=organization, signatory=signatory, passphrase="phrase-secrète")


@pytest.fixture
def pdf_document(organization: Any) -> Any:
    return services.generate_document(
        kind="other",
        organization=organization,
        context=sample_context(),
        owner=organization,
        user=None,
        title="Convention FLAG",
        formats=["pdf"],
    )[0]
