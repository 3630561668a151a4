"""Notice of termination (dénonciation) of a convention and its receipt."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction

from conventions import deadlines, rules
from conventions.models import (
    CommitteeDecision,
    Convention,
    ConventionParty,
    ConventionStatus,
    TerminationNotice,
)
from conventions.services._common import lock, require_edit, run_transition, save, today_or
from conventions.services.renewal import apply_dates_to
from core import tenancy
from core.errors import DomainError
from core.formatting import french_date
from core.roles import Capability
from reminders.selectors import holiday_subdivision_for

TERMINATION_RULE = "Résiliation (DESIGN « Conventions » 2)"


def _derive_notice_dates(notice: TerminationNotice, convention: Convention) -> None:
    if notice.received_on is None:
        notice.effective_date = None
        notice.data_withdrawal_end = None
        return
    subdivision = holiday_subdivision_for(convention.organization)
    notice.effective_date = rules.termination_effective_date(
        notice.received_on, convention.termination_notice, subdivision
    )
    notice.data_withdrawal_end = (
        rules.data_withdrawal_end(notice.effective_date, convention.data_withdrawal, subdivision)
        if convention.data_withdrawal_value
        else None
    )


@transaction.atomic
def give_notice(
    *,
    user: Any,
    convention: Convention,
    given_by: ConventionParty | None = None,
    committee_decision: CommitteeDecision | None = None,
    reason: str = "",
    sent_on: date | None = None,
    registered_letter_number: str = "",
    received_on: date | None = None,
    today: date | None = None,
) -> TerminationNotice:
    """A party (or the comité de suivi) gives notice: the convention moves to "résiliation
    notifiée"; once the receipt date is known, the effective date follows from the notice
    period, and the convention ends on that date."""
    day = today_or(today)
    locked = lock(convention)
    capability = Capability.FOLLOW_CONVENTIONS if committee_decision else Capability.EDIT_CONVENTIONS
    tenancy.require(user, locked.organization_id, capability)
    if hasattr(locked, "termination_notice_record"):
        raise DomainError("Cette convention a déjà été dénoncée.", rule=TERMINATION_RULE, field="convention")
    if given_by is None and committee_decision is None:
        raise DomainError("Indiquez la partie qui dénonce la convention.", rule=TERMINATION_RULE, field="given_by")
    if given_by is not None and given_by.convention_id != locked.pk:
        raise DomainError("Cette partie n'est pas partie à la convention.", rule=TERMINATION_RULE, field="given_by")
    for field, value in (("sent_on", sent_on), ("received_on", received_on)):
        if value and value > day:
            raise DomainError("Cette date est dans le futur.", rule=TERMINATION_RULE, field=field)
    rules.check_notice_dates(sent_on=sent_on, received_on=received_on)
    # A notice without dates yet is given today: that day too must follow the start.
    rules.check_notice_after_start(
        signed_on=locked.signed_on,
        effective_date=locked.effective_date,
        dates={"sent_on": sent_on or day, "received_on": received_on},
    )
    if received_on and sent_on is None:
        raise DomainError("Indiquez la date d'envoi de la lettre.", rule=TERMINATION_RULE, field="sent_on")
    if sent_on and locked.termination_by_registered_letter and not registered_letter_number.strip():
        raise DomainError(
            "La convention exige une lettre recommandée avec accusé de réception : indiquez son numéro.",
            rule=TERMINATION_RULE,
            field="registered_letter_number",
        )
    run_transition(locked, "notify_termination", target_label="Résiliation notifiée")
    notice = TerminationNotice(
        convention=locked,
        given_by=given_by,
        committee_decision=committee_decision,
        reason=reason.strip(),
        sent_on=sent_on,
        registered_letter_number=registered_letter_number.strip(),
        received_on=received_on,
        created_by=user,
    )
    _derive_notice_dates(notice, locked)
    save(notice, user=user, reason="Dénonciation enregistrée")
    who = given_by.organization.name if given_by else "le comité de suivi"
    text = f"Dénoncée par {who}"
    if notice.effective_date:
        text += f", résiliation effective le {french_date(notice.effective_date)}"
    save(locked, user=user, reason=text)
    apply_dates_to(locked, day)
    deadlines.sync_convention(locked)
    return notice


@transaction.atomic
def record_notice_receipt(
    *,
    user: Any,
    notice: TerminationNotice,
    received_on: date,
    sent_on: date | None = None,
    registered_letter_number: str | None = None,
    today: date | None = None,
) -> TerminationNotice:
    """The acknowledgement of receipt came back: the effective date follows."""
    day = today_or(today)
    convention = lock(notice.convention)
    require_edit(user, convention)
    locked = lock(notice)
    if convention.status != ConventionStatus.TERMINATION_NOTIFIED:
        raise DomainError(
            f"La convention est « {convention.get_status_display()} » : la dénonciation ne se modifie plus.",
            rule=TERMINATION_RULE,
        )
    if sent_on is not None:
        locked.sent_on = sent_on
    if registered_letter_number is not None:
        locked.registered_letter_number = registered_letter_number.strip()
    if received_on > day:
        raise DomainError("La date de réception est dans le futur.", rule=TERMINATION_RULE, field="received_on")
    if locked.sent_on is None:
        raise DomainError("Indiquez la date d'envoi de la lettre.", rule=TERMINATION_RULE, field="sent_on")
    rules.check_notice_dates(sent_on=locked.sent_on, received_on=received_on)
    rules.check_notice_after_start(
        signed_on=convention.signed_on,
        effective_date=convention.effective_date,
        dates={"sent_on": locked.sent_on, "received_on": received_on},
    )
    if convention.termination_by_registered_letter and not locked.registered_letter_number:
        raise DomainError(
            "La convention exige une lettre recommandée avec accusé de réception : indiquez son numéro.",
            rule=TERMINATION_RULE,
            field="registered_letter_number",
        )
    locked.received_on = received_on
    _derive_notice_dates(locked, convention)
    save(locked, user=user, reason=f"Accusé de réception du {french_date(received_on)}")
    save(
        convention,
        user=user,
        reason=f"Lettre de dénonciation reçue le {french_date(received_on)} : résiliation effective le "
        f"{french_date(locked.effective_date)}",  # type: ignore[arg-type]
    )
    apply_dates_to(convention, day)
    deadlines.sync_convention(convention)
    return locked
