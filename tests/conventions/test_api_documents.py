"""The documents of conventions produced through the API, read back; scoped and by role."""

from datetime import date, time

import pytest

from conventions import services
from conventions.models import Convention
from core.roles import Role
from documents.models import StoredDocument
from tests.conventions.helpers import draft, signed
from tests.readers import docx_text, pdf_text

pytestmark = pytest.mark.django_db


def _files(api, answer):
    """Each document of an answer by format, its file downloaded through its API address."""
    assert answer.status_code == 201, answer.json()
    files = {}
    for item in answer.json():
        download = api.get(item["download_url"].removeprefix("/api/v1"))
        assert download.status_code == 200
        files[(item["kind"], item["format"])] = b"".join(download.streaming_content)
    return files


def _flat(text):
    return " ".join(text.replace("\u202f", " ").replace("\u00a0", " ").split())


def test_convention_text_through_the_api(api_for, legal_user, organization):
    convention = signed(legal_user, organization, termination_mode="notice", termination_notice_value=2)
    api = api_for(legal_user)
    files = _files(api, api.post(f"/conventions/{convention.pk}/documents"))
    assert set(files) == {("convention", "pdf"), ("convention", "docx")}
    text = _flat(pdf_text(files[("convention", "pdf")]))
    assert "Application FLAG !" in text and "préavis de 2 mois" in text
    assert "jusqu'au 1er mai 2027 inclus" in docx_text(files[("convention", "docx")])
    stored = StoredDocument.objects.filter(kind="convention", owner_id=convention.pk)
    assert stored.count() == 2 and {d.created_by_id for d in stored} == {legal_user.pk}


def test_termination_letter_through_the_api(api_for, legal_user, organization):
    convention = signed(legal_user, organization, termination_mode="notice", termination_notice_value=2)
    api = api_for(legal_user)
    refused = api.post(f"/conventions/{convention.pk}/termination/letter")
    assert refused.status_code == 400
    assert refused.json()["rule"] == "Résiliation" and "dénoncée" in refused.json()["detail"]
    partner = convention.parties.order_by("position").last()
    services.give_notice(
        user=legal_user,
        convention=convention,
        given_by=partner,
        sent_on=date(2025, 1, 27),
        registered_letter_number="1A 234",
        received_on=date(2025, 1, 31),
        today=date(2025, 2, 1),
    )
    files = _files(api, api.post(f"/conventions/{convention.pk}/termination/letter"))
    text = _flat(pdf_text(files[("termination_letter", "pdf")]))
    assert "1A 234" in text and "31 mars 2025" in text  # 31 January + 2 months
    assert "31 mars 2025" in docx_text(files[("termination_letter", "docx")])


def test_amendment_text_through_the_api(api_for, legal_user, organization):
    convention = signed(legal_user, organization)
    amendment = services.create_amendment(
        user=legal_user, convention=convention, title="Prolongation", new_end_date=date(2028, 5, 1)
    )
    api = api_for(legal_user)
    files = _files(api, api.post(f"/amendments/{amendment.pk}/documents"))
    text = _flat(pdf_text(files[("amendment", "pdf")]))
    assert "Avenant n° 1" in text and "1er mai 2028" in text
    assert "1er mai 2028" in docx_text(files[("amendment", "docx")])


