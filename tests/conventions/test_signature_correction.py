"""One signature per party, a signature date corrected on purpose with its reason, and notices
only on a signed convention from its start: through the services, the page and the API."""

from datetime import date

import pytest
from django.urls import reverse

from conventions import services
from conventions.models import Convention, ConventionParty, ConventionStatus, TerminationMode
from core.errors import DomainError
from reminders.models import Deadline
from tests.conventions.helpers import approved, signed

pytestmark = pytest.mark.django_db


def deadlines_of(convention):
    return {
        d.key: d.due_date for d in Deadline.objects.filter(object_id=convention.pk, content_type__model="convention")
    }


def test_a_second_signature_is_refused_and_the_date_is_kept(legal_user, organization):
    convention = approved(legal_user, organization)
    services.send_for_signature(user=legal_user, convention=convention, sent_on=date(2024, 4, 15))
    city, partner = convention.parties.order_by("position")
    services.record_signature(
        user=legal_user, convention=convention, party=city, signed_on=date(2024, 4, 29), today=date(2024, 5, 2)
    )
    with pytest.raises(DomainError) as exc:
        services.record_signature(
            user=legal_user, convention=convention, party=city, signed_on=date(2024, 5, 1), today=date(2024, 5, 2)
        )
    assert exc.value.rule == "Signature unique de chaque partie"
    city.refresh_from_db()
    assert city.signed_on == date(2024, 4, 29)
    assert city.history.count() == 2  # created, signed: nothing of the refused signature


def test_a_signed_convention_is_not_signed_again(legal_user, organization):
    convention = signed(legal_user, organization)
    partner = convention.parties.order_by("position").last()
    with pytest.raises(DomainError):
        services.record_signature(
            user=legal_user, convention=convention, party=partner, signed_on=date(2024, 5, 3), today=date(2024, 5, 3)
        )
    convention.refresh_from_db()
    assert convention.signed_on == date(2024, 5, 2)


def test_correcting_the_last_signature_moves_start_end_evaluations_and_deadlines(legal_user, organization):
    convention = signed(legal_user, organization, annual_evaluation=True)
    assert convention.status == ConventionStatus.ACTIVE
    assert convention.effective_date == date(2024, 5, 2)
    assert convention.end_date == date(2027, 5, 1)
    partner = convention.parties.order_by("position").last()
    services.correct_signature_date(
        user=legal_user,
        convention=convention,
        party=partner,
        signed_on=date(2024, 5, 6),
        reason="Date lue sur l'exemplaire original",
        today=date(2024, 6, 1),
    )
    convention = Convention.objects.get(pk=convention.pk)
    assert convention.signed_on == date(2024, 5, 6)
    assert convention.effective_date == date(2024, 5, 6)
    assert convention.end_date == date(2027, 5, 5)
    assert [e.due_date for e in convention.evaluations.order_by("number")][0] == date(2025, 5, 5)
    assert "evaluation-1" in deadlines_of(convention)
    assert deadlines_of(convention)["evaluation-1"] == date(2025, 5, 5)
    party_record = ConventionParty.objects.get(pk=partner.pk).history.latest("history_date")
    assert "2 mai 2024 → 6 mai 2024" in party_record.history_change_reason
    assert "Date lue sur l'exemplaire original" in party_record.history_change_reason
    assert party_record.history_user == legal_user
    record = convention.history.latest("history_date")
    assert "Date lue sur l'exemplaire original" in record.history_change_reason
    assert "1er mai 2027 → 5 mai 2027" in record.history_change_reason


def test_a_correction_without_reason_or_before_sending_changes_nothing(legal_user, organization):
    convention = signed(legal_user, organization)
    partner = convention.parties.order_by("position").last()
    for day, reason, field in ((date(2024, 5, 6), "", "reason"), (date(2024, 4, 14), "Erreur", "signed_on")):
        with pytest.raises(DomainError) as exc:
            services.correct_signature_date(
                user=legal_user, convention=convention, party=partner, signed_on=day, reason=reason
            )
        assert exc.value.field == field
    partner.refresh_from_db()
    assert partner.signed_on == date(2024, 5, 2)
    assert Convention.objects.get(pk=convention.pk).end_date == date(2027, 5, 1)


def test_a_correction_that_would_put_the_notice_before_the_start_is_refused(legal_user, organization):
    convention = signed(legal_user, organization)
    city, partner = convention.parties.order_by("position")
    services.give_notice(
        user=legal_user,
        convention=convention,
        given_by=city,
        sent_on=date(2024, 6, 3),
        registered_letter_number="RA1",
        today=date(2024, 6, 5),
    )
    with pytest.raises(DomainError) as exc:
        services.correct_signature_date(
            user=legal_user,
            convention=convention,
            party=partner,
            signed_on=date(2024, 6, 4),
            reason="Erreur",
            today=date(2024, 6, 5),
        )
    assert exc.value.rule == "Dénonciation d'une convention signée, après sa prise d'effet"
    partner.refresh_from_db()
    assert partner.signed_on == date(2024, 5, 2)


