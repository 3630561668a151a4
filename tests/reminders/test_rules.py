"""When to remind: pure rules, no database."""

from datetime import date

import pytest

from core.errors import DomainError
from reminders import rules

OFFSETS = (120, 60, 30, 7, 0)
DUE = date(2024, 6, 30)


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (date(2024, 2, 29), None),  # 122 days before: nothing yet
        (date(2024, 3, 2), "120"),  # exactly 120 days before
        (date(2024, 3, 5), "120"),  # the run of 2 March was missed: caught up, same key
        (date(2024, 5, 1), "60"),
        (date(2024, 5, 31), "30"),
        (date(2024, 6, 23), "7"),
        (date(2024, 6, 30), "0"),
        (date(2024, 7, 3), "0"),  # late in the first week: the on-the-day reminder, once
        (date(2024, 7, 7), "retard-1"),
        (date(2024, 7, 13), "retard-1"),
        (date(2024, 7, 14), "retard-2"),
    ],
)
def test_occurrence_for(today, expected):
    assert rules.occurrence_for(due_date=DUE, today=today, offsets=OFFSETS) == expected


def test_several_missed_offsets_send_only_the_latest():
    # Created 20 days before its date: 120, 60 and 30 are all past; one reminder, "30".
    assert rules.occurrence_for(due_date=DUE, today=date(2024, 6, 10), offsets=OFFSETS) == "30"


def test_events_are_never_overdue():
    assert rules.occurrence_for(due_date=DUE, today=date(2024, 7, 1), offsets=(7, 0), repeat_overdue=False) is None
    assert rules.occurrence_for(due_date=DUE, today=DUE, offsets=(7, 0), repeat_overdue=False) == "0"


def test_no_offsets_no_reminder():
    assert rules.occurrence_for(due_date=DUE, today=DUE, offsets=()) is None


def test_normalize_offsets_sorts_and_deduplicates():
    assert rules.normalize_offsets([7, "30", 0, 30, " 120 "]) == (120, 30, 7, 0)
    assert rules.parse_offsets("120, 60 ; 30 7,0") == (120, 60, 30, 7, 0)


@pytest.mark.parametrize("bad", ["-1", "trois", "1.5", "9999", True])
def test_normalize_offsets_refuses(bad):
    with pytest.raises(DomainError) as caught:
        rules.normalize_offsets([bad])
    assert caught.value.field == "offsets_days"
    assert str(bad) in caught.value.message


def test_labels_in_french():
    assert rules.when_label(DUE, date(2024, 5, 31)) == "échéance dans 30 jours"
    assert rules.when_label(DUE, DUE) == "échéance aujourd'hui"
    assert rules.when_label(DUE, date(2024, 6, 29)) == "échéance demain"
    assert rules.when_label(DUE, date(2024, 7, 1)) == "échéance dépassée d'un jour"
    assert rules.when_label(DUE, date(2024, 7, 7)) == "échéance dépassée de 7 jours"
    assert rules.days_left_label(-2) == "dépassée de 2 jours"


def test_roles_round_trip():
    text = rules.join_roles(["manager", "clerk", "clerk"])
    assert text == ",clerk,manager,"
    assert rules.split_roles(text) == ("clerk", "manager")
    assert rules.join_roles([]) == ""