def test_meeting_convocation_and_minutes_through_the_api(api_for, legal_user, organization):
    convention = signed(legal_user, organization, has_committee=True)
    committee = services.create_committee(user=legal_user, name="Comité de suivi", convention=convention)
    member = services.add_member(user=legal_user, committee=committee, full_name="Claire HÉDON")
    meeting = services.plan_meeting(
        user=legal_user, committee=committee, meeting_date=date(2024, 5, 29), starts_at=time(10), agenda="Bilan"
    )
    api = api_for(legal_user)
    # Before its minutes are recorded, a meeting has its convocation only.
    first = _files(api, api.post(f"/meetings/{meeting.pk}/documents"))
    assert set(first) == {("committee_convocation", "pdf"), ("committee_convocation", "docx")}
    assert "29 mai 2024" in _flat(pdf_text(first[("committee_convocation", "pdf")]))
    services.convene_meeting(user=legal_user, meeting=meeting, sent_on=date(2024, 5, 2))
    services.record_meeting(
        user=legal_user, meeting=meeting, present_member_ids=[member.pk], minutes="Le bilan est positif."
    )
    files = _files(api, api.post(f"/meetings/{meeting.pk}/documents"))
    minutes = docx_text(files[("committee_minutes", "docx")])
    assert "Le bilan est positif." in minutes and "Claire HÉDON" in minutes
    assert "Le bilan est positif." in _flat(pdf_text(files[("committee_minutes", "pdf")]))


def _paths(convention: Convention, amendment, meeting) -> list[str]:
    return [
        f"/conventions/{convention.pk}/documents",
        f"/conventions/{convention.pk}/termination/letter",
        f"/amendments/{amendment.pk}/documents",
        f"/meetings/{meeting.pk}/documents",
    ]


@pytest.fixture
def objects(legal_user, organization):
    convention = signed(legal_user, organization, has_committee=True)
    amendment = services.create_amendment(user=legal_user, convention=convention, title="Prolongation")
    committee = services.create_committee(user=legal_user, name="Comité de suivi", convention=convention)
    meeting = services.plan_meeting(user=legal_user, committee=committee, meeting_date=date(2025, 3, 3))
    services.give_notice(
        user=legal_user,
        convention=convention,
        given_by=convention.parties.order_by("position").last(),
        sent_on=date(2025, 1, 27),
        registered_letter_number="1A 234",
        received_on=date(2025, 1, 31),
        today=date(2025, 2, 1),
    )
    return Convention.objects.get(pk=convention.pk), amendment, meeting


def test_another_organization_gets_404_and_nothing_is_produced(api_for, objects, other_organization, make_member):
    stranger = api_for(make_member(other_organization, Role.ADMINISTRATOR))
    for path in _paths(*objects):
        response = stranger.post(path)
        assert response.status_code == 404, path
        assert set(response.json()) >= {"detail", "rule", "field"}
    assert not StoredDocument.objects.exists()


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        (Role.VIEWER, False),
        (Role.MANAGER, True),
        (Role.CLERK, True),
        (Role.LEGAL, True),
        (Role.ADMINISTRATOR, True),
    ],
)
def test_only_roles_that_produce_documents_may(api_for, objects, organization, make_member, role, allowed):
    api = api_for(make_member(organization, role))
    for path in _paths(*objects):
        response = api.post(path)
        assert response.status_code == (201 if allowed else 403), (path, response.json())
    if not allowed:
        assert "produire les documents" in response.json()["detail"]
        assert not StoredDocument.objects.exists()


def test_a_draft_convention_too(api_for, legal_user, organization):
    """The page produces the text of a convention still being drafted: so does the API."""
    convention = draft(legal_user, organization, title="Locaux pour réunions")
    api = api_for(legal_user)
    files = _files(api, api.post(f"/conventions/{convention.pk}/documents"))
    assert "Locaux pour réunions" in _flat(pdf_text(files[("convention", "pdf")]))


def test_the_operations_are_documented_with_their_own_schema(client):
    schema = client.get("/api/v1/openapi.json").json()
    for path in (
        "/api/v1/conventions/{convention_id}/documents",
        "/api/v1/conventions/{convention_id}/termination/letter",
        "/api/v1/amendments/{amendment_id}/documents",
        "/api/v1/meetings/{meeting_id}/documents",
    ):
        created = schema["paths"][path]["post"]["responses"]["201"]["content"]["application/json"]["schema"]
        assert created["items"] == {"$ref": "#/components/schemas/ConventionDocumentOut"}
    assert "download_url" in schema["components"]["schemas"]["ConventionDocumentOut"]["properties"]
