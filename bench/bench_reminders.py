"""``python -m bench.run reminders``: the daily ``send_reminders`` over the whole dataset.

Runs in a fresh process (peak memory of that process: tracemalloc and its resident high-water mark), for the
day after the dataset's reference day, with e-mails kept in memory (locmem backend). The
reminders an earlier run created for that day are removed first, so each run does the
whole day's work; a second run right after shows the idempotent path (nothing to create).
"""

from __future__ import annotations

import argparse
from datetime import timedelta

from bench import harness
from bench.generator import base

SECONDS = 5
PEAK_MB = 200


def main(args: argparse.Namespace) -> harness.Report:
    from reminders.models import Deadline, Reminder

    day = base.REFERENCE_DAY + timedelta(days=1)
    report = harness.Report(
        "reminders",
        [
            "run",
            "seconds",
            "of which planning",
            "peak RSS MB",
            "tracemalloc MB",
            "queries",
            "deadlines open",
            "reminders",
            "e-mails",
        ],
    )
    open_deadlines = Deadline.objects.filter(handled_at__isnull=True).count()
    report.extra["deadlines_total"] = Deadline.objects.count()
    report.extra["deadlines_open"] = open_deadlines
    # Steady state: the day before ran already (its reminders planned and sent), so the
    # measured day creates only that day's new occurrences, as it would in service. Without
    # it, the first run after loading ten years of data catches up every pending offset.
    from django.utils import timezone

    from reminders import dispatch

    previous = day - timedelta(days=1)
    Reminder.objects.filter(run_date__gte=previous).delete()
    warm = dispatch.plan_reminders(today=previous)
    Reminder.objects.filter(run_date=previous, email_status="pending").update(
        email_status="sent", email_sent_at=timezone.now()
    )
    # In service a day passes between two runs, and autovacuum cleans the table meanwhile;
    # here the warm-up has just deleted and rewritten tens of thousands of rows.
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM (ANALYZE) {Reminder._meta.db_table}")
    report.notes.append(
        f"warm-up (not measured): {previous.isoformat()} planned {warm.reminders_planned} reminders "
        f"for {warm.deadlines_due} deadlines, marked sent, the table vacuumed"
    )
    env = {"EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend"}
    first = harness.run_child("bench.tasks.send_reminders", {"day": day.isoformat()}, env=env)
    created = Reminder.objects.filter(run_date=day).count()
    second = harness.run_child("bench.tasks.send_reminders", {"day": day.isoformat()}, env=env)
    # The same day again with tracemalloc on (slower, so not timed): Python's own allocations.
    Reminder.objects.filter(run_date=day).delete()
    traced = harness.run_child("bench.tasks.send_reminders", {"day": day.isoformat(), "_tracemalloc": True}, env=env)
    first["tracemalloc_peak_mb"] = traced["tracemalloc_peak_mb"]
    for label, result in (("first run of the day", first), ("second run (idempotent)", second)):
        report.add_row(
            label,
            result["seconds"],
            result.get("planning_seconds"),
            result["peak_rss_mb"],
            result.get("tracemalloc_peak_mb"),
            result["queries"],
            open_deadlines,
            created if label.startswith("first") else 0,
            result.get("emails"),
        )
        report.extra[label] = result
    report.check("send_reminders (one day): time", first["seconds"], SECONDS, "s")
    report.check("send_reminders (one day): peak memory (RSS)", first["peak_rss_mb"], PEAK_MB, "MB")
    report.notes.append(f"day {day.isoformat()}: {first['output']}")
    # The plan of the query that reads the open deadlines chunk by chunk (keyset on id).
    from django.db import connection

    horizon = day + timedelta(days=120)
    chunk = Deadline.objects.filter(handled_at__isnull=True, due_date__lte=horizon).order_by("pk")
    chunk = chunk.filter(pk__gt=0).values_list("pk", "organization_id", "kind", "due_date", "recipient_roles_text")
    options = {"analyze": True, "buffers": True} if connection.vendor == "postgresql" else {}
    report.extra["plans"] = {"open deadlines chunk": chunk[:1000].explain(**options)}
    report.extra["open_deadlines_up_to_horizon"] = Deadline.objects.filter(
        handled_at__isnull=True, due_date__lte=horizon
    ).count()
    report.extra["open_deadlines_due_in_window"] = Deadline.objects.filter(
        handled_at__isnull=True, due_date__lte=horizon, due_date__gte=day - timedelta(days=400)
    ).count()
    return report
