"""The life of a signed convention (avenants, notice of termination, evaluations), by the
names other modules import it under; written in ``amendments``, ``termination`` and
``evaluations``."""

from conventions.services.amendments import (
    AMENDMENT_RULE,
    SIGNATURE_RULE,
    approve_amendment,
    cancel_amendment,
    create_amendment,
    send_amendment_for_signature,
    sign_amendment,
)
from conventions.services.evaluations import record_evaluation
from conventions.services.termination import TERMINATION_RULE, give_notice, record_notice_receipt

__all__ = [
    "AMENDMENT_RULE",
    "SIGNATURE_RULE",
    "TERMINATION_RULE",
    "approve_amendment",
    "cancel_amendment",
    "create_amendment",
    "give_notice",
    "record_evaluation",
    "record_notice_receipt",
    "send_amendment_for_signature",
    "sign_amendment",
]
