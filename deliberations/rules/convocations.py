"""Rules of the sending of convocations (CGCT L2121-10, L2121-11, L2121-12) and how a mail
server's answer is read (RFC 5321)."""

from __future__ import annotations

from datetime import datetime, timedelta

from core.errors import DomainError

RULE_SENDING = "CGCT L2121-10 (convocation écrite, par voie dématérialisée sauf demande de papier)"
RULE_DELIVERY = "RFC 5321 (réponse du serveur de messagerie)"

EMAIL, PAPER = "email", "paper"
ACCEPTED, REFUSED, RETRY = "accepted", "refused", "retry"

# A temporary failure (4xx, or the server unreachable) is tried again after these delays,
# then the recipient is recorded as refused: the clerk sees it and re-sends or prints it.
RETRY_DELAYS = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30))
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1


def channel_for(*, email: str, prefers_paper: bool) -> str:
    """The convocation is sent by electronic means to the member's address unless they asked
    for paper, or have no address (CGCT L2121-10, since 1 July 2022)."""
    if prefers_paper or not email.strip():
        return PAPER
    return EMAIL


def smtp_outcome(code: int) -> str:
    """A server's reply: 2xx accepted, 4xx a temporary failure to retry, 5xx a refusal (RFC 5321 §4.2.1)."""
    if 200 <= code < 300:
        return ACCEPTED
    if 400 <= code < 500:
        return RETRY
    return REFUSED


def next_attempt(*, attempts: int, now: datetime) -> datetime | None:
    """When a temporary failure is tried again after ``attempts`` tries; ``None``: give up."""
    if attempts >= MAX_ATTEMPTS:
        return None
    return now + RETRY_DELAYS[attempts - 1]


def check_bounce(*, channel: str, state: str, member: str) -> None:
    """Only an e-mail the server accepted can come back later as a bounce (RFC 3464 DSN)."""
    if channel != EMAIL or state != ACCEPTED:
        raise DomainError(
            f"Seul un courriel accepté par le serveur peut être marqué revenu en erreur ; celui de {member} ne l'est pas.",
            rule=RULE_DELIVERY,
            field="recipient",
        )


def check_notice_message(*, kind_label: str, message: str) -> None:
    """An additive notice, a postponement or a cancellation says what it is about (CGCT L2121-10)."""
    if not message.strip():
        raise DomainError(
            f"{kind_label} : indiquez son objet (point ajouté, rapport modifié, motif).",
            rule=RULE_SENDING,
            field="message",
        )
