"""Avenants, evaluations, comités de suivi and programmes."""

from datetime import date, time
from decimal import Decimal

import pytest

from conventions import services
from conventions.models import (
    Amendment,
    AmendmentStatus,
    Convention,
    ConventionStatus,
    DecisionKind,
    MeetingStatus,
    TerminationMode,
)
from core.errors import DomainError, TransitionNotAllowed
from reminders.models import Deadline
from tests.conventions.helpers import adopted_deliberation, sign_by_every_party, signed

pytestmark = pytest.mark.django_db


def test_avenant_moves_the_end_date_and_history_shows_before_and_after(legal_user, organization):
    convention = signed(legal_user, organization, annual_evaluation=True, kind="financial", amount=Decimal("60000"))
    assert convention.end_date == date(2027, 5, 1)
    assert convention.evaluations.count() == 3
    first = services.create_amendment(
        user=legal_user, convention=convention, title="Prolongation", new_duration_months=48
    )
    second = services.create_amendment(
        user=legal_user, convention=convention, title="Montant", new_amount=Decimal("75000")
    )
    assert (first.number, second.number) == (1, 2)
    with pytest.raises(TransitionNotAllowed):
        services.sign_amendment(user=legal_user, amendment=first, signed_on=date(2025, 1, 10), today=date(2025, 1, 10))
    deliberation = adopted_deliberation(organization, number="V2024-300", day=date(2024, 12, 16))
    services.approve_amendment(user=legal_user, amendment=first, deliberations=[deliberation])
    services.send_amendment_for_signature(user=legal_user, amendment=first)
    city, partner = convention.parties.order_by("position")
    # The partner signs first: nothing applies until the last party has signed.
    services.sign_amendment(
        user=legal_user, amendment=first, party=partner, signed_on=date(2025, 1, 8), today=date(2025, 1, 8)
    )
    convention.refresh_from_db()
    first.refresh_from_db()
    assert (first.status, first.signed_on, first.effect_after) == (AmendmentStatus.OUT_FOR_SIGNATURE, None, {})
    assert convention.end_date == date(2027, 5, 1)
    services.sign_amendment(
        user=legal_user, amendment=first, party=city, signed_on=date(2025, 1, 10), today=date(2025, 1, 10)
    )
    convention.refresh_from_db()
    first.refresh_from_db()
    assert first.status == AmendmentStatus.SIGNED
    assert first.signed_on == date(2025, 1, 10)
    assert {s.party_id: s.signed_on for s in first.signatures.all()} == {
        partner.pk: date(2025, 1, 8),
        city.pk: date(2025, 1, 10),
    }
    assert convention.end_date == date(2028, 5, 1)
    assert first.effect_before["end_date"] == "2027-05-01"
    assert first.effect_after["end_date"] == "2028-05-01"
    assert convention.evaluations.count() == 4
    record = convention.history.latest("history_date")
    assert record.history_change_reason == (
        "Avenant n° 1 signé le 10 janvier 2025 : durée 48 mois, fin 1er mai 2027 → 1er mai 2028"
    )
    change = record.diff_against(record.prev_record)
    assert {c.field for c in change.changes} >= {"end_date", "duration_months"}
    deadline = Deadline.objects.get(object_id=convention.pk, content_type__model="convention", key="end")
    assert deadline.due_date == date(2028, 5, 1)
    assert list(deliberation.approved_amendments.all()) == [first]


def test_avenant_replacing_a_clause_and_one_shortening_the_term(legal_user, organization):
    convention = approved_with_clause(legal_user, organization)
    clause = convention.clauses.get()
    amendment = services.create_amendment(
        user=legal_user,
        convention=convention,
        title="Nouveau périmètre",
        clause=clause,
        new_clause_body="Périmètre : {{ codes_postaux }}.",
        new_end_date=date(2025, 12, 31),
    )
    services.approve_amendment(
        user=legal_user, amendment=amendment, delegated_reference="DEC-2025-4", delegated_date=date(2025, 6, 2)
    )
    services.send_amendment_for_signature(user=legal_user, amendment=amendment)
    sign_by_every_party(legal_user, amendment, date(2025, 6, 3))
    clause.refresh_from_db()
    convention.refresh_from_db()
    assert clause.body == "Périmètre : {{ codes_postaux }}."
    assert convention.end_date == date(2025, 12, 31)
    # An end moved into the past ends the convention on the day the avenant is signed.
    shorter = services.create_amendment(
        user=legal_user, convention=convention, title="Fin anticipée", new_end_date=date(2025, 6, 30)
    )
    assert shorter.number == 2
    services.approve_amendment(
        user=legal_user, amendment=shorter, delegated_reference="DEC-2025-9", delegated_date=date(2025, 7, 1)
    )
    services.send_amendment_for_signature(user=legal_user, amendment=shorter)
    sign_by_every_party(legal_user, shorter, date(2025, 7, 2))
    convention.refresh_from_db()
    assert convention.status == ConventionStatus.EXPIRED


def approved_with_clause(user, organization):
    from tests.conventions.helpers import draft

    convention = draft(user, organization, perimeter_postal_codes=["34000"])
    services.add_clause(user=user, convention=convention, title="Périmètre", body="Ville : {{ communes }}.")
    services.submit_for_review(user=user, convention=convention)
    services.approve_convention(
        user=user, convention=convention, delegated_reference="DEC-1", delegated_date=date(2024, 3, 26)
    )
    services.send_for_signature(user=user, convention=convention, sent_on=date(2024, 4, 1))
    for party in convention.parties.all():
        services.record_signature(
            user=user, convention=convention, party=party, signed_on=date(2024, 5, 2), today=date(2024, 5, 2)
        )
    return Convention.objects.get(pk=convention.pk)


