"""Sending the convocation and the notices of a sitting to its members, with the proof of
each copy (CGCT L2121-10 to L2121-12).

A sending is decided in one transaction (:func:`send_convocation`, :func:`send_notice`,
:func:`resend`): the sitting locked, the jours francs checked from the day of sending, the
PDF rendered (and signed when the organization keeps a certificate), one recipient row per
member — e-mail, or paper for those who asked for it or have no address, in one PDF to
print. After the commit the ``deliver_convocations`` task sends the e-mails (:func:`deliver`).

A second click finds the convocation already sent. Delivering the e-mails, each recipient
at most once, is in ``services.convocation_delivery``.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from django.db import transaction
from django.utils import timezone

from core import tenancy
from core.errors import DomainError
from core.formatting import french_date
from core.roles import Capability
from deliberations.documents import convocations as sending_documents
from deliberations.models import (
    ConvocationRecipient,
    ConvocationSending,
    Mandate,
    RecipientState,
    SendingChannel,
    SendingKind,
    Sitting,
    SittingState,
)
from deliberations.rules import convocations as sending_rules
from deliberations.selectors.convocations import Addressee, addressees
from deliberations.services import convocation_delivery as delivery
from deliberations.services._common import lock_sitting, require, save
from deliberations.services.convocation_delivery import DeliveryResult as DeliveryResult
from deliberations.services.convocation_delivery import deliver as deliver
from deliberations.services.sittings import convene

logger = logging.getLogger(__name__)

KIND_CONVOCATION = "convocation"
NOTICE_KINDS = (SendingKind.ADDITIVE, SendingKind.POSTPONEMENT, SendingKind.CANCELLATION)
NOTICE_REPEAT_WINDOW = timedelta(minutes=10)


# --- Deciding a sending -------------------------------------------------------------------


@transaction.atomic
def send_convocation(
    *, user: Any, sitting: Sitting, urgency: bool = False, urgency_reason: str = "", now: datetime | None = None
) -> ConvocationSending:
    """Convene the members: the day of sending (Europe/Paris) becomes the sitting's
    convocation date, checked against the jours francs like "Convoquer" (refused when late
    unless urgency is stated, CGCT L2121-11, L2121-12); the convocation PDF is made once
    and e-mailed to each member in office after the commit, or printed for those on paper."""
    require(user, sitting.assembly.organization_id, Capability.MANAGE_SITTINGS)
    now = now or timezone.now()
    locked = lock_sitting(sitting)
    earlier = ConvocationSending.objects.filter(sitting=locked, kind=SendingKind.CONVOCATION).first()
    if earlier is not None:
        raise DomainError(
            f"La convocation de cette séance a déjà été envoyée le {french_date(timezone.localtime(earlier.requested_at))} : "
            "renvoyez-la à un membre, ou adressez un additif.",
            rule=sending_rules.RULE_SENDING,
        )
    members = addressees(locked)
    if not members:
        raise DomainError(
            "L'assemblée n'a aucun membre en exercice à la date de la séance : personne à convoquer.",
            rule=sending_rules.RULE_SENDING,
        )
    convene(
        user=user,
        sitting=locked,
        convocation_date=timezone.localdate(now),
        urgency=urgency,
        urgency_reason=urgency_reason,
    )
    locked = lock_sitting(locked)
    sending = ConvocationSending(
        sitting=locked,
        kind=SendingKind.CONVOCATION,
        requested_by=_user_or_none(user),
        requested_at=now,
        convocation_date=locked.convocation_date,
        urgency=locked.urgency,
        urgency_reason=locked.urgency_reason,
    )
    return _dispatch(sending, members=members, user=user, context_kind=KIND_CONVOCATION)


@transaction.atomic
def send_notice(
    *,
    user: Any,
    sitting: Sitting,
    kind: str,
    message: str,
    new_starts_at: datetime | None = None,
    now: datetime | None = None,
) -> ConvocationSending:
    """Send every member in office an additive notice (an item added, a report updated), or
    the postponement or cancellation of the sitting, with its own PDF and its own proof."""
    require(user, sitting.assembly.organization_id, Capability.MANAGE_SITTINGS)
    if kind not in NOTICE_KINDS:
        raise DomainError(f"Nature d'avis inconnue : « {kind} ».", rule=sending_rules.RULE_SENDING, field="kind")
    label = str(SendingKind(kind).label)
    sending_rules.check_notice_message(kind_label=label, message=message)
    now = now or timezone.now()
    locked = lock_sitting(sitting)
    if locked.state not in (SittingState.PLANNED, SittingState.CONVENED):
        raise DomainError(
            f"{label} : la séance est à l'état « {locked.get_state_display()} », il n'y a plus rien à annoncer.",
            rule=sending_rules.RULE_SENDING,
        )
    if kind == SendingKind.ADDITIVE and not locked.convocation_sendings.filter(kind=SendingKind.CONVOCATION).exists():
        raise DomainError(
            "Un additif complète une convocation envoyée : envoyez d'abord la convocation.",
            rule=sending_rules.RULE_SENDING,
        )
    if kind == SendingKind.POSTPONEMENT and new_starts_at is not None and new_starts_at <= locked.starts_at:
        raise DomainError(
            "Un report fixe la séance après la date prévue.", rule=sending_rules.RULE_SENDING, field="new_starts_at"
        )
    repeated = locked.convocation_sendings.filter(
        kind=kind, message=message.strip(), requested_at__gte=now - NOTICE_REPEAT_WINDOW
    ).exists()
    if repeated:
        raise DomainError(
            f"{label} : le même avis vient d'être envoyé ; il ne part pas deux fois.", rule=sending_rules.RULE_SENDING
        )
    members = addressees(locked)
    if not members:
        raise DomainError("Aucun membre en exercice à prévenir.", rule=sending_rules.RULE_SENDING)
    sending = ConvocationSending(
        sitting=locked,
        kind=kind,
        requested_by=_user_or_none(user),
        requested_at=now,
        message=message.strip(),
        new_starts_at=new_starts_at,
    )
    return _dispatch(sending, members=members, user=user, context_kind=kind)


@transaction.atomic
def resend(*, user: Any, recipient: ConvocationRecipient, now: datetime | None = None) -> ConvocationSending:
    """Send one member the same document again (the convocation or a notice), as a new
    sending with its own proof; the member's current address and choice of paper apply."""
    sending = ConvocationSending.objects.select_related("sitting__assembly__organization", "document").get(
        pk=recipient.sending_id
    )
    require(user, sending.sitting.assembly.organization_id, Capability.MANAGE_SITTINGS)
    now = now or timezone.now()
    locked = lock_sitting(sending.sitting)
    original = sending.parent if sending.kind == SendingKind.RESEND and sending.parent is not None else sending
    pending = ConvocationRecipient.objects.filter(
        sending__parent=original,
        sending__kind=SendingKind.RESEND,
        person_id=recipient.person_id,
        state__in=[RecipientState.QUEUED, RecipientState.SENDING],
    ).exists()
    if pending:
        raise DomainError(
            "Un renvoi à ce membre est déjà en cours : il ne part pas deux fois.", rule=sending_rules.RULE_SENDING
        )
    member = next((a for a in addressees(locked) if a.person_id == recipient.person_id), None)
    if member is None:
        raise DomainError(
            "Ce membre n'est plus en exercice à la date de la séance : rien à lui renvoyer.",
            rule=sending_rules.RULE_SENDING,
        )
    again = ConvocationSending(
        sitting=locked,
        kind=SendingKind.RESEND,
        parent=original,
        requested_by=_user_or_none(user),
        requested_at=now,
        message=original.message,
        new_starts_at=original.new_starts_at,
        document=original.document,
        document_sha256=original.document_sha256,
    )
    return _dispatch(again, members=[member], user=user, context_kind=original.kind)


