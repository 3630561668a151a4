import pytest
from django.test import Client

from core.roles import Role
from parties.models import Organization


@pytest.mark.django_db
def test_history_records_the_acting_user_on_web_and_api(organization, make_member, client_for, api_for):
    admin = make_member(organization, Role.ADMINISTRATOR, first_name="Alice", last_name="Martin")
    client_for(admin).post(
        f"/organisations/{organization.pk}/modifier/",
        {"kind": "commune", "name": "Ville Nouvelle", "population": 3600, "departement_code": "034"},
    )
    api_user = make_member(organization, Role.ADMINISTRATOR, first_name="Bruno", last_name="Api")
    api_for(api_user).patch(f"/organizations/{organization.pk}", {"population": 3400})
    records = list(Organization.history.filter(id=organization.pk).order_by("history_date"))
    assert [r.history_user for r in records[-2:]] == [admin, api_user]
    page = client_for(admin).get(f"/historique/parties/organization/{organization.pk}/").content.decode()
    assert "Alice Martin" in page and "Bruno Api" in page
    assert "Ville de Testville" in page and "Ville Nouvelle" in page  # before and after
    assert "3\u202f600" in page and "3\u202f400" in page  # counts with their thousands apart


@pytest.mark.django_db
def test_history_page_is_scoped(organization, other_organization, make_member, client_for):
    client = client_for(make_member(organization, Role.VIEWER))
    assert client.get(f"/historique/parties/organization/{other_organization.pk}/").status_code == 404
    assert client.get("/historique/core/user/1/").status_code == 404


@pytest.mark.django_db
def test_login_is_throttled_after_repeated_failures(organization, make_member, settings):
    user = make_member(organization, Role.VIEWER)
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/connexion/", {"username": user.username, "password": "wrong"})
    locked = client.post("/connexion/", {"username": user.username, "password": "secret-pass-123"})
    assert locked.status_code == 429
    assert "bloquée" in locked.content.decode() and "site-header" in locked.content.decode()  # the site's page
    scripted = client.post(
        "/connexion/", {"username": user.username, "password": "x"}, headers={"x-requested-with": "XMLHttpRequest"}
    )
    assert scripted.status_code == 429 and scripted.json()["failure_limit"] == settings.AXES_FAILURE_LIMIT


@pytest.mark.django_db
def test_login_then_dashboard_in_french(organization, make_member):
    user = make_member(organization, Role.CLERK)
    client = Client()
    response = client.post("/connexion/", {"username": user.username, "password": "secret-pass-123"}, follow=True)
    page = response.content.decode()
    assert 'lang="fr"' in page and "Tableau de bord" in page and "Ville de Testville" in page
    assert "Secrétariat des assemblées" in page


@pytest.mark.django_db
def test_english_is_available(organization, make_member, client_for):
    client = client_for(make_member(organization, Role.CLERK))
    client.post("/i18n/setlang/", {"language": "en", "next": "/tableau-de-bord/"})
    page = client.get("/tableau-de-bord/").content.decode()
    assert 'lang="en"' in page
    assert "Dashboard" in page
