"""The API of convocations: send, read the proof back, re-send, bounce, errors as 4xx."""

from __future__ import annotations

import pytest

from deliberations.models import ConvocationSending
from tests.conftest import ApiClient
from tests.deliberations.test_convocation_sending import council, planned_sitting, smtp  # noqa: F401

pytestmark = pytest.mark.django_db


def test_send_then_read_the_proof_back(council, smtp, django_capture_on_commit_callbacks):  # noqa: F811
    sitting = planned_sitting(council)
    api = ApiClient(council.clerk)
    url = f"/sittings/{sitting.pk}/convocation-sendings"
    with django_capture_on_commit_callbacks(execute=True):
        created = api.post(url, {"kind": "convocation"})
    assert created.status_code == 201, created.content
    assert created.json()["kind"] == "convocation" and len(created.json()["recipients"]) == 11
    (sending,) = api.get(url).json()
    assert sending["accepted"] == 9 and sending["paper_count"] == 2 and sending["pending"] == 0
    assert sending["document_sha256"] == ConvocationSending.objects.get().document_sha256
    rows = {r["address"]: r for r in sending["recipients"]}
    assert rows["elu001@testville.example"]["smtp_response"].startswith("250")
    assert rows["elu001@testville.example"]["sent_at"]
    again = api.post(url, {"kind": "convocation"})
    assert again.status_code == 400
    assert "déjà été envoyée" in again.json()["detail"] and again.json()["rule"].startswith("CGCT L2121-10")
    recipient = rows["elu002@testville.example"]["id"]
    bounced = api.post(
        f"/sittings/{sitting.pk}/convocation-recipients/{recipient}/bounce",
        {"bounce_reason": "550 Boîte pleine"},
        content_type="application/json",
    )
    assert bounced.status_code == 200 and bounced.json()["state"] == "bounced"
    with django_capture_on_commit_callbacks(execute=True):
        resent = api.post(f"/sittings/{sitting.pk}/convocation-recipients/{recipient}/resend")
    assert resent.status_code == 201 and resent.json()["recipients"][0]["address"] == "elu002@testville.example"
    assert len(smtp.recorder.to("elu002@testville.example")) == 2


def test_a_notice_needs_its_message_and_a_reader_cannot_send(council, viewer_user):  # noqa: F811
    sitting = planned_sitting(council)
    url = f"/sittings/{sitting.pk}/convocation-sendings"
    answer = ApiClient(council.clerk).post(url, {"kind": "cancellation"})
    assert answer.status_code == 400 and answer.json()["field"] == "message"
    assert ApiClient(viewer_user).post(url, {"kind": "convocation"}).status_code == 403
    assert not ConvocationSending.objects.exists()
