"""The SCDL "Délibérations" file (schema 2.1.5): downloaded from the public page and the API,
read back as CSV, validated with frictionless against the vendored schema, and its values
compared with the acts."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from frictionless import Resource, Schema, validate

from core import services as core_services
from core.errors import DomainError
from core.roles import Role
from deliberations import opendata, services
from deliberations.models import Deliberation, Transmission
from deliberations.rules import matieres
from parties import services as parties_services
from tests.deliberations.conftest import at, make_council
from tests.factories import member, valid_siret

pytestmark = pytest.mark.django_db

SCHEMA_PATH = Path(settings.BASE_DIR) / "opendata" / "schemas" / "scdl-deliberations-2.1.5.json"
SIRET = "21340172201787"  # Ville de Montpellier's SIREN 213401722 + NIC, checked by python-stdnum


def schema_fields() -> list[str]:
    return [f["name"] for f in json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))["fields"]]


def validate_csv(text: str, tmp_path: Path) -> list[dict[str, str]]:
    """The file checked with frictionless against the vendored schema, then the validator's
    extra rules (``custom_checks``) on each row; the rows as dicts."""
    path = tmp_path / "deliberations.csv"
    path.write_bytes(text.encode("utf-8"))
    schema = Schema.from_descriptor(json.loads(SCHEMA_PATH.read_text(encoding="utf-8")))
    report = validate(Resource(path=path.name, basepath=str(tmp_path), schema=schema, format="csv"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    rows = list(csv.DictReader(io.StringIO(text)))
    for row in rows:
        votes = [row[k] for k in ("VOTE_EFFECTIF", "VOTE_REEL", "VOTE_POUR", "VOTE_CONTRE", "VOTE_ABSTENTION")]
        assert all(votes) or not any(votes)  # cohesive-columns-value
        if all(votes):
            effectif, reel, pour, contre, abstention = map(int, votes)
            assert reel == pour + contre + abstention  # sum-columns-value
            assert effectif >= reel >= max(pour, contre, abstention)  # compare-columns-value
        if row["PREF_DATE"]:
            assert date.fromisoformat(row["PREF_DATE"]) >= date.fromisoformat(row["DELIB_DATE"])
        assert bool(row["BUDGET_ANNEE"]) == bool(row["BUDGET_NOM"])
        # nomenclature-actes-value: a known level-1 title before the slash, no space after it;
        # and the name is that of the code in the @CTES nomenclature.
        level_1, level_2 = row["DELIB_MATIERE_NOM"].split("/")
        assert level_1 == matieres.LEVEL_1[row["DELIB_MATIERE_CODE"].split(".")[0]] and not level_2.startswith(" ")
        assert row["DELIB_MATIERE_NOM"] == matieres.matiere_name(row["DELIB_MATIERE_CODE"])
    return rows


@pytest.fixture
def published(organization, django_capture_on_commit_callbacks):
    """A council with: an adopted act of 2024 voted with a proxy, transmitted and published
    (matière 7.5); an act of 2024 taken note of (1.1.2, cut to 1.1); an unpublished act; an
    adopted act of 2025."""
    admin = member(organization, Role.ADMINISTRATOR)
    parties_services.update_organization(user=admin, organization=organization, siret=valid_siret(organization.siren))
    council = make_council(organization, 11)
    sitting = council.sitting()
    voted = council.item(sitting, title="Subvention à l'association « Les Amis », 30 000 €", subject_code="7.5.3")
    noted = council.item(sitting, title="Rapport annuel du délégataire", subject_code="1.1.2", kind="information")
    draft = council.item(sitting, title="Acte signé mais non publié", subject_code="3.1")
    council.attend(sitting, present=8)
    services.register_proxy(
        user=council.clerk,
        sitting=sitting,
        giver=council.people[9],
        holder=council.people[1],
        written_on=date(2024, 3, 25),
    )
    services.record_vote(
        user=council.clerk, deliberation=voted, votes_for=6, votes_against=1, abstentions=1, not_voting=1
    )
    services.take_note(user=council.clerk, deliberation=noted)
    services.record_vote(
        user=council.clerk, deliberation=draft, votes_for=9, votes_against=0, abstentions=0, not_voting=0
    )
    for act in (voted, noted, draft):
        services.sign(user=council.clerk, deliberation=act, signed_on=date(2024, 3, 27))
    services.record_transmission(
        user=council.clerk,
        deliberation=voted,
        sent_on=date(2024, 3, 28),
        internal_number="V2024_001",
        received_on=date(2024, 3, 29),
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.publish(user=council.clerk, deliberation=voted, published_on=date(2024, 4, 2))
        services.publish(user=council.clerk, deliberation=noted, published_on=date(2024, 4, 2))
    later = council.sitting(at(2025, 2, 10), convened_on=date(2025, 2, 3))
    act_2025 = council.item(later, title="Acquisition d'une parcelle", subject_code="3.1")
    council.attend(later, present=7)
    services.record_vote(
        user=council.clerk, deliberation=act_2025, votes_for=7, votes_against=0, abstentions=0, not_voting=0
    )
    services.sign(user=council.clerk, deliberation=act_2025, signed_on=date(2025, 2, 11))
    services.publish(user=council.clerk, deliberation=act_2025, published_on=date(2025, 2, 12))
    return council, {
        "voted": Deliberation.objects.get(pk=voted.pk),
        "noted": Deliberation.objects.get(pk=noted.pk),
        "draft": Deliberation.objects.get(pk=draft.pk),
        "2025": Deliberation.objects.get(pk=act_2025.pk),
    }


def public_csv(organization_id: int, **params: str):
    return Client().get(reverse("deliberations:public_opendata_deliberations", args=[organization_id]), params)


def test_matiere_names_follow_the_nomenclature():
    assert matieres.matiere_name("7.5") == "Finances locales/Subventions"
    assert matieres.matiere_name("1.1.2") == "Commande Publique/Marchés publics"
    assert matieres.matiere_name("7.10") == "Finances locales/Divers"
    assert len(matieres.LEVEL_2) == 7 + 3 + 6 + 5 + 8 + 5 + 10 + 9 + 4  # 1.1–1.7 … 9.1–9.4 (schema 2.1.5)
    # "sans virgule ni parenthèse", one slash between the two levels (schema's description).
    assert matieres.matiere_name("7.9") == "Finances locales/Prise de participation SEM etc."
    assert matieres.matiere_name("1.5") == "Commande Publique/Transactions - protocole d'accord transactionnel"
    for code in matieres.LEVEL_2:
        name = matieres.matiere_name(code)
        assert name.count("/") == 1 and "/ " not in name and not set(name) & set(",()")
    for code in ("7.11", "10.1", "7", "7,5", "1.8.1"):
        with pytest.raises(DomainError) as refused:
            matieres.matiere_name(code)
        assert refused.value.rule == "Nomenclature des matières (@CTES)"


def test_a_matiere_outside_the_nomenclature_is_refused(council):
    with pytest.raises(DomainError) as refused:
        council.item(None, title="Subvention", subject_code="7.12")
    assert "7.12" in refused.value.message and refused.value.field == "subject_code"
    assert council.item(None, title="Marché", subject_code="1.1.2").subject_code == "1.1.2"


def test_the_public_file_is_valid_and_says_what_the_acts_say(published, organization, tmp_path):
    council, acts = published
    response = public_csv(organization.pk)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = response.content.decode("utf-8")
    assert text.splitlines()[0].split(",") == schema_fields() == list(opendata.FIELDS)
    rows = validate_csv(text, tmp_path)
    by_id = {row["DELIB_ID"]: row for row in rows}
    assert set(by_id) == {acts["voted"].number, acts["noted"].number, acts["2025"].number}  # published acts only
    voted = by_id[acts["voted"].number]
    assert voted["COLL_NOM"] == "Ville de Testville" and voted["COLL_SIRET"] == valid_siret(organization.siren)
    assert voted["DELIB_DATE"] == "2024-03-26"
    assert (voted["DELIB_MATIERE_CODE"], voted["DELIB_MATIERE_NOM"]) == ("7.5", "Finances locales/Subventions")
    assert voted["DELIB_OBJET"] == "Subvention à l'association « Les Amis », 30 000 €"
    vote = acts["voted"].vote
    assert (vote.present_count, vote.represented_count) == (8, 1)
    assert voted["VOTE_EFFECTIF"] == "9"  # present + represented
    assert (voted["VOTE_REEL"], voted["VOTE_POUR"], voted["VOTE_CONTRE"], voted["VOTE_ABSTENTION"]) == (
        "8",
        "6",
        "1",
        "1",
    )
    assert (voted["PREF_ID"], voted["PREF_DATE"]) == ("PREF034", "2024-03-29")
    assert voted["BUDGET_ANNEE"] == voted["BUDGET_NOM"] == ""
    extract = reverse("deliberations:public_extract", args=[organization.pk, acts["voted"].pk])
    assert voted["DELIB_URL"] == "http://testserver" + extract
    assert Client().get(extract)["Content-Type"] == "application/pdf"
    noted = by_id[acts["noted"].number]
    assert (noted["DELIB_MATIERE_CODE"], noted["DELIB_MATIERE_NOM"]) == ("1.1", "Commande Publique/Marchés publics")
    assert noted["VOTE_EFFECTIF"] == noted["VOTE_REEL"] == noted["VOTE_POUR"] == ""  # prend acte: no vote
    assert noted["PREF_ID"] == noted["PREF_DATE"] == ""


def test_the_year_filter_keeps_the_sittings_of_that_year(published, organization, tmp_path):
    _council, acts = published
    rows_2024 = validate_csv(public_csv(organization.pk, annee="2024").content.decode(), tmp_path)
    assert {r["DELIB_ID"] for r in rows_2024} == {acts["voted"].number, acts["noted"].number}
    rows_2025 = validate_csv(public_csv(organization.pk, annee="2025").content.decode(), tmp_path)
    assert [r["DELIB_ID"] for r in rows_2025] == [acts["2025"].number]
    assert public_csv(organization.pk, annee="2023").content.decode().splitlines() == [",".join(opendata.FIELDS)]
    refused = public_csv(organization.pk, annee="24x")
    assert refused.status_code == 400 and "annee" in refused.content.decode()


def test_another_collectivite_file_has_none_of_these_acts(published, other_organization, tmp_path):
    _council, acts = published
    admin = member(other_organization, Role.ADMINISTRATOR)
    parties_services.update_organization(
        user=admin, organization=other_organization, siret=valid_siret(other_organization.siren)
    )
    text = public_csv(other_organization.pk).content.decode()
    assert validate_csv(text, tmp_path) == []
    assert "Testville" not in text and acts["voted"].number not in text


def test_without_siret_the_file_is_refused_naming_what_to_fill(organization):
    make_council(organization, 5)
    response = public_csv(organization.pk)
    assert response.status_code == 409
    assert "SIRET" in response.content.decode() and "Ville de Testville" in response.content.decode()


def test_an_act_breaking_a_rule_is_left_out_and_shown_to_staff(published, organization, tmp_path):
    council, acts = published
    # A matière recorded before the nomenclature was checked.
    Deliberation.objects.filter(pk=acts["2025"].pk).update(subject_code="7.42")
    rows = validate_csv(public_csv(organization.pk).content.decode(), tmp_path)
    assert acts["2025"].number not in {r["DELIB_ID"] for r in rows}
    # A reception at the préfecture recorded before the sitting (PREF_DATE ≥ DELIB_DATE broken).
    Transmission.objects.filter(deliberation=acts["voted"]).update(
        sent_on=date(2024, 3, 20), received_on=date(2024, 3, 25)
    )
    built = opendata.build_rows(organization.pk)
    assert [(item.number, item.reason) for item in built.left_out] == [
        (
            acts["voted"].number,
            "la date de réception en préfecture (2024-03-25) précède la date de la délibération (2024-03-26)",
        ),
        (acts["2025"].number, built.left_out[1].reason),
    ]
    assert "« 7.42 » inconnue" in built.left_out[1].reason
    assert opendata.build_rows(organization.pk, suspects_only=True).left_out == built.left_out
    client = Client()
    client.force_login(council.clerk)
    page = client.get(reverse("deliberations:public_list", args=[organization.pk])).content.decode()
    staff_part = page.split("actes publiés absents du fichier")[1]
    assert acts["2025"].number in staff_part and "« 7.42 » inconnue" in staff_part
    anonymous = Client().get(reverse("deliberations:public_list", args=[organization.pk])).content.decode()
    assert "actes publiés absents du fichier" not in anonymous and "inconnue" not in anonymous
    assert reverse("deliberations:public_opendata_deliberations", args=[organization.pk]) in anonymous


def test_the_api_gives_the_same_file(published, organization, tmp_path):
    _council, acts = published
    user = member(organization, Role.VIEWER)
    _token, key = core_services.create_api_token(user=user, name="scdl")
    client = Client(headers={"Authorization": f"Bearer {key}"})
    response = client.get("/api/v1/opendata/deliberations", {"year": 2024})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = validate_csv(response.content.decode(), tmp_path)
    assert {r["DELIB_ID"] for r in rows} == {acts["voted"].number, acts["noted"].number}
    assert response.content == public_csv(organization.pk, annee="2024").content
    schema = client.get("/api/v1/openapi.json").json()
    operation = schema["paths"]["/api/v1/opendata/deliberations"]["get"]
    assert "text/csv" in operation["responses"]["200"]["content"]


def test_the_demo_montpellier_files_download_from_its_public_page(tmp_path):
    """Montpellier's SIRET (SIREN 213401722 + NIC, accepted by python-stdnum) comes with the
    demo: its acts' file holds v2024-067 as the extract says it, its subsidies file is valid."""
    from django.core.management import call_command

    from parties import demo as parties_demo

    call_command("load_demo", verbosity=0)
    montpellier = parties_demo.organization("montpellier")
    assert montpellier.siret == "21340172201787"
    page = Client().get(reverse("deliberations:public_list", args=[montpellier.pk])).content.decode()
    subsidies_url = reverse("conventions:public_opendata_subventions", args=[montpellier.pk])
    assert reverse("deliberations:public_opendata_deliberations", args=[montpellier.pk]) in page
    assert subsidies_url in page
    rows = validate_csv(public_csv(montpellier.pk, annee="2024").content.decode(), tmp_path)
    flag = next(row for row in rows if row["DELIB_ID"].lower() == "v2024-067")
    assert (flag["COLL_NOM"], flag["COLL_SIRET"], flag["DELIB_DATE"]) == ("Ville de Montpellier", SIRET, "2024-03-26")
    assert (flag["DELIB_MATIERE_CODE"], flag["DELIB_MATIERE_NOM"]) == (
        "1.4",
        "Commande Publique/Autres types de contrats",
    )
    # 65 in office, 35 present, 9 represented; 44 for, none against, no abstention.
    assert (flag["VOTE_EFFECTIF"], flag["VOTE_REEL"], flag["VOTE_POUR"], flag["VOTE_CONTRE"]) == ("44", "44", "44", "0")
    assert (flag["PREF_ID"], flag["PREF_DATE"]) == ("PREF034", "2024-04-08")
    subsidies = Client().get(subsidies_url)
    assert subsidies.status_code == 200
    assert subsidies.content.decode().splitlines()[0].startswith("nomAttribuant,idAttribuant,dateConvention")


