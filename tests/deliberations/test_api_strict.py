"""Sittings and acts through the API: date-times carry their offset, years are years, nothing is guessed."""

import pytest

from deliberations.models import Deliberation, Sitting
from tests.core.test_api_strict import refused

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("starts_at", ["2024-03-26T18:00:00", "2024-03-26 18:00", 1.5, "1.5", 1711472400])
def test_a_sitting_time_without_its_offset_is_refused(starts_at, organization, council_factory, api_for):
    council = council_factory(organization, 3)
    api = api_for(council.clerk)
    body = refused(api.post("/sittings", {"assembly_id": council.assembly.pk, "starts_at": starts_at}), "starts_at")
    if isinstance(starts_at, str) and starts_at.startswith("2024"):
        assert "décalage" in body["detail"]
    assert not Sitting.objects.exists()


def test_a_sitting_time_with_its_offset_is_kept(organization, council_factory, api_for):
    council = council_factory(organization, 3)
    api = api_for(council.clerk)
    response = api.post("/sittings", {"assembly_id": council.assembly.pk, "starts_at": "2024-03-26T17:00:00Z"})
    assert response.status_code == 201, response.json()
    stored = Sitting.objects.get(pk=response.json()["id"]).starts_at
    assert stored.isoformat() == "2024-03-26T17:00:00+00:00"


@pytest.mark.parametrize("year", [10000, -1, 0])
def test_a_year_filter_outside_the_calendar_is_refused(year, organization, council_factory, api_for):
    council = council_factory(organization, 3)
    refused(api_for(council.clerk).get(f"/sittings?year={year}"), "year")
    refused(api_for(council.clerk).get(f"/deliberations?year={year}"), "year")


def test_a_deliberation_of_a_negative_year_is_refused(organization, council_factory, api_for):
    council = council_factory(organization, 3)
    api = api_for(council.clerk)
    refused(api.post("/deliberations", {"assembly_id": council.assembly.pk, "title": "T", "year": -5}), "year")
    assert not Deliberation.objects.exists()


def test_a_patch_cannot_blank_a_required_field(organization, council_factory, api_for):
    council = council_factory(organization, 3)
    api = api_for(council.clerk)
    sitting = api.post("/sittings", {"assembly_id": council.assembly.pk, "starts_at": "2024-03-26T18:00:00+01:00"})
    path = f"/sittings/{sitting.json()['id']}"
    refused(api.patch(path, {"place": None}), "place")
    refused(api.patch(path, {"starts_at": None}), "starts_at")
    refused(api.patch(path, {"starts_at": "2024-03-27T18:00:00"}), "starts_at")
    refused(api.patch(path, {"notes": "a\x00"}), "notes")
    assert api.patch(path, {"president_id": None}).status_code == 200


def test_assembly_names_and_wording_are_bounded_by_their_columns(organization, council_factory, api_for):
    council = council_factory(organization, 3)
    api = api_for(council.clerk)
    payload = {"organization_id": organization.pk, "kind": "municipal", "name": "Conseil"}
    refused(api.post("/assemblies", {**payload, "usual_place": "p" * 201}), "usual_place")
    refused(api.post("/assemblies", {**payload, "numbering_pattern": "{year}" * 11}), "numbering_pattern")
    refused(api.post("/assemblies", {**payload, "kind": "made-up"}), "kind")


def test_publishing_a_draft_on_no_sitting_is_refused_with_its_rule(organization, council_factory, api_for):
    council = council_factory(organization, 3)
    api = api_for(council.clerk)
    draft = api.post("/deliberations", {"assembly_id": council.assembly.pk, "title": "Projet", "year": 2024})
    assert draft.status_code == 201, draft.content
    answer = api.post(f"/deliberations/{draft.json()['id']}/publication", {"published_on": "2024-04-02"})
    assert 400 <= answer.status_code < 500
    assert "aucune séance" in answer.json()["detail"] and answer.json()["rule"]
    assert Deliberation.objects.get(pk=draft.json()["id"]).published_on is None
