"""The métropole-sized dataset, built stage by stage with bulk inserts.

Each stage produces rows that satisfy every database constraint and the invariants the
services enforce (states consistent with dates, vote totals = present + represented, …);
a stage whose app has not defined its models yet is skipped and said so.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from importlib import import_module
from typing import Any

from django.db import connection, transaction

from bench.generator.base import Context
from bench.generator.wipe import wipe

STAGES = ["parties", "deliberations", "conventions", "documents", "reminders"]


def generate(
    *, scale: float = 1.0, seed: int = 2026, log: Callable[[str], None] = print, only: list[str] | None = None
) -> dict[str, Any]:
    """Wipe the previous bench data and build it again at ``scale`` (1 = a métropole, ten years)."""
    if scale <= 0:
        raise ValueError("scale must be positive")
    started = time.perf_counter()

    def stamped(line: str) -> None:
        log(f"[{time.perf_counter() - started:7.1f} s] {line}")

    ctx = Context(scale=scale, rng=random.Random(seed), log=stamped)
    with ctx.stage("wipe"):
        wiped = wipe(stamped)
        if wiped and connection.vendor == "postgresql" and not connection.in_atomic_block:
            # Let the new rows reuse the space of the old ones (sizes in the storage report).
            with connection.cursor() as cursor:
                cursor.execute("VACUUM")
    for name in STAGES:
        if only and name not in only and name != "parties":
            continue
        module = import_module(f"bench.generator.{name}")
        ready = getattr(module, "ready", lambda: True)()
        if not ready:
            stamped(f"  {name}: skipped (the app's models are not there yet)")
            ctx.counts[f"{name}: skipped"] = 0
            continue
        with ctx.stage(name), transaction.atomic():
            module.run(ctx)
            ctx.log("  commit…")
    with ctx.stage("analyze"), connection.cursor() as cursor:
        # VACUUM sets the visibility map, so that index-only scans (paginator counts) do not
        # visit the heap, as after autovacuum in service; it cannot run inside a transaction.
        vacuum = connection.vendor == "postgresql" and not connection.in_atomic_block
        cursor.execute("VACUUM ANALYZE" if vacuum else "ANALYZE")
    total = time.perf_counter() - started
    log(f"done in {total:.1f} s")
    return {"scale": scale, "seed": seed, "seconds": round(total, 1), "counts": ctx.counts, "timings": ctx.timings}
