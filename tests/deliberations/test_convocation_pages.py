"""The Convocations card and the confirmation page: what a clerk sees and can do."""

from __future__ import annotations

import pytest

from core.roles import Role
from deliberations.models import ConvocationRecipient, ConvocationSending, RecipientState
from tests.deliberations.test_convocation_sending import council, planned_sitting, smtp  # noqa: F401
from tests.factories import member

pytestmark = pytest.mark.django_db


def test_the_confirmation_lists_the_members_on_paper_first(council, client_for):  # noqa: F811
    sitting = planned_sitting(council)
    page = client_for(council.clerk).get(f"/deliberations/seances/{sitting.pk}/convocations/envoyer/")
    html = page.content.decode()
    assert page.status_code == 200
    paper = html.index("Sur papier (2)")
    assert html.index("MEMBRE009", paper) < html.index("Par courriel (9)")
    assert "convocation sur papier demandée" in html and "aucune adresse électronique connue" in html
    assert "Envoyer la convocation à 11 membre(s)" in html


def test_the_sitting_page_shows_progress_and_proof_then_a_resend_and_a_bounce(
    council,  # noqa: F811
    smtp,  # noqa: F811
    client_for,
    django_capture_on_commit_callbacks,
):
    sitting = planned_sitting(council)
    client = client_for(council.clerk)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/deliberations/seances/{sitting.pk}/convocations/envoyer/", {"confirm": "1"})
    html = client.get(sitting.get_absolute_url()).content.decode()
    assert "La convocation part : 9 courriel(s) en cours d&#39;envoi, 2 sur papier." in html
    assert "9 / 9 courriels envoyés" in html and "2 sur papier" in html
    sending = ConvocationSending.objects.get(sitting=sitting)
    assert sending.document_sha256 in html
    assert "250 2.0.0 Ok: queued" in html and "elu004@testville.example" in html
    assert 'hx-trigger="every 3s"' not in html  # nothing waits: the card stops reloading
    row = ConvocationRecipient.objects.get(sending=sending, person=council.people[4])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/deliberations/seances/{sitting.pk}/convocations/action/renvoyer/", {"recipient": row.pk})
    assert len(smtp.recorder.to("elu004@testville.example")) == 2
    client.post(
        f"/deliberations/seances/{sitting.pk}/convocations/action/rebond/",
        {"recipient": row.pk, "reason": "550 Boîte inexistante"},
    )
    row.refresh_from_db()
    assert row.state == RecipientState.BOUNCED
    page = client.get(sitting.get_absolute_url()).content.decode()
    assert "Renvoi de la convocation à un membre" in page and "550 Boîte inexistante" in page


def test_a_reader_can_neither_send_nor_act(council, organization, client_for):  # noqa: F811
    sitting = planned_sitting(council)
    reader = client_for(member(organization, Role.VIEWER))
    assert reader.get(f"/deliberations/seances/{sitting.pk}/convocations/envoyer/").status_code == 403
    assert reader.post(f"/deliberations/seances/{sitting.pk}/convocations/envoyer/", {}).status_code == 403
    assert reader.post(f"/deliberations/seances/{sitting.pk}/convocations/action/etat/").status_code == 403
    assert not ConvocationSending.objects.exists()
    page = reader.get(sitting.get_absolute_url()).content.decode()
    assert "Envoyer la convocation" not in page


def test_unknown_recipient_is_refused_with_a_message(council, client_for):  # noqa: F811
    sitting = planned_sitting(council)
    answer = client_for(council.clerk).post(
        f"/deliberations/seances/{sitting.pk}/convocations/action/renvoyer/", {"recipient": "x"}, follow=True
    )
    assert "Choisissez un destinataire" in answer.content.decode()
    unknown = client_for(council.clerk).post(
        f"/deliberations/seances/{sitting.pk}/convocations/action/relancer/", {"sending": "999999"}, follow=True
    )
    assert unknown.status_code == 200 and "Choisissez un envoi de cette séance." in unknown.content.decode()


def test_a_member_asks_for_paper_from_the_assembly_page(council, client_for):  # noqa: F811
    from deliberations.models import Mandate

    client = client_for(council.clerk)
    mandate = Mandate.objects.get(person=council.people[3])
    answer = client.post(
        f"/deliberations/assemblees/{council.assembly.pk}/mandats/{mandate.pk}/papier/", {"prefers_paper": "1"}
    )
    assert answer.status_code == 302
    mandate.refresh_from_db()
    assert mandate.prefers_paper
    assert mandate.history.latest().history_change_reason == "Convocation sur papier demandée"
    page = client.get(f"/deliberations/assemblees/{council.assembly.pk}/").content.decode()
    assert "papier (demandé)" in page and "Convoquer par courriel" in page
    sitting = planned_sitting(council)
    confirm = client.get(f"/deliberations/seances/{sitting.pk}/convocations/envoyer/").content.decode()
    assert "Sur papier (3)" in confirm and "MEMBRE003" in confirm


def test_retry_now_sends_what_waits_after_a_temporary_failure(
    council,  # noqa: F811
    smtp,  # noqa: F811
    client_for,
    django_capture_on_commit_callbacks,
):
    smtp.recorder.later["elu002@testville.example"] = 1
    sitting = planned_sitting(council)
    client = client_for(council.clerk)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/deliberations/seances/{sitting.pk}/convocations/envoyer/", {"confirm": "1"})
    sending = ConvocationSending.objects.get(sitting=sitting)
    page = client.get(sitting.get_absolute_url()).content.decode()
    assert "8 / 9 courriels envoyés" in page and "1 en attente" in page and "451 4.3.0" in page
    assert 'hx-trigger="every 3s" hx-select="#convocations"' in page  # the card follows the progress
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(
            f"/deliberations/seances/{sitting.pk}/convocations/action/relancer/", {"sending": sending.pk}, follow=True
        )
    assert "1 courriel(s) renvoyé(s) au serveur." in answer.content.decode()
    row = ConvocationRecipient.objects.get(sending=sending, person=council.people[2])
    assert row.state == RecipientState.ACCEPTED and row.attempts == 2
    assert len(smtp.recorder.to("elu002@testville.example")) == 1
