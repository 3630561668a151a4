"""The demo's open data in headless Chromium, at 1366 and 390 px with axe: the public page's
links give both SCDL files, valid against the vendored schemas; an act's @CTES panel names
the classification version, the built-in one then the préfecture's once imported."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from core.models import User
from deliberations.models import Assembly, Deliberation
from parties import demo as parties_demo
from tests.conventions.test_scdl_subventions import validate_csv as validate_subsidies
from tests.deliberations.test_ctes_classification import classification
from tests.deliberations.test_scdl_deliberations import validate_csv as validate_deliberations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = (1366, 390)


@pytest.fixture
def demo():
    call_command("load_demo", verbosity=0)
    return parties_demo.organization("montpellier")


def _main_violations(page, accessibility_violations) -> list[dict]:
    """axe's WCAG 2.1 A/AA violations inside the page's main content. The whole page is run
    first (that loads axe); the shared header's own findings are the layout's, checked by
    its tests, so only ``main`` is asserted here."""
    accessibility_violations()
    result = page.evaluate(
        "async () => await axe.run('main', {runOnly: {type: 'tag', values: "
        "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})"
    )
    return [{"id": v["id"], "nodes": [n["html"] for n in v["nodes"][:3]]} for v in result["violations"]]


def _fits(page, width: int, section: str) -> list[str]:
    """The elements of the section (its heading's id) wider than the window."""
    return page.evaluate(
        f"Array.from(document.querySelectorAll('section[aria-labelledby={section}] *'))"
        f".filter(e => e.getBoundingClientRect().right > {width} + 1)"
        ".map(e => e.tagName + ' ' + Math.round(e.getBoundingClientRect().right))"
    )


def test_the_public_page_links_give_valid_files(page, demo, accessibility_violations, tmp_path):
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"/deliberations/publiques/{demo.pk}/")
        region = page.get_by_role("region", name="Données ouvertes")
        expect(region).to_be_visible()
        assert accessibility_violations() == []
        assert _fits(page, width, "opendata-title") == []
        acts_link = region.get_by_role("link", name="Délibérations publiées", exact=False)
        subsidies_link = region.get_by_role("link", name="Conventions de subvention", exact=False)
        acts = page.request.get(acts_link.get_attribute("href"))
        subsidies = page.request.get(subsidies_link.get_attribute("href"))
        assert acts.ok and acts.headers["content-type"].startswith("text/csv")
        assert subsidies.ok and subsidies.headers["content-type"].startswith("text/csv")
        rows = validate_deliberations(acts.body().decode("utf-8"), tmp_path)
        assert [r["DELIB_ID"] for r in rows] == ["v2024-067", "v2024-068"]
        [subsidy] = validate_subsidies(subsidies.body().decode("utf-8"), tmp_path)
        assert subsidy["nomBeneficiaire"] == "Association Mosson Sport Éducation"
        assert subsidy["montant"] == "52000.00" and subsidy["referenceDecision"].startswith("v2024-068")


def test_the_act_page_ctes_panel_names_the_classification(page, login, demo, accessibility_violations, tmp_path):
    act = Deliberation.objects.get(assembly__organization=demo, number="v2024-067")
    login(User.objects.get(username="admin"), password=parties_demo.DEMO_PASSWORD)
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(act.get_absolute_url())
        panel = page.get_by_role("region", name="Paquet @CTES pour la préfecture")
        expect(panel).to_contain_text("034-213401722-20240326-262151-CC")
        expect(panel).to_contain_text("version du 29 août 2019")
        expect(panel).to_contain_text("aucune classification importée")
        assert _main_violations(page, accessibility_violations) == []
        assert _fits(page, width, "ctes-title") == []

    assembly = Assembly.objects.get(organization=demo)
    file = tmp_path / "retour-classification.xml"
    file.write_bytes(classification(date_text="2024-01-15", natures=_NATURES, matieres=_MATIERES))
    page.set_viewport_size({"width": 390, "height": 900})
    page.goto(f"/deliberations/assemblees/{assembly.pk}/classification/")
    assert _main_violations(page, accessibility_violations) == []
    page.get_by_label("Fichier de classification de la préfecture", exact=False).set_input_files(str(file))
    page.get_by_role("button", name="Importer").click()
    expect(page.get_by_text("La classification du 15 janvier 2024 est importée")).to_be_visible()
    assert _main_violations(page, accessibility_violations) == []
    assert _fits(page, 390, "classification-title") == []
    page.goto(act.get_absolute_url())
    panel = page.get_by_role("region", name="Paquet @CTES pour la préfecture")
    expect(panel).to_contain_text("version du 15 janvier 2024")
    expect(panel).to_contain_text("importée de la préfecture")
    expect(panel).to_contain_text("99_AU-034-213401722-20240326-262151-CC-1-1_2.pdf")


# The demo's acts: v2024-067 a convention (CC, its annex typed 99_AU) classified 1.4, v2024-068
# a deliberation (DE) classified 7.5; the préfecture's file has them.
_NATURES = """
    <actes:NatureActe actes:CodeNatureActe="1" actes:Libelle="Délibérations" actes:TypeAbrege="DE">
      <actes:TypePJNatureActe actes:CodeTypePJ="99_DE" actes:Libelle="Délibération"/>
      <actes:TypePJNatureActe actes:CodeTypePJ="99_AU" actes:Libelle="Autre document"/>
    </actes:NatureActe>
    <actes:NatureActe actes:CodeNatureActe="4" actes:Libelle="Contrats, conventions et avenants" actes:TypeAbrege="CC">
      <actes:TypePJNatureActe actes:CodeTypePJ="99_CO" actes:Libelle="Contrat, convention et avenant"/>
      <actes:TypePJNatureActe actes:CodeTypePJ="99_AU" actes:Libelle="Autre document"/>
    </actes:NatureActe>"""
_MATIERES = """
    <actes:Matiere1 actes:CodeMatiere="1" actes:Libelle="Commande publique">
      <actes:Matiere2 actes:CodeMatiere="4" actes:Libelle="Autres types de contrats"/>
    </actes:Matiere1>
    <actes:Matiere1 actes:CodeMatiere="7" actes:Libelle="Finances locales">
      <actes:Matiere2 actes:CodeMatiere="5" actes:Libelle="Subventions"/>
    </actes:Matiere1>"""
