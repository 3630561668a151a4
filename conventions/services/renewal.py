"""Renewal (express, by a new convention; tacit, by the calendar) and the daily moves the
calendar decides (entry into force, expiry, termination)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Q

from conventions import deadlines, rules
from conventions.models import Convention, ConventionClause, ConventionParty, ConventionStatus, RenewalMode
from conventions.models.conventions import LIVE_STATES
from conventions.services._common import lock, require_edit, save, today_or
from conventions.services.drafting import TERM_FIELDS, create_convention
from conventions.services.term import activate_if_due, schedule_evaluations
from core.errors import DomainError
from core.formatting import french_date


@transaction.atomic
def renew_expressly(*, user: Any, convention: Convention, reference: str = "", title: str = "") -> Convention:
    """Express renewal: a new draft convention (to be approved by a new deliberation) linked to
    this one, with the same parties, clauses, obligations and terms. This one becomes
    "renouvelée" when its period ends and the successor is signed."""
    locked = lock(convention)
    require_edit(user, locked)
    if locked.status not in (*LIVE_STATES, ConventionStatus.EXPIRED):
        raise DomainError(
            "Seule une convention signée, en vigueur ou expirée se renouvelle.", rule="Renouvellement exprès"
        )
    terms = {f: getattr(locked, f) for f in TERM_FIELDS if f != "title"}
    successor = create_convention(
        user=user,
        organization=locked.organization,
        title=title or locked.title,
        reference=reference,
        manager=locked.manager,
        followers=list(locked.followers.all()),
        **terms,
    )
    successor.predecessor = locked
    save(successor, user=user, reason=f"Renouvellement de {locked.reference}")
    for party in locked.parties.exclude(organization_id=locked.organization_id):
        ConventionParty.objects.create(
            convention=successor,
            organization_id=party.organization_id,
            signatory_id=party.signatory_id,
            side=party.side,
            position=party.position,
            designation=party.designation,
            is_beneficiary=party.is_beneficiary,
            share_percent=party.share_percent,
            share_amount=party.share_amount,
        )
    for clause in locked.clauses.all():
        ConventionClause.objects.create(
            convention=successor,
            position=clause.position,
            title=clause.title,
            body=clause.body,
            template_id=clause.template_id,
        )
    return successor


# --- Time-driven moves (manage.py apply_convention_dates) -----------------------------------


def _renew_tacitly(convention: Convention, day: date) -> bool:
    if convention.renewal != RenewalMode.TACIT or convention.end_date is None:
        return False
    if hasattr(convention, "termination_notice_record"):
        return False
    renewed = False
    while rules.tacit_renewal_due(
        end=convention.end_date,
        today=day,
        renewals_done=convention.tacit_renewals_done,
        renewals_allowed=convention.tacit_renewals_allowed,
    ):
        previous = convention.end_date
        convention.end_date = rules.renewed_end_date(
            previous, months=convention.duration_months, days=convention.duration_days
        )
        convention.tacit_renewals_done += 1
        save(
            convention,
            user=None,
            reason=f"Reconduction tacite n° {convention.tacit_renewals_done} : "
            f"fin {french_date(previous)} → {french_date(convention.end_date)}",
        )
        renewed = True
    return renewed


def apply_dates_to(convention: Convention, day: date) -> str | None:
    """Apply what the calendar decides for one convention on ``day``; idempotent. Returns a
    line describing what changed, or None."""
    status = convention.status
    if status == ConventionStatus.SIGNED:
        if convention.effective_date and convention.effective_date <= day:
            activate_if_due(convention, None, day)
            return f"{convention.reference} : en vigueur"
        return None
    notice = getattr(convention, "termination_notice_record", None)
    if status == ConventionStatus.TERMINATION_NOTIFIED:
        effective = notice.effective_date if notice else None
        if effective and effective <= day and not (convention.end_date and convention.end_date < effective):
            convention.terminate()
            convention.terminated_on = effective
            convention.ended_on = effective
            save(convention, user=None, reason=f"Résiliation effective le {french_date(effective)}")
            return f"{convention.reference} : résiliée"
        if convention.end_date and convention.end_date < day:
            convention.expire()
            convention.ended_on = convention.end_date
            save(convention, user=None, reason=f"Expirée après le {french_date(convention.end_date)}")
            return f"{convention.reference} : expirée"
        return None
    if status in (ConventionStatus.ACTIVE, ConventionStatus.SUSPENDED):
        if convention.end_date is None or convention.end_date >= day:
            return None
        if _renew_tacitly(convention, day):
            schedule_evaluations(convention)
            if convention.end_date >= day:
                return f"{convention.reference} : reconduite tacitement"
            # Every renewal allowed has run out too (the command did not run for a long
            # while): the convention ends now, in this same run, so a second run is a no-op.
        successor = (
            convention.successors.filter(status__in=[ConventionStatus.SIGNED, ConventionStatus.ACTIVE])
            .order_by("-id")
            .first()
        )
        convention.ended_on = convention.end_date
        if successor is not None:
            convention.mark_renewed()
            save(convention, user=None, reason=f"Renouvelée par {successor.reference}")
            return f"{convention.reference} : renouvelée"
        convention.expire()
        save(convention, user=None, reason=f"Expirée après le {french_date(convention.end_date)}")
        return f"{convention.reference} : expirée"
    return None


def apply_dates(*, today: date | None = None) -> list[str]:
    """The daily run: each convention whose dates call for a move is locked and moved once."""
    day = today_or(today)
    candidates = Convention.objects.filter(
        Q(status=ConventionStatus.SIGNED, effective_date__lte=day)
        | Q(status__in=[ConventionStatus.ACTIVE, ConventionStatus.SUSPENDED], end_date__lt=day)
        | Q(status=ConventionStatus.TERMINATION_NOTIFIED)
    ).values_list("pk", flat=True)
    lines = []
    for pk in list(candidates):
        with transaction.atomic():
            convention = Convention.objects.select_for_update().get(pk=pk)
            line = apply_dates_to(convention, day)
            if line:
                deadlines.sync_convention(convention)
                lines.append(line)
    return lines
