"""Conventions as legal staff and managers use them, in headless Chromium."""

from datetime import date

import pytest
from playwright.sync_api import expect

from conventions import services
from conventions.models import Convention, ConventionStatus
from core.roles import Role
from tests.conventions.helpers import draft, signed

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_legal_staff_take_a_draft_to_review_and_see_a_refusal(page, login, organization, make_member):
    legal = make_member(organization, Role.LEGAL)
    convention = draft(legal, organization, title="Application FLAG !")
    login(legal)
    page.get_by_role("navigation", name="Navigation principale").get_by_role("link", name="Conventions").click()
    page.get_by_role("link", name=convention.reference).click()
    expect(page.get_by_role("heading", name="Application FLAG !")).to_be_visible()
    page.get_by_role("button", name="Transmettre en relecture juridique").click()
    expect(page.get_by_text("La convention est transmise en relecture juridique.")).to_be_visible()
    assert Convention.objects.get(pk=convention.pk).status == ConventionStatus.LEGAL_REVIEW
    # Approval without a deliberation nor a delegated decision is refused with the rule.
    page.get_by_role("button", name="Approuver", exact=True).click()
    expect(page.get_by_text("Approbation de la convention").first).to_be_visible()
    assert Convention.objects.get(pk=convention.pk).status == ConventionStatus.LEGAL_REVIEW


def test_list_filters_and_pages_pass_axe(page, login, organization, make_member, accessibility_violations):
    legal = make_member(organization, Role.LEGAL)
    live = signed(legal, organization, title="HeHop — communication", has_committee=True)
    draft(legal, organization, title="Locaux pour réunions")
    committee = services.create_committee(user=legal, name="Comité de suivi", convention=live)
    meeting = services.plan_meeting(user=legal, committee=committee, meeting_date=date(2024, 5, 29), agenda="Bilan")
    programme = services.create_programme(user=legal, organization=organization, name="Réseau En lieu sûr")
    amendment = services.create_amendment(user=legal, convention=live, title="Prolongation", new_duration_months=48)
    services.approve_amendment(
        user=legal, amendment=amendment, delegated_reference="DEC-2025-1", delegated_date=date(2025, 1, 2)
    )
    services.send_amendment_for_signature(user=legal, amendment=amendment)
    services.sign_amendment(
        user=legal,
        amendment=amendment,
        party=live.parties.order_by("position").last(),
        signed_on=date(2025, 1, 10),
        today=date(2025, 1, 10),
    )
    login(legal)
    page.goto("/conventions/")
    page.get_by_label("État").select_option("draft")
    page.get_by_role("button", name="Filtrer").click()
    expect(page.get_by_role("cell", name="Locaux pour réunions")).to_be_visible()
    expect(page.get_by_role("cell", name="HeHop — communication")).to_have_count(0)
    assert accessibility_violations() == []
    for path in [
        f"/conventions/{live.pk}/",
        f"/conventions/comites/{committee.pk}/",
        f"/conventions/reunions/{meeting.pk}/",
        f"/conventions/programmes/{programme.pk}/",
        f"/conventions/programmes/{programme.pk}/modifier/",
        f"/conventions/{live.pk}/avenants/{amendment.number}/",
        "/conventions/nouvelle/",
        "/tableau-de-bord/",
    ]:
        page.goto(path)
        assert accessibility_violations() == [], path
    page.goto(f"/conventions/reunions/{meeting.pk}/")
    expect(page.get_by_text("2 mai 2024").first).to_be_visible()
    page.get_by_label("Convocation envoyée le").fill("2024-05-03")
    page.get_by_role("button", name="Enregistrer la convocation").click()
    expect(page.get_by_text("Convocation trop tardive")).to_be_visible()
