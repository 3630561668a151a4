"""A user of one collectivité can neither read nor change another's data, by URL or API."""

import pytest

from core.roles import Role
from tests.factories import PartnerFactory, PersonFactory


@pytest.mark.django_db
def test_pages_answer_404_for_another_organization(organization, other_organization, make_member, client_for):
    user = make_member(organization, Role.ADMINISTRATOR)
    client = client_for(user)
    assert client.get(f"/organisations/{organization.pk}/").status_code == 200
    assert client.get(f"/organisations/{other_organization.pk}/").status_code == 404
    assert client.get(f"/organisations/{other_organization.pk}/modifier/").status_code == 404
    assert (
        client.post(
            f"/organisations/{other_organization.pk}/modifier/", {"kind": "commune", "name": "Pris"}
        ).status_code
        == 404
    )
    other_organization.refresh_from_db()
    assert other_organization.name == "Ville d'Ailleurs"
    listing = client.get("/organisations/").content.decode()
    assert "Ville de Testville" in listing and "Ailleurs" not in listing


@pytest.mark.django_db
def test_api_answers_404_for_another_organization(organization, other_organization, make_member, api_for):
    api = api_for(make_member(organization, Role.ADMINISTRATOR))
    foreign_person = PersonFactory(organization=other_organization)
    assert api.get(f"/organizations/{other_organization.pk}").status_code == 404
    assert api.patch(f"/organizations/{other_organization.pk}", {"name": "Pris"}).status_code == 404
    assert api.get(f"/people/{foreign_person.pk}").status_code == 404
    assert (
        api.post("/organizations", {"tenant_id": other_organization.pk, "kind": "association", "name": "Z"}).status_code
        == 404
    )
    names = [o["name"] for o in api.get("/organizations").json()["items"]]
    assert names == ["Ville de Testville"]


@pytest.mark.django_db
def test_partner_is_visible_to_its_tenant_only(organization, other_organization, make_member, api_for):
    partner = PartnerFactory(tenant=organization, name="Association FLAG !")
    mine = api_for(make_member(organization, Role.VIEWER))
    theirs = api_for(make_member(other_organization, Role.ADMINISTRATOR))
    assert mine.get(f"/organizations/{partner.pk}").status_code == 200
    assert theirs.get(f"/organizations/{partner.pk}").status_code == 404


@pytest.mark.django_db
def test_role_limits_actions_with_403_and_message(organization, make_member, api_for):
    viewer = api_for(make_member(organization, Role.VIEWER))
    response = viewer.patch(f"/organizations/{organization.pk}", {"name": "Renommée"})
    assert response.status_code == 403
    assert "Lecteur" in response.json()["detail"]
    legal = api_for(make_member(organization, Role.LEGAL))
    assert legal.patch(f"/organizations/{organization.pk}", {"name": "Renommée"}).status_code == 403
    admin = api_for(make_member(organization, Role.ADMINISTRATOR))
    assert admin.patch(f"/organizations/{organization.pk}", {"name": "Renommée"}).json()["name"] == "Renommée"


@pytest.mark.django_db
def test_admin_lists_only_own_organizations(organization, other_organization, make_member, client_for):
    user = make_member(organization, Role.ADMINISTRATOR, is_staff=True)
    from django.contrib.auth.models import Permission

    user.user_permissions.add(*Permission.objects.filter(codename__in=["view_organization", "change_organization"]))
    client = client_for(user)
    page = client.get("/admin/parties/organization/").content.decode()
    assert "Ville de Testville" in page and "Ailleurs" not in page
    assert client.get(f"/admin/parties/organization/{other_organization.pk}/change/").status_code in {302, 404}


@pytest.mark.django_db
def test_anonymous_is_sent_to_login_and_api_refuses(organization, client):
    assert client.get("/tableau-de-bord/").status_code == 302
    assert client.get("/api/v1/organizations").status_code == 401


@pytest.mark.django_db
def test_the_users_organizations_come_with_their_roles_by_name(
    organization, other_organization, make_member, django_assert_num_queries
):
    from core import tenancy
    from core.models import Membership

    user = make_member(organization, Role.MANAGER)
    Membership.objects.create(user=user, organization=other_organization, role=Role.VIEWER)
    tenancy.forget_roles(user)
    with django_assert_num_queries(1):  # roles and names together, then from the request's cache
        assert tenancy.roles_by_organization(user) == {
            organization.pk: Role.MANAGER,
            other_organization.pk: Role.VIEWER,
        }
        names = tenancy.organizations_by_name(user)
    assert names == sorted(
        [(organization.pk, organization.name), (other_organization.pk, other_organization.name)],
        key=lambda item: item[1],
    )
    Membership.objects.filter(user=user, organization=other_organization).delete()
    tenancy.forget_roles(user)  # a membership ended: both are read again
    assert tenancy.organizations_by_name(user) == [(organization.pk, organization.name)]
