"""Measurement tools shared by the benchmarks: percentiles, targets, reports, peak memory, plans."""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from bench.env import RESULTS_DIR, ROOT

CHILD_MARK = "@@bench-result@@"


def percentile(values: Iterable[float], p: float) -> float:
    """The p-th percentile (0–100) by linear interpolation between closest ranks."""
    data = sorted(values)
    if not data:
        return float("nan")
    if len(data) == 1:
        return data[0]
    rank = (len(data) - 1) * p / 100
    low = int(rank)
    high = min(low + 1, len(data) - 1)
    return data[low] + (data[high] - data[low]) * (rank - low)


@dataclass
class Samples:
    """Durations in milliseconds."""

    values: list[float]

    @property
    def median(self) -> float:
        return statistics.median(self.values) if self.values else float("nan")

    @property
    def p95(self) -> float:
        return percentile(self.values, 95)

    def as_dict(self) -> dict[str, float]:
        return {
            "n": len(self.values),
            "median_ms": round(self.median, 2),
            "p95_ms": round(self.p95, 2),
            "min_ms": round(min(self.values), 2) if self.values else float("nan"),
            "max_ms": round(max(self.values), 2) if self.values else float("nan"),
        }


def time_calls(fn: Callable[[], Any], *, repeat: int, warmup: int = 2) -> Samples:
    """Call ``fn`` ``warmup`` times untimed, then ``repeat`` times timed (perf_counter)."""
    for _ in range(warmup):
        fn()
    values = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        values.append((time.perf_counter() - start) * 1000)
    return Samples(values)


def interleaved(fns: dict[str, Callable[[], Any]], *, repeat: int, warmup: int = 2) -> dict[str, Samples]:
    """Time several calls round-robin, so that a slow moment of the machine hits them all alike."""
    for fn in fns.values():
        for _ in range(warmup):
            fn()
    out: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(repeat):
        for name, fn in fns.items():
            start = time.perf_counter()
            fn()
            out[name].append((time.perf_counter() - start) * 1000)
    return {name: Samples(values) for name, values in out.items()}


@dataclass
class Check:
    """One target: ``value`` compared with ``limit`` (≤ by default, ≥ when ``at_least``)."""

    name: str
    value: float | None
    limit: float
    unit: str = ""
    at_least: bool = False
    note: str = ""

    @property
    def status(self) -> str:
        if self.value is None or self.value != self.value:  # None or NaN
            return "n/a"
        ok = self.value >= self.limit if self.at_least else self.value <= self.limit
        return "OK" if ok else "FAIL"

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "value": None if self.value is None else round(self.value, 3),
            "limit": self.limit,
            "unit": self.unit,
            "comparison": ">=" if self.at_least else "<=",
            "status": self.status,
            "note": self.note,
        }


@dataclass
class Report:
    """The figures of one benchmark run: rows for the table, checks against the targets, extras."""

    benchmark: str
    columns: list[str]
    rows: list[list[Any]] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def add_row(self, *values: Any) -> None:
        self.rows.append(list(values))

    def check(self, name: str, value: float | None, limit: float, unit: str = "", **kw: Any) -> Check:
        item = Check(name, value, limit, unit, **kw)
        self.checks.append(item)
        return item

    def table(self) -> str:
        return format_table(self.columns, self.rows)

    def render(self) -> str:
        parts = [f"== {self.benchmark} ==", self.table()]
        if self.checks:
            parts.append("")
            parts.append(
                format_table(
                    ["target", "value", "limit", "status"],
                    [
                        [
                            c.name,
                            "—" if c.value is None else f"{c.value:.1f} {c.unit}".strip(),
                            f"{'≥' if c.at_least else '≤'} {c.limit:g} {c.unit}".strip(),
                            c.status + (f" ({c.note})" if c.note else ""),
                        ]
                        for c in self.checks
                    ],
                )
            )
        parts.extend(f"note: {n}" for n in self.notes)
        return "\n".join(parts)

    def as_dict(self) -> dict[str, Any]:
        return {
            "benchmark": self.benchmark,
            "at": datetime.now().astimezone().isoformat(timespec="seconds"),
            "machine": machine_info(),
            "columns": self.columns,
            "rows": self.rows,
            "checks": [c.as_dict() for c in self.checks],
            "extra": self.extra,
            "notes": self.notes,
        }

    def save(self) -> Path:
        RESULTS_DIR.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        data = json.dumps(self.as_dict(), indent=2, ensure_ascii=False, default=str)
        path = RESULTS_DIR / f"{self.benchmark}-{stamp}.json"
        path.write_text(data, encoding="utf-8")
        (RESULTS_DIR / f"latest-{self.benchmark}.json").write_text(data, encoding="utf-8")
        return path


