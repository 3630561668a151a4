"""Publishing a deliberation produces its extract once, after the commit."""

import io
from datetime import date

import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from core.errors import DomainError
from deliberations import documents, services, tasks
from deliberations.models import Deliberation
from documents.models import StoredDocument
from tests.factories import SignatoryFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed(council, organization):
    SignatoryFactory(person=council.people[0], organization=organization, function="Monsieur le Maire")
    sitting = council.sitting()
    item = council.item(sitting, title="Convention de partenariat avec l'association FLAG")
    council.attend(sitting, present=8)
    services.record_vote(
        user=council.clerk, deliberation=item, votes_for=8, votes_against=0, abstentions=0, not_voting=0
    )
    services.sign(user=council.clerk, deliberation=item, signed_on=date(2024, 4, 8))
    item.refresh_from_db()
    return council, item


def _extracts(item: Deliberation):
    return StoredDocument.objects.filter(
        owner_type=ContentType.objects.get_for_model(Deliberation), owner_id=item.pk, kind=documents.KIND_EXTRACT
    )


def _pdf_text(document: StoredDocument) -> str:
    with document.file.open("rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def test_publishing_produces_the_extract_after_commit(signed, django_capture_on_commit_callbacks):
    council, item = signed
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.publish(user=council.clerk, deliberation=item, published_on=date(2024, 4, 9))
    assert len(callbacks) == 1
    assert not _extracts(item).exists()  # nothing before the commit
    for callback in callbacks:
        callback()
    pdf = _extracts(item).get(format="pdf")
    assert _extracts(item).filter(format="docx").count() == 1
    assert item.number and item.number in _pdf_text(pdf)
    assert "Convention de partenariat avec l'association FLAG" in _pdf_text(pdf)
    organization_id = item.assembly.organization_id
    page = Client().get(reverse("deliberations:public_list", args=[organization_id]))
    assert reverse("deliberations:public_extract", args=[organization_id, item.pk]) in page.content.decode()
    response = Client().get(reverse("deliberations:public_extract", args=[organization_id, item.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"


def test_publishing_keeps_an_existing_extract(signed, django_capture_on_commit_callbacks):
    council, item = signed
    documents.generate_extract(user=council.clerk, deliberation=item)
    before = list(_extracts(item).values_list("pk", "version"))
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.publish(user=council.clerk, deliberation=item, published_on=date(2024, 4, 9))
    assert len(callbacks) == 1
    assert list(_extracts(item).values_list("pk", "version")) == before


def test_the_task_makes_nothing_without_publication_or_twice(signed):
    council, item = signed
    result = tasks.generate_missing_extract.enqueue(deliberation_id=item.pk, user_id=council.clerk.pk)
    assert result.return_value is False and not _extracts(item).exists()  # not published yet
    Deliberation.objects.filter(pk=item.pk).update(published_on=date(2024, 4, 9))
    first = tasks.generate_missing_extract.enqueue(deliberation_id=item.pk, user_id=council.clerk.pk)
    second = tasks.generate_missing_extract.enqueue(deliberation_id=item.pk, user_id=council.clerk.pk)
    assert first.return_value is True and second.return_value is False
    assert _extracts(item).count() == 2  # one PDF and one DOCX, version 1


def test_no_extract_when_publishing_fails(signed, django_capture_on_commit_callbacks):
    council, item = signed
    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(DomainError, match="publi"):
        services.publish(user=council.clerk, deliberation=item, published_on=date(2024, 3, 1))
    assert callbacks == [] and not _extracts(item).exists()
