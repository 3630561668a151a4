"""Sending the convocation and the notices of a sitting to its members, with the proof of
each copy (CGCT L2121-10 to L2121-12).

A sending is decided in one transaction (:func:`send_convocation`, :func:`send_notice`,
:func:`resend`): the sitting locked, the jours francs checked from the day of sending, the
PDF rendered (and signed when the organization keeps a certificate), one recipient row per
member — e-mail, or paper for those who asked for it or have no address, in one PDF to
print. After the commit the ``deliver_convocations`` task sends the e-mails (:func:`deliver`).

Each recipient is sent at most once: a worker claims a row by a conditional UPDATE
(``queued`` → ``sending``) that only one writer can win, on PostgreSQL as on SQLite, then
records the server's answer (``accepted``, ``refused``, or ``queued`` again for a temporary
failure). A second click finds the convocation already sent; two workers share the rows.
A worker that dies between its claim and the answer leaves the row ``sending``: it is not
sent again by itself (it may have left), the clerk re-sends it to the member if needed.
"""

from __future__ import annotations

import email.policy
import logging
import smtplib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from django.core import mail
from django.db import OperationalError, connection, transaction
from django.db.models import F, Max, Min, Q
from django.template.loader import render_to_string
from django.utils import timezone

from core import tenancy
from core.errors import DomainError
from core.formatting import french_date
from core.mail import EmailMultiAlternatives
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
from deliberations.services._common import lock_sitting, require, save
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
    return _report(user=user, sitting=sitting)


def _report(*, user: Any, sitting: Sitting) -> Any:
    from documents.services import generate_document

    loaded = Sitting.objects.select_related("assembly__organization").get(pk=sitting.pk)
    (document,) = generate_document(
        kind=sending_documents.KIND_REPORT,
        organization=loaded.assembly.organization,
        context=sending_documents.report_context(loaded),
        owner=loaded,
        user=user,
        title=f"État des envois — {loaded.assembly.name} du {french_date(loaded.date)}",
        formats=("pdf",),
    )
    return document


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
    title = f"{_subject_prefix(context_kind)} — {sitting.assembly.name} du {french_date(sitting.date)}"
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
        transaction.on_commit(partial(_enqueue, sending.pk))
    else:
        transaction.on_commit(partial(_finish, sending.pk))
    return sending


def _enqueue(sending_id: int) -> None:
    from deliberations.tasks import deliver_convocations

    deliver_convocations.enqueue(sending_id)


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


def _subject_prefix(kind: str) -> str:
    if kind in sending_documents.NOTICE_TITLES:
        return sending_documents.NOTICE_TITLES[kind]
    return "Convocation"


# --- Delivering the e-mails (the worker) -----------------------------------------------------


@dataclass
class DeliveryResult:
    accepted: int = 0
    refused: int = 0
    retried: int = 0
    errors: list[str] = field(default_factory=list)


def deliver(*, sending_id: int, connection: Any = None, now: datetime | None = None) -> DeliveryResult:
    """Send the queued e-mails of a sending, each claimed by this worker alone; record each
    server answer. Returns what happened; temporary failures wait for their next attempt.

    ``now``: the clock of this run (the real one by default; the demo replays a past sending)."""
    result = DeliveryResult()
    sending = (
        ConvocationSending.objects.select_related("sitting__assembly__organization", "sitting__president", "document")
        .filter(pk=sending_id)
        .first()
    )
    if sending is None or sending.document is None:
        return result
    from documents.services import read_document

    attachment = read_document(sending.document)
    backend = connection or mail.mailers.default
    try:
        while (row := _claim(sending_id, now=now)) is not None:
            _deliver_one(sending, row, attachment=attachment, backend=backend, result=result, now=now)
    finally:
        try:
            backend.close()
        except Exception:  # closing a broken connection must not hide what happened
            logger.warning("Fermeture de la connexion SMTP impossible", exc_info=True)
    _patient(partial(_finish, sending_id, now=now))
    _schedule_retry(sending_id)
    return result


def _patient[T](write: Callable[[], T]) -> T:
    """Run a statement of the worker, waiting when SQLite answers "locked": with its shared
    in-memory cache (the test database) it refuses at once instead of waiting for the other
    writer, as a file database or PostgreSQL does."""
    for attempt in range(200):
        try:
            return write()
        except OperationalError as error:
            if connection.vendor != "sqlite" or "locked" not in str(error) or attempt == 199:
                raise
            time.sleep(0.02)
    raise AssertionError("unreachable")


