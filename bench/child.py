"""Run one measured call in a fresh process: ``python -m bench.child module.function '{json kwargs}'``.

Prints the function's result (a dict) with the elapsed time and the peak memory, on one
marked line that ``bench.harness.run_child`` reads back.
"""

from __future__ import annotations

import json
import resource
import sys
import time
import tracemalloc
from importlib import import_module

from bench.env import setup
from bench.harness import CHILD_MARK


def main() -> None:
    target, raw = sys.argv[1], sys.argv[2]
    setup()
    module_name, _sep, name = target.rpartition(".")
    fn = getattr(import_module(module_name), name)
    kwargs = json.loads(raw)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    # tracemalloc slows Python down several times: timed runs go without it.
    trace = kwargs.pop("_tracemalloc", False)
    if trace:
        tracemalloc.start()
    start = time.perf_counter()
    result = fn(**kwargs) or {}
    elapsed = time.perf_counter() - start
    if trace:
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        result["tracemalloc_peak_mb"] = round(peak / 1024 / 1024, 1)
    result["seconds"] = round(elapsed, 3)
    result["rss_before_mb"] = round(rss_before, 1)
    result["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    # The largest of the processes this one started and waited for (a batch's renderers).
    result["children_peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1)
    sys.stdout.write(CHILD_MARK + json.dumps(result, default=str) + "\n")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
