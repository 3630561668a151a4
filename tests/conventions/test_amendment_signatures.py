"""Avenants signed party by party, like the convention: the effect applies at the last signature."""

import importlib
from datetime import date

import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied

from conventions import documents, services
from conventions.models import AmendmentSignature, AmendmentStatus, Convention
from conventions.services.life import SIGNATURE_RULE
from core.errors import DomainError, TransitionNotAllowed
from core.roles import Role
from tests.conventions.helpers import sign_by_every_party, signed
from tests.factories import PersonFactory, SignatoryFactory

pytestmark = pytest.mark.django_db

APPROVED_ON = date(2025, 1, 2)


def avenant(user, convention, *, send=True, **effect):
    effect.setdefault("new_end_date", date(2028, 5, 1))
    amendment = services.create_amendment(user=user, convention=convention, title="Prolongation", **effect)
    services.approve_amendment(
        user=user, amendment=amendment, delegated_reference="DEC-2025-1", delegated_date=APPROVED_ON
    )
    if send:
        services.send_amendment_for_signature(user=user, amendment=amendment)
    amendment.refresh_from_db()
    return amendment


def sign(user, amendment, party, day, **kw):
    return services.sign_amendment(
        user=user, amendment=amendment, party=party, signed_on=day, today=kw.pop("today", date(2025, 2, 28)), **kw
    )


def test_signatures_on_different_days_apply_the_avenant_at_the_last_one(legal_user, organization):
    convention = signed(legal_user, organization)
    city, partner = convention.parties.order_by("position")
    amendment = avenant(legal_user, convention)
    # The city signs last, with a date earlier than the partner's: the avenant's date is the latest.
    sign(legal_user, amendment, partner, date(2025, 1, 20))
    convention.refresh_from_db()
    amendment.refresh_from_db()
    assert amendment.status == AmendmentStatus.OUT_FOR_SIGNATURE
    assert (amendment.signed_on, convention.end_date) == (None, date(2027, 5, 1))
    signature = amendment.signatures.get()
    assert (signature.party, signature.signatory, signature.signed_on) == (
        partner,
        partner.signatory,
        date(2025, 1, 20),
    )
    record = signature.history.get()
    assert record.history_change_reason == f"Avenant n° 1 signé par {partner.organization.name} le 20 janvier 2025"
    assert record.history_user == legal_user

    sign(legal_user, amendment, city, date(2025, 1, 14))
    convention.refresh_from_db()
    amendment.refresh_from_db()
    assert (amendment.status, amendment.signed_on) == (AmendmentStatus.SIGNED, date(2025, 1, 20))
    assert convention.end_date == date(2028, 5, 1)
    assert (amendment.effect_before["end_date"], amendment.effect_after["end_date"]) == ("2027-05-01", "2028-05-01")
    assert amendment.history.latest("history_date").history_change_reason == (
        "Avenant signé par toutes les parties (dernière signature le 20 janvier 2025)"
    )
    assert convention.history.latest("history_date").history_change_reason == (
        "Avenant n° 1 signé le 20 janvier 2025 : fin 1er mai 2027 → 1er mai 2028"
    )


def test_a_party_signs_once_and_only_for_its_own_convention(legal_user, organization):
    convention = signed(legal_user, organization)
    other = signed(legal_user, organization, title="Autre convention")
    city, partner = convention.parties.order_by("position")
    amendment = avenant(legal_user, convention)
    sign(legal_user, amendment, partner, date(2025, 1, 20))
    with pytest.raises(DomainError) as exc:
        sign(legal_user, amendment, partner, date(2025, 1, 21))
    assert (exc.value.rule, exc.value.field) == (SIGNATURE_RULE, "party")
    assert "a déjà signé l'avenant, le 20 janvier 2025" in exc.value.message
    foreign = other.parties.order_by("position").last()
    with pytest.raises(DomainError) as exc:
        sign(legal_user, amendment, foreign, date(2025, 1, 21))
    assert (exc.value.rule, exc.value.field) == (SIGNATURE_RULE, "party")
    assert "n'est pas partie à la convention" in exc.value.message
    amendment.refresh_from_db()
    assert amendment.status == AmendmentStatus.OUT_FOR_SIGNATURE
    assert list(amendment.signatures.values_list("party", flat=True)) == [partner.pk]


