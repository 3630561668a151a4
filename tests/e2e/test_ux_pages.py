"""Daily work in the browser, at a desktop's 1366 pixels and a phone's 390: no page scrolls
sideways, the convention and sitting pages have their bar of actions, irreversible actions
ask first (a dialog, or without script a page), and axe finds no WCAG A/AA violation."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command
from django.urls import reverse
from playwright.sync_api import expect

from deliberations import services
from deliberations.models import SittingState
from tests.deliberations.conftest import make_council

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = [1366, 390]
OVERFLOW = "() => document.scrollingElement.scrollWidth - document.scrollingElement.clientWidth"


def demo_pages() -> list[str]:
    from conventions.models import Convention
    from deliberations.models import Deliberation, Sitting

    convention = Convention.objects.get(reference="DDD-ECR-2024")
    sitting = Sitting.objects.order_by("-starts_at").first()
    item = Deliberation.objects.filter(sitting=sitting).order_by("position").first()
    return [
        reverse("home"),
        reverse("conventions:list"),
        reverse("deliberations:list"),
        reverse("deliberations:sitting_list"),
        reverse("reminders:list"),
        convention.get_absolute_url(),
        Convention.objects.get(reference="FLAG-2024").get_absolute_url(),
        sitting.get_absolute_url(),
        reverse("deliberations:attendance", args=[sitting.pk]),
        item.get_absolute_url(),
        reverse("deliberations:vote", args=[item.pk]),
    ]


@pytest.mark.parametrize("width", WIDTHS)
def test_no_page_scrolls_sideways_and_axe_finds_nothing(page, login, width, accessibility_violations):
    from core.models import User

    call_command("load_demo", verbosity=0)
    page.set_viewport_size({"width": width, "height": 900})
    login(User.objects.get(username="admin"), password="conventio-demo")
    for path in demo_pages():
        page.goto(path)
        assert page.evaluate(OVERFLOW) <= 0, f"{path} scrolls sideways at {width} px"
        # A table wider than its box scrolls inside it, and a keyboard can reach it to scroll it.
        unreachable = page.evaluate(
            "() => [...document.querySelectorAll('main table')]"
            ".filter(t => t.scrollWidth > t.clientWidth + 1 && t.getAttribute('tabindex') !== '0').length"
        )
        assert unreachable == 0, path
        # One primary button per card (the rest secondary, or in a menu).
        crowded = page.evaluate(
            "() => [...document.querySelectorAll('main .card')].filter(card => [...card.querySelectorAll("
            "'.button:not(.button--secondary):not(.button--danger)')].filter(b => b.offsetParent !== null"
            " && getComputedStyle(b).backgroundColor === 'rgb(0, 0, 145)').length > 1)"
            ".map(card => card.querySelector('h2, h3, summary')?.textContent.trim())"
        )
        assert crowded == [], path
        assert accessibility_violations() == [], f"{path} at {width} px"


def test_the_dashboard_timeline_stays_readable_on_a_phone(page, login):
    from core.models import User

    call_command("load_demo", verbosity=0)
    page.set_viewport_size({"width": 390, "height": 900})
    login(User.objects.get(username="admin"), password="conventio-demo")
    row = page.locator(".conv-timeline__row").first
    track = row.locator(".conv-timeline__track").bounding_box()
    label = row.locator(".conv-timeline__label").bounding_box()
    assert track and label
    assert track["width"] > 250  # the whole width of the card, under its label
    assert track["y"] >= label["y"] + label["height"] - 1


def open_sitting(organization: Any, *, with_item: bool = False) -> Any:
    """An open sitting; with an item on its agenda (a sitting closes once all are examined)."""
    council = make_council(organization, 3)
    sitting = council.sitting()
    if with_item:
        council.item(sitting, title="Subvention au club de rugby")
    council.attend(sitting, present=3)
    return council, sitting


@pytest.mark.parametrize("width", WIDTHS)
def test_closing_a_sitting_asks_first_in_a_dialog(page, login, organization, width, accessibility_violations):
    council, sitting = open_sitting(organization)
    page.set_viewport_size({"width": width, "height": 900})
    login(council.clerk)
    page.goto(sitting.get_absolute_url())
    bar = page.get_by_role("navigation", name="Actions de la séance")
    expect(bar).to_be_visible()
    assert page.evaluate(OVERFLOW) <= 0

    bar.get_by_role("button", name="Clore la séance").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("plus aucun vote ni aucune présence ne pourra être saisi")
    assert accessibility_violations() == []
    # Going back changes nothing and gives the focus back to the button.
    dialog.get_by_role("button", name="Revenir sans rien changer").click()
    expect(dialog).to_be_hidden()
    assert page.evaluate("document.activeElement.textContent").strip() == "Clore la séance"
    sitting.refresh_from_db()
    assert sitting.state == SittingState.OPEN
    # Escape closes it too, without closing the sitting.
    bar.get_by_role("button", name="Clore la séance").click()
    expect(dialog).to_be_visible()
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    sitting.refresh_from_db()
    assert sitting.state == SittingState.OPEN

    bar.get_by_role("button", name="Clore la séance").click()
    dialog.get_by_role("button", name="Clore la séance").click()
    expect(page.get_by_text("La séance est close.")).to_be_visible()
    sitting.refresh_from_db()
    assert sitting.state == SittingState.CLOSED


def test_without_script_a_confirmation_page_asks_instead(browser, live_server, organization):
    council, sitting = open_sitting(organization)
    context = browser.new_context(base_url=live_server.url, locale="fr-FR", java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto("/connexion/")
        page.get_by_label("Identifiant").fill(council.clerk.username)
        page.get_by_label("Mot de passe").fill("secret-pass-123")
        page.get_by_role("button", name="Se connecter").click()
        page.goto(sitting.get_absolute_url())
        with page.expect_response(lambda r: r.request.method == "POST") as answer:
            page.get_by_role("button", name="Clore la séance").click()
        assert answer.value.status == 400
        expect(page.get_by_role("heading", name="Clore la séance ?")).to_be_visible()
        expect(page.get_by_role("alert")).to_contain_text("irréversible")
        sitting.refresh_from_db()
        assert sitting.state == SittingState.OPEN
        page.get_by_role("button", name="Clore la séance").click()
        expect(page.get_by_text("La séance est close.")).to_be_visible()
        sitting.refresh_from_db()
        assert sitting.state == SittingState.CLOSED
    finally:
        context.close()


def test_cancelling_a_vote_asks_first(page, login, organization):
    from deliberations.models import Deliberation, DeliberationState

    council, sitting = open_sitting(organization, with_item=True)
    item = Deliberation.objects.get(sitting=sitting)
    services.record_vote(
        user=council.clerk, deliberation=item, votes_for=3, votes_against=0, abstentions=0, not_voting=0
    )
    login(council.clerk)
    page.goto(item.get_absolute_url())
    page.get_by_label("Motif de l'annulation").fill("Erreur de saisie")
    page.get_by_role("button", name="Annuler le vote").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("le point reviendra à l'ordre du jour")
    dialog.get_by_role("button", name="Annuler le vote").click()
    expect(page.get_by_text("Le vote est annulé")).to_be_visible()
    item.refresh_from_db()
    assert item.state == DeliberationState.ON_AGENDA


@pytest.mark.parametrize("width", WIDTHS)
def test_convention_page_bar_menu_and_abandon(page, login, organization, make_member, width, accessibility_violations):
    from conventions.models import Convention, ConventionStatus
    from core.roles import Role
    from tests.conventions.helpers import draft

    legal = make_member(organization, Role.LEGAL)
    convention = draft(legal, organization)
    page.set_viewport_size({"width": width, "height": 900})
    login(legal)
    page.goto(convention.get_absolute_url())
    bar = page.get_by_role("navigation", name="Actions de la convention")
    expect(bar.get_by_role("link", name="Transmettre en relecture juridique")).to_be_visible()
    assert page.evaluate(OVERFLOW) <= 0
    # The menu opens from the keyboard.
    bar.locator("summary").focus()
    page.keyboard.press("Enter")
    expect(bar.get_by_role("link", name="Ajouter une partie")).to_be_visible()
    assert accessibility_violations() == []
    # Actions other than the step at hand are folded to their title; the bar's link unfolds one.
    assert page.locator("#action-cancel").get_attribute("open") is None
    bar.get_by_role("link", name="Abandonner").click()
    expect(page.locator("#action-cancel")).to_have_attribute("open", "")
    form = page.get_by_role("form", name="Abandonner")
    form.get_by_label("Motif").fill("Projet arrêté")
    form.get_by_role("button", name="Abandonner").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("La convention sera abandonnée définitivement")
    dialog.get_by_role("button", name="Revenir sans rien changer").click()
    assert Convention.objects.get(pk=convention.pk).status == ConventionStatus.DRAFT
    form.get_by_role("button", name="Abandonner").click()
    dialog.get_by_role("button", name="Abandonner la convention").click()
    expect(page.get_by_text("L'état de la convention est mis à jour.")).to_be_visible()
    assert Convention.objects.get(pk=convention.pk).status == ConventionStatus.CANCELLED
