"""Legal staff in headless Chromium, at 1366 and 390 px, each page checked by axe: a draft's
articles edited, moved and removed; the standard library imported and used; an avenant that
only extends the duration; deadlines that name their convention."""

from __future__ import annotations

import re
from datetime import date

import pytest
from playwright.sync_api import expect

from conventions import services
from core.roles import Role
from tests.conventions.helpers import draft, partner_of, signed

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = pytest.mark.parametrize("width", [1366, 390], ids=["desktop", "phone"])
GLITCH = re.compile(r"{{|{%|\(\s*\)|;\s*\.|\bNone\b|\d{4}-\d{2}-\d{2}")


def _at(page, width):
    page.set_viewport_size({"width": width, "height": 900})


def _fits(page, selector):
    """The section does not overflow sideways (at 390 px nothing should need a horizontal scroll)."""
    return page.eval_on_selector(selector, "el => el.scrollWidth <= el.clientWidth + 1")


@WIDTHS
def test_articles_edited_moved_and_removed_with_the_keyboard(
    page, login, organization, make_member, accessibility_violations, width
):
    legal = make_member(organization, Role.LEGAL)
    convention = draft(legal, organization, title="Application FLAG !")
    for title, body in [
        ("Objet", "La présente convention définit le partenariat entre {{ collectivite }} et {{ partenaire }}."),
        ("Durée", "Elle est conclue pour une durée de {{ duree }}."),
        ("Litiges", "Tout litige est porté devant le tribunal administratif territorialement compétent."),
    ]:
        services.add_clause(user=legal, convention=convention, title=title, body=body)
    _at(page, width)
    login(legal)
    page.goto(f"/conventions/{convention.pk}/")
    articles = page.locator("section.articles")
    expect(articles.get_by_role("heading", name="Article 2 : Durée")).to_be_visible()
    expect(articles).to_contain_text("Elle est conclue pour une durée de 3 ans.")
    assert accessibility_violations() == []
    assert _fits(page, "section.articles")

    # Edit article 2 with the keyboard only: the disclosure opens with Enter.
    articles.get_by_label("Modifier l’article 2 « Durée »").focus()
    page.keyboard.press("Enter")
    article = page.locator("article", has=page.get_by_role("heading", name="Article 2 : Durée"))
    article.get_by_label("Titre de l'article").fill("Durée et prise d'effet")
    article.get_by_label("Texte de l'article").fill(
        "Elle est conclue pour une durée de {{ duree }}{% if date_fin %}, jusqu'au {{ date_fin }} inclus{% endif %}."
    )
    assert accessibility_violations() == []
    article.get_by_role("button", name="Enregistrer l'article").press("Enter")
    expect(page.get_by_text("L'article 2 est modifié.")).to_be_visible()
    expect(articles.get_by_role("heading", name="Article 2 : Durée et prise d'effet")).to_be_visible()
    expect(articles).to_contain_text("Elle est conclue pour une durée de 3 ans.")

    # Move it up, then remove article 3 after confirming.
    articles.get_by_role("button", name="Monter l’article 2 « Durée et prise d'effet »").click()
    expect(page.get_by_text("L'article « Durée et prise d'effet » est maintenant l'article 1.")).to_be_visible()
    expect(articles.get_by_role("heading", level=3).first).to_have_text("Article 1 : Durée et prise d'effet")
    articles.get_by_label("Supprimer l’article 3 « Litiges »").click()
    confirm = articles.get_by_role("button", name="Confirmer la suppression de l'article 3")
    expect(confirm).to_be_visible()
    assert accessibility_violations() == []
    confirm.click()
    expect(
        page.get_by_text("L'article « Litiges » est supprimé ; les articles suivants sont renumérotés.")
    ).to_be_visible()
    expect(articles.get_by_role("heading", level=3)).to_have_text(
        ["Article 1 : Durée et prise d'effet", "Article 2 : Objet"]
    )
    assert not GLITCH.search(articles.locator("article p").first.inner_text())

    history = page.locator("section.history")
    expect(history).to_contain_text("Article 3 supprimé : « Litiges » (les articles suivants sont renumérotés)")
    expect(history).to_contain_text("déplacé : article n° 2 → article n° 1")
    expect(history).to_contain_text("titre : « Durée » → « Durée et prise d'effet »")
    assert _fits(page, "section.articles")
    assert accessibility_violations() == []