def _claim(sending_id: int, *, now: datetime | None) -> ConvocationRecipient | None:
    return _patient(partial(_claim_once, sending_id, now=now))


def _claim_once(sending_id: int, *, now: datetime | None) -> ConvocationRecipient | None:
    """The next queued recipient, now owned by this worker: the conditional UPDATE succeeds
    for one writer only (another worker, or a second run, gets 0 rows and tries the next)."""
    moment = now or timezone.now()
    due = ConvocationRecipient.objects.filter(sending_id=sending_id, state=RecipientState.QUEUED).filter(
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=moment)
    )
    for pk in due.order_by("pk").values_list("pk", flat=True)[:50]:
        won = ConvocationRecipient.objects.filter(pk=pk, state=RecipientState.QUEUED).update(
            state=RecipientState.SENDING, claimed_at=moment, attempts=F("attempts") + 1
        )
        if won:
            return ConvocationRecipient.objects.select_related("person").get(pk=pk)
    return None


def _deliver_one(
    sending: ConvocationSending,
    row: ConvocationRecipient,
    *,
    attachment: bytes,
    backend: Any,
    result: DeliveryResult,
    now: datetime | None = None,
) -> None:
    try:
        message = _message(sending, row, attachment)
        code, answer = _transmit(backend, message)
    except (smtplib.SMTPException, OSError) as error:
        # The server could not be reached or broke the conversation: a temporary failure.
        code, answer = 451, f"{type(error).__name__}: {error}"
        try:
            backend.close()
        except Exception:
            logger.warning("Fermeture de la connexion SMTP impossible", exc_info=True)
    outcome = sending_rules.smtp_outcome(code)
    moment = now or timezone.now()
    text = f"{code} {answer}"[:500]
    still_mine = ConvocationRecipient.objects.filter(pk=row.pk, state=RecipientState.SENDING)
    if outcome == sending_rules.ACCEPTED:
        _patient(
            partial(
                still_mine.update,
                state=RecipientState.ACCEPTED,
                sent_at=moment,
                smtp_response=text,
                error="",
                next_attempt_at=None,
            )
        )
        result.accepted += 1
        return
    retry_at = sending_rules.next_attempt(attempts=row.attempts, now=moment) if outcome == sending_rules.RETRY else None
    if retry_at is not None:
        _patient(partial(still_mine.update, state=RecipientState.QUEUED, next_attempt_at=retry_at, error=text))
        result.retried += 1
    else:
        _patient(
            partial(still_mine.update, state=RecipientState.REFUSED, sent_at=moment, smtp_response=text, error=text)
        )
        result.refused += 1
    result.errors.append(f"{row.address} : {text}")


def _transmit(backend: Any, message: EmailMultiAlternatives) -> tuple[int, str]:
    """Send one message and return the server's answer (code, text). Over SMTP the
    conversation is held here (MAIL, RCPT, DATA) so that the answer is kept as proof and a
    refused recipient is told from a temporary failure; other backends (files, console,
    tests) answer 250 once they have the message."""
    backend.open()
    smtp = getattr(backend, "connection", None)
    if not isinstance(smtp, smtplib.SMTP):
        backend.send_messages([message])
        return 250, f"remis au service d'envoi ({type(backend).__name__})"
    sender = backend.prep_address(message.from_email)
    (recipient,) = [backend.prep_address(address) for address in message.recipients()]
    data = message.message(policy=email.policy.SMTP).as_bytes()
    smtp.ehlo_or_helo_if_needed()
    code, answer = smtp.mail(sender)
    if code != 250:
        smtp.rset()
        return code, answer.decode(errors="replace")
    code, answer = smtp.rcpt(recipient)
    if code not in (250, 251):
        smtp.rset()
        return code, answer.decode(errors="replace")
    try:
        code, answer = smtp.data(data)
    except smtplib.SMTPDataError as error:
        smtp.rset()
        return error.smtp_code, _text(error.smtp_error)
    return code, answer.decode(errors="replace")


def _text(answer: bytes | str) -> str:
    return answer.decode(errors="replace") if isinstance(answer, bytes) else answer


