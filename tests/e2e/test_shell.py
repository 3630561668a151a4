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


def test_htmx_runs_under_the_content_security_policy(page, login, organization, make_member):
    login(make_member(organization, Role.VIEWER))
    assert page.evaluate("htmx.config.includeIndicatorStyles") is False
    assert page.evaluate("htmx.config.allowEval") is False
    # Nothing added an inline style sheet the policy would have refused.
    assert page.evaluate("document.querySelectorAll('style').length") == 0
    assert "script-src 'self'" in page.request.get("/tableau-de-bord/").headers["content-security-policy"]


def test_dashboard_timeline_is_drawn_without_inline_styles(page, login, organization, make_member):
    from tests.conventions.helpers import signed

    legal = make_member(organization, Role.LEGAL)
    convention = signed(legal, organization)
    login(legal)
    row = page.get_by_role("listitem").filter(has=page.get_by_role("link", name=convention.reference))
    track = row.locator(".conv-timeline__track").bounding_box()
    bar = row.locator(".conv-timeline__bar").bounding_box()
    assert track and bar and track["width"] > 100
    assert 0 < bar["width"] <= track["width"] + 1 and bar["x"] >= track["x"] - 1
    fill = row.locator(".conv-timeline__bar").evaluate("e => getComputedStyle(e).fill")
    assert fill not in {"", "none", "rgb(0, 0, 0)"}  # coloured by the stylesheet


def test_api_documentation_renders_under_the_policy(page, login, organization, make_member):
    login(make_member(organization, Role.VIEWER))
    page.goto("/api/v1/docs")
    # Swagger UI's scripts ran (they drew the page) and asked for nothing the policy refuses.
    expect(page.locator("#swagger-ui .swagger-ui").first).to_be_visible()
    page.wait_for_load_state("networkidle")
