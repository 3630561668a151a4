"""Legal staff maintain the clause library and programmes in headless Chromium."""

import pytest
from playwright.sync_api import expect

from conventions import services
from conventions.models import ClauseTemplate, Programme
from core.roles import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_legal_staff_maintain_the_clause_library(page, login, organization, make_member, accessibility_violations):
    legal = make_member(organization, Role.LEGAL)
    services.create_clause_template(
        user=legal, organization=organization, title="Communication", body="Les logos de {{ partenaire }}."
    )
    login(legal)
    page.goto("/conventions/")
    page.get_by_role("link", name="Bibliothèque de clauses").click()
    expect(page.get_by_role("heading", name="Bibliothèque de clauses")).to_be_visible()
    assert accessibility_violations() == []

    page.get_by_role("link", name="Nouvelle clause").click()
    page.get_by_role("textbox", name="Titre", exact=True).fill("Durée")
    page.get_by_role("textbox", name="Texte", exact=True).fill("Conclue pour {{ Duree }} mois.")
    page.get_by_role("button", name="Vérifier les variables").click()
    expect(page.get_by_text("n'est pas une variable")).to_be_visible()
    assert accessibility_violations() == []
    page.get_by_role("textbox", name="Texte", exact=True).fill(
        "Conclue pour {{ duree_mois }} mois à compter du {{ date_debut }}."
    )
    page.get_by_role("button", name="Vérifier les variables").click()
    expect(page.get_by_role("listitem").filter(has_text="{{ date_debut }}")).to_be_visible()
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text("La clause « Durée » est enregistrée.")).to_be_visible()

    page.get_by_label("Rechercher une clause").fill("durée")
    page.get_by_role("button", name="Rechercher").click()
    expect(page.get_by_role("link", name="Communication")).to_have_count(0)
    page.get_by_role("link", name="Durée").click()
    assert accessibility_violations() == []
    page.get_by_role("textbox", name="Titre", exact=True).fill("Durée de la convention")
    page.get_by_role("button", name="Enregistrer").click()
    page.get_by_role("button", name="Désactiver la clause « Durée de la convention »").click()
    expect(page.get_by_text("La clause « Durée de la convention » est désactivée.")).to_be_visible()
    template = ClauseTemplate.objects.get(key="duree")
    assert (template.title, template.is_active) == ("Durée de la convention", False)


def test_legal_staff_create_a_programme_and_set_its_budget(
    page, login, organization, make_member, accessibility_violations
):
    legal = make_member(organization, Role.LEGAL)
    login(legal)
    page.goto("/conventions/programmes/")
    expect(page.get_by_role("heading", name="Programmes")).to_be_visible()
    assert accessibility_violations() == []

    page.get_by_role("link", name="Nouveau programme").click()
    expect(page.get_by_role("heading", name="Nouveau programme")).to_be_visible()
    page.get_by_role("textbox", name="Nom", exact=True).fill("Plan métropolitain de lutte contre les discriminations")
    page.get_by_role("combobox", name="Nature", exact=True).select_option("plan")
    page.get_by_label("Début").fill("2024-01-01")
    assert accessibility_violations() == []
    page.get_by_role("button", name="Enregistrer").click()
    expect(
        page.get_by_text("Le programme « Plan métropolitain de lutte contre les discriminations » est enregistré.")
    ).to_be_visible()
    expect(page.get_by_role("heading", name="Plan métropolitain de lutte contre les discriminations")).to_be_visible()

    page.get_by_role("spinbutton", name="Année", exact=True).fill("2024")
    page.get_by_role("spinbutton", name="Budget (€)", exact=True).fill("60000")
    page.get_by_role("spinbutton", name="dont fonds d'initiatives (€)", exact=True).fill("10000")
    page.get_by_role("button", name="Enregistrer le budget").click()
    expect(page.get_by_text("Le budget 2024 est enregistré.")).to_be_visible()
    row = page.get_by_role("row").filter(has_text="2024")
    expect(row).to_contain_text("60 000,00 €")
    expect(row).to_contain_text("10 000,00 €")
    assert accessibility_violations() == []

    page.get_by_role("button", name="Supprimer le budget 2024").click()
    page.get_by_role("dialog").get_by_role("button", name="Supprimer le budget 2024").click()  # asked first
    expect(page.get_by_text("Le budget 2024 est supprimé.")).to_be_visible()
    expect(page.get_by_role("cell", name="Aucun budget.")).to_be_visible()
    assert accessibility_violations() == []
    assert not Programme.objects.get().budgets.exists()
