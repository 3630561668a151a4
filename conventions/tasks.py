"""Background work of the conventions app: the daily date run, as a task for the worker."""

from __future__ import annotations

from django.tasks import task

from conventions import services


@task()
def apply_convention_dates() -> list[str]:
    """Same as ``manage.py apply_convention_dates`` (idempotent)."""
    return services.apply_dates()
