"""Sending the convocation through a real SMTP server on loopback (aiosmtpd): what each
member receives, a refusal, a retry, a double click, two workers, the proof read back."""

from __future__ import annotations

import hashlib
import os
import threading
from datetime import datetime, time, timedelta
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from core.errors import DomainError
from deliberations import services
from deliberations.models import (
    ConvocationRecipient,
    ConvocationSending,
    Mandate,
    RecipientState,
    SittingState,
)
from deliberations.services import convocations as sending
from documents.models import StoredDocument
from documents.services import read_document
from tests.deliberations.conftest import PARIS, make_council
from tests.deliberations.smtp_server import LoopbackSMTP
from tests.readers import pdf_text


def in_days(days: int, hour: int = 18) -> datetime:
    return datetime.combine(timezone.localdate() + timedelta(days=days), time(hour), tzinfo=PARIS)


@pytest.fixture
def smtp(settings: Any) -> Any:
    with LoopbackSMTP() as server:
        settings.MAILERS = server.mailer
        yield server


def council_with_addresses(organization: Any, size: int = 11) -> Any:
    council = make_council(organization, size)
    for index, person in enumerate(council.people):
        person.email = f"elu{index:03d}@testville.example"
        person.save()
    return council


@pytest.fixture
def council(organization: Any) -> Any:
    council = council_with_addresses(organization)
    # Two members convened on paper: one asked for it, one has no address.
    Mandate.objects.filter(person=council.people[9]).update(prefers_paper=True)
    council.people[10].email = ""
    council.people[10].save()
    return council


def planned_sitting(council: Any, days: int = 10) -> Any:
    sitting = council.sitting(in_days(days), convened_on=None)
    council.item(sitting, title="Renouvellement de la convention FLAG")
    return sitting


@pytest.mark.django_db
def test_each_member_receives_the_convocation_by_email_or_on_paper(council, smtp, django_capture_on_commit_callbacks):
    sitting = planned_sitting(council)
    with django_capture_on_commit_callbacks(execute=True):
        done = sending.send_convocation(user=council.clerk, sitting=sitting)

    sitting.refresh_from_db()
    assert sitting.state == SittingState.CONVENED
    assert sitting.convocation_date == timezone.localdate()
    received = smtp.recorder.received
    assert sorted(r.recipients[0] for r in received) == [f"elu{n:03d}@testville.example" for n in range(9)]
    first = smtp.recorder.to("elu001@testville.example")[0]
    assert first.message["Subject"].startswith(f"Convocation — Conseil {council.assembly.organization_id} du ")
    assert "J'ai l'honneur de vous convoquer" in first.text
    access_url = [line for line in first.text.splitlines() if line.startswith("http")]
    assert access_url and "/" in access_url[0]
    ((filename, pdf),) = first.attachments
    assert filename.endswith(".pdf")
    text = " ".join(pdf_text(pdf).split())
    assert "Convocation" in text and "Renouvellement de la convention FLAG" in text
    # The proof: the document sent is the one kept, by its hash; each copy accepted once.
    done.refresh_from_db()
    assert done.document_sha256 == hashlib.sha256(pdf).hexdigest() == done.document.sha256
    rows = {r.person_id: r for r in ConvocationRecipient.objects.filter(sending=done)}
    assert len(rows) == 11
    accepted = [r for r in rows.values() if r.state == RecipientState.ACCEPTED]
    assert len(accepted) == 9
    assert all(r.smtp_response.startswith("250 ") and r.sent_at and r.attempts == 1 for r in accepted)
    assert rows[council.people[9].pk].state == rows[council.people[10].pk].state == RecipientState.PAPER
    # The paper members' letters, in one PDF to print.
    letters = " ".join(pdf_text(read_document(done.paper_document)).split())
    assert council.people[9].last_name.upper() in letters and council.people[10].last_name.upper() in letters
    assert "convocation sur papier demandée" in letters and "aucune adresse électronique" in letters
    # The état des envois, kept with the sitting, prints the hash of what was sent.
    report = StoredDocument.objects.get(kind="sending_report", owner_id=sitting.pk)
    report_text = "".join(pdf_text(read_document(report)).split())
    assert "Étatdesenvois" in report_text
    assert done.document_sha256 in report_text
    assert "elu001@testville.example" in report_text and "250" in report_text
    done.refresh_from_db()
    assert done.completed_at is not None


