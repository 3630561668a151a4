import pytest

from core.roles import Role
from documents import services
from documents.context import organization_context
from tests.factories import OrganizationFactory


def _generate(organization, user, title):
    return services.generate_document(
        kind="other",
        organization=organization,
        context={"organization": organization_context(organization), "title": title, "body": "Texte."},
        owner=organization,
        user=user,
        title=title,
        formats=("pdf",),
    )[0]


@pytest.mark.django_db
def test_panel_lists_unsigned_pdfs_of_my_organizations_only(organization, make_member, client_for):
    clerk = make_member(organization, Role.CLERK)
    _generate(organization, clerk, "Extrait à signer")
    other = OrganizationFactory(name="Ailleurs")
    _generate(other, None, "Document d'ailleurs")
    page = client_for(clerk).get("/tableau-de-bord/").content.decode()
    assert "PDF à signer" in page
    assert "Extrait à signer" in page
    assert "Document d&#39;ailleurs" not in page and "Document d'ailleurs" not in page


@pytest.mark.django_db
def test_a_pdf_with_its_signed_original_leaves_the_panel(organization, make_member, client_for):
    clerk = make_member(organization, Role.CLERK)
    signed = _generate(organization, clerk, "Extrait signé à la main")
    _generate(organization, clerk, "Extrait encore à signer")
    with signed.file.open("rb") as handle:
        services.upload_scan(document=signed, user=clerk, data=handle.read())  # its scan derives from it
    page = client_for(clerk).get("/tableau-de-bord/").content.decode()
    assert "Extrait encore à signer" in page and "Extrait signé à la main" not in page


@pytest.mark.django_db
def test_viewer_has_no_documents_panel(organization, make_member, client_for):
    viewer = make_member(organization, Role.VIEWER)
    assert "PDF à signer" not in client_for(viewer).get("/tableau-de-bord/").content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("count", [10, 1000])
def test_panel_queries_do_not_grow(organization, make_member, count, django_assert_max_num_queries, rf):
    from documents.dashboard import panel
    from tests.documents.test_pages import make_documents

    clerk = make_member(organization, Role.CLERK)
    make_documents(organization, count)  # generated PDFs, none signed
    request = rf.get("/tableau-de-bord/")
    request.user = clerk
    with django_assert_max_num_queries(3):
        result = panel(request)
    assert len(result["unsigned"]) == min(count, 5)
