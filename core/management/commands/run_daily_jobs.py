"""``manage.py run_daily_jobs``: the jobs of ``settings.DAILY_JOBS``, each recorded (``JobRun``).

Run each day (``manage.py serve`` does it, a systemd timer in production: see deploy/).
Each job is idempotent, a failure is recorded and the next job still runs; the command exits
non-zero if one failed, for the timer's unit to show it.
"""

from __future__ import annotations

import io
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from core.models import JobRun


class Command(BaseCommand):
    help = "Lance les tâches quotidiennes (dates des conventions, rappels) et enregistre leur exécution."

    def handle(self, *args: Any, **options: Any) -> None:
        failed = []
        for job in settings.DAILY_JOBS:
            run = JobRun.objects.create(job=job, started_at=timezone.now())
            output = io.StringIO()
            try:
                call_command(job, stdout=output, stderr=output)
            except Exception as exc:
                run.message = f"{type(exc).__name__}: {exc}"
                failed.append(job)
            else:
                run.succeeded = True
                run.message = output.getvalue()[-4000:]
            run.finished_at = timezone.now()
            run.save(update_fields=["finished_at", "succeeded", "message"])
            self.stdout.write(f"{job} : {'réussie' if run.succeeded else 'ÉCHEC — ' + run.message}")
        if failed:
            raise CommandError(f"Tâches quotidiennes en échec : {', '.join(failed)}")
