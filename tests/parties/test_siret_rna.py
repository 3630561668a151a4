"""SIRET (python-stdnum, within the organization's SIREN) and RNA numbers of organizations."""

import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse

from core import services as core_services
from core.errors import DomainError
from core.roles import Role
from parties import rules, services
from parties.models import Organization
from tests.factories import member, valid_siret


def test_montpellier_siret_is_valid_and_normalized():
    assert rules.normalize_siret("213 401 722 01787", siren="213401722") == "21340172201787"


@pytest.mark.parametrize(
    ("value", "siren", "fragment", "rule"),
    [
        ("21340172201788", "", "clé de contrôle", "Luhn"),
        ("2134017220178", "", "14 chiffres", "14 chiffres"),
        ("2134017220178A", "", "chiffres", "14 chiffres"),
        ("21340172201787", "243400017", "SIREN 243400017", "SIREN + NIC"),
    ],
)
def test_bad_siret_gets_a_clear_error_naming_the_rule(value, siren, fragment, rule):
    with pytest.raises(DomainError) as info:
        rules.normalize_siret(value, siren=siren)
    assert fragment in info.value.message and rule in info.value.rule and info.value.field == "siret"


def test_rna_is_w_and_nine_digits():
    assert rules.normalize_rna(" w343012345 ") == "W343012345"
    for bad in ("W34301234", "343012345", "W3430123456", "W2A1234567"):
        with pytest.raises(DomainError) as info:
            rules.normalize_rna(bad)
        assert "RNA" in info.value.rule and info.value.field == "rna"


@pytest.mark.django_db
def test_services_check_siret_and_rna(organization, legal_user):
    partner = services.create_partner(
        user=legal_user, tenant=organization, kind="association", name="Les Amis", rna="W343012345"
    )
    assert partner.rna == "W343012345"
    with pytest.raises(DomainError):
        services.create_partner(user=legal_user, tenant=organization, kind="association", name="X", rna="W12")
    admin = member(organization, Role.ADMINISTRATOR)
    siret = valid_siret(organization.siren, 7)
    assert services.update_organization(user=admin, organization=organization, siret=siret).siret == siret
    with pytest.raises(DomainError) as info:  # another organization's establishment
        services.update_organization(user=admin, organization=organization, siret="21340172201787")
    assert info.value.rule == "SIRET (INSEE) : SIREN + NIC"
    with pytest.raises(DomainError):  # a new SIREN the recorded SIRET does not start with
        services.update_organization(user=admin, organization=organization, siren="213401722")
    organization.refresh_from_db()
    assert organization.siret == siret


@pytest.mark.django_db
def test_the_database_refuses_a_siret_outside_the_siren(organization):
    with pytest.raises(IntegrityError), transaction.atomic():
        Organization.objects.filter(pk=organization.pk).update(siret="21340172201787")


@pytest.mark.django_db
def test_the_api_reads_and_writes_siret_and_rna(organization):
    admin = member(organization, Role.ADMINISTRATOR)
    _token, key = core_services.create_api_token(user=admin, name="t")
    client = Client(headers={"Authorization": f"Bearer {key}"})
    siret = valid_siret(organization.siren)
    response = client.patch(
        f"/api/v1/organizations/{organization.pk}", {"siret": siret}, content_type="application/json"
    )
    assert response.status_code == 200 and response.json()["siret"] == siret
    refused = client.patch(
        f"/api/v1/organizations/{organization.pk}", {"siret": "21340172201787"}, content_type="application/json"
    )
    assert refused.status_code == 400 and refused.json()["field"] == "siret"
    created = client.post(
        "/api/v1/organizations",
        {"tenant_id": organization.pk, "kind": "association", "name": "Les Amis", "rna": "W343012345"},
        content_type="application/json",
    )
    assert created.status_code == 201 and created.json()["rna"] == "W343012345"
    page = Client()
    page.force_login(admin)
    html = page.get(reverse("parties:organization_detail", args=[organization.pk])).content.decode()
    assert siret in html


@pytest.mark.django_db
def test_the_organization_form_records_the_siret(organization):
    admin = member(organization, Role.ADMINISTRATOR)
    client = Client()
    client.force_login(admin)
    url = reverse("parties:organization_edit", args=[organization.pk])
    data = {"kind": organization.kind, "name": organization.name, "siren": organization.siren, "population": 40000}
    refused = client.post(url, {**data, "siret": "21340172201787"})
    assert refused.status_code == 200 and "SIREN" in refused.content.decode()
    organization.refresh_from_db()
    assert organization.siret == ""
    siret = valid_siret(organization.siren, 3)
    assert client.post(url, {**data, "siret": siret}).status_code == 302
    organization.refresh_from_db()
    assert organization.siret == siret
