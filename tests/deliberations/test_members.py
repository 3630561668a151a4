"""Managing an assembly's members over time: mandates added, ended, members at a date."""

from datetime import date

import pytest

from core.errors import DomainError
from core.roles import Role
from deliberations import selectors, services
from deliberations.models import Mandate
from parties.models import Person
from tests.factories import member

pytestmark = pytest.mark.django_db


def test_new_member_is_registered_and_seated(council):
    mandate = services.add_member(
        user=council.clerk,
        assembly=council.assembly,
        civility="Mme",
        first_name=" Claire ",
        last_name="Dupont",
        role="deputy",
        function="Adjointe au Maire",
        start_date=date(2024, 4, 2),
    )
    assert (
        mandate.person.full_name == "Claire DUPONT"
        and mandate.person.organization_id == council.assembly.organization_id
    )
    assert selectors.members_count(council.assembly, date(2024, 4, 1)) == 11
    assert selectors.members_count(council.assembly, date(2024, 4, 2)) == 12
    with pytest.raises(DomainError, match="prénom et le nom"):
        services.add_member(
            user=council.clerk, assembly=council.assembly, first_name="", last_name="X", start_date=date(2024, 4, 2)
        )


def test_mandate_cannot_end_before_a_sitting_the_member_attended(council):
    sitting = council.sitting()  # 26 March 2024, people[1] is the secretary
    council.attend(sitting, present=9)
    leaving = council.people[8].mandates.get()
    with pytest.raises(DomainError) as refused:
        services.end_mandate(user=council.clerk, mandate=leaving, end_date=date(2024, 3, 25))
    assert "a siégé à la séance du 26/03/2024" in refused.value.message
    assert refused.value.rule == "Membres en exercice" and refused.value.field == "end_date"
    leaving.refresh_from_db()
    assert leaving.end_date is None
    ended = services.end_mandate(user=council.clerk, mandate=leaving, end_date=date(2024, 3, 26))
    assert ended.end_date == date(2024, 3, 26)
    assert selectors.members_count(council.assembly, date(2024, 3, 27)) == 10
    with pytest.raises(DomainError, match="précéder son début"):
        services.end_mandate(user=council.clerk, mandate=leaving, end_date=date(2019, 1, 1))


def test_role_change_ends_the_first_mandate_before_the_next_one(council):
    person = council.people[3]
    first = person.mandates.get()
    services.end_mandate(user=council.clerk, mandate=first, end_date=date(2023, 12, 31))
    services.add_mandate(
        user=council.clerk, assembly=council.assembly, person=person, role="deputy", start_date=date(2024, 1, 1)
    )
    sitting = council.sitting()
    council.attend(sitting, present=11)
    # The attendance of March 2024 rests on the second mandate: the first may end earlier.
    services.end_mandate(user=council.clerk, mandate=first, end_date=date(2023, 6, 30))
    with pytest.raises(DomainError, match="mandat suivant depuis le 01/01/2024"):
        services.end_mandate(user=council.clerk, mandate=first, end_date=date(2024, 1, 1))
    members = {m.person_id: m.role for m in selectors.members_in_office(council.assembly, date(2024, 3, 26))}
    assert members[person.pk] == "deputy"


def test_members_pages(organization, council, client_for):
    client = client_for(council.clerk)
    added = client.post(
        council.assembly.get_absolute_url(),
        {
            "civility": "M.",
            "first_name": "Jean",
            "last_name": "Nouveau",
            "role": "councillor",
            "start_date": "2024-04-02",
        },
    )
    assert added.status_code == 302
    mandate = Mandate.objects.get(person__last_name="Nouveau")
    both = client.post(
        council.assembly.get_absolute_url(),
        {
            "person": council.people[0].pk,
            "first_name": "A",
            "last_name": "B",
            "role": "head",
            "start_date": "2024-04-02",
        },
    )
    assert "pas les deux" in both.content.decode()
    overlap = client.post(
        council.assembly.get_absolute_url(),
        {"person": council.people[2].pk, "role": "deputy", "start_date": "2024-04-02"},
    )
    assert "déjà un mandat" in overlap.content.decode()
    page = client.get(council.assembly.get_absolute_url() + "?au=2024-04-02").content.decode()
    assert "Membres en exercice au 2 avril 2024" in page and "12 membres en exercice." in page
    assert "Jean NOUVEAU" in page
    earlier = client.get(council.assembly.get_absolute_url() + "?au=2024-04-01").content.decode()
    assert "11 membres en exercice." in earlier
    end_url = f"/deliberations/assemblees/{council.assembly.pk}/mandats/{mandate.pk}/fin/"
    assert end_url in page
    assert client.get(end_url).status_code == 200
    refused = client.post(end_url, {"end_date": "2024-04-01"}).content.decode()
    assert "ne peut pas précéder son début" in refused and "Membres en exercice" in refused
    assert client.post(end_url, {"end_date": "2024-06-30"}).status_code == 302
    mandate.refresh_from_db()
    assert mandate.end_date == date(2024, 6, 30)


