"""Correcting the date a party signed a convention: an explicit action with its reason kept in
the history, the dates derived from the signatures (start, end, evaluations, deadlines)
following at once."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from conventions import deadlines, rules
from conventions.models import AmendmentStatus, Convention, ConventionParty, ConventionStatus
from conventions.services._common import lock, require_edit, save, today_or
from conventions.services.renewal import apply_dates_to
from conventions.services.term import activate_if_due, schedule_evaluations, set_term
from core.errors import DomainError
from core.formatting import french_date

# A signature date may be corrected from the first signature until the convention ends: after
# that, its dates are part of a closed record.
CORRECTABLE_STATES = (
    ConventionStatus.OUT_FOR_SIGNATURE,
    ConventionStatus.SIGNED,
    ConventionStatus.ACTIVE,
    ConventionStatus.SUSPENDED,
    ConventionStatus.TERMINATION_NOTIFIED,
)


def _shown(day: date | None) -> str:
    return french_date(day) if day else "—"


@transaction.atomic
def correct_signature_date(
    *,
    user: Any,
    convention: Convention,
    party: ConventionParty,
    signed_on: date,
    reason: str,
    today: date | None = None,
) -> Convention:
    """Correct the date one party signed. The same checks as a signature apply (after approval
    and the sending for signature, not in the future); the convention's signature date, start,
    end, evaluations and deadlines are derived again; the reason is written in the history of
    the party and of the convention. Refused when what already rests on the old dates (the
    notification, a notice of termination, an avenant changing the term) would come before
    the new start."""
    day = today_or(today)
    locked = lock(convention)
    require_edit(user, locked)
    if locked.status not in CORRECTABLE_STATES:
        raise DomainError(
            _("La convention est « %(status)s » : ses dates de signature ne se corrigent plus.")
            % {"status": locked.get_status_display()},
            rule=rules.CORRECTION_RULE,
            field="status",
        )
    signer = lock(party)
    if signer.convention_id != locked.pk:
        raise DomainError(_("Cette partie n'est pas partie à la convention."), rule="Signature", field="party")
    name = signer.organization.name
    rules.check_signature_correction(party_name=name, recorded=signer.signed_on, corrected=signed_on, reason=reason)
    rules.check_signature_date(signed_on=signed_on, approved_on=locked.approved_on, today=day)
    if locked.sent_for_signature_on and signed_on < locked.sent_for_signature_on:
        raise DomainError(
            _("La signature (%(day)s) précède l'envoi en signature (%(sent)s).")
            % {"day": french_date(signed_on), "sent": french_date(locked.sent_for_signature_on)},
            rule="Signature",
            field="signed_on",
        )
    term_amendments = locked.amendments.filter(status=AmendmentStatus.SIGNED).filter(
        Q(new_end_date__isnull=False) | Q(new_duration_months__isnull=False)
    )
    if term_amendments.exists():
        raise DomainError(
            _("Un avenant signé a modifié la durée de la convention : sa date de signature ne se corrige plus."),
            rule=rules.CORRECTION_RULE,
            field="signed_on",
        )
    previous = signer.signed_on
    why = reason.strip()
    signer.signed_on = signed_on
    save(
        signer,
        user=user,
        reason=_("Date de signature de %(party)s corrigée : %(old)s → %(new)s. Motif : %(why)s")
        % {"party": name, "old": _shown(previous), "new": french_date(signed_on), "why": why},
    )
    parties = list(locked.parties.all())
    if locked.status == ConventionStatus.OUT_FOR_SIGNATURE or any(p.signed_on is None for p in parties):
        return locked
    before = (locked.effective_date, locked.end_date)
    locked.signed_on = max(p.signed_on for p in parties if p.signed_on)
    set_term(locked)
    if locked.notification_date and locked.notification_date < locked.signed_on:
        raise DomainError(
            _("La notification (%(notified)s) précéderait la signature (%(signed)s).")
            % {"notified": french_date(locked.notification_date), "signed": french_date(locked.signed_on)},
            rule=rules.CORRECTION_RULE,
            field="signed_on",
        )
    notice = getattr(locked, "termination_notice_record", None)
    if notice is not None:
        rules.check_notice_after_start(
            signed_on=locked.signed_on,
            effective_date=locked.effective_date,
            dates={"signed_on": notice.sent_on or notice.received_on},
        )
    text = _(
        "Date de signature corrigée (%(why)s) : signée le %(signed)s, prise d'effet %(old_start)s → %(start)s, "
        "fin %(old_end)s → %(end)s"
    ) % {
        "why": why,
        "signed": french_date(locked.signed_on),
        "old_start": _shown(before[0]),
        "start": _shown(locked.effective_date),
        "old_end": _shown(before[1]),
        "end": _shown(locked.end_date),
    }
    save(locked, user=user, reason=text)
    if locked.status == ConventionStatus.SIGNED:
        activate_if_due(locked, user, day)
    else:
        schedule_evaluations(locked)
    apply_dates_to(locked, day)
    deadlines.sync_convention(locked)
    return locked
