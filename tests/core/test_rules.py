from datetime import date

from core import rules


def test_clear_days_convocation_example_of_design():
    # A sitting on 26 March 2024 with 5 jours francs: convocation on 20 March at the latest.
    assert rules.latest_day_before_clear_days(date(2024, 3, 26), 5) == date(2024, 3, 20)
    assert rules.clear_days_between(date(2024, 3, 20), date(2024, 3, 26)) == 5
    assert rules.clear_days_between(date(2024, 3, 21), date(2024, 3, 26)) == 4


def test_working_days_comite_example_across_may_holidays():
    # Meeting on 29 May 2024, 15 jours ouvrés: 1, 8, 9 and 20 May are holidays → 2 May.
    assert rules.latest_day_before_working_days(date(2024, 5, 29), 15) == date(2024, 5, 2)
    assert rules.working_days_between(date(2024, 5, 2), date(2024, 5, 29)) == 15
    assert rules.working_days_between(date(2024, 5, 3), date(2024, 5, 29)) == 14


def test_alsace_moselle_adds_good_friday_and_saint_etienne():
    good_friday = date(2024, 3, 29)
    assert rules.is_working_day(good_friday)
    assert not rules.is_working_day(good_friday, rules.holiday_subdivision("057"))
    assert not rules.is_working_day(date(2024, 12, 26), rules.holiday_subdivision("67"))
    assert rules.holiday_subdivision("034") is None


def test_months_keep_day_and_clamp_to_month_end():
    assert rules.add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert rules.add_months(date(2023, 1, 31), 1) == date(2023, 2, 28)
    assert rules.add_months(date(2024, 3, 15), 2) == date(2024, 5, 15)


def test_last_day_covered_is_start_plus_duration_minus_one_day():
    assert rules.last_day_covered(date(2024, 5, 2), months=36) == date(2027, 5, 1)
    assert rules.last_day_covered(date(2024, 3, 1), days=10) == date(2024, 3, 10)


def test_add_working_days_skips_weekends_and_holidays():
    # Friday 10 May 2024 + 1 working day → Monday 13 May; Friday 17 May + 1 → Tuesday 21 (20 is Pentecost Monday).
    assert rules.add_working_days(date(2024, 5, 10), 1) == date(2024, 5, 13)
    assert rules.add_working_days(date(2024, 5, 17), 1) == date(2024, 5, 21)
