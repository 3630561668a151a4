"""Avenants of a signed convention: drafted, approved, signed by each party, then applied."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Max

from conventions import deadlines, rules
from conventions.models import (
    Amendment,
    AmendmentSignature,
    AmendmentStatus,
    Convention,
    ConventionClause,
    ConventionParty,
)
from conventions.models.conventions import LIVE_STATES
from conventions.services._common import lock, require_edit, run_transition, save, today_or
from conventions.services.approval import check_approving_deliberations, check_delegated_decision
from conventions.services.clauses import clause_variables
from conventions.services.renewal import apply_dates_to
from conventions.services.term import schedule_evaluations
from core.errors import DomainError, TransitionNotAllowed
from core.formatting import french_amount, french_date
from parties.models import Signatory

AMENDMENT_RULE = "Avenants (DESIGN « Conventions » 6)"
SIGNATURE_RULE = "Signature de l'avenant par chaque partie (DESIGN « Conventions » 6)"


def _check_effect(
    convention: Convention,
    *,
    new_duration_months: int | None,
    new_end_date: date | None,
    new_amount: Decimal | None,
    clause: ConventionClause | None,
    new_clause_title: str,
    new_clause_body: str,
) -> None:
    if new_duration_months is not None and new_end_date is not None:
        raise DomainError(
            "Un avenant change soit la durée, soit la date de fin, pas les deux.",
            rule=AMENDMENT_RULE,
            field="new_end_date",
        )
    if new_duration_months is not None and new_duration_months < 1:
        raise DomainError("La nouvelle durée doit être positive.", rule=AMENDMENT_RULE, field="new_duration_months")
    if new_end_date is not None and convention.effective_date:
        rules.check_amendment_end(start=convention.effective_date, new_end=new_end_date)
    if new_amount is not None and new_amount < 0:
        raise DomainError("Le montant ne peut pas être négatif.", rule=AMENDMENT_RULE, field="new_amount")
    if clause is not None and clause.convention_id != convention.pk:
        raise DomainError("Cet article n'est pas celui de la convention.", rule=AMENDMENT_RULE, field="clause")
    if new_clause_body.strip():
        rules.render_clause(new_clause_body, clause_variables(convention))
        if clause is None and not new_clause_title.strip():
            raise DomainError("Un nouvel article a un titre.", rule=AMENDMENT_RULE, field="new_clause_title")


@transaction.atomic
def create_amendment(
    *,
    user: Any,
    convention: Convention,
    title: str,
    object: str = "",
    new_duration_months: int | None = None,
    new_end_date: date | None = None,
    new_amount: Decimal | None = None,
    clause: ConventionClause | None = None,
    new_clause_title: str = "",
    new_clause_body: str = "",
) -> Amendment:
    """Draft avenant n° N+1. The convention row is locked, so two avenants drafted at the
    same moment get 1 and 2, never the same number nor a gap."""
    locked = lock(convention)
    require_edit(user, locked)
    if locked.status not in LIVE_STATES:
        raise DomainError(
            f"Un avenant modifie une convention signée ; celle-ci est « {locked.get_status_display()} ».",
            rule=AMENDMENT_RULE,
            field="status",
        )
    if not title.strip():
        raise DomainError("L'intitulé de l'avenant est obligatoire.", rule=AMENDMENT_RULE, field="title")
    _check_effect(
        locked,
        new_duration_months=new_duration_months,
        new_end_date=new_end_date,
        new_amount=new_amount,
        clause=clause,
        new_clause_title=new_clause_title,
        new_clause_body=new_clause_body,
    )
    number = rules.next_amendment_number(
        [n for n in [locked.amendments.aggregate(m=Max("number"))["m"]] if n is not None]
    )
    amendment = Amendment(
        convention=locked,
        number=number,
        title=title.strip(),
        object=object,
        new_duration_months=new_duration_months,
        new_end_date=new_end_date,
        new_amount=new_amount,
        clause=clause,
        new_clause_title=new_clause_title.strip(),
        new_clause_body=new_clause_body,
        created_by=user,
    )
    save(amendment, user=user, reason=f"Avenant n° {number} rédigé")
    return amendment


@transaction.atomic
def approve_amendment(
    *,
    user: Any,
    amendment: Amendment,
    deliberations: Sequence[Any] = (),
    delegated_reference: str = "",
    delegated_date: date | None = None,
) -> Amendment:
    """An avenant is approved like the convention: adopted deliberation or delegated decision."""
    convention = lock(amendment.convention)
    require_edit(user, convention)
    locked = lock(amendment)
    if locked.status != AmendmentStatus.DRAFT:
        run_transition(locked, "approve", target_label="Approuvé")
    if not deliberations and not delegated_reference and delegated_date is None:
        raise DomainError(
            "L'approbation exige une délibération adoptée de la collectivité ou une décision prise par délégation.",
            rule="Approbation de l'avenant",
            field="deliberations",
        )
    approved_on = check_approving_deliberations(convention.organization_id, deliberations) if deliberations else None
    if delegated_reference or delegated_date:
        check_delegated_decision(delegated_reference, delegated_date)
        locked.delegated_decision_reference = delegated_reference.strip()
        locked.delegated_decision_date = delegated_date
        approved_on = max(d for d in [approved_on, delegated_date] if d)
    locked.approved_on = approved_on
    run_transition(locked, "approve", target_label="Approuvé")
    save(locked, user=user, reason="Avenant approuvé")
    if deliberations:
        locked.approving_deliberations.add(*deliberations)
    return locked


@transaction.atomic
def send_amendment_for_signature(*, user: Any, amendment: Amendment) -> Amendment:
    convention = lock(amendment.convention)
    require_edit(user, convention)
    locked = lock(amendment)
    run_transition(locked, "send_for_signature", target_label="En signature")
    save(locked, user=user, reason="Avenant envoyé en signature")
    return locked


@transaction.atomic
def cancel_amendment(*, user: Any, amendment: Amendment, reason: str) -> Amendment:
    convention = lock(amendment.convention)
    require_edit(user, convention)
    locked = lock(amendment)
    run_transition(locked, "cancel", target_label="Abandonné")
    save(locked, user=user, reason=f"Avenant abandonné : {reason}".strip(" :"))
    return locked


def _snapshot(convention: Convention, clause: ConventionClause | None) -> dict[str, Any]:
    data: dict[str, Any] = {
        "end_date": convention.end_date.isoformat() if convention.end_date else None,
        "duration_months": convention.duration_months,
        "amount": str(convention.amount) if convention.amount is not None else None,
    }
    if clause is not None:
        data["clause"] = {"position": clause.position, "title": clause.title, "body": clause.body}
    return data


def _check_signatory(party: ConventionParty, signatory: Signatory | None) -> Signatory | None:
    """Who signs for the party: the one given (signing for its organization), else the party's
    signatory of the convention."""
    if signatory is None:
        return party.signatory
    if signatory.organization_id != party.organization_id:
        raise DomainError(
            f"{signatory.person.full_name} ne signe pas pour {party.organization.name}.",
            rule=SIGNATURE_RULE,
            field="signatory",
        )
    return signatory


@transaction.atomic
def sign_amendment(
    *,
    user: Any,
    amendment: Amendment,
    signed_on: date,
    party: ConventionParty | None = None,
    signatory: Signatory | None = None,
    today: date | None = None,
) -> Amendment:
    """One party of the convention signs the avenant out for signature (``party`` may be left
    out when a single party has yet to sign). When the last one has signed, the avenant is
    signed on the latest date: its effect applies to the convention then, and the convention's
    history shows the values before and after."""
    day = today_or(today)
    convention = lock(amendment.convention)
    require_edit(user, convention)
    locked = lock(amendment)
    if locked.status != AmendmentStatus.OUT_FOR_SIGNATURE:
        raise TransitionNotAllowed(
            f"L'avenant est « {locked.get_status_display()} » : les signatures se recueillent quand il est "
            "en signature.",
            rule="Cycle de vie",
            field="status",
        )
    if convention.status not in LIVE_STATES:
        raise DomainError(
            f"La convention est « {convention.get_status_display()} » : l'avenant ne peut plus s'appliquer.",
            rule=AMENDMENT_RULE,
        )
    parties = list(convention.parties.select_related("organization", "signatory").order_by("position"))
    signatures = {s.party_id: s for s in locked.signatures.all()}
    if party is None:
        waiting = [p for p in parties if p.pk not in signatures]
        if len(waiting) != 1:
            raise DomainError("Indiquez la partie qui signe l'avenant.", rule=SIGNATURE_RULE, field="party")
        party = waiting[0]
    signer = next((p for p in parties if p.pk == party.pk), None)
    if signer is None:
        raise DomainError(
            "Cette partie n'est pas partie à la convention que l'avenant modifie.", rule=SIGNATURE_RULE, field="party"
        )
    if signer.pk in signatures:
        raise DomainError(
            f"{signer.organization.name} a déjà signé l'avenant, le {french_date(signatures[signer.pk].signed_on)}.",
            rule=SIGNATURE_RULE,
            field="party",
        )
    rules.check_signature_date(signed_on=signed_on, approved_on=locked.approved_on, today=day)
    signature = AmendmentSignature(
        amendment=locked, party=signer, signatory=_check_signatory(signer, signatory), signed_on=signed_on
    )
    save(
        signature,
        user=user,
        reason=f"Avenant n° {locked.number} signé par {signer.organization.name} le {french_date(signed_on)}",
    )
    signatures[signer.pk] = signature
    if any(p.pk not in signatures for p in parties):
        return locked
    _apply_signed_amendment(
        user=user,
        amendment=locked,
        convention=convention,
        signed_on=max(s.signed_on for s in signatures.values()),
        day=day,
    )
    return locked


def _apply_signed_amendment(
    *, user: Any, amendment: Amendment, convention: Convention, signed_on: date, day: date
) -> None:
    """Every party has signed: the avenant's effect applies to the convention (both rows are locked)."""
    clause = ConventionClause.objects.select_for_update().get(pk=amendment.clause_id) if amendment.clause_id else None
    before = _snapshot(convention, clause)
    changes: list[str] = []
    if amendment.new_duration_months:
        if convention.effective_date is None:
            raise DomainError(
                "La convention n'a pas encore pris effet : sa durée ne peut pas être recalculée.", rule=AMENDMENT_RULE
            )
        previous = convention.end_date
        convention.duration_months = amendment.new_duration_months
        convention.duration_days = 0
        convention.end_date = rules.end_date(convention.effective_date, months=amendment.new_duration_months)
        changes.append(
            f"durée {amendment.new_duration_months} mois, fin {french_date(previous) if previous else '—'} → "
            f"{french_date(convention.end_date)}"
        )  # type: ignore[arg-type]
    if amendment.new_end_date:
        if convention.effective_date:
            rules.check_amendment_end(start=convention.effective_date, new_end=amendment.new_end_date)
        previous = convention.end_date
        convention.end_date = amendment.new_end_date
        changes.append(f"fin {french_date(previous) if previous else '—'} → {french_date(amendment.new_end_date)}")
    if amendment.new_amount is not None:
        previous_amount = convention.amount
        convention.amount = amendment.new_amount
        changes.append(
            f"montant {french_amount(previous_amount) if previous_amount is not None else '—'} → "
            f"{french_amount(amendment.new_amount)}"
        )
    if amendment.new_clause_body.strip():
        if clause is not None:
            clause.title = amendment.new_clause_title.strip() or clause.title
            clause.body = amendment.new_clause_body
            save(clause, user=user, reason=f"Modifié par l'avenant n° {amendment.number}")
            changes.append(f"article {clause.position} modifié")
        else:
            position = (convention.clauses.aggregate(m=Max("position"))["m"] or 0) + 1
            clause = ConventionClause(
                convention=convention,
                position=position,
                title=amendment.new_clause_title.strip(),
                body=amendment.new_clause_body,
            )
            save(clause, user=user, reason=f"Ajouté par l'avenant n° {amendment.number}")
            changes.append(f"article {position} ajouté")
    amendment.signed_on = signed_on
    amendment.effect_before = before
    amendment.effect_after = _snapshot(convention, clause)
    amendment.mark_signed()
    save(
        amendment,
        user=user,
        reason=f"Avenant signé par toutes les parties (dernière signature le {french_date(signed_on)})",
    )
    summary = "; ".join(changes) if changes else "sans effet sur les conditions"
    save(convention, user=user, reason=f"Avenant n° {amendment.number} signé le {french_date(signed_on)} : {summary}")
    schedule_evaluations(convention)
    # An avenant that moved the end into the past lets the convention end today.
    apply_dates_to(convention, day)
    deadlines.sync_convention(convention)