@transaction.atomic
def mark_bounced(
    *, user: Any, recipient: ConvocationRecipient, reason: str, bounced_at: datetime | None = None
) -> ConvocationRecipient:
    """Record that an e-mail the server accepted came back (a delivery status notification
    received in the organization's mailbox: Conventio does not receive them itself)."""
    locked = (
        ConvocationRecipient.objects.select_for_update(of=("self",))
        .select_related("person", "sending__sitting__assembly")
        .get(pk=recipient.pk)
    )
    require(user, locked.sending.sitting.assembly.organization_id, Capability.MANAGE_SITTINGS)
    sending_rules.check_bounce(channel=locked.channel, state=locked.state, member=locked.person.full_name)
    if not reason.strip():
        raise DomainError("Indiquez le motif du rebond (le message d'erreur reçu).", field="reason")
    locked.state = RecipientState.BOUNCED
    locked.bounced_at = bounced_at or timezone.now()
    locked.bounce_reason = reason.strip()[:500]
    locked.save(update_fields=["state", "bounced_at", "bounce_reason"])
    return locked


@transaction.atomic
def set_paper_preference(*, user: Any, mandate: Mandate, prefers_paper: bool) -> Mandate:
    """Record that a member asks for their convocations on paper, or by e-mail again
    (CGCT L2121-10: electronic means unless the member asks otherwise)."""
    require(user, mandate.assembly.organization_id, Capability.MANAGE_SITTINGS)
    locked = Mandate.objects.select_for_update().select_related("person").get(pk=mandate.pk)
    locked.prefers_paper = prefers_paper
    save(
        locked,
        user=user,
        reason="Convocation sur papier demandée" if prefers_paper else "Convocation par courriel",
        update_fields=["prefers_paper", "updated_at"],
    )
    return locked


