"""The legal and date rules of conventions, alone (DESIGN.md "Conventions")."""

from datetime import date
from decimal import Decimal

import pytest

from conventions import rules
from conventions.rules import Delay
from core.errors import DomainError


def test_flag_three_years_from_the_last_signature():
    start = rules.effective_start(
        start_event=rules.START_SIGNATURE, signature_dates=[date(2024, 4, 29), date(2024, 5, 2)]
    )
    assert start == date(2024, 5, 2)
    assert rules.end_date(start, months=36) == date(2027, 5, 1)


def test_start_unknown_until_every_party_signed():
    assert rules.effective_start(start_event=rules.START_SIGNATURE, signature_dates=[date(2024, 5, 2), None]) is None
    assert rules.effective_start(
        start_event=rules.START_NOTIFICATION, signature_dates=[], notification_date=date(2024, 6, 3)
    ) == date(2024, 6, 3)
    assert rules.effective_start(
        start_event=rules.START_FIXED_DATE, signature_dates=[], fixed_date=date(2025, 1, 1)
    ) == date(2025, 1, 1)


def test_end_date_of_a_leap_day_start_and_day_durations():
    assert rules.end_date(date(2024, 2, 29), months=12) == date(2025, 2, 27)
    assert rules.end_date(date(2024, 1, 1), months=0, days=90) == date(2024, 3, 30)
    with pytest.raises(DomainError) as exc:
        rules.end_date(date(2024, 1, 1), months=0)
    assert exc.value.rule == "Durée de la convention"


def test_ddd_two_months_notice_keeps_the_day_and_clamps_to_month_end():
    two_months = Delay(2, rules.MONTHS)
    assert rules.termination_effective_date(date(2024, 3, 15), two_months) == date(2024, 5, 15)
    # Received on 31 December: 31 February does not exist → 28 February (29 in a leap year).
    assert rules.termination_effective_date(date(2024, 12, 31), two_months) == date(2025, 2, 28)
    assert rules.termination_effective_date(date(2023, 12, 30), two_months) == date(2024, 2, 29)
    assert rules.termination_effective_date(date(2024, 7, 31), two_months) == date(2024, 9, 30)


def test_flag_termination_at_any_time_takes_effect_on_receipt():
    assert rules.termination_effective_date(date(2025, 1, 31), Delay(0)) == date(2025, 1, 31)


def test_notice_in_calendar_and_working_days():
    assert rules.termination_effective_date(date(2024, 4, 30), Delay(30, rules.CALENDAR_DAYS)) == date(2024, 5, 30)
    # Tuesday 30 April 2024 + 5 jours ouvrés: 1, 8 and 9 May are holidays → 2, 3, 6, 7, 10 May.
    assert rules.termination_effective_date(date(2024, 4, 30), Delay(5, rules.WORKING_DAYS)) == date(2024, 5, 10)


def test_ddd_data_withdrawal_at_least_one_month_after_termination():
    assert rules.data_withdrawal_end(date(2025, 1, 31), Delay(1)) == date(2025, 2, 28)


def test_letter_cannot_be_received_before_sent():
    with pytest.raises(DomainError) as exc:
        rules.check_notice_dates(sent_on=date(2024, 5, 3), received_on=date(2024, 5, 2))
    assert exc.value.field == "received_on"


def test_annual_evaluations_each_year_from_the_start():
    assert rules.evaluation_due_dates(date(2024, 5, 2), date(2027, 5, 1)) == [
        date(2025, 5, 1),
        date(2026, 5, 1),
        date(2027, 5, 1),
    ]
    # 18 months: one full year, then the trailing half-year on the end date.
    assert rules.evaluation_due_dates(date(2024, 1, 1), date(2025, 6, 30)) == [date(2024, 12, 31), date(2025, 6, 30)]


def test_ddd_committee_convened_fifteen_working_days_ahead_across_may_holidays():
    assert rules.committee_convocation_deadline(date(2024, 5, 29), 15) == date(2024, 5, 2)
    rules.check_committee_convocation(
        sent_on=date(2024, 5, 2), meeting=date(2024, 5, 29), working_days=15, urgency=False
    )
    with pytest.raises(DomainError) as exc:
        rules.check_committee_convocation(
            sent_on=date(2024, 5, 3), meeting=date(2024, 5, 29), working_days=15, urgency=False
        )
    assert "2 mai 2024" in exc.value.message
    assert "14" in exc.value.message
    assert exc.value.rule == rules.COMMITTEE_RULE
    # Urgency allows a shorter delay, never a convocation after the meeting.
    rules.check_committee_convocation(
        sent_on=date(2024, 5, 27), meeting=date(2024, 5, 29), working_days=15, urgency=True
    )
    with pytest.raises(DomainError):
        rules.check_committee_convocation(
            sent_on=date(2024, 5, 30), meeting=date(2024, 5, 29), working_days=15, urgency=True
        )