def test_members_pages_are_scoped_and_limited_to_clerks(organization, other_organization, council, client_for):
    mandate = council.people[0].mandates.get()
    end_url = f"/deliberations/assemblees/{council.assembly.pk}/mandats/{mandate.pk}/fin/"
    outsider = client_for(member(other_organization, Role.ADMINISTRATOR))
    assert outsider.get(council.assembly.get_absolute_url()).status_code == 404
    assert outsider.get(end_url).status_code == 404
    manager = client_for(member(organization, Role.MANAGER))
    page = manager.get(council.assembly.get_absolute_url())
    assert page.status_code == 200 and end_url not in page.content.decode()
    assert manager.get(end_url).status_code == 403
    assert manager.post(end_url, {"end_date": "2024-06-30"}).status_code == 403
    assert (
        manager.post(
            council.assembly.get_absolute_url(), {"first_name": "A", "last_name": "B", "start_date": "2024-04-02"}
        ).status_code
        == 403
    )
    admin = client_for(member(organization, Role.ADMINISTRATOR))
    assert admin.post(end_url, {"end_date": "2024-06-30"}).status_code == 302


def test_members_api(organization, other_organization, council, api_for, django_assert_max_num_queries):
    api = api_for(council.clerk)
    url = f"/assemblies/{council.assembly.pk}/mandates"
    created = api.post(
        url,
        {"new_person": {"first_name": "Lina", "last_name": "Martin", "civility": "Mme"}, "start_date": "2024-04-02"},
    )
    assert created.status_code == 201, created.json()
    assert created.json()["name"] == "Lina MARTIN"
    assert Person.objects.get(pk=created.json()["person_id"]).organization_id == organization.pk
    neither = api.post(url, {"start_date": "2024-04-02"})
    assert neither.status_code == 400 and neither.json()["field"] == "person_id"
    mandate_id = created.json()["mandate_id"]
    too_early = api.post(f"{url}/{mandate_id}/end", {"end_date": "2024-01-01"})
    assert too_early.status_code == 400 and too_early.json()["rule"] == "Membres en exercice"
    ended = api.post(f"{url}/{mandate_id}/end", {"end_date": "2024-12-31"})
    assert ended.status_code == 200 and ended.json()["end_date"] == "2024-12-31"
    with django_assert_max_num_queries(8):
        members = api.get(f"/assemblies/{council.assembly.pk}/members?on=2024-06-01").json()
    assert len(members) == 12 and "Lina MARTIN" in {m["name"] for m in members}
    assert len(api.get(f"/assemblies/{council.assembly.pk}/members?on=2025-01-01").json()) == 11
    outsider = api_for(member(other_organization, Role.ADMINISTRATOR))
    assert outsider.post(f"{url}/{mandate_id}/end", {"end_date": "2024-12-31"}).status_code == 404
    assert outsider.get(f"/assemblies/{council.assembly.pk}/members?on=2024-06-01").status_code == 404
    viewer = api_for(member(organization, Role.VIEWER))
    assert viewer.post(f"{url}/{mandate_id}/end", {"end_date": "2024-12-30"}).status_code == 403
    assert (
        viewer.post(url, {"new_person": {"first_name": "A", "last_name": "B"}, "start_date": "2024-04-02"}).status_code
        == 403
    )
    assert not Person.objects.filter(last_name="B").exists()
