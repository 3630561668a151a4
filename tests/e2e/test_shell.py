"""The web shell as a person sees it, in headless Chromium."""

import pytest
from playwright.sync_api import expect

from core.roles import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_login_dashboard_and_navigation(page, login, organization, make_member):
    user = make_member(organization, Role.LEGAL, first_name="Julie", last_name="Juriste")
    login(user)
    assert page.title().startswith("Tableau de bord")
    assert page.locator("html").get_attribute("lang") == "fr"
    nav = page.get_by_role("navigation", name="Navigation principale")
    assert nav.get_by_role("link", name="Tableau de bord").get_attribute("aria-current") == "page"
    expect(page.get_by_role("heading", name="Mes organisations")).to_be_visible()
    expect(page.get_by_text("Ville de Testville")).to_be_visible()
    # Keyboard users reach the content first.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent").strip() == "Aller au contenu"
    nav.get_by_role("link", name="Organisations").click()
    page.get_by_role("link", name="Ville de Testville").click()
    expect(page.get_by_role("heading", name="Historique")).to_be_visible()


def test_wrong_password_is_said_plainly(page, organization, make_member):
    user = make_member(organization, Role.VIEWER)
    page.goto("/connexion/")
    page.get_by_label("Identifiant").fill(user.username)
    page.get_by_label("Mot de passe").fill("mauvais")
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("alert")).to_have_text("Identifiant ou mot de passe incorrect.")


def test_htmx_is_served_locally(page, login, organization, make_member):
    login(make_member(organization, Role.VIEWER))
    assert page.evaluate("typeof window.htmx") == "object"


def test_pages_pass_axe_wcag_aa_checks(page, login, organization, make_member, accessibility_violations):
    page.goto("/connexion/")
    assert accessibility_violations() == []
    login(make_member(organization, Role.ADMINISTRATOR))
    for path in ["/tableau-de-bord/", "/organisations/", f"/organisations/{organization.pk}/", "/compte/jetons/"]:
        page.goto(path)
        assert accessibility_violations() == [], path
