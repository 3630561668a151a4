"""Background work of the foundation: a ping that tells ``manage.py doctor`` a worker runs."""

from __future__ import annotations

from django.tasks import task


@task(queue_name="default")
def ping() -> str:
    """Done by any running worker within seconds; ``doctor`` waits for it."""
    return "pong"