def _message(sending: ConvocationSending, row: ConvocationRecipient, attachment: bytes) -> EmailMultiAlternatives:
    from deliberations.services.member_access import member_link

    sitting = sending.sitting
    kind = sending.parent.kind if sending.kind == SendingKind.RESEND and sending.parent_id else sending.kind  # type: ignore[union-attr]
    local = timezone.localtime(sitting.starts_at)
    subject = f"{_subject_prefix(kind)} — {sitting.assembly.name} du {french_date(local, weekday=True)}"
    filename = (
        f"{_subject_prefix(kind).lower().replace(' ', '-').replace('’', '').replace(chr(39), '-')}-{local:%Y-%m-%d}.pdf"
    )
    new_date = ""
    if sending.new_starts_at:
        moved = timezone.localtime(sending.new_starts_at)
        new_date = f"{french_date(moved, weekday=True)} à {moved:%H h %M}"
    context = {
        "subject": subject,
        "kind": str(kind),
        "salutation": sending_documents.salutation(row.person.civility),
        "assembly_name_lower": sitting.assembly.name[:1].lower() + sitting.assembly.name[1:],
        "sitting_date": french_date(local, weekday=True),
        "sitting_time": f"{local:%H h %M}",
        "place": sitting.place,
        "urgency": sitting.urgency and kind == SendingKind.CONVOCATION,
        "urgency_reason": sitting.urgency_reason,
        "message": sending.message,
        "new_date": new_date,
        "filename": filename,
        "signed": bool(sending.document and sending.document.signature_count),
        "member_link": _patient(partial(member_link, sitting=sitting, person=row.person)),
        "president_title": sitting.assembly.president_title,
        "president_name": sitting.president.full_name if sitting.president else "",
        "organization_name": sitting.assembly.organization.name,
    }
    message = EmailMultiAlternatives(
        subject=subject[:250].replace("\n", " "),
        body=render_to_string("deliberations/email/convocation.txt", context),
        to=[row.address],
        headers={"Auto-Submitted": "auto-generated", "X-Conventio-Sending": f"{sending.pk}-{row.pk}"},
    )
    message.attach_alternative(render_to_string("deliberations/email/convocation.html", context), "text/html")
    message.attach(filename, attachment, "application/pdf")
    return message


def _finish(sending_id: int, *, now: datetime | None = None) -> None:
    """Once no e-mail of a sending waits any more: note it completed (one writer does) and
    keep the état des envois with the sitting. The convocation date is the day the last
    e-mail left when a worker sent them after the day the sending was decided."""
    waiting = ConvocationRecipient.objects.filter(
        sending_id=sending_id, state__in=[RecipientState.QUEUED, RecipientState.SENDING]
    ).exists()
    if waiting:
        return
    if not ConvocationSending.objects.filter(pk=sending_id, completed_at__isnull=True).update(
        completed_at=now or timezone.now()
    ):
        return
    sending = ConvocationSending.objects.select_related("sitting__assembly__organization", "requested_by").get(
        pk=sending_id
    )
    if sending.kind == SendingKind.CONVOCATION:
        _record_actual_date(sending)
    try:
        _report(user=sending.requested_by, sitting=sending.sitting)
    except Exception:  # the proof stays in the rows; the report can be made again from the page
        logger.exception("État des envois non produit pour l'envoi %s", sending_id)


def _record_actual_date(sending: ConvocationSending) -> None:
    last = ConvocationRecipient.objects.filter(sending=sending, state=RecipientState.ACCEPTED).aggregate(
        last=Max("sent_at")
    )["last"]
    if last is None:
        return
    day = timezone.localdate(last)
    with transaction.atomic():
        locked = lock_sitting(sending.sitting_id)
        if locked.convocation_date is None or day <= locked.convocation_date:
            return
        locked.convocation_date = day
        save(locked, user=sending.requested_by, reason="Date d'envoi effective de la convocation")


def _schedule_retry(sending_id: int) -> None:
    """Enqueue the delivery again for the earliest temporary failure, where the task backend
    can run a task later; else the next run (or "Relancer les envois") takes them."""
    from django.tasks import default_task_backend

    from deliberations.tasks import deliver_convocations

    retry_at = ConvocationRecipient.objects.filter(
        sending_id=sending_id, state=RecipientState.QUEUED, next_attempt_at__isnull=False
    ).aggregate(first=Min("next_attempt_at"))["first"]
    if retry_at is None or not default_task_backend.supports_defer:
        return
    deliver_convocations.using(run_after=retry_at).enqueue(sending_id)


def retry_now(*, user: Any, sending: ConvocationSending) -> int:
    """Send again at once the e-mails waiting after a temporary failure. Returns how many."""
    require(user, sending.sitting.assembly.organization_id, Capability.MANAGE_SITTINGS)
    count = ConvocationRecipient.objects.filter(sending=sending, state=RecipientState.QUEUED).update(
        next_attempt_at=None
    )
    if count:
        transaction.on_commit(partial(_enqueue, sending.pk))
    return count
