"""Domain errors: a broken rule is reported with the rule it breaks."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A change refused by a business or legal rule.

    ``message`` says what is wrong in the user's language; ``rule`` names the rule or the
    article it breaks (e.g. ``"CGCT L2121-20"``), so pages and the API can show both.
    """

    status_code = 400

    def __init__(self, message: str, *, rule: str = "", field: str | None = None) -> None:
        super().__init__(message)
        self.message = str(message)
        self.rule = str(rule)
        self.field = field

    def __str__(self) -> str:
        return f"{self.message} ({self.rule})" if self.rule else self.message

    def __reduce__(self) -> tuple[Any, ...]:
        # Pickled whole (rule and field included): a document rendered in another process
        # reports the rule its template broke (documents.jobs).
        return (self.__class__, (self.message,), {"rule": self.rule, "field": self.field})


class TransitionNotAllowed(DomainError):
    """A state-machine transition that the current state does not allow."""

    status_code = 409


class ConcurrentChange(DomainError):
    """Someone else changed the same object first."""

    status_code = 409
