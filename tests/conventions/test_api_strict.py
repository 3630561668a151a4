"""Conventions through the API: a value the pages would never send is refused, not stored nor guessed."""

import re

import pytest

from conventions.models import Convention
from tests.conventions.helpers import draft, partner_of
from tests.core.test_api_strict import refused, send

pytestmark = pytest.mark.django_db


def base(organization):
    return {"organization_id": organization.pk, "title": "Convention de partenariat"}


def test_an_unknown_field_is_refused_not_dropped(api_for, legal_user, organization):
    api = api_for(legal_user)
    body = refused(api.post("/conventions", {**base(organization), "end_date": "2030-01-01"}), "end_date")
    assert body["errors"][0]["type"] == "extra_forbidden"
    assert not Convention.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("renewal", "sometimes"),
        ("start_event", "whenever"),
        ("termination_mode", "never"),
        ("renewal_notice_unit", "fortnights"),
        ("kind", "made-up"),
    ],
)
def test_a_value_outside_the_choices_is_refused(field, value, api_for, legal_user, organization):
    api = api_for(legal_user)
    refused(api.post("/conventions", {**base(organization), field: value}), field)
    assert not Convention.objects.exists()


def test_numbers_beyond_their_column_are_refused(api_for, legal_user, organization):
    api = api_for(legal_user)
    refused(api.post("/conventions", {**base(organization), "duration_months": 70000}), "duration_months")
    for amount in ('"1e400"', "1e400", '"NaN"', '"Infinity"', "-1e400", '"1234567890123456789"'):
        text = f'{{"organization_id": {organization.pk}, "title": "T", "amount": {amount}}}'
        refused(send(api, "post", "/conventions", text), "amount")
    assert not Convention.objects.exists()
    # The list still answers: nothing unreadable was stored.
    assert api.get("/conventions").status_code == 200


def test_text_longer_than_its_column_is_refused(api_for, legal_user, organization):
    api = api_for(legal_user)
    refused(api.post("/conventions", {**base(organization), "service": "s" * 151}), "service")
    refused(api.post("/conventions", {**base(organization), "reference": "r" * 41}), "reference")
    refused(api.post("/conventions", {**base(organization), "perimeter_communes": ["a\x00"]}), "perimeter_communes.0")


def test_a_patch_cannot_blank_a_required_field(api_for, legal_user, organization):
    api = api_for(legal_user)
    convention = draft(legal_user, organization, partner_of(organization))
    refused(api.patch(f"/conventions/{convention.pk}", {"follower_ids": None}), "follower_ids")
    refused(api.patch(f"/conventions/{convention.pk}", {"duration_months": None}), "duration_months")
    refused(api.patch(f"/conventions/{convention.pk}", {"renewal": "sometimes"}), "renewal")
    assert api.patch(f"/conventions/{convention.pk}", {"amount": None}).status_code == 200


def test_meeting_times_are_local_and_answered_in_their_declared_format(api_for, legal_user, organization):
    api = api_for(legal_user)
    convention = draft(legal_user, organization, partner_of(organization))
    committee = api.post("/committees", {"name": "Comité de suivi", "convention_id": convention.pk}).json()["id"]
    path = f"/committees/{committee}/meetings"
    for starts_at in ("18:30Z", "18:30+02:00", 1.5, "1.5", "6 pm"):
        refused(api.post(path, {"date": "2024-05-29", "starts_at": starts_at}), "starts_at")
    response = api.post(path, {"date": "2024-05-29", "starts_at": "18:30"})
    assert response.status_code == 201, response.json()
    schema = api.client.get("/api/v1/openapi.json").json()["components"]["schemas"]["MeetingOut"]
    declared = schema["properties"]["starts_at"]["anyOf"][0]
    assert "format" not in declared and re.match(declared["pattern"], response.json()["starts_at"])
    assert response.json()["starts_at"].startswith("18:30")