@pytest.mark.django_db
def test_a_refused_address_is_recorded_and_the_others_still_go(council, smtp, django_capture_on_commit_callbacks):
    smtp.recorder.refuse.add("elu003@testville.example")
    sitting = planned_sitting(council)
    with django_capture_on_commit_callbacks(execute=True):
        done = sending.send_convocation(user=council.clerk, sitting=sitting)
    refused = ConvocationRecipient.objects.get(sending=done, person=council.people[3])
    assert refused.state == RecipientState.REFUSED
    assert refused.smtp_response.startswith("550 5.1.1")
    assert smtp.recorder.to("elu003@testville.example") == []
    assert len(smtp.recorder.received) == 8
    # Re-sent to that member once the address is corrected: a new sending with its own proof.
    council.people[3].email = "elu003.bis@testville.example"
    council.people[3].save()
    with django_capture_on_commit_callbacks(execute=True):
        again = sending.resend(user=council.clerk, recipient=refused)
    (row,) = again.recipients.all()
    assert row.state == RecipientState.ACCEPTED and row.address == "elu003.bis@testville.example"
    assert again.document_sha256 == done.document_sha256
    ((_name, pdf),) = smtp.recorder.to("elu003.bis@testville.example")[0].attachments
    assert hashlib.sha256(pdf).hexdigest() == done.document_sha256


@pytest.mark.django_db
def test_a_temporary_failure_is_tried_again_and_sent_once(council, smtp, django_capture_on_commit_callbacks):
    smtp.recorder.later["elu002@testville.example"] = 1
    sitting = planned_sitting(council)
    with django_capture_on_commit_callbacks(execute=True):
        done = sending.send_convocation(user=council.clerk, sitting=sitting)
    row = ConvocationRecipient.objects.get(sending=done, person=council.people[2])
    assert row.state == RecipientState.QUEUED and row.attempts == 1
    assert row.error.startswith("451 4.3.0") and row.next_attempt_at is not None
    assert done.completed_at is None
    # Too early: nothing happens; once the delay has passed, it goes.
    assert sending.deliver(sending_id=done.pk).accepted == 0
    result = sending.deliver(sending_id=done.pk, now=row.next_attempt_at + timedelta(seconds=1))
    assert result.accepted == 1
    row.refresh_from_db()
    assert row.state == RecipientState.ACCEPTED and row.attempts == 2 and row.smtp_response.startswith("250")
    assert len(smtp.recorder.to("elu002@testville.example")) == 1
    done.refresh_from_db()
    assert done.completed_at is not None


@pytest.mark.django_db
def test_a_double_click_sends_nothing_twice(council, smtp, client_for, django_capture_on_commit_callbacks):
    sitting = planned_sitting(council)
    client = client_for(council.clerk)
    url = f"/deliberations/seances/{sitting.pk}/convocations/envoyer/"
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(url, {"confirm": "1"})
        second = client.post(url, {"confirm": "1"}, follow=True)
    assert first.status_code == 302
    assert "déjà été envoyée" in second.content.decode()
    assert ConvocationSending.objects.filter(sitting=sitting).count() == 1
    assert len(smtp.recorder.received) == 9
    with pytest.raises(DomainError, match="déjà été envoyée"):
        sending.send_convocation(user=council.clerk, sitting=sitting)


@pytest.mark.django_db(transaction=True)
def test_two_workers_send_each_member_once(organization, smtp, settings):
    # The sending is only enqueued (no worker runs it): two workers then take it at once.
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    council = council_with_addresses(organization, 30)
    sitting = planned_sitting(council)
    done = sending.send_convocation(user=council.clerk, sitting=sitting)
    results: list[Any] = []
    errors: list[BaseException] = []
    start = threading.Barrier(2)

    def worker() -> None:
        try:
            start.wait()
            results.append(sending.deliver(sending_id=done.pk))
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors
    addresses = sorted(r.recipients[0] for r in smtp.recorder.received)
    assert addresses == sorted(set(addresses)) and len(addresses) == 30
    assert sum(r.accepted for r in results) == 30
    assert ConvocationRecipient.objects.filter(sending=done, state=RecipientState.ACCEPTED, attempts=1).count() == 30


@pytest.mark.django_db
def test_a_late_sending_is_refused_naming_the_rule_unless_urgency(council, smtp, django_capture_on_commit_callbacks):
    sitting = planned_sitting(council, days=3)
    with pytest.raises(DomainError) as error:
        sending.send_convocation(user=council.clerk, sitting=sitting)
    assert "L2121-12" in error.value.rule and "jour(s) franc(s)" in error.value.message
    assert not ConvocationSending.objects.exists() and smtp.recorder.received == []
    sitting.refresh_from_db()
    assert sitting.state == SittingState.PLANNED
    with django_capture_on_commit_callbacks(execute=True):
        done = sending.send_convocation(
            user=council.clerk, sitting=sitting, urgency=True, urgency_reason="Sinistre sur la voirie"
        )
    assert done.urgency and len(smtp.recorder.received) == 9
    assert "Sinistre sur la voirie" in smtp.recorder.received[0].text


