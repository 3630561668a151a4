"""Pages: the documents list, detail, download and the documents panel, scoped by organization."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType
from django.template import engines
from django.test import RequestFactory

from core.roles import Role
from documents import services
from documents.models import StoredDocument
from tests.documents.helpers import sample_context
from tests.factories import member

pytestmark = pytest.mark.django_db


def make_documents(organization, count: int) -> list[StoredDocument]:
    """Cheap stored documents (no rendering) for list tests: ten stored by the service, the
    others copies of the last one's row (their own version and title, the same file), in bulk."""
    owner_type = ContentType.objects.get_for_model(organization)
    stored = [
        services.store(
            data=f"%PDF-1.7 fake {organization.pk} {i}".encode(),
            organization=organization,
            owner_type=owner_type,
            owner_id=organization.pk,
            kind="other",
            document_format="pdf",
            title=f"Note {i}",
            user=None,
        )
        for i in range(min(count, 10))
    ]
    copies = []
    for i in range(10, count):
        copy = StoredDocument.objects.get(pk=stored[-1].pk)
        copy.pk, copy.version, copy.title = None, i + 1, f"Note {i}"
        copies.append(copy)
    return stored + StoredDocument.objects.bulk_create(copies)


def test_list_shows_only_my_organizations_documents(organization, other_organization, viewer_user, client_for):
    make_documents(organization, 2)
    make_documents(other_organization, 1)
    response = client_for(viewer_user).get("/documents/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Note 0" in page and "Note 1" in page
    assert other_organization.name not in page
    first = StoredDocument.objects.get(title="Note 0", organization=organization)
    assert f'<a href="/documents/{first.pk}/">Note 0</a>' in page
    assert "<td>Autre document</td>" in page and "<td>PDF</td>" in page and "<td>Produit par Conventio</td>" in page


@pytest.mark.parametrize("count", [10, 1000])
def test_list_query_count_does_not_grow(organization, viewer_user, client_for, django_assert_max_num_queries, count):
    make_documents(organization, count)
    client = client_for(viewer_user)
    # Session, user, roles, the count, the page's rows, the unread badge.
    with django_assert_max_num_queries(6):
        assert client.get("/documents/").status_code == 200


def test_detail_and_download_are_scoped(organization, other_organization, viewer_user, client_for):
    mine = services.generate_document(
        kind="other",
        organization=organization,
        context=sample_context(),
        owner=organization,
        user=None,
        title="Note",
        formats=["pdf"],
    )[0]
    theirs = make_documents(other_organization, 1)[0]
    client = client_for(viewer_user)
    detail = client.get(f"/documents/{mine.pk}/")
    assert detail.status_code == 200
    assert mine.sha256 in detail.content.decode()
    download = client.get(f"/documents/{mine.pk}/telecharger/")
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content).startswith(b"%PDF")
    assert client.get(f"/documents/{theirs.pk}/").status_code == 404
    assert client.get(f"/documents/{theirs.pk}/telecharger/").status_code == 404


def test_anonymous_is_sent_to_login(client, organization):
    document = make_documents(organization, 1)[0]
    response = client.get(f"/documents/{document.pk}/telecharger/")
    assert response.status_code == 302
    assert "/connexion/" in response["Location"]


def _panel(user, obj) -> str:
    request = RequestFactory().get("/")
    request.user = user
    return str(engines["pages"].env.from_string("{{ documents_panel(request, obj) }}").render(obj=obj, request=request))


def test_documents_panel_lists_an_objects_documents_with_links(organization, legal_user, other_organization):
    document = make_documents(organization, 1)[0]
    html = _panel(legal_user, organization)
    assert "Note 0" in html
    assert document.get_download_url() in html
    assert "Signer" in html  # legal staff may sign
    assert "Vérifier" in html
    viewer = member(organization, Role.VIEWER)
    assert "Signer" not in _panel(viewer, organization)
    outsider = member(other_organization, Role.ADMINISTRATOR)
    assert "Note 0" not in _panel(outsider, organization)
    assert "Aucun document" in _panel(outsider, organization)


@pytest.mark.parametrize("count", [10, 1000])
def test_documents_panel_queries_do_not_grow(organization, legal_user, django_assert_max_num_queries, count):
    make_documents(organization, count)
    with django_assert_max_num_queries(4):
        _panel(legal_user, organization)
