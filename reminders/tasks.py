"""Background work: e-mailing the reminders planned by ``send_reminders``."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.tasks import task

from reminders import dispatch


@task(queue_name="default")
def deliver_reminders(run_date: str | None = None) -> dict[str, Any]:
    """Send the pending reminders; what the mail server refuses stays pending for the next run."""
    result = dispatch.deliver_pending(run_date=date.fromisoformat(run_date) if run_date else None)
    return {"sent": result.sent, "emails": result.emails, "cancelled": result.cancelled, "failed": result.failed}