def test_a_signature_follows_the_approval_and_is_not_in_the_future(legal_user, organization):
    convention = signed(legal_user, organization)
    city, _partner = convention.parties.order_by("position")
    amendment = avenant(legal_user, convention)
    with pytest.raises(DomainError) as exc:
        sign(legal_user, amendment, city, date(2024, 12, 31))
    assert (exc.value.rule, exc.value.field) == ("Signature après approbation", "signed_on")
    assert "2 janvier 2025" in exc.value.message
    with pytest.raises(DomainError) as exc:
        sign(legal_user, amendment, city, date(2025, 3, 1), today=date(2025, 2, 28))
    assert exc.value.field == "signed_on"
    assert not AmendmentSignature.objects.exists()


def test_only_an_avenant_out_for_signature_is_signed(legal_user, organization):
    convention = signed(legal_user, organization)
    city, _partner = convention.parties.order_by("position")
    draft = services.create_amendment(user=legal_user, convention=convention, title="Brouillon")
    with pytest.raises(TransitionNotAllowed) as exc:
        sign(legal_user, draft, city, date(2025, 1, 20))
    assert exc.value.rule == "Cycle de vie" and "« Brouillon »" in exc.value.message
    approved = avenant(legal_user, convention, send=False)
    with pytest.raises(TransitionNotAllowed):
        sign(legal_user, approved, city, date(2025, 1, 20))
    assert not AmendmentSignature.objects.exists()


def test_party_may_be_left_out_only_when_one_is_left_to_sign(legal_user, organization):
    convention = signed(legal_user, organization)
    city, partner = convention.parties.order_by("position")
    amendment = avenant(legal_user, convention)
    with pytest.raises(DomainError) as exc:
        services.sign_amendment(user=legal_user, amendment=amendment, signed_on=date(2025, 1, 20))
    assert exc.value.field == "party"
    sign(legal_user, amendment, city, date(2025, 1, 20))
    services.sign_amendment(user=legal_user, amendment=amendment, signed_on=date(2025, 1, 22), today=date(2025, 2, 1))
    amendment.refresh_from_db()
    assert (amendment.status, amendment.signed_on) == (AmendmentStatus.SIGNED, date(2025, 1, 22))
    assert amendment.signatures.get(party=partner).signed_on == date(2025, 1, 22)


def test_another_signatory_of_the_party_may_sign(legal_user, organization, make_member):
    convention = signed(legal_user, organization)
    city, partner = convention.parties.order_by("position")
    amendment = avenant(legal_user, convention)
    deputy = SignatoryFactory(person=PersonFactory(organization=organization), function="l'Adjointe", is_default=False)
    with pytest.raises(DomainError) as exc:
        sign(legal_user, amendment, partner, date(2025, 1, 20), signatory=deputy)
    assert exc.value.field == "signatory"
    sign(legal_user, amendment, city, date(2025, 1, 20), signatory=deputy)
    assert amendment.signatures.get().signatory == deputy
    viewer = make_member(organization, Role.VIEWER)
    with pytest.raises(PermissionDenied):
        sign(viewer, amendment, partner, date(2025, 1, 21))


def test_the_avenant_document_dates_each_partys_signature(legal_user, organization):
    convention = signed(legal_user, organization)
    city, partner = convention.parties.order_by("position")
    amendment = avenant(legal_user, convention)
    sign(legal_user, amendment, partner, date(2025, 1, 20))
    context = documents.amendment_context(amendment)
    assert [s["date"] for s in context["signatures"]] == [None, date(2025, 1, 20)]
    assert [p["signed_on"] for p in context["parties"]] == [None, date(2025, 1, 20)]


def test_avenants_signed_before_the_migration_get_one_signature_per_party(legal_user, organization):
    convention = signed(legal_user, organization)
    amendment = avenant(legal_user, convention)
    sign_by_every_party(legal_user, amendment, date(2025, 1, 20))
    AmendmentSignature.objects.all().delete()
    migration = importlib.import_module("conventions.migrations.0002_amendment_signatures")
    migration.record_past_signatures(apps, None)
    migration.record_past_signatures(apps, None)  # idempotent
    assert sorted(amendment.signatures.values_list("party__position", "signed_on")) == [
        (1, date(2025, 1, 20)),
        (2, date(2025, 1, 20)),
    ]


# --- Pages and API --------------------------------------------------------------------------