def test_row_problems_name_the_validator_rules_a_row_breaks():
    row = opendata.DeliberationRow(
        coll_nom="Ville",
        coll_siret=SIRET,
        delib_id="2024-001",
        delib_date=date(2024, 3, 26),
        delib_matiere_code="7.5",
        delib_matiere_nom="Finances locales/Subventions",
        delib_objet="Objet",
        budget_annee="",
        budget_nom="",
        pref_id="",
        pref_date=None,
        vote_effectif=9,
        vote_reel=8,
        vote_pour=6,
        vote_contre=1,
        vote_abstention=1,
        delib_url="",
    )
    assert opendata.row_problems(row) == []
    assert opendata.row_problems(replace(row, vote_reel=7)) == [
        "VOTE_REEL doit égaler VOTE_POUR + VOTE_CONTRE + VOTE_ABSTENTION"
    ]
    assert opendata.row_problems(replace(row, vote_effectif=7, vote_reel=8)) == [
        "VOTE_EFFECTIF ne peut pas être inférieur à VOTE_REEL"
    ]
    assert opendata.row_problems(replace(row, vote_pour=None)) == [
        "les colonnes du vote sont toutes remplies ou toutes vides"
    ]
    assert len(opendata.row_problems(replace(row, pref_date=date(2024, 3, 25)))) == 1
    assert opendata.row_problems(replace(row, budget_annee="2024")) == [
        "BUDGET_ANNEE et BUDGET_NOM sont tous deux remplis ou tous deux vides"
    ]
