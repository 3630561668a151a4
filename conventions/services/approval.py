"""A convention taken from draft through legal review, approval and signature, and its
suspension, resumption or abandonment."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from django.db import transaction

from conventions import deadlines, rules
from conventions.models import Convention, ConventionParty, ConventionStatus, StartEvent
from conventions.services._common import lock, require_edit, run_transition, save, today_or
from conventions.services.term import activate_if_due, set_term
from core.errors import DomainError
from core.formatting import french_date


def _deliberation_date(deliberation: Any) -> date | None:
    sitting = getattr(deliberation, "sitting", None)
    if sitting is not None and sitting.starts_at:
        from django.utils import timezone

        return timezone.localtime(sitting.starts_at).date()
    return deliberation.signed_on


def check_approving_deliberations(organization_id: int, deliberations: Sequence[Any]) -> date | None:
    """An approval needs an adopted (or later) deliberation of the convention's own organization;
    returns the latest sitting date."""
    from deliberations.models import AFTER_SIGNATURE_STATES, DeliberationKind, DeliberationState

    dates: list[date] = []
    for deliberation in deliberations:
        if deliberation.assembly.organization_id != organization_id:
            raise DomainError(
                f"La délibération {deliberation.number} est celle d'une autre collectivité.",
                rule="Approbation par l'assemblée de la collectivité",
                field="deliberations",
            )
        result = getattr(deliberation, "vote", None) if deliberation.state in AFTER_SIGNATURE_STATES else None
        adopted = deliberation.state == DeliberationState.ADOPTED or (
            deliberation.state in AFTER_SIGNATURE_STATES
            and deliberation.kind == DeliberationKind.VOTE
            and result is not None
            and result.outcome == "adopted"
        )
        if not adopted:
            raise DomainError(
                f"La délibération {deliberation.number} n'est pas adoptée (état : {deliberation.get_state_display()}) : "
                "elle ne peut pas approuver la convention.",
                rule="Approbation par une délibération adoptée",
                field="deliberations",
            )
        day = _deliberation_date(deliberation)
        if day:
            dates.append(day)
    return max(dates) if dates else None


def check_delegated_decision(reference: str, decision_date: date | None) -> None:
    if not reference.strip() or decision_date is None:
        raise DomainError(
            "Une décision prise par délégation indique sa référence et sa date.",
            rule="Approbation par décision déléguée",
            field="delegated_decision_reference",
        )


@transaction.atomic
def submit_for_review(*, user: Any, convention: Convention, reason: str = "") -> Convention:
    """Brouillon → relecture juridique: at least two parties, the owner among them."""
    locked = lock(convention)
    require_edit(user, locked)
    parties = list(locked.parties.all())
    if len(parties) < 2:
        raise DomainError(
            "Une convention a au moins deux parties : ajoutez le partenaire avant la relecture.",
            rule="Parties",
            field="parties",
        )
    run_transition(locked, "submit_for_review", target_label="Relecture juridique")
    save(locked, user=user, reason=reason or "Transmise en relecture juridique")
    return locked


@transaction.atomic
def return_to_draft(*, user: Any, convention: Convention, reason: str) -> Convention:
    locked = lock(convention)
    require_edit(user, locked)
    run_transition(locked, "return_to_draft", target_label="Brouillon")
    save(locked, user=user, reason=reason or "Renvoyée en brouillon")
    return locked


@transaction.atomic
def approve_convention(
    *,
    user: Any,
    convention: Convention,
    deliberations: Sequence[Any] = (),
    delegated_reference: str = "",
    delegated_date: date | None = None,
    reason: str = "",
) -> Convention:
    """Relecture → approuvée, by an adopted deliberation of the same organization or by a
    delegated decision (reference and date)."""
    locked = lock(convention)
    require_edit(user, locked)
    if locked.status != ConventionStatus.LEGAL_REVIEW:
        run_transition(locked, "approve", target_label="Approuvée")  # raises the clear error
    if not deliberations and not delegated_reference and delegated_date is None:
        raise DomainError(
            "L'approbation exige une délibération adoptée de la collectivité ou une décision prise par délégation "
            "(référence et date).",
            rule="Approbation de la convention",
            field="deliberations",
        )
    approved_on = check_approving_deliberations(locked.organization_id, deliberations) if deliberations else None
    if delegated_reference or delegated_date:
        check_delegated_decision(delegated_reference, delegated_date)
        locked.delegated_decision_reference = delegated_reference.strip()
        locked.delegated_decision_date = delegated_date
        approved_on = max(d for d in [approved_on, delegated_date] if d)
    locked.approved_on = approved_on
    run_transition(locked, "approve", target_label="Approuvée")
    numbers = ", ".join(d.number for d in deliberations)
    save(
        locked,
        user=user,
        reason=reason
        or (f"Approuvée par la délibération {numbers}" if numbers else f"Approuvée par décision {delegated_reference}"),
    )
    if deliberations:
        locked.approving_deliberations.add(*deliberations)
    return locked


@transaction.atomic
def send_for_signature(*, user: Any, convention: Convention, sent_on: date, reason: str = "") -> Convention:
    """Approuvée → en signature: every party has its signatory."""
    locked = lock(convention)
    require_edit(user, locked)
    run_transition(locked, "send_for_signature", target_label="En signature")
    missing = [p.organization.name for p in locked.parties.select_related("organization") if p.signatory_id is None]
    if missing:
        raise DomainError(
            "Indiquez le signataire de : " + ", ".join(missing) + ".", rule="Signature", field="signatory"
        )
    if locked.approved_on and sent_on < locked.approved_on:
        raise DomainError(
            "L'envoi en signature ne peut pas précéder l'approbation.",
            rule="Signature après approbation",
            field="sent_on",
        )
    locked.sent_for_signature_on = sent_on
    save(locked, user=user, reason=reason or f"Envoyée en signature le {french_date(sent_on)}")
    return locked


@transaction.atomic
def record_signature(
    *, user: Any, convention: Convention, party: ConventionParty, signed_on: date, today: date | None = None
) -> Convention:
    """A party signs. When the last one has signed, the convention is signed; its effective
    date follows the start event, and it is in force at once if that date has come."""
    day = today_or(today)
    locked = lock(convention)
    require_edit(user, locked)
    party = lock(party)
    if party.convention_id != locked.pk:
        raise DomainError("Cette partie n'est pas partie à la convention.", rule="Signature", field="party")
    # Checked first: a party signing again is told so, whatever the convention's state.
    rules.check_not_signed_yet(party_name=party.organization.name, signed_on=party.signed_on)
    if locked.status != ConventionStatus.OUT_FOR_SIGNATURE:
        raise DomainError(
            f"La convention est « {locked.get_status_display()} » : les signatures se recueillent quand elle est "
            "en signature.",
            rule="Cycle de vie",
            field="status",
        )
    rules.check_signature_date(signed_on=signed_on, approved_on=locked.approved_on, today=day)
    if locked.sent_for_signature_on and signed_on < locked.sent_for_signature_on:
        raise DomainError(
            f"La signature ({french_date(signed_on)}) précède l'envoi en signature "
            f"({french_date(locked.sent_for_signature_on)}).",
            rule="Signature",
            field="signed_on",
        )
    party.signed_on = signed_on
    save(party, user=user, reason=f"Signée par {party.organization.name} le {french_date(signed_on)}")
    parties = list(locked.parties.all())
    if all(p.signed_on for p in parties):
        locked.signed_on = max(p.signed_on for p in parties if p.signed_on)
        locked.mark_signed()
        set_term(locked)
        reason = f"Signée par toutes les parties (dernière signature le {french_date(locked.signed_on)})"
        if locked.effective_date:
            reason += f", prise d'effet le {french_date(locked.effective_date)}"
        save(locked, user=user, reason=reason)
        activate_if_due(locked, user, day)
    deadlines.sync_convention(locked)
    return locked


@transaction.atomic
def record_notification(
    *, user: Any, convention: Convention, notified_on: date, today: date | None = None
) -> Convention:
    """The signed convention was notified to the partner: it takes effect that day when its
    start event is the notification."""
    day = today_or(today)
    locked = lock(convention)
    require_edit(user, locked)
    if locked.status not in (ConventionStatus.SIGNED, ConventionStatus.ACTIVE) or locked.signed_on is None:
        raise DomainError("Seule une convention signée se notifie.", rule="Cycle de vie", field="status")
    if notified_on < locked.signed_on or notified_on > day:
        raise DomainError(
            "La notification suit la signature et n'est pas dans le futur.",
            rule="Notification",
            field="notified_on",
        )
    locked.notification_date = notified_on
    if locked.start_event == StartEvent.NOTIFICATION:
        set_term(locked)
    save(locked, user=user, reason=f"Notifiée le {french_date(notified_on)}")
    activate_if_due(locked, user, day)
    deadlines.sync_convention(locked)
    return locked


@transaction.atomic
def suspend(*, user: Any, convention: Convention, reason: str) -> Convention:
    locked = lock(convention)
    require_edit(user, locked)
    if not reason.strip():
        raise DomainError("Indiquez le motif de la suspension.", rule="Suspension", field="reason")
    run_transition(locked, "suspend", target_label="Suspendue")
    save(locked, user=user, reason=f"Suspendue : {reason.strip()}")
    return locked


@transaction.atomic
def resume(*, user: Any, convention: Convention, reason: str = "") -> Convention:
    locked = lock(convention)
    require_edit(user, locked)
    run_transition(locked, "resume", target_label="En vigueur")
    save(locked, user=user, reason=reason or "Reprise après suspension")
    return locked


@transaction.atomic
def cancel(*, user: Any, convention: Convention, reason: str) -> Convention:
    locked = lock(convention)
    require_edit(user, locked)
    if not reason.strip():
        raise DomainError("Indiquez pourquoi la convention est abandonnée.", rule="Abandon", field="reason")
    run_transition(locked, "cancel", target_label="Abandonnée")
    save(locked, user=user, reason=f"Abandonnée : {reason.strip()}")
    deadlines.sync_convention(locked)
    return locked
