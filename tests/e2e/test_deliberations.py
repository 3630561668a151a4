"""Sittings and deliberations in headless Chromium, as a clerk and as the public."""

from datetime import date

import pytest
from playwright.sync_api import expect

from deliberations import services
from deliberations.models import Deliberation, DeliberationState
from tests.deliberations.conftest import make_council

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_clerk_records_attendance_and_vote_in_the_browser(page, login, organization):
    council = make_council(organization, 7)
    sitting = council.sitting()
    first = council.item(sitting, title="Subvention au club de rugby")
    council.item(sitting, title="Rapport annuel", kind="information")
    login(council.clerk)
    page.get_by_role("navigation", name="Navigation principale").get_by_role("link", name="Séances").click()
    page.get_by_role("link", name="26/03/2024 18:00").click()
    page.get_by_role("link", name="Présences et pouvoirs").click()
    page.get_by_role("button", name="Tous présents (élus non encore pointés)").click()
    expect(page.get_by_role("status").first).to_contain_text("7 élu(s) marqué(s) présent(s)")
    # A member's choices (P, E, A): "Absent"; HTMX updates the live quorum.
    choices = page.get_by_role("group", name=council.people[6].full_name, exact=True)
    choices.get_by_role("radio", name="Absent").check()
    # (expect waits for the swap; wait_for_function with a string would need eval, which the
    # Content-Security-Policy refuses.)
    expect(page.locator("#quorum")).to_contain_text("6 présent(s) sur 7")
    page.get_by_role("link", name=f"{council.assembly.name} — 26 mars 2024").click()
    page.get_by_role("link", name="Voter").click()
    expect(page.get_by_role("status").first).to_contain_text("6 présent(s), 0 représenté(s)")
    page.get_by_label("Pour", exact=True).fill("5")
    page.get_by_label("Contre", exact=True).fill("1")
    page.get_by_role("button", name="Enregistrer le vote").click()
    expect(page.get_by_text("Le vote est enregistré.")).to_be_visible()
    first.refresh_from_db()
    assert first.state == DeliberationState.ADOPTED
    page.get_by_role("button", name="Prendre acte").click()
    page.get_by_role("button", name="Clore la séance").click()
    page.get_by_role("dialog").get_by_role("button", name="Clore la séance").click()  # asked first
    expect(page.get_by_text("La séance est close.")).to_be_visible()


def test_pages_pass_axe_checks(page, login, organization, accessibility_violations):
    council = make_council(organization, 5)
    sitting = council.sitting()
    item = council.item(sitting, title="Convention de partenariat")
    council.attend(sitting, present=4)
    services.register_proxy(
        user=council.clerk,
        sitting=sitting,
        giver=council.people[4],
        holder=council.people[0],
        written_on=date(2024, 3, 25),
    )
    login(council.clerk)
    for path in [
        "/deliberations/seances/",
        sitting.get_absolute_url(),
        f"/deliberations/seances/{sitting.pk}/presences/",
        f"/deliberations/{item.pk}/vote/",
        "/deliberations/",
        item.get_absolute_url(),
        "/deliberations/nouvelle/",
        "/deliberations/seances/nouvelle/",
        "/deliberations/assemblees/",
        council.assembly.get_absolute_url(),
        f"/deliberations/assemblees/{council.assembly.pk}/numerotation/",
        f"/deliberations/assemblees/{council.assembly.pk}/formules/",
        f"/deliberations/publiques/{organization.pk}/",
    ]:
        page.goto(path)
        assert page.locator("h1").count() == 1, path
        assert accessibility_violations() == [], path


def test_refused_proxy_says_which_rule(page, login, organization):
    council = make_council(organization, 5)
    sitting = council.sitting()
    council.item(sitting)
    council.attend(sitting, present=5)
    login(council.clerk)
    page.goto(f"/deliberations/seances/{sitting.pk}/presences/")
    page.get_by_label("Mandant (absent)").select_option(label=council.people[1].full_name)
    page.get_by_label("Mandataire (présent)").select_option(label=council.people[2].full_name)
    page.get_by_label("Pouvoir écrit le").fill("2024-03-25")
    page.get_by_role("button", name="Enregistrer le pouvoir").click()
    message = page.locator(".message--error")
    expect(message).to_contain_text("seul un membre absent peut donner pouvoir")
    expect(message).to_contain_text("L2121-20")


def test_public_page_without_login(page, organization):
    council = make_council(organization, 3)
    sitting = council.sitting()
    item = council.item(sitting, title="Aménagement du parc")
    council.attend(sitting, present=3)
    services.record_vote(
        user=council.clerk, deliberation=item, votes_for=3, votes_against=0, abstentions=0, not_voting=0
    )
    Deliberation.objects.filter(pk=item.pk).update(requires_transmission=False)
    services.sign(user=council.clerk, deliberation=item, signed_on=date(2024, 3, 27))
    services.publish(user=council.clerk, deliberation=item, published_on=date(2024, 3, 28))
    page.goto(f"/deliberations/publiques/{organization.pk}/")
    expect(page.get_by_role("cell", name="Aménagement du parc")).to_be_visible()
    page.get_by_label("Mots").fill("parc")
    page.get_by_role("button", name="Rechercher").click()
    expect(page.get_by_role("cell", name="Aménagement du parc")).to_be_visible()


def test_clerk_manages_members_in_the_browser(page, login, organization, accessibility_violations):
    council = make_council(organization, 4)
    sitting = council.sitting()
    council.attend(sitting, present=4)
    login(council.clerk)
    page.goto(council.assembly.get_absolute_url())
    assert accessibility_violations() == []
    page.get_by_label("Prénom (nouvel élu)").fill("Claire")
    page.get_by_label("Nom (nouvel élu)", exact=True).fill("Dupont")
    page.locator("#id_start_date").fill("2024-04-02")
    page.get_by_role("button", name="Ajouter").click()
    expect(page.get_by_text("Le mandat est enregistré.")).to_be_visible()
    page.get_by_label("Date", exact=True).fill("2024-04-02")
    page.get_by_role("button", name="Afficher").click()
    expect(page.get_by_text("5 membres en exercice.")).to_be_visible()
    page.get_by_role("link", name=f"Terminer — {council.people[3].full_name}").click()
    assert accessibility_violations() == []
    page.get_by_label("Fin du mandat").fill("2024-03-01")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text("a siégé à la séance du 26/03/2024")).to_be_visible()
    page.get_by_label("Fin du mandat").fill("2024-03-31")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text("La fin du mandat est enregistrée.")).to_be_visible()


def test_clerk_changes_numbering_in_the_browser(page, login, organization):
    council = make_council(organization, 3)
    login(council.clerk)
    page.goto(council.assembly.get_absolute_url())
    page.get_by_role("link", name="Modifier la numérotation").click()
    page.get_by_label("Modèle de numéro").fill("{year}")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text("doit contenir {seq}").first).to_be_visible()
    page.get_by_label("Modèle de numéro").fill("v{year}-{seq:03}")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text("La règle de numérotation est modifiée.")).to_be_visible()
    expect(page.get_by_text("v{year}-{seq:03}")).to_be_visible()