def test_avenant_refused_on_a_draft_and_with_a_bad_end(legal_user, organization):
    from tests.conventions.helpers import draft

    convention = draft(legal_user, organization)
    with pytest.raises(DomainError):
        services.create_amendment(user=legal_user, convention=convention, title="Trop tôt")
    live = signed(legal_user, organization, title="Autre")
    with pytest.raises(DomainError) as exc:
        services.create_amendment(user=legal_user, convention=live, title="Fin", new_end_date=date(2024, 1, 1))
    assert exc.value.field == "new_end_date"
    assert not Amendment.objects.exists()


def test_evaluation_recorded(manager_user, legal_user, organization):
    convention = signed(legal_user, organization, annual_evaluation=True)
    evaluation = convention.evaluations.order_by("number").first()
    assert evaluation.due_date == date(2025, 5, 1)
    with pytest.raises(DomainError):
        services.record_evaluation(
            user=manager_user, evaluation=evaluation, held_on=date(2025, 5, 5), outcome="", today=date(2025, 5, 6)
        )
    services.record_evaluation(
        user=manager_user,
        evaluation=evaluation,
        held_on=date(2025, 5, 5),
        outcome="positive",
        summary="Bilan positif : 38 signalements.",
        today=date(2025, 5, 6),
    )
    keys = set(
        Deadline.objects.filter(object_id=convention.pk, content_type__model="convention").values_list("key", flat=True)
    )
    assert "evaluation-1" not in keys and "evaluation-2" in keys


def test_ddd_committee_convened_across_may_holidays_and_withdrawal(legal_user, manager_user, organization):
    convention = signed(
        legal_user,
        organization,
        has_committee=True,
        termination_mode=TerminationMode.NOTICE,
        termination_notice_value=2,
        data_withdrawal_value=1,
    )
    committee = services.create_committee(
        user=manager_user, name="Comité de suivi Egalité contre racisme", convention=convention
    )
    member = services.add_member(user=manager_user, committee=committee, full_name="Claire HÉDON", role="Présidente")
    services.add_member(user=manager_user, committee=committee, full_name="Martine VASSAL")
    meeting = services.plan_meeting(
        user=manager_user,
        committee=committee,
        meeting_date=date(2024, 5, 29),
        starts_at=time(10),
        location="Paris",
        agenda="1. Bilan de la plateforme",
    )
    found = {
        d.key: d.due_date for d in Deadline.objects.filter(object_id=meeting.pk, content_type__model="committeemeeting")
    }
    assert found == {"meeting": date(2024, 5, 29), "convocation": date(2024, 5, 2)}
    with pytest.raises(DomainError) as exc:
        services.convene_meeting(user=manager_user, meeting=meeting, sent_on=date(2024, 5, 3))
    assert "2 mai 2024" in exc.value.message
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.PLANNED
    with pytest.raises(DomainError):
        services.convene_meeting(user=manager_user, meeting=meeting, sent_on=date(2024, 5, 20), urgency=True)
    services.convene_meeting(user=manager_user, meeting=meeting, sent_on=date(2024, 5, 2))
    with pytest.raises(DomainError):
        services.record_decision(user=manager_user, meeting=meeting, text="Trop tôt")
    services.record_meeting(user=manager_user, meeting=meeting, present_member_ids=[member.pk], minutes="Compte rendu.")
    meeting.refresh_from_db()
    assert meeting.attendance.filter(present=True).count() == 1
    decision = services.record_decision(
        user=manager_user,
        meeting=meeting,
        text="Retrait du dispositif du partenaire",
        kind=DecisionKind.WITHDRAW_PARTNER,
        convention=convention,
        today=date(2024, 5, 29),
    )
    convention.refresh_from_db()
    assert convention.status == ConventionStatus.TERMINATION_NOTIFIED
    assert decision.termination_notice.committee_decision == decision
    assert not Deadline.objects.filter(object_id=meeting.pk, content_type__model="committeemeeting").exists()


def test_committee_in_moselle_uses_local_holidays(legal_user, manager_user, make_member):
    from core.roles import Role
    from tests.factories import OrganizationFactory

    metz = OrganizationFactory(name="Ville de Metz", departement_code="057")
    legal = make_member(metz, Role.LEGAL)
    convention = signed(legal, metz)
    committee = services.create_committee(user=legal, name="Comité", convention=convention)
    meeting = services.plan_meeting(user=legal, committee=committee, meeting_date=date(2025, 1, 14), agenda="Bilan")
    with pytest.raises(DomainError) as exc:
        services.convene_meeting(user=legal, meeting=meeting, sent_on=date(2024, 12, 19))
    assert "18 décembre 2024" in exc.value.message


def test_programme_budget(legal_user, organization):
    programme = services.create_programme(
        user=legal_user, organization=organization, name="Plan de lutte contre les discriminations", kind="plan"
    )
    services.set_budget(
        user=legal_user, programme=programme, year=2024, amount=Decimal("60000"), initiative_fund=Decimal("10000")
    )
    with pytest.raises(DomainError) as exc:
        services.set_budget(
            user=legal_user, programme=programme, year=2025, amount=Decimal("1000"), initiative_fund=Decimal("2000")
        )
    assert exc.value.field == "initiative_fund"
    assert programme.budgets.get().amount == Decimal("60000")
