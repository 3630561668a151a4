"""The demo's open-data files: both SCDL CSVs of Montpellier, downloaded from the public
page's links, valid against the vendored schemas, with the values of the acts and of the
subsidy convention the demo loads."""

from __future__ import annotations

import html
import re
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from conventions.models import Convention, ConventionStatus
from conventions.rules import subsidies
from core.formatting import french_date
from deliberations.models import Deliberation
from parties import demo as parties_demo
from tests.conventions.test_scdl_subventions import validate_csv as validate_subsidies
from tests.deliberations.test_scdl_deliberations import validate_csv as validate_deliberations
from tests.readers import pdf_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    call_command("load_demo", verbosity=0)
    return parties_demo.organization("montpellier")


def _public_page(client: Client, organization_id: int) -> str:
    response = client.get(reverse("deliberations:public_list", args=[organization_id]))
    assert response.status_code == 200
    return response.content.decode()


def _download(client: Client, href: str) -> str:
    response = client.get(href)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    return response.content.decode("utf-8")


def test_the_public_page_links_download_both_valid_files_with_the_demo_acts_and_subsidy(demo, tmp_path):
    client = Client()
    page = _public_page(client, demo.pk)
    links = re.findall(r'href="([^"]+\.csv)"', page)
    assert links == [
        reverse("deliberations:public_opendata_deliberations", args=[demo.pk]),
        reverse("conventions:public_opendata_subventions", args=[demo.pk]),
    ]
    acts = {row["DELIB_ID"]: row for row in validate_deliberations(_download(client, links[0]), tmp_path)}
    assert sorted(acts) == ["v2024-067", "v2024-068"]

    # v2024-067's row against the act as the public page and its extract show it.
    row = acts["v2024-067"]
    act = Deliberation.objects.select_related("sitting", "vote").get(assembly__organization=demo, number="v2024-067")
    cells = [html.unescape(c) for c in re.findall(r"<td>(.*?)</td>", page.split("v2024-067</td>", 1)[1])[:4]]
    title, sitting_day, matiere, published_on = cells
    assert row["DELIB_OBJET"] == title == act.title
    assert french_date(date.fromisoformat(row["DELIB_DATE"])) == sitting_day == "26 mars 2024"
    assert row["DELIB_MATIERE_CODE"] == matiere == "1.4"
    assert published_on == "9 avril 2024" and row["PREF_DATE"] == "2024-04-08"
    assert (row["VOTE_POUR"], row["VOTE_CONTRE"], row["VOTE_ABSTENTION"]) == (
        str(act.vote.votes_for),
        str(act.vote.votes_against),
        str(act.vote.abstentions),
    )
    assert (row["VOTE_EFFECTIF"], row["VOTE_REEL"], row["VOTE_POUR"]) == ("44", "44", "44")
    assert (row["COLL_NOM"], row["COLL_SIRET"]) == ("Ville de Montpellier", "21340172201787")
    extract_url = reverse("deliberations:public_extract", args=[demo.pk, act.pk])
    assert row["DELIB_URL"].endswith(extract_url) and extract_url in page
    extract = pdf_text(client.get(extract_url).content)
    assert "v2024-067" in extract and "26 mars 2024" in extract

    # The subsidy: one row, above the threshold, with the amount set by its avenant.
    convention = Convention.objects.get(organization=demo, reference="CPO-MSE-2024")
    assert convention.status == ConventionStatus.ACTIVE and convention.amount == Decimal("52000")
    [subsidy] = validate_subsidies(_download(client, links[1]), tmp_path)
    assert subsidy["nomAttribuant"] == "Ville de Montpellier" and subsidy["idAttribuant"] == "21340172201787"
    assert subsidy["dateConvention"] == "2024-04-15" == convention.signed_on.isoformat()
    assert subsidy["referenceDecision"] == "v2024-068 ; avenant n° 1 : DEC-2024-0687"
    assert (subsidy["nomBeneficiaire"], subsidy["idBeneficiaire"], subsidy["rnaBeneficiaire"]) == (
        "Association Mosson Sport Éducation",
        "78942315900019",
        "W343019876",
    )
    assert (subsidy["montant"], subsidy["pourcentageSubvention"]) == ("52000.00", "1.00")
    assert subsidy["datesPeriodeVersement"] == "2024-05-15/2024-10-15" and subsidy["conditionsVersement"] == "échelonné"
    assert subsidies.publication_required(Decimal(subsidy["montant"]))


def test_a_second_load_adds_no_subsidy_row(demo, tmp_path):
    call_command("load_demo", verbosity=0)
    text = _download(Client(), reverse("conventions:public_opendata_subventions", args=[demo.pk]))
    assert len(validate_subsidies(text, tmp_path)) == 1
    assert Convention.objects.filter(reference="CPO-MSE-2024").count() == 1