@pytest.mark.django_db
def test_notices_reach_everyone_with_their_own_proof(council, smtp, django_capture_on_commit_callbacks):
    sitting = planned_sitting(council)
    with django_capture_on_commit_callbacks(execute=True):
        sending.send_convocation(user=council.clerk, sitting=sitting)
        council.item(sitting, title="Tarifs de la piscine")
        additive = sending.send_notice(
            user=council.clerk, sitting=sitting, kind="additive", message="Point ajouté : tarifs de la piscine."
        )
    assert len(smtp.recorder.received) == 18
    notice = smtp.recorder.to("elu004@testville.example")[1]
    assert notice.message["Subject"].startswith("Additif à l'ordre du jour")
    ((_name, pdf),) = notice.attachments
    assert "Tarifs de la piscine" in " ".join(pdf_text(pdf).split())
    assert additive.document_sha256 == hashlib.sha256(pdf).hexdigest()
    with pytest.raises(DomainError, match="ne part pas deux fois"):
        sending.send_notice(
            user=council.clerk, sitting=sitting, kind="additive", message="Point ajouté : tarifs de la piscine."
        )
    with django_capture_on_commit_callbacks(execute=True):
        sending.send_notice(user=council.clerk, sitting=sitting, kind="cancellation", message="Séance annulée.")
    cancelled = smtp.recorder.to("elu004@testville.example")[2]
    assert cancelled.message["Subject"].startswith("Annulation de la séance")
    assert "est annulée" in cancelled.text


@pytest.mark.django_db
def test_a_bounce_is_recorded_on_an_accepted_email_only(council, smtp, django_capture_on_commit_callbacks):
    sitting = planned_sitting(council)
    with django_capture_on_commit_callbacks(execute=True):
        done = sending.send_convocation(user=council.clerk, sitting=sitting)
    row = ConvocationRecipient.objects.get(sending=done, person=council.people[5])
    sending.mark_bounced(user=council.clerk, recipient=row, reason="550 5.2.2 Boîte pleine")
    row.refresh_from_db()
    assert row.state == RecipientState.BOUNCED and row.bounced_at and row.bounce_reason.startswith("550 5.2.2")
    paper = ConvocationRecipient.objects.get(sending=done, person=council.people[9])
    with pytest.raises(DomainError, match="RFC"):
        sending.mark_bounced(user=council.clerk, recipient=paper, reason="?")


@pytest.mark.django_db
def test_sixty_five_members_through_smtp(organization, smtp, django_capture_on_commit_callbacks):
    council = council_with_addresses(organization, 65)
    sitting = planned_sitting(council)
    with django_capture_on_commit_callbacks(execute=True):
        done = sending.send_convocation(user=council.clerk, sitting=sitting)
    assert len({r.recipients[0] for r in smtp.recorder.received}) == 65 == len(smtp.recorder.received)
    assert done.recipients.filter(state=RecipientState.ACCEPTED).count() == 65
    sitting.refresh_from_db()
    assert sitting.convocation_date == timezone.localdate()
    assert services is not None


@pytest.mark.django_db
def test_the_member_page_opened_from_the_email_is_in_the_proof(council, smtp, django_capture_on_commit_callbacks):
    from urllib.parse import urlsplit

    from django.test import Client

    from deliberations.selectors.convocations import sendings_of

    sitting = planned_sitting(council)
    with django_capture_on_commit_callbacks(execute=True):
        sending.send_convocation(user=council.clerk, sitting=sitting)
    email = smtp.recorder.to("elu006@testville.example")[0]
    (link,) = [line for line in email.text.splitlines() if line.startswith("http")]
    page = Client().get(urlsplit(link).path)
    assert page.status_code == 200
    assert "Renouvellement de la convention FLAG" in page.content.decode()
    (done,) = sendings_of(sitting)
    opened = {r.person_id: r.first_opened_at for r in done.recipients.all()}
    assert opened[council.people[6].pk] is not None
    assert opened[council.people[5].pk] is None
    report = sending.make_report(user=council.clerk, sitting=sitting)
    flat = "".join(pdf_text(read_document(report)).split())
    seen = timezone.localtime(opened[council.people[6].pk])
    assert "Premièreconsultation" in flat and f"à{seen:%H:%M:%S}" in flat


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="two requests at once need row locks: run with DATABASE_URL=postgres://…",
)
def test_two_clicks_at_once_make_one_sending(organization, smtp, settings):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    council = council_with_addresses(organization, 12)
    sitting = planned_sitting(council)
    outcomes: list[str] = []
    start = threading.Barrier(2)

    def click() -> None:
        try:
            start.wait()
            sending.send_convocation(user=council.clerk, sitting=sitting)
            outcomes.append("sent")
        except DomainError as refusal:
            outcomes.append(refusal.message)
        finally:
            connection.close()

    threads = [threading.Thread(target=click) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(outcomes)[-1] == "sent" and len(outcomes) == 2
    assert "déjà été envoyée" in sorted(outcomes)[0]
    assert ConvocationSending.objects.filter(sitting=sitting).count() == 1
    assert ConvocationRecipient.objects.filter(sending__sitting=sitting).count() == 12
