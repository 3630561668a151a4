"""The SCDL "Subventions" file (schema 2.1.1): signed conventions of financial support, their
approving acts and avenants, downloaded from the public address and the API, validated with
frictionless against the vendored schema and compared with the conventions."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from frictionless import Resource, Schema, validate
from stdnum.fr import siret as stdnum_siret

from conventions import opendata, services
from conventions.models import Convention
from conventions.rules import subsidies
from core import services as core_services
from core.roles import Role
from parties import services as parties_services
from tests.conventions.helpers import adopted_deliberation, draft, partner_of, sign_by_every_party, signed
from tests.factories import member, valid_siret

pytestmark = pytest.mark.django_db

SCHEMA_PATH = Path(settings.BASE_DIR) / "opendata" / "schemas" / "scdl-subventions-2.1.1.json"


def validate_csv(text: str, tmp_path: Path) -> list[dict[str, str]]:
    """The file checked with frictionless against the vendored schema, then the schema's
    custom checks (french-siret-value with python-stdnum, one-of-required); the rows."""
    (tmp_path / "subventions.csv").write_bytes(text.encode("utf-8"))
    schema = Schema.from_descriptor(json.loads(SCHEMA_PATH.read_text(encoding="utf-8")))
    report = validate(Resource(path="subventions.csv", basepath=str(tmp_path), schema=schema, format="csv"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    rows = list(csv.DictReader(io.StringIO(text)))
    for row in rows:
        assert stdnum_siret.is_valid(row["idAttribuant"])
        assert not row["idBeneficiaire"] or stdnum_siret.is_valid(row["idBeneficiaire"])
        assert row["idBeneficiaire"] or row["rnaBeneficiaire"]
    return rows


def public_csv(organization_id: int, **params: str):
    return Client().get(reverse("conventions:public_opendata_subventions", args=[organization_id]), params)


def approved_by_council(user, organization, convention, number: str, day: date) -> Convention:
    services.submit_for_review(user=user, convention=convention)
    services.approve_convention(
        user=user, convention=convention, deliberations=[adopted_deliberation(organization, number=number, day=day)]
    )
    services.send_for_signature(user=user, convention=convention, sent_on=date(2024, 4, 15))
    for index, party in enumerate(convention.parties.order_by("position")):
        day_signed = date(2024, 4, 29) if index == 0 else date(2024, 5, 2)
        services.record_signature(
            user=user, convention=convention, party=party, signed_on=day_signed, today=date(2024, 5, 6)
        )
    return Convention.objects.get(pk=convention.pk)


@pytest.fixture
def subsidies_world(organization, legal_user):
    """A collectivité with its SIRET and: a 30 000 € subsidy to two associations approved by the
    council, raised to 36 000 € by a signed avenant; a 12 000 € subsidy by delegated decision;
    a draft subsidy; a signed partnership without money; a signed subsidy without a payment
    date; a subsidy signed in 2025."""
    admin = member(organization, Role.ADMINISTRATOR)
    parties_services.update_organization(user=admin, organization=organization, siret=valid_siret(organization.siren))
    amis = parties_services.create_partner(
        user=legal_user, tenant=organization, kind="association", name="Les Amis du quartier", rna="W343012345"
    )
    partner_of(organization)  # a signatory for the helpers
    atelier = parties_services.create_partner(
        user=legal_user,
        tenant=organization,
        kind="association",
        name="L'Atelier solidaire",
        siren="732829320",
        siret=valid_siret("732829320", 12),
        rna="W751234567",
    )
    for partner in (amis, atelier):
        parties_services.add_signatory(
            user=legal_user,
            organization=partner,
            person=parties_services.create_person(
                user=legal_user, organization=partner, first_name="Camille", last_name=f"Présidente {partner.pk}"
            ),
            function="la Présidente",
            is_default=True,
        )
    shared = draft(
        legal_user,
        organization,
        partner=amis,
        title="Soutien au festival de quartier",
        kind="financial",
        amount=Decimal("30000"),
        payment_terms="instalments",
        payment_start=date(2024, 6, 1),
        payment_end=date(2025, 6, 1),
    )
    services.add_party(user=legal_user, convention=shared, organization=atelier, designation="l'association")
    shared = approved_by_council(legal_user, organization, shared, "V2024-067", date(2024, 3, 26))
    raise_amount = services.create_amendment(
        user=legal_user, convention=shared, title="Montant porté à 36 000 €", new_amount=Decimal("36000")
    )
    services.approve_amendment(
        user=legal_user,
        amendment=raise_amount,
        deliberations=[adopted_deliberation(organization, number="V2024-300", day=date(2024, 12, 16))],
    )
    services.send_amendment_for_signature(user=legal_user, amendment=raise_amount)
    sign_by_every_party(legal_user, raise_amount, date(2025, 1, 10))
    small = signed(
        legal_user,
        organization,
        title="Aide au fonctionnement de l'Atelier",
        partner=atelier,
        kind="financial",
        amount=Decimal("12000.50"),
        payment_start=date(2024, 7, 1),
        subsidy_nature="both",
        eu_notified=True,
        rae_id="12345",
        aid_scheme="Fonds quartiers",
    )
    unsigned = draft(legal_user, organization, title="Projet de subvention", kind="financial", amount=Decimal("50000"))
    partnership = signed(legal_user, organization, title="Partenariat sans argent")
    undated = signed(
        legal_user, organization, title="Subvention sans date", partner=amis, kind="financial", amount=Decimal("40000")
    )
    later = signed(
        legal_user,
        organization,
        title="Subvention de 2025",
        partner=amis,
        kind="financial",
        amount=Decimal("24000"),
        payment_start=date(2025, 3, 1),
        signatures=(date(2025, 2, 1), date(2025, 2, 3)),
        today=date(2025, 2, 3),
    )
    return {
        "shared": Convention.objects.get(pk=shared.pk),
        "small": small,
        "unsigned": unsigned,
        "partnership": partnership,
        "undated": undated,
        "later": later,
        "amis": amis,
        "atelier": atelier,
    }


def test_publication_threshold_and_shares():
    assert not subsidies.publication_required(Decimal("23000"))
    assert subsidies.publication_required(Decimal("23000.01"))
    assert subsidies.shares(3) == [Decimal("0.34"), Decimal("0.33"), Decimal("0.33")]
    assert subsidies.payment_period(date(2024, 6, 1), date(2025, 6, 1)) == "2024-06-01/2025-06-01"
    assert subsidies.payment_period(date(2024, 6, 1), None) == "2024-06-01"


def test_the_public_file_is_valid_and_says_what_the_conventions_say(subsidies_world, organization, tmp_path):
    world = subsidies_world
    response = public_csv(organization.pk)
    assert response.status_code == 200 and response["Content-Type"] == "text/csv; charset=utf-8"
    text = response.content.decode("utf-8")
    schema_fields = [f["name"] for f in json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))["fields"]]
    assert text.splitlines()[0].split(",") == schema_fields == list(opendata.FIELDS)
    rows = validate_csv(text, tmp_path)
    titles = [row["objet"] for row in rows]
    assert titles == [
        "Soutien au festival de quartier",
        "Soutien au festival de quartier",
        "Aide au fonctionnement de l'Atelier",
        "Subvention de 2025",
    ]  # signed subsidies only, one row per beneficiary, oldest first; the undated one is left out
    amis, atelier = rows[0], rows[1]
    assert amis["nomAttribuant"] == "Ville de Testville" and amis["idAttribuant"] == valid_siret(organization.siren)
    assert amis["dateConvention"] == "2024-05-02"
    assert amis["referenceDecision"] == "V2024-067 ; avenant n° 1 : V2024-300"
    assert (amis["nomBeneficiaire"], amis["idBeneficiaire"], amis["rnaBeneficiaire"]) == (
        "Les Amis du quartier",
        "",
        "W343012345",
    )
    assert (atelier["idBeneficiaire"], atelier["rnaBeneficiaire"]) == (valid_siret("732829320", 12), "W751234567")
    assert world["shared"].amount == Decimal("36000.00")
    assert amis["montant"] == atelier["montant"] == "36000.00"  # after the avenant
    assert (amis["nature"], amis["conditionsVersement"], amis["datesPeriodeVersement"]) == (
        "aide en numéraire",
        "échelonné",
        "2024-06-01/2025-06-01",
    )
    assert amis["pourcentageSubvention"] == atelier["pourcentageSubvention"] == "0.50"
    assert amis["notificationUE"] == "non" and amis["idRAE"] == "" and amis["dispositifAide"] == ""
    small = rows[2]
    assert small["referenceDecision"] == "DEC-2024-12"
    assert (small["montant"], small["nature"], small["conditionsVersement"], small["datesPeriodeVersement"]) == (
        "12000.50",
        "aide en numéraire;aide en nature",
        "unique",
        "2024-07-01",
    )
    assert (small["notificationUE"], small["idRAE"], small["dispositifAide"], small["pourcentageSubvention"]) == (
        "oui",
        "12345",
        "Fonds quartiers",
        "1.00",
    )


def test_the_year_filter_keeps_the_conventions_signed_that_year(subsidies_world, organization, tmp_path):
    rows_2025 = validate_csv(public_csv(organization.pk, annee="2025").content.decode(), tmp_path)
    assert [r["objet"] for r in rows_2025] == ["Subvention de 2025"]
    rows_2024 = validate_csv(public_csv(organization.pk, annee="2024").content.decode(), tmp_path)
    assert {r["objet"] for r in rows_2024} == {"Soutien au festival de quartier", "Aide au fonctionnement de l'Atelier"}
    assert public_csv(organization.pk, annee="deux").status_code == 400


def test_mandatory_publication_and_left_out_reasons_show_on_the_convention(subsidies_world, legal_user):
    world = subsidies_world
    built = opendata.build_rows(world["shared"].organization_id)
    assert {(r.objet, r.required) for r in built.rows} == {
        ("Soutien au festival de quartier", True),
        ("Aide au fonctionnement de l'Atelier", False),
        ("Subvention de 2025", True),
    }
    assert [(item.reference, "date ou la période de versement" in item.reason) for item in built.left_out] == [
        (world["undated"].reference, True)
    ]
    client = Client()
    client.force_login(legal_user)
    page = client.get(reverse("conventions:detail", args=[world["undated"].pk])).content.decode()
    assert "Absente du fichier des subventions" in page and "période de versement" in page
    page = client.get(reverse("conventions:detail", args=[world["shared"].pk])).content.decode()
    assert "publication des données essentielles obligatoire" in page and "Absente du fichier" not in page
    page = client.get(reverse("conventions:detail", args=[world["small"].pk])).content.decode()
    assert "publication des données essentielles obligatoire" not in page


def test_the_payment_dates_can_be_completed_once_signed(subsidies_world, legal_user, organization, tmp_path):
    undated = subsidies_world["undated"]
    services.update_convention(
        user=legal_user, convention=undated, payment_start=date(2024, 9, 1), payment_end=date(2024, 12, 31)
    )
    rows = validate_csv(public_csv(organization.pk).content.decode(), tmp_path)
    assert [r["datesPeriodeVersement"] for r in rows if r["objet"] == "Subvention sans date"] == [
        "2024-09-01/2024-12-31"
    ]


def test_another_collectivite_file_has_none_of_these(subsidies_world, other_organization, tmp_path):
    admin = member(other_organization, Role.ADMINISTRATOR)
    parties_services.update_organization(
        user=admin, organization=other_organization, siret=valid_siret(other_organization.siren)
    )
    text = public_csv(other_organization.pk).content.decode()
    assert validate_csv(text, tmp_path) == []
    assert "Testville" not in text and "Amis" not in text


def test_without_siret_the_file_is_refused(organization):
    response = public_csv(organization.pk)
    assert response.status_code == 409 and "SIRET" in response.content.decode()


def test_the_api_gives_the_same_file(subsidies_world, organization, tmp_path):
    user = member(organization, Role.VIEWER)
    _token, key = core_services.create_api_token(user=user, name="scdl")
    client = Client(headers={"Authorization": f"Bearer {key}"})
    response = client.get("/api/v1/opendata/subventions", {"year": 2024})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert len(validate_csv(response.content.decode(), tmp_path)) == 3
    assert response.content == public_csv(organization.pk, annee="2024").content
    refused = client.get("/api/v1/opendata/subventions", {"organization_id": organization.pk + 1000})
    assert refused.status_code == 404
    convention = client.get(f"/api/v1/conventions/{subsidies_world['small'].pk}").json()
    assert (convention["subsidy_nature"], convention["payment_start"], convention["eu_notified"]) == (
        "both",
        "2024-07-01",
        True,
    )


def test_legal_staff_complete_a_signed_subsidy_on_its_form(subsidies_world, legal_user, organization, tmp_path):
    undated = subsidies_world["undated"]
    client = Client()
    client.force_login(legal_user)
    url = reverse("conventions:edit", args=[undated.pk])
    form = client.get(url).content.decode()
    assert 'name="payment_start"' in form
    response = client.post(
        url,
        {"subsidy_nature": "in_kind", "payment_terms": "single", "payment_start": "2024-10-15", "eu_notified": "on"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    undated.refresh_from_db()
    assert (undated.subsidy_nature, undated.payment_start, undated.eu_notified) == ("in_kind", date(2024, 10, 15), True)
    assert undated.title == "Subvention sans date"  # the terms stay as signed
    row = next(
        r for r in validate_csv(public_csv(organization.pk).content.decode(), tmp_path) if r["objet"] == undated.title
    )
    assert (row["nature"], row["datesPeriodeVersement"], row["notificationUE"]) == (
        "aide en nature",
        "2024-10-15",
        "oui",
    )
    refused = client.post(url, {"subsidy_nature": "cash", "payment_terms": "other", "payment_start": "2024-10-15"})
    assert refused.status_code == 200 and "modalités de versement" in refused.content.decode()
