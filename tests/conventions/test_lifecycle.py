"""A convention from draft to its end, through the services (FLAG !, Défenseur des droits)."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.http import Http404

from conventions import services
from conventions.models import Convention, ConventionStatus, TerminationMode
from core.errors import DomainError, TransitionNotAllowed
from core.roles import Role
from deliberations.models import DeliberationState
from reminders.models import Deadline
from tests.conventions.helpers import adopted_deliberation, approved, draft, signed

pytestmark = pytest.mark.django_db


def deadlines_of(convention):
    return {
        d.key: d.due_date for d in Deadline.objects.filter(object_id=convention.pk, content_type__model="convention")
    }


def test_flag_draft_to_active_with_the_last_signature(legal_user, organization):
    convention = draft(legal_user, organization, termination_mode=TerminationMode.ANY_TIME)
    assert convention.status == ConventionStatus.DRAFT
    assert convention.reference == "CONV-2024-001"
    services.submit_for_review(user=legal_user, convention=convention)
    deliberation = adopted_deliberation(organization)
    services.approve_convention(user=legal_user, convention=convention, deliberations=[deliberation])
    convention.refresh_from_db()
    assert convention.status == ConventionStatus.APPROVED
    assert convention.approved_on == date(2024, 3, 26)
    assert list(deliberation.approved_conventions.all()) == [convention]
    services.send_for_signature(user=legal_user, convention=convention, sent_on=date(2024, 4, 10))
    city, association = convention.parties.order_by("position")
    services.record_signature(
        user=legal_user, convention=convention, party=association, signed_on=date(2024, 4, 29), today=date(2024, 5, 2)
    )
    convention.refresh_from_db()
    assert convention.status == ConventionStatus.OUT_FOR_SIGNATURE
    assert convention.effective_date is None
    services.record_signature(
        user=legal_user, convention=convention, party=city, signed_on=date(2024, 5, 2), today=date(2024, 5, 2)
    )
    convention.refresh_from_db()
    assert convention.status == ConventionStatus.ACTIVE
    assert convention.signed_on == date(2024, 5, 2)
    assert convention.effective_date == date(2024, 5, 2)
    assert convention.end_date == date(2027, 5, 1)
    reasons = [h.history_change_reason for h in convention.history.order_by("history_date", "history_id")]
    assert "Approuvée par la délibération V2024-067" in reasons
    assert any(r and r.startswith("Signée par toutes les parties") for r in reasons)
    assert convention.history.filter(history_user=legal_user).exists()
    assert deadlines_of(convention)["end"] == date(2027, 5, 1)
    # Renewal decision: end minus the organization's lead (4 months by default).
    assert deadlines_of(convention)["renewal-decision"] == date(2027, 1, 1)


def test_signature_recorded_late_waits_for_a_fixed_start(legal_user, organization):
    convention = signed(
        legal_user, organization, start_event="fixed_date", fixed_start_date=date(2024, 7, 1), duration_months=12
    )
    assert convention.status == ConventionStatus.SIGNED
    assert convention.end_date == date(2025, 6, 30)
    call_command("apply_convention_dates", "--date", "2024-06-30")
    convention.refresh_from_db()
    assert convention.status == ConventionStatus.SIGNED
    call_command("apply_convention_dates", "--date", "2024-07-01")
    convention.refresh_from_db()
    assert convention.status == ConventionStatus.ACTIVE
    call_command("apply_convention_dates", "--date", "2025-06-30")
    convention.refresh_from_db()
    assert convention.status == ConventionStatus.ACTIVE
    call_command("apply_convention_dates", "--date", "2025-07-01")
    call_command("apply_convention_dates", "--date", "2025-07-01")  # idempotent
    convention.refresh_from_db()
    assert convention.status == ConventionStatus.EXPIRED
    assert convention.history.filter(history_change_reason__startswith="Expirée").count() == 1


def test_impossible_transition_is_refused_and_changes_nothing(legal_user, organization):
    convention = draft(legal_user, organization)
    with pytest.raises(TransitionNotAllowed) as exc:
        services.send_for_signature(user=legal_user, convention=convention, sent_on=date(2024, 4, 1))
    assert "« En signature »" in exc.value.message and "« Brouillon »" in exc.value.message
    with pytest.raises(TransitionNotAllowed):
        services.suspend(user=legal_user, convention=convention, reason="Test")
    convention.refresh_from_db()
    assert convention.status == ConventionStatus.DRAFT
    assert convention.history.count() == 1
    with pytest.raises(AttributeError):
        convention.status = ConventionStatus.ACTIVE


def test_approval_needs_an_adopted_deliberation_of_the_same_organization(legal_user, organization, other_organization):
    convention = draft(legal_user, organization)
    services.submit_for_review(user=legal_user, convention=convention)
    with pytest.raises(DomainError) as exc:
        services.approve_convention(user=legal_user, convention=convention)
    assert exc.value.rule == "Approbation de la convention"
    foreign = adopted_deliberation(other_organization, number="2024-001")
    with pytest.raises(DomainError) as exc:
        services.approve_convention(user=legal_user, convention=convention, deliberations=[foreign])
    assert "autre collectivité" in exc.value.message
    on_agenda = adopted_deliberation(organization, number="2024-002", state=DeliberationState.ON_AGENDA)
    with pytest.raises(DomainError) as exc:
        services.approve_convention(user=legal_user, convention=convention, deliberations=[on_agenda])
    assert "n'est pas adoptée" in exc.value.message
    with pytest.raises(DomainError):
        services.approve_convention(user=legal_user, convention=convention, delegated_reference="DEC-1")
    convention.refresh_from_db()
    assert convention.status == ConventionStatus.LEGAL_REVIEW
    assert not convention.approving_deliberations.exists()


def test_roles_and_tenancy(organization, other_organization, make_member, legal_user):
    convention = draft(legal_user, organization)
    manager = make_member(organization, Role.MANAGER)
    with pytest.raises(PermissionDenied):
        services.submit_for_review(user=manager, convention=convention)
    stranger = make_member(other_organization, Role.LEGAL)
    with pytest.raises(Http404):
        services.submit_for_review(user=stranger, convention=convention)


def test_signature_dates_are_checked(legal_user, organization):
    convention = approved(legal_user, organization)
    services.send_for_signature(user=legal_user, convention=convention, sent_on=date(2024, 4, 15))
    party = convention.parties.first()
    with pytest.raises(DomainError) as exc:
        services.record_signature(
            user=legal_user, convention=convention, party=party, signed_on=date(2024, 6, 1), today=date(2024, 5, 2)
        )
    assert exc.value.field == "signed_on"
    with pytest.raises(DomainError):
        services.record_signature(
            user=legal_user, convention=convention, party=party, signed_on=date(2024, 4, 14), today=date(2024, 5, 2)
        )


def test_ddd_notice_received_just_before_month_end(legal_user, organization):
    convention = signed(
        legal_user,
        organization,
        termination_mode=TerminationMode.NOTICE,
        termination_notice_value=2,
        data_withdrawal_value=1,
        annual_evaluation=True,
    )
    partner = convention.parties.order_by("position").last()
    notice = services.give_notice(
        user=legal_user,
        convention=convention,
        given_by=partner,
        reason="Fin de la participation",
        sent_on=date(2024, 12, 27),
        registered_letter_number="1A 234 567 8901 2",
        today=date(2024, 12, 31),
    )
    convention.refresh_from_db()
    assert convention.status == ConventionStatus.TERMINATION_NOTIFIED
    assert notice.effective_date is None
    notice = services.record_notice_receipt(
        user=legal_user, notice=notice, received_on=date(2024, 12, 31), today=date(2025, 1, 2)
    )
    assert notice.effective_date == date(2025, 2, 28)
    assert notice.data_withdrawal_end == date(2025, 3, 28)
    found = deadlines_of(convention)
    assert found["termination-effective"] == date(2025, 2, 28)
    assert found["data-withdrawal-end"] == date(2025, 3, 28)
    assert "evaluation-1" not in found
    call_command("apply_convention_dates", "--date", "2025-02-27")
    convention.refresh_from_db()
    assert convention.status == ConventionStatus.TERMINATION_NOTIFIED
    call_command("apply_convention_dates", "--date", "2025-02-28")
    convention.refresh_from_db()
    assert convention.status == ConventionStatus.TERMINATED
    assert convention.terminated_on == date(2025, 2, 28)
    assert set(deadlines_of(convention)) == {"data-withdrawal-end"}


def test_flag_termination_at_any_time_ends_on_receipt(legal_user, organization):
    convention = signed(legal_user, organization)
    city = convention.parties.order_by("position").first()
    with pytest.raises(DomainError) as exc:
        services.give_notice(
            user=legal_user, convention=convention, given_by=city, sent_on=date(2025, 1, 6), today=date(2025, 1, 8)
        )
    assert exc.value.field == "registered_letter_number"
    services.give_notice(
        user=legal_user,
        convention=convention,
        given_by=city,
        sent_on=date(2025, 1, 6),
        registered_letter_number="RA123",
        received_on=date(2025, 1, 8),
        today=date(2025, 1, 8),
    )
    convention.refresh_from_db()
    assert convention.status == ConventionStatus.TERMINATED
    assert convention.terminated_on == date(2025, 1, 8)
    with pytest.raises(DomainError):
        services.give_notice(user=legal_user, convention=convention, given_by=city, today=date(2025, 1, 9))


def test_tacit_renewal_n_times_then_expiry(legal_user, organization):
    convention = signed(
        legal_user,
        organization,
        duration_months=12,
        renewal="tacit",
        tacit_renewals_allowed=2,
        renewal_notice_value=3,
    )
    assert convention.end_date == date(2025, 5, 1)
    assert deadlines_of(convention)["notice-last-day"] == date(2025, 2, 1)
    services.apply_dates(today=date(2025, 5, 2))
    convention.refresh_from_db()
    assert (convention.status, convention.end_date, convention.tacit_renewals_done) == (
        ConventionStatus.ACTIVE,
        date(2026, 5, 1),
        1,
    )
    assert deadlines_of(convention)["notice-last-day"] == date(2026, 2, 1)
    services.apply_dates(today=date(2026, 5, 2))
    services.apply_dates(today=date(2026, 5, 2))
    convention.refresh_from_db()
    assert (convention.end_date, convention.tacit_renewals_done) == (date(2027, 5, 1), 2)
    assert "notice-last-day" not in deadlines_of(convention)
    services.apply_dates(today=date(2027, 5, 2))
    convention.refresh_from_db()
    assert convention.status == ConventionStatus.EXPIRED


def test_express_renewal_links_the_successor(legal_user, organization):
    convention = signed(legal_user, organization, duration_months=36, renewal="express")
    successor = services.renew_expressly(user=legal_user, convention=convention, reference="FLAG-2027")
    assert successor.predecessor_id == convention.pk
    assert successor.parties.count() == 2
    assert successor.status == ConventionStatus.DRAFT
    services.submit_for_review(user=legal_user, convention=successor)
    services.approve_convention(
        user=legal_user, convention=successor, delegated_reference="DEC-2027-3", delegated_date=date(2027, 3, 1)
    )
    services.send_for_signature(user=legal_user, convention=successor, sent_on=date(2027, 3, 2))
    for party in successor.parties.all():
        services.record_signature(
            user=legal_user, convention=successor, party=party, signed_on=date(2027, 4, 20), today=date(2027, 4, 20)
        )
    services.apply_dates(today=date(2027, 5, 2))
    convention.refresh_from_db()
    assert convention.status == ConventionStatus.RENEWED
    assert list(convention.successors.all()) == [Convention.objects.get(pk=successor.pk)]


def test_suspension_and_resumption(legal_user, organization):
    convention = signed(legal_user, organization)
    with pytest.raises(DomainError):
        services.suspend(user=legal_user, convention=convention, reason=" ")
    services.suspend(user=legal_user, convention=convention, reason="Identification d'un signalant")
    convention.refresh_from_db()
    assert convention.status == ConventionStatus.SUSPENDED
    services.resume(user=legal_user, convention=convention)
    convention.refresh_from_db()
    assert convention.status == ConventionStatus.ACTIVE
    entries = list(convention.history.values_list("history_change_reason", flat=True))
    assert "Suspendue : Identification d'un signalant" in entries


def test_terms_are_validated_and_nothing_is_half_saved(legal_user, organization):
    with pytest.raises(DomainError) as exc:
        draft(legal_user, organization, kind="financial")
    assert exc.value.field == "amount"
    with pytest.raises(DomainError) as exc:
        draft(legal_user, organization, perimeter_postal_codes=["34000", "3407"])
    assert "3407" in exc.value.message
    assert not Convention.objects.exists()
    convention = draft(
        legal_user,
        organization,
        perimeter_postal_codes="34 000, 34070, 34080, 34090",
        perimeter_urls="https://signalement.flagasso.com/reporting/partner/montpellier",
    )
    assert convention.perimeter_postal_codes == ["34000", "34070", "34080", "34090"]
    with pytest.raises(DomainError):
        services.update_convention(user=legal_user, convention=convention, renewal="tacit", tacit_renewals_allowed=0)
    convention.refresh_from_db()
    assert convention.renewal == "none"


def test_text_is_frozen_after_approval(legal_user, organization):
    convention = approved(legal_user, organization)
    with pytest.raises(DomainError) as exc:
        services.update_convention(user=legal_user, convention=convention, duration_months=24)
    assert exc.value.rule == "Modification par avenant"
    with pytest.raises(DomainError):
        services.add_clause(user=legal_user, convention=convention, title="Durée", body="Trois ans.")


def test_a_late_daily_run_renews_then_expires_in_one_go(legal_user, organization):
    """The command did not run for years: every renewal allowed is used, then the
    convention expires in the same run, and a second run changes nothing."""
    convention = signed(
        legal_user, organization, duration_months=12, renewal="tacit", tacit_renewals_allowed=2, renewal_notice_value=3
    )
    assert convention.end_date == date(2025, 5, 1)
    services.apply_dates(today=date(2028, 1, 15))
    convention.refresh_from_db()
    assert (convention.status, convention.end_date, convention.tacit_renewals_done) == (
        ConventionStatus.EXPIRED,
        date(2027, 5, 1),
        2,
    )
    assert services.apply_dates(today=date(2028, 1, 15)) == []