def test_a_notice_before_the_signature_is_refused(legal_user, organization):
    convention = signed(legal_user, organization, termination_mode=TerminationMode.NOTICE, termination_notice_value=2)
    city = convention.parties.order_by("position").first()
    with pytest.raises(DomainError) as exc:
        services.give_notice(
            user=legal_user,
            convention=convention,
            given_by=city,
            sent_on=date(2024, 4, 30),
            received_on=date(2024, 5, 3),
            registered_letter_number="RA1",
            today=date(2024, 5, 6),
        )
    assert exc.value.field == "sent_on"
    convention.refresh_from_db()
    assert convention.status == ConventionStatus.ACTIVE
    assert not hasattr(Convention.objects.get(pk=convention.pk), "termination_notice_record")


def test_a_notice_before_a_later_fixed_start_is_refused(legal_user, organization):
    convention = signed(
        legal_user, organization, start_event="fixed_date", fixed_start_date=date(2024, 9, 1), today=date(2024, 5, 2)
    )
    assert convention.status == ConventionStatus.SIGNED
    city = convention.parties.order_by("position").first()
    with pytest.raises(DomainError) as exc:
        services.give_notice(
            user=legal_user,
            convention=convention,
            given_by=city,
            sent_on=date(2024, 6, 3),
            registered_letter_number="RA1",
            today=date(2024, 6, 5),
        )
    assert "1er septembre 2024" in exc.value.message


def test_a_receipt_before_the_start_is_refused(legal_user, organization):
    convention = signed(
        legal_user, organization, start_event="fixed_date", fixed_start_date=date(2024, 5, 10), today=date(2024, 5, 2)
    )
    city = convention.parties.order_by("position").first()
    notice = services.give_notice(
        user=legal_user,
        convention=convention,
        given_by=city,
        sent_on=date(2024, 5, 10),
        registered_letter_number="RA1",
        today=date(2024, 5, 12),
    )
    with pytest.raises(DomainError):
        services.record_notice_receipt(user=legal_user, notice=notice, received_on=date(2024, 5, 9))
    notice.refresh_from_db()
    assert notice.received_on is None


def test_the_page_and_the_api_refuse_and_correct_alike(legal_user, organization, client_for, api_for):
    convention = signed(legal_user, organization)
    partner = convention.parties.order_by("position").last()
    client = client_for(legal_user)
    page = client.get(reverse("conventions:detail", args=[convention.pk]))
    assert "Corriger une date de signature" in page.content.decode()
    answer = client.post(
        reverse("conventions:action", args=[convention.pk, "correct_signature"]),
        {"party": partner.pk, "signed_on": "2024-05-06", "reason": ""},
        follow=True,
    )
    assert "La date de signature est corrigée." not in answer.content.decode()
    partner.refresh_from_db()
    assert partner.signed_on == date(2024, 5, 2)
    api = api_for(legal_user)
    refused = api.post(f"/conventions/{convention.pk}/signatures", {"party_id": partner.pk, "signed_on": "2024-05-06"})
    assert refused.status_code == 400
    assert refused.json()["rule"] == "Signature unique de chaque partie"
    corrected = api.post(
        f"/conventions/{convention.pk}/signatures/{partner.pk}/correction",
        {"signed_on": "2024-05-06", "reason": "Erreur de saisie"},
    )
    assert corrected.status_code == 200, corrected.content
    body = corrected.json()
    assert body["effective_date"] == "2024-05-06"
    assert body["end_date"] == "2027-05-05"
    refused = api.post(
        f"/conventions/{convention.pk}/signatures/{partner.pk}/correction", {"signed_on": "2024-05-07", "reason": " "}
    )
    assert refused.status_code == 400
    assert refused.json()["field"] == "reason"
    answer = client.post(
        reverse("conventions:action", args=[convention.pk, "correct_signature"]),
        {"party": partner.pk, "signed_on": "2024-05-07", "reason": "Seconde lecture"},
        follow=True,
    )
    assert "La date de signature est corrigée." in answer.content.decode()
    assert Convention.objects.get(pk=convention.pk).end_date == date(2027, 5, 6)


def test_the_page_history_shows_the_reason(legal_user, organization, client_for):
    convention = signed(legal_user, organization)
    partner = convention.parties.order_by("position").last()
    services.correct_signature_date(
        user=legal_user, convention=convention, party=partner, signed_on=date(2024, 5, 3), reason="Tampon illisible"
    )
    page = client_for(legal_user).get(reverse("conventions:detail", args=[convention.pk])).content.decode()
    assert "Tampon illisible" in page
