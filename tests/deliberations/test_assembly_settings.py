"""An assembly's numbering rule and the wording of its documents, edited by its clerks."""

from datetime import date

import pytest

from core.errors import DomainError
from core.roles import Role
from deliberations import rules, services
from deliberations.models import Assembly
from tests.factories import member

pytestmark = pytest.mark.django_db

MAY_2024 = date(2024, 5, 2)


def test_colliding_numbers_rule():
    given = ["2024-001", "2024-002", "2024-010", "2023-004", "2024_5"]
    assert rules.colliding_numbers("{year}-{seq:03}", year=2024, after_seq=2, existing=given) == ["2024-010"]
    assert rules.colliding_numbers("{year}-{seq:03}", year=2024, after_seq=10, existing=given) == []
    assert rules.colliding_numbers("{year}-{seq}", year=2024, after_seq=0, existing=given) == []
    assert rules.colliding_numbers("{year}_{seq}", year=2024, after_seq=3, existing=given) == ["2024_5"]
    with pytest.raises(DomainError, match=r"doit contenir \{seq\}"):
        rules.colliding_numbers("{year}", year=2024, after_seq=0, existing=given)


def test_numbering_change_refused_when_it_would_repeat_numbers(council):
    sitting = council.sitting()
    for _ in range(3):
        council.item(sitting)  # 2024-001 … 2024-003
    rule = services.set_numbering_rule(
        user=council.clerk, assembly=council.assembly, pattern="D{year}-{seq:03}", today=MAY_2024
    )
    assert rule.pattern == "D{year}-{seq:03}"
    assert council.item(sitting).number == "D2024-004"
    # Back to the first pattern: the next rank, 5, gives 2024-005, which nobody has.
    services.set_numbering_rule(
        user=council.clerk, assembly=council.assembly, pattern="{year}-{seq:03}", today=MAY_2024
    )
    assert council.item(sitting).number == "2024-005"
    with pytest.raises(DomainError, match=r"doit contenir \{seq\}"):
        services.set_numbering_rule(user=council.clerk, assembly=council.assembly, pattern="{year}", today=MAY_2024)
    with pytest.raises(DomainError, match="ne contient pas"):
        services.set_numbering_rule(user=council.clerk, assembly=council.assembly, pattern="N-{seq}", today=MAY_2024)
    council.assembly.numbering_rule.refresh_from_db()
    assert council.assembly.numbering_rule.pattern == "{year}-{seq:03}"


def test_restarting_each_year_refused_when_this_years_numbers_would_repeat(council):
    services.set_numbering_rule(
        user=council.clerk, assembly=council.assembly, pattern="{year}-{seq:03}", yearly_reset=False, today=MAY_2024
    )
    sitting = council.sitting()
    for _ in range(3):
        council.item(sitting)  # 2024-001 … 2024-003 on a counter that never resets
    with pytest.raises(DomainError) as refused:
        services.set_numbering_rule(
            user=council.clerk, assembly=council.assembly, pattern="{year}-{seq:03}", yearly_reset=True, today=MAY_2024
        )
    assert "2024-001, 2024-002, 2024-003" in refused.value.message
    assert refused.value.rule == "Numérotation des délibérations" and refused.value.field == "pattern"
    assert council.assembly.numbering_rule.__class__.objects.get(assembly=council.assembly).yearly_reset is False
    # A new year has no number yet: restarting from 1 in 2025 is fine.
    services.set_numbering_rule(
        user=council.clerk,
        assembly=council.assembly,
        pattern="{year}-{seq:03}",
        yearly_reset=True,
        today=date(2025, 1, 2),
    )
    assert council.item(council.sitting(at_2025())).number == "2025-001"


def at_2025():
    from tests.deliberations.conftest import at

    return at(2025, 1, 20)


