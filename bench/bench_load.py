"""``python -m bench.run load``: 50 concurrent users on gunicorn (127.0.0.1 only) for 2 minutes.

Users mix reads (pages with a session, API calls with a token) and writes (votes and
deadlines marked handled). Each user is a thread
with its own keep-alive connection (``http.client``); the run stops by itself after
``--duration`` seconds or a bounded number of requests per user. Afterwards every write
the server acknowledged is checked in the database: none may be lost.

gunicorn runs ``config.wsgi`` with the local settings, DEBUG off and persistent database
connections, as ``gthread`` workers (2 × CPUs + 1 processes, 4 threads each).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bench import harness
from bench.env import ROOT

MAX_REQUESTS_PER_USER = 5000


@dataclass
class Write:
    """One write to send; ``verify`` tells afterwards whether the database holds it."""

    method: str
    path: str
    body: dict[str, Any] | None
    verify: Callable[[], bool]
    label: str
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Plan:
    reads: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)  # (label, path, headers)
    writes: list[Write] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class Result:
    latencies: list[float] = field(default_factory=list)
    by_label: dict[str, list[float]] = field(default_factory=dict)
    errors: Counter[str] = field(default_factory=Counter)
    acknowledged: list[Write] = field(default_factory=list)
    requests: int = 0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(port: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "config.settings.local"),
        "DEBUG": "false",
        "DATABASE_CONN_MAX_AGE": "60",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    }
    workers = 2 * (os.cpu_count() or 1) + 1
    cmd = [
        sys.executable,
        "-m",
        "gunicorn",
        "config.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--worker-class",
        "gthread",
        "--threads",
        "4",
        "--keep-alive",
        "5",
        "--log-level",
        "warning",
        "--timeout",
        "60",
    ]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, start_new_session=True)
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/connexion/")
            conn.getresponse().read()
            conn.close()
            return proc
        except OSError:
            time.sleep(0.3)
    stop_server(proc)
    raise RuntimeError("gunicorn did not start")


def stop_server(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


def build_plan(users: int) -> Plan:
    """Reads that answered 200 in the pages benchmark's fixtures, and one write per user slot."""
    from django.contrib.auth import SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from bench import pages
    from core import services as core_services
    from core.models import User

    fx = pages.Fixtures()
    plan = Plan()
    headers_by_role: dict[tuple[bool, str], dict[str, str]] = {}

    def headers(api: bool, role: str) -> dict[str, str]:
        key = (api, role)
        if key not in headers_by_role:
            if not role:
                headers_by_role[key] = {}
            else:
                user = User.objects.get(username=fx.username("metropole", role))
                if api:
                    _t, secret = core_services.create_api_token(user=user, name="load test")
                    headers_by_role[key] = {"Authorization": f"Bearer {secret}"}
                else:
                    session = SessionStore()
                    session[SESSION_KEY] = str(user.pk)
                    session["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
                    session["_auth_user_hash"] = user.get_session_auth_hash()
                    session.create()
                    headers_by_role[key] = {"Cookie": f"sessionid={session.session_key}"}
        return headers_by_role[key]

    for endpoint in pages.ENDPOINTS:
        path = endpoint.path(fx, "metropole")
        if path and not endpoint.reference:
            plan.reads.append((endpoint.name, path, headers(endpoint.api, endpoint.role)))
    for make in WRITE_MAKERS:
        plan.writes.extend(make(fx, users, headers, plan.notes))
    return plan


def _deadline_writes(
    fx: Any, users: int, headers: Callable[[bool, str], dict[str, str]], notes: list[str]
) -> list[Write]:
    """Mark open deadlines handled (a row-locked write of the reminders API)."""
    from reminders.models import Deadline

    ids = list(
        Deadline.objects.filter(organization=fx.orgs["metropole"], handled_at__isnull=True)
        .exclude(kind__in=["sitting", "committee_meeting", "recours_end"])
        .order_by("-due_date")
        .values_list("pk", flat=True)[: users * 20]
    )
    out = []
    for pk in ids:
        out.append(
            Write(
                "POST",
                f"/api/v1/deadlines/{pk}/handle",
                None,
                lambda pk=pk: Deadline.objects.filter(pk=pk, handled_at__isnull=False).exists(),
                "API handle deadline",
                headers(True, "clerk"),
            )
        )
    if not ids:
        notes.append("no open deadline to handle")
    return out


VOTE_ITEMS = 300


def _vote_writes(fx: Any, users: int, headers: Callable[[bool, str], dict[str, str]], notes: list[str]) -> list[Write]:
    """Votes on the items of an open métropole sitting (prepared with the services): every
    vote locks the same sitting row, so concurrent clerks are serialized, never lost."""
    import random as _random

    from bench import bench_attendance
    from deliberations import services
    from deliberations.models import VoteResult

    bench_attendance.ITEMS = VOTE_ITEMS
    sitting, items, members, clerk = bench_attendance.prepare(_random.Random(11))
    services.open_sitting(user=clerk, sitting=sitting)
    services.set_attendances(user=clerk, sitting=sitting, statuses=dict.fromkeys(members, "present"))
    notes.append(f"vote writes: sitting {sitting.pk}, {len(items)} items, {len(members)} members all present")
    out = []
    n = len(members)
    for item in items:
        if item.kind != "vote":
            continue
        body = {"votes_for": n - 1, "votes_against": 1, "abstentions": 0, "not_voting": 0}
        out.append(
            Write(
                "POST",
                f"/api/v1/deliberations/{item.pk}/vote",
                body,
                lambda pk=item.pk: VoteResult.objects.filter(
                    deliberation_id=pk, votes_for=n - 1, votes_against=1, present_count=n
                ).exists(),
                "API record a vote",
                headers(True, "clerk"),
            )
        )
    return out


WRITE_MAKERS: list[Callable[..., list[Write]]] = [_vote_writes, _deadline_writes]


def preflight(port: int, plan: Plan) -> list[tuple[str, str, dict[str, str]]]:
    """Keep the reads that answer 200 (an app still being built may not offer them yet)."""
    kept = []
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    for label, path, headers in plan.reads:
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        response.read()
        if response.status == 200:
            kept.append((label, path, headers))
        else:
            plan.notes.append(f"not in the mix: {label} ({path} answered {response.status})")
    conn.close()
    return kept


def user_loop(
    port: int,
    plan: Plan,
    writes: list[Write],
    stop_at: float,
    think: float,
    seed: int,
    result: Result,
    lock: threading.Lock,
) -> None:
    rng = random.Random(seed)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    local_lat: list[tuple[str, float]] = []
    local_errors: Counter[str] = Counter()
    acked: list[Write] = []
    write_headers = {"Content-Type": "application/json"}
    n = 0
    while time.time() < stop_at and n < MAX_REQUESTS_PER_USER:
        n += 1
        write: Write | None = None
        if writes and rng.random() < 0.2:
            write = writes.pop()
            label, method, path = write.label, write.method, write.path
            body = json.dumps(write.body).encode() if write.body is not None else b""
            hdrs = {**write_headers, **write.headers}
        else:
            label, path, hdrs = rng.choice(plan.reads)
            method, body = "GET", None
        start = time.perf_counter()
        try:
            conn.request(method, path, body=body, headers=hdrs)
            response = conn.getresponse()
            response.read()
            status = response.status
            if response.getheader("Connection", "").lower() == "close":
                conn.close()
        except (OSError, http.client.HTTPException) as exc:
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            local_errors[f"{label}: {type(exc).__name__}"] += 1
            continue
        elapsed = (time.perf_counter() - start) * 1000
        local_lat.append((label, elapsed))
        if status >= 400:
            local_errors[f"{label}: HTTP {status}"] += 1
        elif write is not None:
            acked.append(write)
        if think:
            time.sleep(rng.expovariate(1 / think))
    conn.close()
    with lock:
        result.requests += len(local_lat)
        for label, ms in local_lat:
            result.latencies.append(ms)
            result.by_label.setdefault(label, []).append(ms)
        result.errors.update(local_errors)
        result.acknowledged.extend(acked)


def main(args: argparse.Namespace) -> harness.Report:
    users, duration = args.users, args.duration
    think = getattr(args, "think", 0.2)
    plan = build_plan(users)
    report = harness.Report("load", ["request", "count", "median ms", "p95 ms"])
    port = free_port()
    server = start_server(port)
    plan.reads = preflight(port, plan)
    result = Result()
    lock = threading.Lock()
    # Each user takes its writes from its own share: no two users write the same object twice.
    random.Random(3).shuffle(plan.writes)
    shares = [plan.writes[i::users] for i in range(users)]
    started = time.time()
    try:
        threads = [
            threading.Thread(
                target=user_loop,
                args=(port, plan, shares[i], started + duration, think, i, result, lock),
                daemon=True,
            )
            for i in range(users)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join(duration + 60)
    finally:
        elapsed = time.time() - started
        stop_server(server)
    lost = [w for w in result.acknowledged if not w.verify()]
    for label, values in sorted(result.by_label.items()):
        s = harness.Samples(values)
        report.add_row(label, len(values), round(s.median, 1), round(s.p95, 1))
    everything = harness.Samples(result.latencies)
    report.add_row("ALL", len(result.latencies), round(everything.median, 1), round(everything.p95, 1))
    throughput = result.requests / elapsed if elapsed else 0
    report.extra.update(
        {
            "users": users,
            "duration_s": round(elapsed, 1),
            "think_time_mean_s": think,
            "throughput_rps": round(throughput, 1),
            "requests": result.requests,
            "errors": dict(result.errors),
            "writes_acknowledged": len(result.acknowledged),
            "writes_lost": len(lost),
            "lost_examples": [w.path for w in lost[:10]],
        }
    )
    report.notes.append(
        f"{users} users, {elapsed:.0f} s, think time {think} s: {throughput:.1f} requests/s, "
        f"{len(result.acknowledged)} writes acknowledged, {len(lost)} lost, {sum(result.errors.values())} errors"
    )
    report.notes.extend(plan.notes)
    for error, count in result.errors.most_common(10):
        report.notes.append(f"error: {error} × {count}")
    report.check("load: errors", sum(result.errors.values()), 0, "")
    report.check("load: lost writes", len(lost), 0, "")
    report.check("load: writes acknowledged", len(result.acknowledged), 1, "", at_least=True)
    return report
