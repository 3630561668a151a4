"""``python -m bench.run storage``: row counts and sizes, and how attendance grows.

Target: attendance grows with sittings × members plus changes, not with deliberations ×
members. The report sets the attendance rows beside both products.
"""

from __future__ import annotations

import argparse

from django.apps import apps
from django.db import connection

from bench import harness
from bench.generator import base


def _size(table: str) -> int | None:
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_total_relation_size(%s)", [table])
        return cursor.fetchone()[0]


def main(args: argparse.Namespace) -> harness.Report:
    report = harness.Report("storage", ["table", "rows", "MB (with indexes)"])
    counts: dict[str, int] = {}
    for model in apps.get_models():
        label = model._meta.label
        if model._meta.app_label not in {"core", "parties", "deliberations", "conventions", "documents", "reminders"}:
            continue
        if label.split(".")[1].startswith("Historical"):
            continue
        n = model._base_manager.count()
        counts[label] = n
        size = _size(model._meta.db_table)
        report.add_row(label, n, round(size / 1024 / 1024, 1) if size is not None else None)
    report.extra["counts"] = counts
    if base.model("deliberations.Attendance") is not None:
        from django.db.models import Count, Sum

        from deliberations.models import Attendance, AttendanceChange, Sitting

        held = Sitting.objects.exclude(opened_at=None)
        # Members in office per held sitting × the sitting's agenda length.
        per_sitting = held.annotate(
            members=Count("attendances", distinct=True), items=Count("deliberations", distinct=True)
        )
        sittings_x_members = per_sitting.aggregate(s=Sum("members"))["s"] or 0
        deliberations_x_members = sum(m * i for m, i in per_sitting.values_list("members", "items"))
        attendance = Attendance.objects.count()
        changes = AttendanceChange.objects.count()
        report.extra["attendance"] = {
            "attendance_rows": attendance,
            "attendance_change_rows": changes,
            "sittings_x_members": sittings_x_members,
            "deliberations_x_members": deliberations_x_members,
        }
        report.notes.append(
            f"attendance: {attendance + changes} rows ({attendance} per-sitting + {changes} arrivals/departures) "
            f"for {sittings_x_members} sittings × members; deliberations × members would be {deliberations_x_members}"
        )
        report.check(
            "attendance rows / (sittings × members + changes)",
            (attendance + changes) / max(1, sittings_x_members + changes),
            1.0,
            "×",
        )
    return report
