"""The API: same rules and messages as the pages, scoped, with pinned query counts."""

import pytest

from conventions import services
from conventions.models import Convention, ConventionStatus
from core.roles import Role
from tests.conventions.helpers import adopted_deliberation, copies_of, draft, partner_of, signatory_for, signed

pytestmark = pytest.mark.django_db


def test_draft_to_active_through_the_api(api_for, legal_user, organization):
    api = api_for(legal_user)
    signatory_for(organization)
    partner = partner_of(organization)
    response = api.post(
        "/conventions",
        {
            "organization_id": organization.pk,
            "title": "Application FLAG !",
            "kind": "backoffice",
            "duration_months": 36,
            "perimeter_postal_codes": ["34 000", "34070", "34080", "34090"],
            "perimeter_urls": ["https://signalement.flagasso.com/reporting/partner/montpellier"],
        },
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["perimeter_postal_codes"] == ["34000", "34070", "34080", "34090"]
    pk = body["id"]
    assert api.post(f"/conventions/{pk}/transitions/submit", {}).status_code == 400  # one party only
    response = api.post(f"/conventions/{pk}/parties", {"organization_id": partner.pk, "designation": "l'association"})
    assert response.status_code == 201
    assert api.post(f"/conventions/{pk}/transitions/submit", {}).json()["status"] == "legal_review"
    deliberation = adopted_deliberation(organization)
    response = api.post(f"/conventions/{pk}/transitions/approve", {"deliberation_ids": [deliberation.pk]})
    assert response.json()["approving_deliberation_ids"] == [deliberation.pk]
    api.post(f"/conventions/{pk}/transitions/send_for_signature", {"sent_on": "2024-04-15"})
    parties = api.get(f"/conventions/{pk}").json()["parties"]
    for party in parties:
        response = api.post(f"/conventions/{pk}/signatures", {"party_id": party["id"], "signed_on": "2024-05-02"})
    body = response.json()
    assert (body["status"], body["effective_date"], body["end_date"]) == ("active", "2024-05-02", "2027-05-01")


def test_rules_give_clear_4xx(api_for, legal_user, organization):
    api = api_for(legal_user)
    response = api.post(
        "/conventions",
        {"organization_id": organization.pk, "title": "X", "perimeter_postal_codes": ["3400"]},
    )
    assert response.status_code == 400
    assert response.json()["field"] == "perimeter_postal_codes"
    assert "3400" in response.json()["detail"]
    convention = draft(legal_user, organization)
    response = api.post(f"/conventions/{convention.pk}/transitions/suspend", {"reason": "x"})
    assert response.status_code == 409
    assert "Brouillon" in response.json()["detail"]
    assert response.json()["rule"] == "Cycle de vie"
    assert Convention.objects.get(pk=convention.pk).status == ConventionStatus.DRAFT


def test_other_organizations_get_404_and_roles_403(api_for, legal_user, organization, other_organization, make_member):
    convention = draft(legal_user, organization)
    stranger = api_for(make_member(other_organization, Role.LEGAL))
    assert stranger.get(f"/conventions/{convention.pk}").status_code == 404
    assert stranger.post(f"/conventions/{convention.pk}/transitions/submit", {}).status_code == 404
    assert stranger.get("/conventions").json()["count"] == 0
    viewer = api_for(make_member(organization, Role.VIEWER))
    assert viewer.get(f"/conventions/{convention.pk}").status_code == 200
    assert viewer.post(f"/conventions/{convention.pk}/transitions/submit", {}).status_code == 403


def test_notice_avenant_and_committee_through_the_api(api_for, legal_user, organization):
    convention = signed(
        legal_user, organization, termination_mode="notice", termination_notice_value=2, has_committee=True
    )
    api = api_for(legal_user)
    response = api.post(
        f"/conventions/{convention.pk}/amendments", {"title": "Prolongation", "new_end_date": "2028-05-01"}
    )
    assert response.status_code == 201 and response.json()["number"] == 1
    amendment_id = response.json()["id"]
    api.post(f"/amendments/{amendment_id}/approve", {"delegated_reference": "DEC-9", "delegated_date": "2025-01-02"})
    api.post(f"/amendments/{amendment_id}/send_for_signature", {})
    for party in api.get(f"/conventions/{convention.pk}").json()["parties"]:
        response = api.post(
            f"/amendments/{amendment_id}/signatures", {"party_id": party["id"], "signed_on": "2025-01-10"}
        )
    assert response.json()["effect_after"]["end_date"] == "2028-05-01"
    assert api.get(f"/conventions/{convention.pk}").json()["end_date"] == "2028-05-01"
    response = api.post("/committees", {"name": "Comité de suivi", "convention_id": convention.pk})
    committee_id = response.json()["id"]
    response = api.post(f"/committees/{committee_id}/meetings", {"date": "2024-05-29", "agenda": "Bilan"})
    body = response.json()
    assert body["convocation_deadline"] == "2024-05-02"
    response = api.post(f"/meetings/{body['id']}/convocation", {"sent_on": "2024-05-06"})
    assert response.status_code == 400 and "2 mai 2024" in response.json()["detail"]
    partner = api.get(f"/conventions/{convention.pk}").json()["parties"][1]
    response = api.post(
        f"/conventions/{convention.pk}/termination",
        {
            "given_by_party_id": partner["id"],
            "sent_on": "2025-10-28",
            "registered_letter_number": "1A1",
            "received_on": "2025-10-31",
        },
    )
    assert response.status_code == 201
    assert response.json()["effective_date"] == "2025-12-31"


@pytest.mark.parametrize("rows", [10, 1000])
def test_query_counts_do_not_grow_with_the_data(
    api_for, client_for, legal_user, organization, rows, django_assert_num_queries, django_assert_max_num_queries
):
    partner = partner_of(organization)
    signatory_for(organization)
    programme = services.create_programme(user=legal_user, organization=organization, name="Plan vélo")
    first = None
    for n in range(10):
        convention = draft(legal_user, organization, partner=partner, title=f"Convention {n}", programme=programme)
        first = first or convention
    copies_of(first, rows - 10)
    api = api_for(legal_user)
    api.get("/programmes")  # the token's first use is recorded once, not counted below
    # The token, roles, count, rows, their parties, the partners' names: the same six for a
    # page of ten conventions as for the second page of a thousand.
    with django_assert_num_queries(6):
        response = api.get("/conventions?page=2" if rows > 50 else "/conventions")
    assert response.status_code == 200
    assert response.json()["items"][0]["partners"] == [partner.name]
    # A search pages its matches the same way.
    with django_assert_num_queries(6):
        response = api.get("/conventions?q=convention")
    assert response.json()["count"] == rows
    assert all(item["partners"] == [partner.name] for item in response.json()["items"])
    with django_assert_max_num_queries(10):
        assert api.get(f"/conventions/{first.pk}").status_code == 200
    # The programmes (each with its coordinator and convention count); then one with its
    # conventions, their parties, open evaluations and obligations, what it has spent, its budgets.
    with django_assert_num_queries(4):
        assert api.get("/programmes").json()["items"][0]["name"] == "Plan vélo"
    with django_assert_num_queries(9):
        summary = api.get(f"/programmes/{programme.pk}").json()
    assert len(summary["conventions"]) == rows
    assert {tuple(c["partners"]) for c in summary["conventions"]} == {(partner.name,)}


def test_patch_changes_only_what_is_sent(api_for, legal_user, organization):
    convention = draft(legal_user, organization, title="Avant")
    manager_id = convention.manager_id
    api = api_for(legal_user)
    response = api.patch(f"/conventions/{convention.pk}", {"title": "Après"})
    assert response.status_code == 200, response.json()
    convention.refresh_from_db()
    assert (convention.title, convention.manager_id) == ("Après", manager_id)
    assert api.patch(f"/conventions/{convention.pk}", {"manager_id": None}).status_code == 200
    convention.refresh_from_db()
    assert (convention.title, convention.manager_id) == ("Après", None)