def make_report(*, user: Any, sitting: Sitting) -> Any:
    """Render the état des envois of a sitting (PDF) and keep it with the sitting, as a new
    version: every sending with the SHA-256 of what was sent and each member's proof."""
    tenancy.require(user, sitting.assembly.organization_id, Capability.MANAGE_SITTINGS)
    return delivery.report(user=user, sitting=sitting)


def _user_or_none(user: Any) -> Any:
    return user if getattr(user, "pk", None) else None


def _dispatch(
    sending: ConvocationSending, *, members: list[Addressee], user: Any, context_kind: str
) -> ConvocationSending:
    """Make the documents (unless a re-send reuses its original's), save the sending and one
    recipient row per member, and enqueue the e-mails after the commit."""
    sitting = sending.sitting
    paper = [m for m in members if m.channel == SendingChannel.PAPER]
    context = sending_documents.sending_context(
        sitting, kind=context_kind, message=sending.message, new_starts_at=sending.new_starts_at
    )
    title = f"{delivery.subject_prefix(context_kind)} — {sitting.assembly.name} du {french_date(sitting.date)}"
    if sending.document_id is None:
        document = _render(kind=KIND_CONVOCATION, sitting=sitting, context=context, title=title, user=user)
        sending.document = _signed(document, user=user, sitting=sitting)
        sending.document_sha256 = sending.document.sha256
    if paper:
        letters = sending_documents.letters_context(context, [(m.name, m.civility, m.paper_reason) for m in paper])
        sending.paper_document = _render(
            kind=sending_documents.KIND_LETTERS,
            sitting=sitting,
            context=letters,
            title=f"{title} — envois papier ({len(paper)})",
            user=user,
        )
    save(sending, user=user, reason=str(SendingKind(sending.kind).label))
    ConvocationRecipient.objects.bulk_create(
        [
            ConvocationRecipient(
                sending=sending,
                person_id=m.person_id,
                channel=m.channel,
                address=m.email if m.channel == SendingChannel.EMAIL else "",
                state=RecipientState.QUEUED if m.channel == SendingChannel.EMAIL else RecipientState.PAPER,
            )
            for m in members
        ]
    )
    if len(paper) < len(members):
        transaction.on_commit(partial(delivery.enqueue, sending.pk))
    else:
        transaction.on_commit(partial(delivery.finish, sending.pk))
    return sending


def _render(*, kind: str, sitting: Sitting, context: dict[str, Any], title: str, user: Any) -> Any:
    from documents.services import generate_document

    (document,) = generate_document(
        kind=kind,
        organization=sitting.assembly.organization,
        context=context,
        owner=sitting,
        user=user,
        title=title,
        formats=("pdf",),
    )
    return document


def _signed(document: Any, *, user: Any, sitting: Sitting) -> Any:
    """The convocation signed with the organization's certificate when one is in service with
    its passphrase kept, and the sender may sign; else as rendered."""
    from documents.models import SigningCertificate
    from documents.services import sign_document

    if not tenancy.can(user, document.organization_id, Capability.SIGN_DOCUMENTS):
        return document
    now = timezone.now()
    certificate = (
        SigningCertificate.objects.filter(
            organization_id=document.organization_id, is_active=True, not_before__lte=now, not_after__gte=now
        )
        .exclude(encrypted_passphrase="")
        .order_by("-not_after")
        .first()
    )
    if certificate is None:
        return document
    return sign_document(
        document=document,
        certificate=certificate,
        user=user,
        reason="Convocation",
        location=sitting.assembly.signature_city or sitting.assembly.organization.city_or_name,
    )


def retry_now(*, user: Any, sending: ConvocationSending) -> int:
    """Send again at once the e-mails waiting after a temporary failure. Returns how many."""
    require(user, sending.sitting.assembly.organization_id, Capability.MANAGE_SITTINGS)
    count = ConvocationRecipient.objects.filter(sending=sending, state=RecipientState.QUEUED).update(
        next_attempt_at=None
    )
    if count:
        transaction.on_commit(partial(delivery.enqueue, sending.pk))
    return count
