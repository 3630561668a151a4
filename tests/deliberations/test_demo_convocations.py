"""The demo: the Montpellier sitting of 26 March 2024 shows its état des envois; the next
planned sitting is ready to send."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.management import call_command
from django.utils import timezone

from core.models import User
from deliberations.models import RecipientState, Sitting, SittingState
from deliberations.selectors.convocations import sendings_of
from documents.models import StoredDocument
from documents.services import read_document
from parties import demo as parties_demo
from tests.conftest import logged_client
from tests.readers import pdf_text

pytestmark = pytest.mark.django_db


def test_the_demo_sitting_has_its_proof_and_the_next_one_is_ready_to_send():
    call_command("load_demo", verbosity=0)
    montpellier = parties_demo.organization("montpellier")
    held = Sitting.objects.get(assembly__organization=montpellier, starts_at__date=date(2024, 3, 26))
    assert held.convocation_date == date(2024, 3, 20)
    (sending,) = sendings_of(held)
    assert sending.total == 65 and sending.accepted == 63 and sending.paper_count == 2
    assert timezone.localtime(sending.recipients.filter(state=RecipientState.ACCEPTED).first().sent_at).date() == date(
        2024, 3, 20
    )
    report = StoredDocument.objects.filter(kind="sending_report", owner_id=held.pk).latest("version")
    flat = "".join(pdf_text(read_document(report)).split())
    assert sending.document_sha256 in flat and "michael.delafosse@montpellier.example" in flat
    client = logged_client(User.objects.get(username="admin"))
    page = client.get(held.get_absolute_url()).content.decode()
    assert "63 / 63 courriels envoyés" in page and sending.document_sha256 in page

    # The next sitting convened by e-mail today, the one after ready to send.
    convened = Sitting.objects.get(
        assembly__organization=montpellier, state=SittingState.CONVENED, starts_at__gte=timezone.now()
    )
    assert convened.convocation_date == timezone.localdate()
    (fresh,) = sendings_of(convened)
    assert fresh.accepted == 63 and fresh.completed_at is not None
    coming = Sitting.objects.get(assembly__organization=montpellier, state=SittingState.PLANNED)
    assert coming.starts_at > convened.starts_at and coming.deliberations.count() == 2
    confirm = client.get(f"/deliberations/seances/{coming.pk}/convocations/envoyer/").content.decode()
    assert "Envoyer la convocation à 65 membre(s)" in confirm and "Sur papier (2)" in confirm