@WIDTHS
def test_standard_library_imported_then_used_in_a_draft(
    page, login, organization, make_member, accessibility_violations, width
):
    legal = make_member(organization, Role.LEGAL)
    convention = draft(
        legal,
        organization,
        title="Promotion de l'application HeHop",
        termination_mode="notice",
        termination_notice_value=2,
        termination_by_registered_letter=True,
    )
    _at(page, width)
    login(legal)
    page.goto("/conventions/clauses/")
    page.get_by_role("button", name="Importer la bibliothèque type").click()
    expect(
        page.get_by_text(re.compile(r"Bibliothèque type importée pour .* : 14 clause\(s\) ajoutée\(s\)"))
    ).to_be_visible()
    expect(page.get_by_role("link", name="Protection des données personnelles")).to_be_visible()
    assert accessibility_violations() == []

    page.get_by_role("link", name="Résiliation").click()
    preview = page.locator("#preview-title + h3 + p")
    expect(preview).to_contain_text("moyennant un préavis de 2 mois")
    assert not GLITCH.search(page.locator("section[aria-labelledby=preview-title]").inner_text())
    assert accessibility_violations() == []
    page.go_back()
    page.get_by_role("link", name="Périmètre").click()
    expect(page.locator("section[aria-labelledby=preview-title]")).to_contain_text(
        "- adresses : https://signalement.flagasso.com/reporting/partner/montpellier."
    )
    assert _fits(page, "section[aria-labelledby=preview-title]")  # the long URL wraps at 390 px

    page.goto(f"/conventions/{convention.pk}/")
    form = page.get_by_role("form", name="Ajouter un article")
    form.get_by_label("Clause de la bibliothèque").select_option(label="Résiliation")
    form.get_by_role("button", name="Ajouter un article").click()
    articles = page.locator("section.articles")
    expect(articles.get_by_role("heading", name="Article 1 : Résiliation")).to_be_visible()
    expect(articles).to_contain_text(
        "Chacune des parties peut résilier la présente convention par lettre recommandée avec accusé de réception, "
        "moyennant un préavis de 2 mois courant à compter de la réception de la notification de résiliation."
    )
    assert not GLITCH.search(articles.locator("article > p").inner_text())
    assert accessibility_violations() == []


@WIDTHS
def test_avenant_extending_the_duration_only(page, login, organization, make_member, accessibility_violations, width):
    legal = make_member(organization, Role.LEGAL)
    convention = signed(legal, organization, title="Application FLAG !", duration_months=36)
    _at(page, width)
    login(legal)
    page.goto(f"/conventions/{convention.pk}/")
    # Actions other than the current step are folded to their title: unfold this one.
    page.locator("summary.action-card__title", has_text="Rédiger un avenant").click()
    form = page.get_by_role("form", name="Rédiger un avenant")
    form.get_by_label("Intitulé").fill("Prolongation d'un an")
    form.get_by_label("Nouvelle durée (mois)").fill("48")
    form.get_by_role("button", name="Rédiger un avenant").click()
    expect(page.get_by_text("L'avenant n° 1 est rédigé.")).to_be_visible()
    page.get_by_role("link", name=re.compile("Avenant n° 1 — Prolongation d'un an")).click()
    expect(page.get_by_role("heading", name="Avenant n° 1 : Prolongation d'un an")).to_be_visible()
    effect = page.locator("section[aria-labelledby=effect-title]")
    expect(effect).to_contain_text("48 mois")
    assert not GLITCH.search(effect.inner_text())
    assert accessibility_violations() == []
    page.get_by_role("button", name="Produire l'avenant (PDF et DOCX)").click()
    expect(page.get_by_text("L'avenant est mis à jour.")).to_be_visible()
    assert accessibility_violations() == []


@WIDTHS
def test_deadlines_name_their_convention(page, login, organization, make_member, accessibility_violations, width):
    legal = make_member(organization, Role.LEGAL)
    partner = partner_of(organization, "Association HeHop")
    for reference in ("HEHOP-2023", "HEHOP-2024"):
        convention = draft(legal, organization, partner=partner, reference=reference, title="Promotion HeHop")
        services.update_convention(user=legal, convention=convention, manager=legal)
        services.add_obligation(
            user=legal,
            convention=convention,
            party=convention.parties.get(organization=organization),
            description="Présenter l'application dans le journal municipal.",
            first_due_date=date(2030, 3, 31),
        )
    _at(page, width)
    login(legal)
    page.goto("/echeances/")
    short = partner.short_name or partner.name
    for reference in ("HEHOP-2023", "HEHOP-2024"):
        expect(
            page.get_by_text(
                f"(convention {reference} avec {short}) : Présenter l'application dans le journal municipal."
            )
        ).to_be_visible()
    expect(page.get_by_text("31 mars 2030").first).to_be_visible()
    assert accessibility_violations() == []
