"""The members' page in headless Chromium, at a phone's width and a laptop's: from the
personal link of the convocation, and from an élu's account."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from core.models import Membership
from core.roles import Role
from deliberations import services
from deliberations.models import AttendanceIntent, Proxy
from deliberations.services import members as member_services
from deliberations.services.member_access import get_or_create_access
from tests.deliberations.conftest import at, make_council
from tests.factories import member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1366, "height": 800}


def _coming_sitting(organization):
    council = make_council(organization, 6)
    day = timezone.localdate() + timedelta(days=10)
    sitting = council.sitting(at(day.year, day.month, day.day), convened_on=timezone.localdate(), open_=False)
    item = council.item(sitting, "Subvention au club de rugby", rapporteur=council.people[2])
    services.update_deliberation(
        user=council.clerk,
        deliberation=item,
        report="Le club accueille 300 licenciés.",
        operative_part="Article 1 : une subvention de 15 000 € est attribuée.",
    )
    council.item(sitting, "Convention avec la médiathèque")
    return council, sitting


def _no_horizontal_scroll(page) -> None:
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], width


@pytest.mark.parametrize("viewport", [PHONE, LAPTOP], ids=["390px", "1366px"])
def test_member_answers_and_gives_a_proxy_from_the_link(page, organization, accessibility_violations, viewport):
    council, sitting = _coming_sitting(organization)
    giver, holder = council.people[3], council.people[4]
    # Another member already gave their proxy to people[5]: choosing them is refused.
    member_services.give_proxy(sitting=sitting, giver=council.people[1], holder=council.people[5], channel="link")
    token = get_or_create_access(sitting=sitting, person=giver).token
    page.set_viewport_size(viewport)
    page.goto(reverse("deliberations:member_page", kwargs={"token": token}))
    expect(page.get_by_role("heading", level=1)).to_contain_text(council.assembly.name)
    expect(page.get_by_role("heading", name="1. Subvention au club de rugby")).to_be_visible()
    assert accessibility_violations() == []
    _no_horizontal_scroll(page)
    # The exposé unfolds.
    page.get_by_text("Exposé").first.click()
    expect(page.get_by_text("Le club accueille 300 licenciés.")).to_be_visible()

    page.get_by_role("button", name="Je serai présent(e)").click()
    expect(page.get_by_role("status")).to_contain_text("Votre présence est notée.")
    assert AttendanceIntent.objects.get(sitting=sitting, person=giver).intent == "present"

    # A refused proxy names the rule, and the page stays usable.
    page.get_by_label("Donner pouvoir à").select_option(label=council.people[5].full_name)
    page.get_by_role("button", name="Je donne pouvoir").click()
    expect(page.get_by_role("alert")).to_contain_text("un même élu ne peut détenir qu'un seul pouvoir")
    expect(page.get_by_role("alert")).to_contain_text("CGCT L2121-20")
    assert accessibility_violations() == []
    _no_horizontal_scroll(page)

    page.get_by_label("Donner pouvoir à").select_option(label=holder.full_name)
    page.get_by_role("button", name="Je donne pouvoir").click()
    expect(page.get_by_role("status")).to_contain_text("Votre pouvoir est enregistré")
    expect(page.get_by_text(f"Vous avez donné pouvoir à {holder.full_name}")).to_be_visible()
    proxy = Proxy.objects.get(sitting=sitting, giver=giver)
    assert proxy.holder == holder and not proxy.revoked
    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger le pouvoir écrit (PDF)").click()
    assert download.value.suggested_filename.endswith(".pdf")
    assert accessibility_violations() == []

    page.get_by_role("button", name="Révoquer ce pouvoir").click()
    expect(page.get_by_role("status")).to_contain_text("Votre pouvoir est révoqué.")
    proxy.refresh_from_db()
    assert proxy.revoked


def test_expired_and_unknown_links_pass_axe_at_phone_width(page, organization, accessibility_violations):
    page.set_viewport_size(PHONE)
    page.goto("/membres/inconnu/")
    expect(page.get_by_role("heading", name="Lien inconnu")).to_be_visible()
    assert accessibility_violations() == []
    _no_horizontal_scroll(page)


@pytest.mark.parametrize("viewport", [PHONE, LAPTOP], ids=["390px", "1366px"])
def test_elu_account_lists_its_sittings(page, login, organization, accessibility_violations, viewport):
    council, sitting = _coming_sitting(organization)
    elu = member(organization, Role.MEMBER, username="elu-e2e")
    Membership.objects.filter(user=elu).update(person=council.people[3])
    page.set_viewport_size(viewport)
    login(elu)
    expect(page.get_by_role("heading", name="Mes séances")).to_be_visible()
    assert accessibility_violations() == []
    _no_horizontal_scroll(page)
    page.get_by_role("link", name=f"{council.assembly.name} —").click()
    expect(page.get_by_role("heading", name="1. Subvention au club de rugby")).to_be_visible()
    page.get_by_role("button", name="Je serai absent(e)").click()
    expect(page.get_by_role("status")).to_contain_text("Votre absence est notée.")
    answer = AttendanceIntent.objects.get(sitting=sitting, person=council.people[3])
    assert (answer.intent, answer.channel) == ("absent", "account")
