"""After the sitting: signature, transmission, acknowledgement, publication, exécutoire; annexes; numbering under concurrency."""

import threading
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError, connection

from core.errors import DomainError, TransitionNotAllowed
from deliberations import services
from deliberations.models import Deliberation, DeliberationState, NumberingCounter, Sitting
from tests.factories import SignatoryFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def adopted(council, organization):
    organization.siren = "213401722"
    organization.departement_code = "034"
    organization.save()
    SignatoryFactory(person=council.people[0], organization=organization, function="Monsieur le Maire")
    sitting = council.sitting()
    item = council.item(sitting, title="Convention")
    council.attend(sitting, present=8)
    services.record_vote(
        user=council.clerk, deliberation=item, votes_for=8, votes_against=0, abstentions=0, not_voting=0
    )
    item.refresh_from_db()
    return council, item


def test_sign_transmit_acknowledge_publish_enforceable(adopted):
    council, item = adopted
    with pytest.raises(TransitionNotAllowed):
        services.publish(user=council.clerk, deliberation=item, published_on=date(2024, 4, 9))
    services.sign(user=council.clerk, deliberation=item, signed_on=date(2024, 4, 8))
    item.refresh_from_db()
    assert item.signatory.function == "Monsieur le Maire"
    with pytest.raises(DomainError, match="@CTES"):
        services.record_transmission(
            user=council.clerk, deliberation=item, sent_on=date(2024, 4, 8), nature="CC", internal_number="v2024-067"
        )
    with pytest.raises(DomainError, match="ne correspond pas") as error:
        services.record_transmission(
            user=council.clerk,
            deliberation=item,
            sent_on=date(2024, 4, 8),
            nature="CC",
            internal_number="262151",
            received_on=date(2024, 4, 8),
            acknowledgement_id="034-213401722-20240325-262151-CC-1-1",
        )
    assert "date 25/03/2024 au lieu de 26/03/2024" in error.value.message
    item.refresh_from_db()
    assert item.state == DeliberationState.SIGNED  # nothing half-saved
    services.record_transmission(
        user=council.clerk, deliberation=item, sent_on=date(2024, 4, 8), nature="CC", internal_number="262151"
    )
    services.record_acknowledgement(
        user=council.clerk,
        deliberation=item,
        received_on=date(2024, 4, 8),
        acknowledgement_id="034-213401722-20240326-262151-CC-1-1",
    )
    item.refresh_from_db()
    assert item.state == DeliberationState.TRANSMITTED and item.enforceable_on is None
    services.publish(user=council.clerk, deliberation=item, published_on=date(2024, 4, 9))
    item.refresh_from_db()
    assert item.state == DeliberationState.ENFORCEABLE and item.enforceable_on == date(2024, 4, 9)


def test_published_before_acknowledgement_becomes_enforceable_on_receipt(adopted):
    council, item = adopted
    services.sign(user=council.clerk, deliberation=item, signed_on=date(2024, 4, 8))
    services.publish(user=council.clerk, deliberation=item, published_on=date(2024, 4, 9))
    item.refresh_from_db()
    assert item.state == DeliberationState.PUBLISHED
    services.record_transmission(
        user=council.clerk, deliberation=item, sent_on=date(2024, 4, 10), received_on=date(2024, 4, 11)
    )
    item.refresh_from_db()
    assert item.state == DeliberationState.ENFORCEABLE and item.enforceable_on == date(2024, 4, 11)
    assert item.transmission.internal_number == item.number.replace("-", "_")


def test_act_without_transmission_is_enforceable_once_published(adopted):
    council, item = adopted
    Deliberation.objects.filter(pk=item.pk).update(requires_transmission=False)
    services.sign(user=council.clerk, deliberation=item, signed_on=date(2024, 4, 8))
    services.publish(user=council.clerk, deliberation=item, published_on=date(2024, 4, 9))
    item.refresh_from_db()
    assert item.state == DeliberationState.ENFORCEABLE


def test_text_is_frozen_after_the_vote(adopted):
    council, item = adopted
    with pytest.raises(DomainError, match="ne se modifie plus"):
        services.update_deliberation(user=council.clerk, deliberation=item, title="Autre")


def test_annexes_are_checked_by_content(adopted):
    council, item = adopted
    pdf = SimpleUploadedFile("Convention.pdf", b"%PDF-1.7\n" + b"x" * 100, content_type="application/pdf")
    annex = services.add_annex(user=council.clerk, deliberation=item, upload=pdf, title="Convention Ville - FLAG!")
    assert annex.content_type == "application/pdf" and annex.size == 109 and len(annex.sha256) == 64
    fake = SimpleUploadedFile("virus.pdf", b"MZ\x90\x00" + b"x" * 100, content_type="application/pdf")
    with pytest.raises(DomainError, match="n'est pas accepté"):
        services.add_annex(user=council.clerk, deliberation=item, upload=fake)
    assert item.annexes.count() == 1


def test_subject_code_is_checked(council):
    with pytest.raises(DomainError, match="7.5"):
        council.item(None, title="Subvention", subject_code="7,5")
    assert council.item(None, title="Subvention", subject_code="7.5").subject_code == "7.5"


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks are tested on PostgreSQL")
def test_concurrent_creations_get_distinct_consecutive_numbers(organization, council_factory):
    council = council_factory(organization, 3, pattern="v{year}-{seq:03}")
    errors: list[Exception] = []
    barrier = threading.Barrier(8)

    def create(n: int) -> None:
        try:
            barrier.wait()
            services.create_deliberation(user=council.clerk, assembly=council.assembly, title=f"Point {n}", year=2024)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=create, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    numbers = sorted(Deliberation.objects.filter(assembly=council.assembly).values_list("number", flat=True))
    assert numbers == [f"v2024-{n:03d}" for n in range(1, 9)]
    assert NumberingCounter.objects.get(rule__assembly=council.assembly, year=2024).last_value == 8


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks are tested on PostgreSQL")
def test_a_sitting_locked_for_a_vote_leaves_its_organization_and_assembly_free(organization, council_factory):
    """A vote locks its sitting's row only: another sitting's clerk, or a write that locks
    the organization, is not queued behind it."""
    from django.db import transaction

    from deliberations.models import Assembly
    from deliberations.services._common import lock_sitting
    from parties.models import Organization

    council = council_factory(organization, 3)
    sitting = council.sitting()
    locked = threading.Event()
    release = threading.Event()

    def hold() -> None:
        try:
            with transaction.atomic():
                lock_sitting(sitting)
                locked.set()
                release.wait(10)
        finally:
            connection.close()

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert locked.wait(10)
        with transaction.atomic():
            # NOWAIT raises at once if the row is locked by the other transaction.
            assert Organization.objects.select_for_update(nowait=True).get(pk=organization.pk)
            assert Assembly.objects.select_for_update(nowait=True).get(pk=council.assembly.pk)
        with pytest.raises(DatabaseError), transaction.atomic():
            Sitting.objects.select_for_update(nowait=True).get(pk=sitting.pk)
    finally:
        release.set()
        holder.join()
