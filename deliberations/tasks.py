"""Background work of the deliberations app (Django tasks; worker: manage.py db_worker)."""

from __future__ import annotations

from django.tasks import task


@task()
def generate_missing_extract(deliberation_id: int, user_id: int) -> bool:
    """Produce the extract of a published deliberation unless one already exists.

    Enqueued after the commit of its publication, so the public page links a PDF
    without anyone having to click "Produire l'extrait". Returns whether one was made.
    """
    from deliberations import documents

    return documents.generate_missing_extract(deliberation_id=deliberation_id, user_id=user_id)


@task()
def deliver_convocations(sending_id: int) -> dict[str, int]:
    """E-mail the queued copies of a convocation or notice (enqueued after the commit of its
    sending); each recipient is claimed by one worker only, however many run."""
    from deliberations.services.convocation_delivery import deliver

    result = deliver(sending_id=sending_id)
    return {"accepted": result.accepted, "refused": result.refused, "retried": result.retried}