def test_amendment_page_lists_the_parties_and_records_the_next_signature(
    client_for, legal_user, organization, other_organization, make_member
):
    convention = signed(legal_user, organization)
    city, partner = convention.parties.order_by("position")
    amendment = avenant(legal_user, convention)
    url = f"/conventions/{convention.pk}/avenants/{amendment.number}/"
    client = client_for(legal_user)
    page = client.get(url).content.decode()
    assert "Signatures des parties" in page and "Enregistrer la signature d'une partie" in page
    assert page.count("à signer") == 2
    response = client.post(f"{url}sign/", {"party": partner.pk, "signed_on": "2025-01-20"}, follow=True)
    page = response.content.decode()
    assert "La signature de l&#39;avenant est enregistrée." in page
    assert "20 janvier 2025" in page and page.count("à signer") == 1
    response = client.post(f"{url}sign/", {"party": partner.pk, "signed_on": "2025-01-21"}, follow=True)
    assert "a déjà signé l&#39;avenant" in response.content.decode()
    viewer = client_for(make_member(organization, Role.VIEWER))
    assert "Enregistrer la signature" not in viewer.get(url).content.decode()
    assert viewer.post(f"{url}sign/", {"party": city.pk, "signed_on": "2025-01-21"}).status_code == 403
    stranger = client_for(make_member(other_organization, Role.LEGAL))
    assert stranger.post(f"{url}sign/", {"party": city.pk, "signed_on": "2025-01-21"}).status_code == 404
    response = client.post(f"{url}sign/", {"party": city.pk, "signed_on": "2025-01-21"}, follow=True)
    assert "L&#39;avenant est signé par toutes les parties" in response.content.decode()
    assert Convention.objects.get(pk=convention.pk).end_date == date(2028, 5, 1)


def test_amendment_signatures_through_the_api(api_for, legal_user, organization, other_organization, make_member):
    convention = signed(legal_user, organization)
    other = signed(legal_user, organization, title="Autre convention")
    city, partner = convention.parties.order_by("position")
    amendment = avenant(legal_user, convention)
    api = api_for(legal_user)
    response = api.post(f"/amendments/{amendment.pk}/sign", {"signed_on": "2025-01-20"})
    assert response.status_code == 400 and response.json()["field"] == "party"
    response = api.post(f"/amendments/{amendment.pk}/signatures", {"party_id": partner.pk, "signed_on": "2024-12-31"})
    assert response.status_code == 400
    assert (response.json()["rule"], response.json()["field"]) == ("Signature après approbation", "signed_on")
    response = api.post(f"/amendments/{amendment.pk}/signatures", {"party_id": partner.pk, "signed_on": "2025-01-20"})
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["status"], body["signed_on"]) == ("out_for_signature", None)
    assert [(s["party_id"], s["signed_on"]) for s in body["signatures"]] == [(partner.pk, "2025-01-20")]
    response = api.post(f"/amendments/{amendment.pk}/signatures", {"party_id": partner.pk, "signed_on": "2025-01-21"})
    assert response.status_code == 400
    assert (response.json()["rule"], response.json()["field"]) == (SIGNATURE_RULE, "party")
    foreign = other.parties.order_by("position").last()
    response = api.post(f"/amendments/{amendment.pk}/signatures", {"party_id": foreign.pk, "signed_on": "2025-01-21"})
    assert response.status_code == 400
    assert (response.json()["rule"], response.json()["field"]) == (SIGNATURE_RULE, "party_id")
    viewer = api_for(make_member(organization, Role.VIEWER))
    assert (
        viewer.post(
            f"/amendments/{amendment.pk}/signatures", {"party_id": city.pk, "signed_on": "2025-01-21"}
        ).status_code
        == 403
    )
    stranger = api_for(make_member(other_organization, Role.LEGAL))
    assert stranger.get(f"/amendments/{amendment.pk}").status_code == 404
    assert (
        stranger.post(
            f"/amendments/{amendment.pk}/signatures", {"party_id": city.pk, "signed_on": "2025-01-21"}
        ).status_code
        == 404
    )
    # With a single party left, the older "sign" step still works without naming it.
    response = api.post(f"/amendments/{amendment.pk}/sign", {"signed_on": "2025-01-22"})
    assert response.status_code == 200, response.json()
    body = api.get(f"/amendments/{amendment.pk}").json()
    assert (body["status"], body["signed_on"], body["effect_after"]["end_date"]) == (
        "signed",
        "2025-01-22",
        "2028-05-01",
    )
    assert [s["organization_name"] for s in body["signatures"]] == [city.organization.name, partner.organization.name]
    assert api.get(f"/conventions/{convention.pk}").json()["end_date"] == "2028-05-01"