def test_committee_in_alsace_moselle_counts_good_friday_and_26_december():
    # Meeting Tuesday 14 January 2025: in Moselle 26 December is also a holiday → one day earlier.
    national = rules.committee_convocation_deadline(date(2025, 1, 14), 15)
    moselle = rules.committee_convocation_deadline(date(2025, 1, 14), 15, "57")
    assert national == date(2024, 12, 19)
    assert moselle == date(2024, 12, 18)


def test_tacit_renewal_notice_and_renewed_period():
    end = date(2027, 5, 1)
    assert rules.tacit_renewal_notice_last_day(end, Delay(3)) == date(2027, 2, 1)
    assert rules.tacit_renewal_notice_last_day(date(2027, 5, 31), Delay(3)) == date(2027, 2, 28)
    assert rules.renewed_end_date(end, months=12) == date(2028, 5, 1)
    assert rules.tacit_renewal_due(end=end, today=date(2027, 5, 2), renewals_done=0, renewals_allowed=2)
    assert not rules.tacit_renewal_due(end=end, today=date(2027, 5, 1), renewals_done=0, renewals_allowed=2)
    assert not rules.tacit_renewal_due(end=end, today=date(2027, 5, 2), renewals_done=2, renewals_allowed=2)


def test_renewal_decision_date_uses_the_lead_in_months():
    assert rules.renewal_decision_date(date(2024, 5, 31), 4) == date(2024, 1, 31)
    assert rules.renewal_decision_date(date(2024, 6, 30), 4) == date(2024, 2, 29)


def test_obligation_occurrences_until_the_end():
    assert rules.obligation_due_dates(date(2024, 1, 31), "quarterly", date(2024, 12, 31)) == [
        date(2024, 1, 31),
        date(2024, 4, 30),
        date(2024, 7, 31),
        date(2024, 10, 31),
    ]
    assert rules.obligation_due_dates(date(2024, 1, 31), "once", date(2024, 12, 31)) == [date(2024, 1, 31)]
    assert rules.obligation_due_dates(None, "yearly", date(2024, 12, 31)) == []


def test_flag_perimeter_postal_codes_and_url():
    assert rules.normalize_postal_codes(["34 000", "34070", "34\u00a0080", "34090", "34000"]) == [
        "34000",
        "34070",
        "34080",
        "34090",
    ]
    for bad in ["3400", "340000", "00100", "99000", "34O00"]:
        with pytest.raises(DomainError) as exc:
            rules.normalize_postal_code(bad)
        assert exc.value.field == "perimeter_postal_codes"
    url = "https://signalement.flagasso.com/reporting/partner/montpellier"
    assert rules.normalize_urls([url, url]) == [url]
    for bad in ["signalement.flagasso.com", "javascript:alert(1)", "ftp://example.org/x"]:
        with pytest.raises(DomainError):
            rules.normalize_url(bad)
    assert rules.split_lines("34000, 34070\n34080;34090") == ["34000", "34070", "34080", "34090"]


def test_clause_variables_are_a_plain_substitution():
    text = "La présente convention est conclue pour une durée de {{ duree_mois }} mois à compter du {{date_debut}}."
    assert rules.clause_variables(text) == ["duree_mois", "date_debut"]
    assert rules.render_clause(text, {"duree_mois": 36, "date_debut": date(2024, 5, 2)}) == (
        "La présente convention est conclue pour une durée de 36 mois à compter du 2 mai 2024."
    )
    assert rules.render_clause("{{ montant }}", {"montant": Decimal("60000")}) == "60\u202f000,00\u00a0€"
    # A draft may keep a blank; a final rendering refuses it.
    assert rules.render_clause("{{ inconnue }}", {}, strict=False) == "[inconnue]"
    with pytest.raises(DomainError):
        rules.render_clause("{{ inconnue }}", {})
    # Nothing but names: no attribute access, calls or filters.
    for evil in ["{{ duree_mois.__class__ }}", "{{ ''.join(x) }}", "{{ x|upper }}", "{{ Duree }}"]:
        with pytest.raises(DomainError) as exc:
            rules.render_clause(evil, {"duree_mois": 1, "x": "a"})
        assert exc.value.rule == rules.CLAUSE_RULE


def test_amendments_numbered_without_gaps():
    assert rules.next_amendment_number([]) == 1
    assert rules.next_amendment_number([1, 2, 3]) == 4


def test_signature_after_approval_and_not_in_the_future():
    rules.check_signature_date(signed_on=date(2024, 5, 2), approved_on=date(2024, 3, 26), today=date(2024, 5, 2))
    with pytest.raises(DomainError):
        rules.check_signature_date(signed_on=date(2024, 3, 25), approved_on=date(2024, 3, 26), today=date(2024, 5, 2))
    with pytest.raises(DomainError):
        rules.check_signature_date(signed_on=date(2024, 5, 3), approved_on=None, today=date(2024, 5, 2))


def test_delay_describes_itself_in_french():
    assert Delay(2).describe() == "2 mois"
    assert Delay(15, rules.WORKING_DAYS).describe() == "15 jours ouvrés"
    assert Delay(1, rules.CALENDAR_DAYS).describe() == "1 jour"
    with pytest.raises(DomainError):
        Delay(-1)
