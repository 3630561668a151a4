"""``python -m bench.run cluster``: past one machine — two gunicorn servers and two task
workers against one PostgreSQL, under the load test's users.

Each server is its own gunicorn (its own port, as two machines behind a reverse proxy);
users alternate between them. Two ``db_worker`` processes take the tasks enqueued during
the load: each task records its run (a ``JobRun`` row named after it), so that afterwards
every task is checked done exactly once, by one worker, and every acknowledged write is
checked in the database, as in ``bench.run load``.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import threading
import time
from typing import Any

from django.tasks import task

from bench import harness
from bench.bench_load import Result, build_plan, free_port, preflight, start_server, stop_server, user_loop
from bench.env import ROOT

PREFIX = "bench-cluster-task-"


@task(queue_name="default")
def record_run(number: int) -> int:
    """One task of the benchmark: leaves one row per run."""
    from django.utils import timezone

    from core.models import JobRun

    now = timezone.now()
    JobRun.objects.create(job=f"{PREFIX}{number}", started_at=now, finished_at=now, succeeded=True)
    return number


def start_workers(count: int) -> list[subprocess.Popen[bytes]]:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "config.settings.local")}
    command = [sys.executable, "manage.py", "db_worker", "--interval", "0.2"]
    return [subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True) for _ in range(count)]


def main(args: argparse.Namespace) -> harness.Report:
    from django_tasks_db.models import DBTaskResult

    from core.models import JobRun

    servers, workers, users, duration = 2, 2, args.users, args.duration
    tasks = max(100, users * 4)
    JobRun.objects.filter(job__startswith=PREFIX).delete()
    plan = build_plan(users)
    report = harness.Report("cluster", ["request", "count", "median ms", "p95 ms"])
    ports = [free_port() for _ in range(servers)]
    processes = [start_server(port) for port in ports]
    task_workers = start_workers(workers)
    plan.reads = preflight(ports[0], plan)
    result, lock = Result(), threading.Lock()
    random.Random(3).shuffle(plan.writes)
    shares = [plan.writes[i::users] for i in range(users)]
    started = time.time()
    enqueued: list[Any] = []
    try:
        threads = [
            threading.Thread(
                target=user_loop,
                args=(ports[i % servers], plan, shares[i], started + duration, 0.2, i, result, lock),
                daemon=True,
            )
            for i in range(users)
        ]
        for thread in threads:
            thread.start()
        for number in range(tasks):  # spread over the load
            enqueued.append(record_run.enqueue(number))
            time.sleep(duration / tasks / 2)
        for thread in threads:
            thread.join(duration + 60)
        deadline = time.time() + 120
        ids = [result_.id for result_ in enqueued]
        while time.time() < deadline and DBTaskResult.objects.filter(id__in=ids, finished_at__isnull=True).exists():
            time.sleep(0.5)
    finally:
        elapsed = time.time() - started
        for process in processes:
            stop_server(process)
        for worker in task_workers:
            worker.terminate()
        for worker in task_workers:
            worker.wait(timeout=30)
    lost = [write for write in result.acknowledged if not write.verify()]
    rows = DBTaskResult.objects.filter(id__in=[result_.id for result_ in enqueued])
    succeeded = rows.filter(status="SUCCESSFUL").count()
    by_worker: dict[str, int] = {}
    several = 0
    for worker_ids in rows.values_list("worker_ids", flat=True):
        several += len(worker_ids) != 1
        for worker_id in worker_ids:
            by_worker[worker_id] = by_worker.get(worker_id, 0) + 1
    runs = JobRun.objects.filter(job__startswith=PREFIX)
    distinct = runs.values("job").distinct().count()
    for label, values in sorted(result.by_label.items()):
        samples = harness.Samples(values)
        report.add_row(label, len(values), round(samples.median, 1), round(samples.p95, 1))
    everything = harness.Samples(result.latencies)
    report.add_row("ALL", len(result.latencies), round(everything.median, 1), round(everything.p95, 1))
    report.extra.update(
        {
            "servers": servers,
            "task_workers": workers,
            "users": users,
            "duration_s": round(elapsed, 1),
            "requests": result.requests,
            "errors": dict(result.errors),
            "writes_acknowledged": len(result.acknowledged),
            "writes_lost": len(lost),
            "tasks": tasks,
            "tasks_succeeded": succeeded,
            "task_runs": runs.count(),
            "tasks_by_worker": by_worker,
        }
    )
    report.notes.append(
        f"{servers} gunicorn servers, {workers} task workers, {users} users, {elapsed:.0f} s: "
        f"{result.requests} requests, {sum(result.errors.values())} errors, {len(result.acknowledged)} writes "
        f"acknowledged, {len(lost)} lost; {tasks} tasks, {succeeded} done, {runs.count()} runs "
        f"({len(by_worker)} workers took some)"
    )
    for error, count in result.errors.most_common(10):
        report.notes.append(f"error: {error} × {count}")
    report.check("cluster: errors", sum(result.errors.values()), 0, "")
    report.check("cluster: lost writes", len(lost), 0, "")
    report.check("cluster: tasks done", succeeded, tasks, "", at_least=True)
    report.check("cluster: task runs (each exactly once)", runs.count() - distinct + several, 0, "")
    report.check("cluster: tasks not run", tasks - distinct, 0, "")
    JobRun.objects.filter(job__startswith=PREFIX).delete()
    return report
