"""Background work of the documents app (Django tasks; worker: manage.py db_worker)."""

from __future__ import annotations

from django.tasks import task


@task()
def run_batch(batch_id: int) -> None:
    """Generate a batch's documents and its ZIP."""
    from documents import services

    services.run_batch(batch_id=batch_id)