def format_table(columns: list[str], rows: list[list[Any]]) -> str:
    def cell(value: Any) -> str:
        if isinstance(value, float):
            return f"{value:.1f}"
        return "" if value is None else str(value)

    text = [[cell(v) for v in row] for row in rows]
    widths = [len(c) for c in columns]
    for row in text:
        for i, value in enumerate(row):
            widths[i] = max(widths[i], len(value))
    line = "  ".join(c.ljust(widths[i]) for i, c in enumerate(columns))
    sep = "  ".join("-" * w for w in widths)
    body = ["  ".join(v.ljust(widths[i]) for i, v in enumerate(row)) for row in text]
    return "\n".join([line, sep, *body])


def machine_info() -> dict[str, Any]:
    """nproc, memory, Python, Django and database versions: printed beside every figure."""
    info: dict[str, Any] = {
        "nproc": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
    }
    try:
        info["load_average"] = [round(x, 2) for x in os.getloadavg()]
    except OSError:
        pass
    try:
        with open("/proc/meminfo", encoding="ascii") as handle:
            for line in handle:
                if line.startswith("MemTotal:"):
                    info["memory_gb"] = round(int(line.split()[1]) / 1024 / 1024, 1)
        with open("/proc/cpuinfo", encoding="ascii", errors="replace") as handle:
            for line in handle:
                if line.startswith("model name"):
                    info["cpu"] = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    info["reference_work_ms"] = reference_work_ms()
    try:
        import django
        from django.db import connection

        info["django"] = django.get_version()
        info["database"] = connection.vendor
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SHOW server_version")
                info["database_version"] = "PostgreSQL " + cursor.fetchone()[0]
            elif connection.vendor == "sqlite":
                cursor.execute("select sqlite_version()")
                info["database_version"] = "SQLite " + cursor.fetchone()[0]
    except Exception as exc:  # Django not set up: the machine alone is still worth printing.
        info["database_error"] = str(exc)
    return info


def reference_work_ms(rounds: int = 5) -> float:
    """The host's speed now: the best of ``rounds`` runs of a fixed piece of pure Python work
    (building, formatting, hashing and sorting 100,000 small strings), in ms. The machines
    these benchmarks run on are shared: comparing this figure between two runs tells how much
    of a difference in timings is the host's."""
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        words = [f"élu-{n:06d}-{n * 7919 % 1000:03d}" for n in range(100_000)]
        table = {word: hash(word) for word in words}
        sorted(words, key=table.__getitem__)
        best = min(best, time.perf_counter() - start)
    return round(best * 1000, 1)


def run_child(
    target: str, kwargs: dict[str, Any] | None = None, *, timeout: float = 1800, env: dict[str, str] | None = None
) -> dict[str, Any]:
    """Run ``target`` ("module.function") in a fresh Python process and return what it reports.

    The child measures its own peak memory: tracemalloc's peak of Python allocations during
    the call, and the process's peak resident set size (``VmHWM``, which also counts the C
    libraries: WeasyPrint, the database driver), alone and with the processes it started.
    """
    env = {**os.environ, **(env or {})}
    env.setdefault("DEBUG", "false")
    proc = subprocess.run(
        [sys.executable, "-m", "bench.child", target, json.dumps(kwargs or {}, default=str)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    for line in reversed(proc.stdout.splitlines()):
        if line.startswith(CHILD_MARK):
            return json.loads(line[len(CHILD_MARK) :])
    raise RuntimeError(f"{target} failed (exit {proc.returncode}):\n{proc.stdout[-3000:]}\n{proc.stderr[-6000:]}")


def explain(sql: str, params: Any = None) -> str:
    """The plan of one query: EXPLAIN (ANALYZE, BUFFERS) on PostgreSQL, EXPLAIN QUERY PLAN on SQLite."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
        else:
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        return "\n".join(" ".join(str(c) for c in row) for row in cursor.fetchall())


def captured_queries(fn: Callable[[], Any]) -> list[dict[str, str]]:
    """Every SQL statement ``fn`` runs (works with DEBUG off)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        fn()
    return list(ctx.captured_queries)
