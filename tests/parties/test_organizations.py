import pytest

from core.errors import DomainError
from core.roles import Role
from parties import rules, services
from parties.models import Organization


def test_siren_of_montpellier_is_valid_and_normalized():
    assert rules.normalize_siren("213 401 722") == "213401722"


@pytest.mark.parametrize(
    ("value", "fragment"),
    [("213401723", "clé de contrôle"), ("21340172", "9 chiffres"), ("21340172A", "chiffres")],
)
def test_bad_siren_gets_a_clear_error_naming_the_rule(value, fragment):
    with pytest.raises(DomainError) as info:
        rules.normalize_siren(value)
    assert fragment in info.value.message
    assert "SIREN" in info.value.rule


@pytest.mark.django_db
def test_partner_with_bad_siren_is_not_saved(organization, legal_user):
    with pytest.raises(DomainError):
        services.create_partner(user=legal_user, tenant=organization, kind="association", name="X", siren="123456789")
    assert not Organization.objects.filter(name="X").exists()


@pytest.mark.django_db
def test_viewer_cannot_register_a_partner(organization, make_member):
    from django.core.exceptions import PermissionDenied

    viewer = make_member(organization, Role.VIEWER)
    with pytest.raises(PermissionDenied):
        services.create_partner(user=viewer, tenant=organization, kind="association", name="Y")


@pytest.mark.django_db
def test_api_rejects_bad_siren_with_message(organization, legal_user, api_for):
    api = api_for(legal_user)
    response = api.post(
        "/organizations", {"tenant_id": organization.pk, "kind": "association", "name": "Asso", "siren": "213401723"}
    )
    assert response.status_code == 400
    body = response.json()
    assert "clé de contrôle" in body["detail"]
    assert body["field"] == "siren"
    ok = api.post(
        "/organizations", {"tenant_id": organization.pk, "kind": "association", "name": "Asso", "siren": "213401722"}
    )
    assert ok.status_code == 201, ok.content
    assert ok.json()["tenant_id"] == organization.pk


@pytest.mark.django_db
def test_api_validation_error_says_which_field(organization, legal_user, api_for):
    response = api_for(legal_user).post("/organizations", {"tenant_id": organization.pk, "kind": "planet", "name": ""})
    assert response.status_code == 422
    assert "kind" in response.content.decode()


@pytest.mark.django_db
def test_form_shows_siren_error(organization, admin_user_of, client_for):
    client = client_for(admin_user_of)
    response = client.post(
        f"/organisations/{organization.pk}/modifier/", {"kind": "commune", "name": "Ville", "siren": "111111111"}
    )
    assert response.status_code == 200
    assert "clé de contrôle" in response.content.decode()
    organization.refresh_from_db()
    assert organization.name == "Ville de Testville"


@pytest.mark.parametrize(
    ("value", "expected"), [("034", "034"), ("34", "034"), ("13", "013"), ("2A", "02A"), ("971", "971"), ("092", "092")]
)
def test_departement_codes_are_written_on_three_characters(value, expected):
    assert rules.normalize_departement(value) == expected


@pytest.mark.parametrize("value", ["00", "96", "2C", "0345", "abc"])
def test_unknown_departement_is_refused(value):
    with pytest.raises(DomainError):
        rules.normalize_departement(value)


@pytest.mark.django_db
def test_legal_staff_add_a_signatory_through_the_page(organization, legal_user, client_for):
    client = client_for(legal_user)
    response = client.post(
        f"/organisations/{organization.pk}/personnes/nouvelle/",
        {
            "civility": "Mme",
            "first_name": "Claire",
            "last_name": "Hédon",
            "function": "la Défenseure des droits",
            "is_default": "on",
        },
    )
    assert response.status_code == 302
    page = client.get(f"/organisations/{organization.pk}/").content.decode()
    assert "Madame Claire HÉDON, la Défenseure des droits" in page


@pytest.mark.django_db
def test_viewer_cannot_add_people(organization, viewer_user, client_for):
    response = client_for(viewer_user).post(
        f"/organisations/{organization.pk}/personnes/nouvelle/", {"first_name": "A", "last_name": "B"}
    )
    assert response.status_code == 403
    assert not organization.people.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("count", [10, 1000])
def test_list_shows_my_organizations_and_partners_in_bounded_queries(
    client_for, organization, other_organization, legal_user, count, django_assert_max_num_queries
):
    from parties.models import Organization
    from tests.factories import PartnerFactory

    first = PartnerFactory(tenant=organization, name="Association 0000", city="Sète")
    copies = []
    for n in range(1, count):
        copy = Organization.objects.get(pk=first.pk)
        copy.pk, copy.name, copy.siren = None, f"Association {n:04}", ""
        copies.append(copy)
    partners = [first, *Organization.objects.bulk_create(copies)]
    PartnerFactory(tenant=other_organization, name="Association d'ailleurs")
    client = client_for(legal_user)
    # Session, user, roles, the count, the page, the unread badge.
    with django_assert_max_num_queries(6):
        page = client.get("/organisations/").content.decode()
    assert f'<a href="/organisations/{partners[0].pk}/">Association 0000</a>' in page
    assert "<td>Association</td><td>" in page and "<td>Sète</td>" in page
    assert "ailleurs" not in page and "Ailleurs" not in page


@pytest.mark.django_db
@pytest.mark.parametrize("count", [10, 1000])
def test_an_organization_shows_its_people_by_pages(
    client_for, organization, legal_user, count, django_assert_max_num_queries
):
    from parties.models import Person

    Person.objects.bulk_create(
        Person(organization=organization, first_name="Élu", last_name=f"NOM{n:03}") for n in range(count)
    )
    client = client_for(legal_user)
    with django_assert_max_num_queries(9):
        page = client.get(f"/organisations/{organization.pk}/").content.decode()
    assert "NOM000" in page and ("NOM049" in page) == (count >= 50) and "NOM050" not in page
    assert ("Suivante" in page) == (count > 50)
    if count > 50:
        second = client.get(f"/organisations/{organization.pk}/", {"page": "2"}).content.decode()
        assert "NOM050" in second and "NOM059" in second and "NOM000" not in second and "Précédente" in second
