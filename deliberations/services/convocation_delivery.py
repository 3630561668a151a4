"""Delivering a sending's e-mails (the ``deliver_convocations`` task) and closing it with its
état des envois (CGCT L2121-10: the proof of each copy).

Each recipient is sent at most once: a worker claims a row by a conditional UPDATE
(``queued`` → ``sending``) that only one writer can win, on PostgreSQL as on SQLite, then
records the server's answer (``accepted``, ``refused``, or ``queued`` again for a temporary
failure). Two workers share the rows. A worker that dies between its claim and the answer
leaves the row ``sending``: it is not sent again by itself (it may have left), the clerk
re-sends it to the member if needed. Deciding a sending is in ``services.convocations``.
"""

from __future__ import annotations

import email.policy
import logging
import smtplib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from typing import Any

from django.core import mail
from django.db import OperationalError, connection, transaction
from django.db.models import F, Max, Min, Q
from django.template.loader import render_to_string
from django.utils import timezone

from core.formatting import french_date
from core.mail import EmailMultiAlternatives
from deliberations.documents import convocations as sending_documents
from deliberations.models import (
    ConvocationRecipient,
    ConvocationSending,
    RecipientState,
    SendingKind,
    Sitting,
)
from deliberations.rules import convocations as sending_rules
from deliberations.services._common import lock_sitting, save

logger = logging.getLogger(__name__)


def report(*, user: Any, sitting: Sitting) -> Any:
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


def enqueue(sending_id: int) -> None:
    from deliberations.tasks import deliver_convocations

    deliver_convocations.enqueue(sending_id)


def subject_prefix(kind: str) -> str:
    if kind in sending_documents.NOTICE_TITLES:
        return sending_documents.NOTICE_TITLES[kind]
    return "Convocation"


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
    _patient(partial(finish, sending_id, now=now))
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
    subject = f"{subject_prefix(kind)} — {sitting.assembly.name} du {french_date(local, weekday=True)}"
    filename = (
        f"{subject_prefix(kind).lower().replace(' ', '-').replace('’', '').replace(chr(39), '-')}-{local:%Y-%m-%d}.pdf"
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


def finish(sending_id: int, *, now: datetime | None = None) -> None:
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
        report(user=sending.requested_by, sitting=sending.sitting)
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
