import pytest
from django.test import RequestFactory

from core import error_pages as errors
from core.roles import Role


@pytest.mark.django_db
def test_a_forbidden_action_answers_the_sites_french_403_naming_the_role(organization, make_member, client_for):
    client = client_for(make_member(organization, Role.VIEWER))
    response = client.post(
        f"/organisations/{organization.pk}/modifier/",
        {"kind": "commune", "name": "Autre nom", "population": 3600, "departement_code": "034"},
    )
    assert response.status_code == 403
    page = response.content.decode()
    assert "site-header" in page and "Accès refusé" in page
    assert "Lecteur" in page or "lecteur" in page  # the role that does not allow it
    assert "403 Forbidden" not in page


@pytest.mark.django_db
def test_an_unknown_address_and_another_organizations_object_answer_the_same_404(
    organization, other_organization, make_member, client_for
):
    client = client_for(make_member(organization, Role.VIEWER))
    unknown = client.get("/nulle-part/")
    foreign = client.get(f"/organisations/{other_organization.pk}/")
    assert unknown.status_code == foreign.status_code == 404
    for response in (unknown, foreign):
        page = response.content.decode()
        assert "Page introuvable" in page and "site-header" in page
    assert other_organization.name not in foreign.content.decode()


def test_the_500_and_400_pages_are_french_and_need_no_database():
    request = RequestFactory().get("/")
    server = errors.server_error(request)
    assert server.status_code == 500
    assert "Erreur du serveur" in server.content.decode() and 'lang="fr"' in server.content.decode()
    bad = errors.bad_request(request)
    assert bad.status_code == 400 and "Requête incorrecte" in bad.content.decode()
