"""Who receives a subsidy and in what share: the rule alone, the service (checked as a
whole, nothing half-saved), the page's form, the API, and the SCDL file that lists them (a
co-funder is no beneficiary)."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from conventions import opendata, services
from conventions.models import Convention, ConventionParty
from conventions.rules import subsidies
from core.errors import DomainError
from tests.conventions.helpers import draft, partner_of, sign_by_every_party
from tests.conventions.test_scdl_subventions import (
    approved_by_council,
    public_csv,
    subsidies_world,  # noqa: F401 (the fixture, used by world)
    validate_csv,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(request):
    """The subsidies of tests/conventions/test_scdl_subventions.py."""
    return request.getfixturevalue("subsidies_world")


D = Decimal


# --- the rule ---------------------------------------------------------------------------


def test_no_share_given_means_equal_shares():
    assert subsidies.beneficiary_shares(D("36000"), [(None, None)] * 3) == [D("0.34"), D("0.33"), D("0.33")]
    assert subsidies.beneficiary_shares(D("36000"), []) == []


def test_percentages_amounts_and_both_make_fractions_of_one():
    assert subsidies.beneficiary_shares(D("36000"), [(D("75"), None), (D("25"), None)]) == [D("0.75"), D("0.25")]
    # 24 000 + 12 000 of 36 000: 0.67 and 0.33 once rounded, summing to exactly 1.
    assert subsidies.beneficiary_shares(D("36000"), [(None, D("24000")), (None, D("12000"))]) == [D("0.67"), D("0.33")]
    assert subsidies.beneficiary_shares(D("40000"), [(D("50"), None), (None, D("20000"))]) == [D("0.50"), D("0.50")]
    thirds = subsidies.beneficiary_shares(D("100"), [(D("33.33"), None), (D("33.33"), None), (D("33.34"), None)])
    assert thirds == [D("0.33"), D("0.33"), D("0.34")] and sum(thirds) == 1
    assert subsidies.beneficiary_shares(D("1000"), [(D("0"), None), (D("100"), None)]) == [D("0.00"), D("1.00")]


@pytest.mark.parametrize(
    ("total", "given", "field", "words"),
    [
        (D("36000"), [(D("75"), None), (None, None)], "share_percent", "chaque bénéficiaire"),
        (D("36000"), [(D("75"), None), (D("20"), None)], "share_percent", "95,00 %"),
        (D("36000"), [(None, D("30000")), (None, D("5000"))], "share_percent", "subvention entière"),
        (D("36000"), [(D("101"), None)], "share_percent", "entre 0 et 100"),
        (D("36000"), [(D("-1"), None), (D("101"), None)], "share_percent", "entre 0 et 100"),
        (D("36000"), [(D("50"), D("18000")), (D("50"), None)], "share_amount", "pas les deux"),
        (D("36000"), [(None, D("40000"))], "share_amount", "montant de la subvention"),
        (None, [(None, D("100"))], "share_amount", "suppose le montant"),
    ],
)
def test_shares_that_do_not_make_the_whole_subsidy_are_refused(total, given, field, words):
    with pytest.raises(DomainError) as caught:
        subsidies.beneficiary_shares(total, given)
    assert caught.value.rule == subsidies.SHARE_RULE and caught.value.field == field
    assert re.search(words, caught.value.message)


# --- the service and the file -------------------------------------------------------------


def _partners(convention):
    return {p.organization.name: p for p in convention.parties.exclude(organization=convention.organization)}


def test_unequal_shares_are_written_in_the_file(world, legal_user, organization, tmp_path):
    shared = world["shared"]
    partners = _partners(shared)
    services.set_beneficiaries(
        user=legal_user,
        convention=shared,
        shares=[
            services.BeneficiaryShare(party_id=partners["Les Amis du quartier"].pk, share_amount=D("27000")),
            services.BeneficiaryShare(party_id=partners["L'Atelier solidaire"].pk, share_amount=D("9000")),
        ],
    )
    rows = [
        r for r in validate_csv(public_csv(organization.pk).content.decode(), tmp_path) if r["objet"] == shared.title
    ]
    assert [(r["nomBeneficiaire"], r["montant"], r["pourcentageSubvention"]) for r in rows] == [
        ("Les Amis du quartier", "36000.00", "0.75"),
        ("L'Atelier solidaire", "36000.00", "0.25"),
    ]
    history = ConventionParty.history.filter(id=partners["Les Amis du quartier"].pk).first()
    assert history.share_amount == D("27000") and history.history_user == legal_user


def test_a_co_funder_is_no_beneficiary_and_is_not_in_the_file(legal_user, organization, world, tmp_path):
    amis = world["amis"]
    department = partner_of(organization, name="Département de l'Hérault")
    convention = draft(
        legal_user,
        organization,
        partner=amis,
        title="Fête de la musique cofinancée",
        kind="financial",
        amount=D("25000"),
        payment_start=date(2024, 6, 21),
    )
    services.add_party(user=legal_user, convention=convention, organization=department, designation="le cofinanceur")
    partners = _partners(convention)
    services.set_beneficiaries(
        user=legal_user,
        convention=convention,
        shares=[services.BeneficiaryShare(party_id=partners["Département de l'Hérault"].pk, is_beneficiary=False)],
    )
    approved_by_council(legal_user, organization, convention, "V2024-120", date(2024, 4, 2))
    rows = [
        r
        for r in validate_csv(public_csv(organization.pk).content.decode(), tmp_path)
        if r["objet"] == "Fête de la musique cofinancée"
    ]
    assert [(r["nomBeneficiaire"], r["pourcentageSubvention"]) for r in rows] == [("Les Amis du quartier", "1.00")]


def test_shares_not_making_the_whole_are_refused_and_nothing_is_saved(world, legal_user):
    shared = world["shared"]
    partners = _partners(shared)
    with pytest.raises(DomainError) as caught:
        services.set_beneficiaries(
            user=legal_user,
            convention=shared,
            shares=[
                services.BeneficiaryShare(party_id=partners["Les Amis du quartier"].pk, share_percent=D("60")),
                services.BeneficiaryShare(party_id=partners["L'Atelier solidaire"].pk, share_percent=D("30")),
            ],
        )
    assert caught.value.rule == subsidies.SHARE_RULE
    assert list(shared.parties.values_list("share_percent", flat=True)) == [None, None, None]
    with pytest.raises(DomainError, match="pas de part"):
        services.set_beneficiaries(
            user=legal_user,
            convention=shared,
            shares=[
                services.BeneficiaryShare(
                    party_id=partners["Les Amis du quartier"].pk, is_beneficiary=False, share_percent=D("10")
                )
            ],
        )
    city = shared.parties.get(organization=shared.organization)
    assert city.is_beneficiary is False  # the collectivité gives the subsidy
    with pytest.raises(DomainError, match="pas un partenaire"):
        services.set_beneficiaries(
            user=legal_user, convention=shared, shares=[services.BeneficiaryShare(party_id=city.pk)]
        )


def test_amount_shares_broken_by_an_avenant_leave_the_convention_out_with_the_reason(world, legal_user):
    shared = world["shared"]
    partners = _partners(shared)
    services.set_beneficiaries(
        user=legal_user,
        convention=shared,
        shares=[
            services.BeneficiaryShare(party_id=partners["Les Amis du quartier"].pk, share_amount=D("27000")),
            services.BeneficiaryShare(party_id=partners["L'Atelier solidaire"].pk, share_amount=D("9000")),
        ],
    )
    raise_amount = services.create_amendment(
        user=legal_user, convention=shared, title="Montant porté à 40 000 €", new_amount=D("40000")
    )
    services.approve_amendment(
        user=legal_user, amendment=raise_amount, delegated_reference="DEC-2025-7", delegated_date=date(2025, 2, 3)
    )
    services.send_amendment_for_signature(user=legal_user, amendment=raise_amount)
    sign_by_every_party(legal_user, raise_amount, date(2025, 2, 10))
    reason = opendata.left_out_reason(Convention.objects.get(pk=shared.pk))
    assert reason and "subvention entière" in reason and "90,00 %" in reason


# --- the page and the API ------------------------------------------------------------------


def test_the_page_form_records_the_shares_and_shows_them(world, legal_user, client_for, viewer_user):
    shared = world["shared"]
    partners = _partners(shared)
    amis, atelier = partners["Les Amis du quartier"], partners["L'Atelier solidaire"]
    client = client_for(legal_user)
    page = client.get(reverse("conventions:detail", args=[shared.pk])).content.decode()
    assert f'name="percent_{amis.pk}"' in page and "bénéficiaire (parts égales)" in page
    url = reverse("conventions:action", args=[shared.pk, "beneficiaries"])
    data = {f"beneficiary_{amis.pk}": "on", f"percent_{amis.pk}": "70", f"beneficiary_{atelier.pk}": "on"}
    response = client.post(url, {**data, f"percent_{atelier.pk}": "20"}, follow=True)
    assert "subvention entière" in response.content.decode()
    assert ConventionParty.objects.get(pk=amis.pk).share_percent is None  # nothing half-saved
    response = client.post(url, {**data, f"percent_{atelier.pk}": "30"}, follow=True)
    page = response.content.decode()
    assert "bénéficiaire, 70,00 %" in page and "bénéficiaire, 30,00 %" in page
    assert client_for(viewer_user).post(url, {**data, f"percent_{atelier.pk}": "30"}).status_code == 403


def test_the_api_sets_the_shares_and_answers_the_rule(world, legal_user, api_for):
    shared = world["shared"]
    partners = _partners(shared)
    amis, atelier = partners["Les Amis du quartier"], partners["L'Atelier solidaire"]
    api = api_for(legal_user)
    path = f"/conventions/{shared.pk}/beneficiaries"
    bad = api.post(path, {"beneficiaries": [{"party_id": amis.pk, "share_percent": "150"}]})
    assert bad.status_code in (400, 409, 422) and "100" in bad.json()["detail"]
    response = api.post(
        path,
        {
            "beneficiaries": [
                {"party_id": amis.pk, "share_percent": "40"},
                {"party_id": atelier.pk, "share_percent": "60"},
            ]
        },
    )
    assert response.status_code == 200, response.content
    by_id = {p["id"]: p for p in response.json()}
    assert D(by_id[amis.pk]["share_percent"]) == D("40") and by_id[atelier.pk]["is_beneficiary"] is True
    detail = api.get(f"/conventions/{shared.pk}").json()
    assert {D(p["share_percent"]) for p in detail["parties"] if p["share_percent"] is not None} == {D("40"), D("60")}


def test_an_express_renewal_keeps_who_receives_and_the_shares(world, legal_user, organization):
    amis = world["amis"]
    co_funder = partner_of(organization, name="Département de l'Hérault")
    convention = draft(legal_user, organization, partner=amis, kind="financial", amount=D("30000"))
    services.add_party(user=legal_user, convention=convention, organization=co_funder)
    partners = _partners(convention)
    services.set_beneficiaries(
        user=legal_user,
        convention=convention,
        shares=[
            services.BeneficiaryShare(party_id=partners["Les Amis du quartier"].pk, share_amount=D("30000")),
            services.BeneficiaryShare(party_id=partners["Département de l'Hérault"].pk, is_beneficiary=False),
        ],
    )
    signed_convention = approved_by_council(legal_user, organization, convention, "V2024-130", date(2024, 4, 2))
    successor = services.renew_expressly(user=legal_user, convention=signed_convention)
    copied = {
        p.organization.name: (p.is_beneficiary, p.share_percent, p.share_amount)
        for p in successor.parties.select_related("organization")
    }
    assert copied == {
        organization.name: (False, None, None),
        "Les Amis du quartier": (True, None, D("30000")),
        "Département de l'Hérault": (False, None, None),
    }
