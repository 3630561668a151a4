"""The rules of signatures and of notices resting on them, on plain values."""

from datetime import date

import pytest

from conventions import rules
from core.errors import DomainError


def test_a_party_that_has_signed_cannot_sign_again():
    rules.check_not_signed_yet(party_name="Association FLAG !", signed_on=None)
    with pytest.raises(DomainError) as exc:
        rules.check_not_signed_yet(party_name="Association FLAG !", signed_on=date(2024, 5, 2))
    assert exc.value.rule == str(rules.SINGLE_SIGNATURE_RULE)
    assert "2 mai 2024" in exc.value.message
    assert "Corriger une date de signature" in exc.value.message


def test_a_correction_needs_a_signature_another_date_and_a_reason():
    rules.check_signature_correction(
        party_name="FLAG", recorded=date(2024, 5, 2), corrected=date(2024, 5, 3), reason="Erreur de saisie"
    )
    cases = [
        (None, date(2024, 5, 3), "Erreur", "party"),
        (date(2024, 5, 2), date(2024, 5, 2), "Erreur", "signed_on"),
        (date(2024, 5, 2), date(2024, 5, 3), "  ", "reason"),
    ]
    for recorded, corrected, reason, field in cases:
        with pytest.raises(DomainError) as exc:
            rules.check_signature_correction(party_name="FLAG", recorded=recorded, corrected=corrected, reason=reason)
        assert exc.value.field == field
        assert exc.value.rule == str(rules.CORRECTION_RULE)


def test_the_earliest_notice_is_the_start_never_before_the_signature():
    assert rules.notice_earliest_date(signed_on=None, effective_date=date(2024, 1, 1)) is None
    assert rules.notice_earliest_date(signed_on=date(2024, 5, 2), effective_date=None) == date(2024, 5, 2)
    # A fixed start before the signatures: the notice still follows the signature.
    assert rules.notice_earliest_date(signed_on=date(2024, 5, 2), effective_date=date(2024, 1, 1)) == date(2024, 5, 2)
    # A fixed start after the signatures: the notice waits for the start.
    assert rules.notice_earliest_date(signed_on=date(2024, 5, 2), effective_date=date(2024, 9, 1)) == date(2024, 9, 1)


def test_a_notice_is_dated_on_or_after_the_start():
    rules.check_notice_after_start(
        signed_on=date(2024, 5, 2), effective_date=date(2024, 5, 2), dates={"sent_on": date(2024, 5, 2)}
    )
    with pytest.raises(DomainError) as exc:
        rules.check_notice_after_start(
            signed_on=date(2024, 5, 2),
            effective_date=date(2024, 5, 2),
            dates={"sent_on": date(2024, 4, 20), "received_on": None},
        )
    assert exc.value.field == "sent_on"
    assert exc.value.rule == str(rules.NOTICE_AFTER_START_RULE)
    with pytest.raises(DomainError) as exc:
        rules.check_notice_after_start(
            signed_on=date(2024, 5, 2),
            effective_date=date(2024, 5, 2),
            dates={"sent_on": date(2024, 5, 2), "received_on": date(2024, 5, 1)},
        )
    assert exc.value.field == "received_on"
    with pytest.raises(DomainError) as exc:
        rules.check_notice_after_start(signed_on=None, effective_date=None, dates={"sent_on": date(2024, 5, 2)})
    assert exc.value.field == "convention"
