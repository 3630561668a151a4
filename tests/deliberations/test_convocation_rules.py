"""The rules of sending convocations, alone: the channel (CGCT L2121-10), the server's
answer (RFC 5321), the retries, bounces and notices."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from core.errors import DomainError
from deliberations.rules import convocations as rules

NOW = datetime(2024, 3, 20, 9, 0, tzinfo=UTC)


def test_electronic_unless_paper_is_asked_or_no_address():
    assert rules.channel_for(email="elu@ville.example", prefers_paper=False) == rules.EMAIL
    assert rules.channel_for(email="elu@ville.example", prefers_paper=True) == rules.PAPER
    assert rules.channel_for(email="  ", prefers_paper=False) == rules.PAPER


@pytest.mark.parametrize(
    ("code", "outcome"), [(250, "accepted"), (251, "accepted"), (421, "retry"), (451, "retry"), (550, "refused")]
)
def test_the_servers_answer(code, outcome):
    assert rules.smtp_outcome(code) == outcome


def test_a_temporary_failure_is_retried_three_times_then_given_up():
    assert rules.next_attempt(attempts=1, now=NOW) == NOW + timedelta(minutes=1)
    assert rules.next_attempt(attempts=2, now=NOW) == NOW + timedelta(minutes=5)
    assert rules.next_attempt(attempts=3, now=NOW) == NOW + timedelta(minutes=30)
    assert rules.next_attempt(attempts=4, now=NOW) is None


def test_only_an_accepted_email_can_bounce():
    rules.check_bounce(channel="email", state="accepted", member="Ana LYS")
    for channel, state in (("email", "refused"), ("email", "queued"), ("paper", "paper")):
        with pytest.raises(DomainError, match="Ana LYS") as error:
            rules.check_bounce(channel=channel, state=state, member="Ana LYS")
        assert error.value.rule == rules.RULE_DELIVERY


def test_a_notice_says_what_it_is_about():
    rules.check_notice_message(kind_label="Report de la séance", message="Salle indisponible")
    with pytest.raises(DomainError, match="Report de la séance") as error:
        rules.check_notice_message(kind_label="Report de la séance", message="  ")
    assert error.value.rule.startswith("CGCT L2121-10") and error.value.field == "message"
