"""The numbering counter's next value, set by an administrator so that a collectivité
starting with Conventio in October continues from its last number."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from core.errors import DomainError
from core.roles import Role
from deliberations import rules, selectors, services
from deliberations.models import Deliberation
from tests.deliberations.conftest import at

pytestmark = pytest.mark.django_db

NUMBERING = "Numérotation des délibérations"


class TestRule:
    def test_above_every_rank_given(self):
        rules.check_next_number(next_value=113, highest_used=0)
        rules.check_next_number(next_value=6, highest_used=5)
        for value, highest in ((5, 5), (3, 5), (0, 0), (1_000_000, 0)):
            with pytest.raises(DomainError) as exc:
                rules.check_next_number(next_value=value, highest_used=highest)
            assert exc.value.rule == NUMBERING and exc.value.field == "next_value"


@pytest.fixture
def admin(organization, make_member):
    return make_member(organization, Role.ADMINISTRATOR)


def test_october_start_continues_from_the_last_number(organization, council_factory, admin):
    council = council_factory(organization, 5, pattern="v{year}-{seq:03}")
    done = services.set_next_number(user=admin, assembly=council.assembly, next_value=113, year=2024)
    assert (done.next_value, done.next_number) == (113, "v2024-113")
    assert selectors.next_number(council.assembly, 2024).next_number == "v2024-113"
    sitting = council.sitting(at(2024, 10, 15), convened_on=date(2024, 10, 8))
    numbers = [council.item(sitting, title=f"Point {n}").number for n in range(3)]
    assert numbers == ["v2024-113", "v2024-114", "v2024-115"]
    # The next year starts again from 1.
    assert selectors.next_number(council.assembly, 2025).next_number == "v2025-001"
    history = council.assembly.numbering_rule.history.latest("history_date")
    assert "113" in history.history_change_reason and history.history_user == admin


def test_never_below_a_rank_given_and_nothing_changed_when_refused(organization, council_factory, admin):
    council = council_factory(organization, 5, pattern="{year}-{seq:03}")
    services.set_next_number(user=admin, assembly=council.assembly, next_value=40, year=2024)
    sitting = council.sitting()
    council.item(sitting)
    council.item(sitting)  # 2024-040, 2024-041
    for value in (41, 12, 0):
        with pytest.raises(DomainError) as exc:
            services.set_next_number(user=admin, assembly=council.assembly, next_value=value, year=2024)
        assert exc.value.rule == NUMBERING
    assert selectors.next_number(council.assembly, 2024).next_number == "2024-042"
    services.set_next_number(user=admin, assembly=council.assembly, next_value=50, year=2024)
    assert council.item(sitting).number == "2024-050"
    assert Deliberation.objects.filter(assembly=council.assembly).values("number").distinct().count() == 3


def test_a_series_that_never_resets_counts_every_year(organization, council_factory, admin):
    council = council_factory(organization, 5, pattern="D{seq:05}")
    services.set_numbering_rule(user=council.clerk, assembly=council.assembly, pattern="D{seq:05}", yearly_reset=False)
    services.set_next_number(user=admin, assembly=council.assembly, next_value=2500, year=2024)
    sitting = council.sitting()
    assert council.item(sitting).number == "D02500"
    with pytest.raises(DomainError):
        services.set_next_number(user=admin, assembly=council.assembly, next_value=2400, year=2030)


def test_only_administrators(council, organization, make_member):
    for role in (Role.CLERK, Role.LEGAL, Role.VIEWER):
        with pytest.raises(PermissionDenied):
            services.set_next_number(
                user=make_member(organization, role), assembly=council.assembly, next_value=10, year=2024
            )


def test_the_page_and_the_api(council, admin, client_for, api_for):
    client = client_for(admin)
    url = reverse("deliberations:assembly_numbering", args=[council.assembly.pk])
    assert "Fixer le prochain numéro" in client.get(url).content.decode()
    refused = client.post(url, {"year": 2024, "next_value": 0}).content.decode()
    assert "prochain rang" in refused or "supérieure ou égale" in refused
    answer = client.post(url, {"year": 2024, "next_value": 113}, follow=True)
    assert "2024-113" in answer.content.decode()
    clerk = client_for(council.clerk)
    assert "Fixer le prochain numéro" not in clerk.get(url).content.decode()
    assert clerk.post(url, {"year": 2024, "next_value": 300}).status_code == 403
    api = api_for(admin)
    path = f"/assemblies/{council.assembly.pk}/numbering/next"
    assert api.get(path, {"year": 2024}).json() == {"year": 2024, "next_value": 113, "next_number": "2024-113"}
    refused = api.put(path, {"next_value": 0, "year": 2024})
    assert refused.status_code in (400, 422)
    sitting = council.sitting()
    council.item(sitting)
    refused = api.put(path, {"next_value": 100, "year": 2024})
    assert refused.status_code == 400 and refused.json()["rule"] == NUMBERING
    assert api_for(council.clerk).put(path, {"next_value": 200, "year": 2024}).status_code == 403
    moved = api.put(path, {"next_value": 200, "year": 2024})
    assert moved.status_code == 200 and moved.json()["next_number"] == "2024-200"