def test_wording_options(council):
    assembly = services.update_wording(
        user=council.clerk,
        assembly=council.assembly,
        president_title=" Madame la Présidente ",
        name_style="last_first",
        signature_city="Lattes",
    )
    assert (assembly.president_title, assembly.name_style, assembly.signature_city) == (
        "Madame la Présidente",
        "last_first",
        "Lattes",
    )
    assert assembly.proxy_wording == "ayant donné pouvoir à"
    with pytest.raises(DomainError, match="ne peut pas être vide"):
        services.update_wording(user=council.clerk, assembly=council.assembly, proxy_wording="  ")
    with pytest.raises(DomainError, match="inconnue"):
        services.update_wording(user=council.clerk, assembly=council.assembly, name_style="upper")


def test_settings_pages(organization, other_organization, council, client_for):
    client = client_for(council.clerk)
    numbering_url = f"/deliberations/assemblees/{council.assembly.pk}/numerotation/"
    wording_url = f"/deliberations/assemblees/{council.assembly.pk}/formules/"
    detail = client.get(council.assembly.get_absolute_url()).content.decode()
    assert numbering_url in detail and wording_url in detail
    assert client.get(numbering_url).status_code == 200
    refused = client.post(numbering_url, {"pattern": "{year}", "yearly_reset": "on"}).content.decode()
    assert "doit contenir {seq}" in refused and "Numérotation des délibérations" in refused
    assert client.post(numbering_url, {"pattern": "v{year}-{seq:03}", "yearly_reset": "on"}).status_code == 302
    assert Assembly.objects.get(pk=council.assembly.pk).numbering_rule.pattern == "v{year}-{seq:03}"
    form = {
        "president_title": "Madame la Maire",
        "name_style": "first_last",
        "proxy_wording": "donne pouvoir à",
        "information_wording": "prend acte",
        "signature_city": "",
    }
    assert client.post(wording_url, form).status_code == 302
    assert Assembly.objects.get(pk=council.assembly.pk).proxy_wording == "donne pouvoir à"
    outsider = client_for(member(other_organization, Role.ADMINISTRATOR))
    assert outsider.get(numbering_url).status_code == 404 and outsider.get(wording_url).status_code == 404
    manager = client_for(member(organization, Role.MANAGER))
    assert manager.get(numbering_url).status_code == 403
    assert manager.post(wording_url, form).status_code == 403
    assert numbering_url not in manager.get(council.assembly.get_absolute_url()).content.decode()


def test_settings_api(organization, other_organization, council, api_for):
    sitting = council.sitting()
    council.item(sitting)
    council.item(sitting)
    api = api_for(council.clerk)
    url = f"/assemblies/{council.assembly.pk}"
    changed = api.put(f"{url}/numbering", {"pattern": "v{year}-{seq:03}"})
    assert changed.status_code == 200 and changed.json()["numbering_pattern"] == "v{year}-{seq:03}"
    bad = api.put(f"{url}/numbering", {"pattern": "v{year}"})
    assert bad.status_code == 400 and bad.json()["rule"] == "Numérotation des délibérations"
    patched = api.patch(url, {"president_title": "Madame la Maire", "signature_city": "Lattes"})
    assert patched.status_code == 200
    assert patched.json()["president_title"] == "Madame la Maire" and patched.json()["signature_city"] == "Lattes"
    assert patched.json()["proxy_wording"] == "ayant donné pouvoir à"
    empty = api.patch(url, {"information_wording": ""})
    assert empty.status_code == 400 and empty.json()["field"] == "information_wording"
    outsider = api_for(member(other_organization, Role.ADMINISTRATOR))
    assert outsider.patch(url, {"president_title": "X"}).status_code == 404
    assert outsider.put(f"{url}/numbering", {"pattern": "{year}-{seq}"}).status_code == 404
    viewer = api_for(member(organization, Role.VIEWER))
    assert viewer.patch(url, {"president_title": "X"}).status_code == 403
    assert viewer.put(f"{url}/numbering", {"pattern": "{year}-{seq}"}).status_code == 403
