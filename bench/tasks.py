"""Measured calls run in a child process by ``bench.harness.run_child`` (peak memory is per process)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import connection


class QueryCounter:
    """Counts SQL statements without keeping them (so the count costs no memory)."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        self.count += 1
        return execute(sql, params, many, context)


def send_reminders(*, day: str, deliver: bool = True) -> dict[str, Any]:
    """``manage.py send_reminders --date day`` (planning), then the delivery the task would run."""
    import time
    from io import StringIO

    from django.core import mail
    from django.core.management import call_command

    counter = QueryCounter()
    out = StringIO()
    started = time.perf_counter()
    with connection.execute_wrapper(counter):
        call_command("send_reminders", date=day, no_delivery=True, stdout=out)
        planned_queries = counter.count
        planning_seconds = round(time.perf_counter() - started, 2)
        delivered: dict[str, Any] = {}
        if deliver:
            from reminders import dispatch

            result = dispatch.deliver_pending(run_date=date.fromisoformat(day))
            delivered = {"sent": result.sent, "emails": result.emails, "failed": result.failed}
    return {
        "output": out.getvalue().strip(),
        "queries": counter.count,
        "planning_queries": planned_queries,
        "planning_seconds": planning_seconds,
        "outbox": len(getattr(mail, "outbox", []) or []),
        **delivered,
    }


def sitting_bundle(*, sitting_id: int, username: str, render_seconds: int | None = None) -> dict[str, Any]:
    """The bulk generation of a sitting's documents (convocation, list, procès-verbal and one
    extract per examined item), through ``documents.services.start_batch`` with the task run
    in this process (the immediate backend: what one worker does)."""
    from django.test.utils import override_settings

    from core.models import User
    from deliberations.models import Sitting
    from documents import jobs
    from documents import services as document_services

    user = User.objects.get(username=username)
    sitting = Sitting.objects.select_related("assembly__organization").get(pk=sitting_id)
    counter = QueryCounter()
    immediate = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    limits = {"DOCUMENTS_RENDER_SECONDS": render_seconds} if render_seconds else {}
    with override_settings(TASKS=immediate, **limits), connection.execute_wrapper(counter):
        batch = document_services.start_batch(
            owner=sitting,
            organization=sitting.assembly.organization,
            user=user,
            title="Documents de la séance (banc d'essai)",
            builder="deliberations.documents.sitting_bundle",
            builder_kwargs={"sitting_id": sitting.pk},
        )
    batch = type(batch).objects.get(pk=batch.pk)  # status is a protected FSM field: reload, not refresh
    return {
        "status": str(batch.status),
        "done": batch.done,
        "total": batch.total,
        "error": batch.error[:500],
        "documents": batch.documents.count(),
        "zip_bytes": batch.zip_file.size if batch.zip_file else 0,
        "queries": counter.count,
        "processes": jobs.batch_processes(),
    }
