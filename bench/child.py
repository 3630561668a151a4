"""Run one measured call in a fresh process: ``python -m bench.child module.function '{json kwargs}'``.

Prints the function's result (a dict) with the elapsed time and the peak memory, on one
marked line that ``bench.harness.run_child`` reads back.

Peak memory is read from ``/proc``, not from ``getrusage``: Linux carries the RSS a process
had when it was forked into the ``ru_maxrss`` of the program it then executes, so a child
started by a benchmark that had rendered PDFs reported the benchmark's memory as its own.
``VmHWM`` is this process's own high-water mark; the process tree's total (this process and
every process it started, such as a batch's renderers) is sampled while the call runs.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
import tracemalloc
from importlib import import_module
from pathlib import Path

from bench.env import setup
from bench.harness import CHILD_MARK


def _own_peak_kb() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def _tree_rss_kb(root: int) -> int:
    """Resident memory of ``root`` and of all its descendants, now."""
    parents: dict[int, int] = {}
    rss: dict[int, int] = {}
    page_kb = os.sysconf("SC_PAGE_SIZE") // 1024
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(entry.path, "stat").read_text()
            statm = Path(entry.path, "statm").read_text().split()
        except OSError:  # gone meanwhile
            continue
        pid = int(entry.name)
        parents[pid] = int(stat.rsplit(")", 1)[1].split()[1])
        rss[pid] = int(statm[1]) * page_kb
    tree, frontier = {root}, [root]
    while frontier:
        parent = frontier.pop()
        children = [pid for pid, ppid in parents.items() if ppid == parent and pid not in tree]
        tree.update(children)
        frontier.extend(children)
    return sum(rss.get(pid, 0) for pid in tree)


class TreeSampler(threading.Thread):
    """Samples the process tree's resident memory every ``interval`` seconds; keeps the peak."""

    def __init__(self, interval: float = 0.05) -> None:
        super().__init__(daemon=True)
        self.interval = interval
        self.peak_kb = 0
        self.stopping = threading.Event()

    def run(self) -> None:
        root = os.getpid()
        while not self.stopping.is_set():
            self.peak_kb = max(self.peak_kb, _tree_rss_kb(root))
            self.stopping.wait(self.interval)

    def stop(self) -> int:
        self.stopping.set()
        self.join()
        return self.peak_kb


def main() -> None:
    target, raw = sys.argv[1], sys.argv[2]
    setup()
    module_name, _sep, name = target.rpartition(".")
    fn = getattr(import_module(module_name), name)
    kwargs = json.loads(raw)
    rss_before = _own_peak_kb() / 1024
    # tracemalloc slows Python down several times: timed runs go without it.
    trace = kwargs.pop("_tracemalloc", False)
    if trace:
        tracemalloc.start()
    sampler = TreeSampler()
    sampler.start()
    start = time.perf_counter()
    result = fn(**kwargs) or {}
    elapsed = time.perf_counter() - start
    tree_peak_kb = sampler.stop()
    if trace:
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        result["tracemalloc_peak_mb"] = round(peak / 1024 / 1024, 1)
    result["seconds"] = round(elapsed, 3)
    result["rss_before_mb"] = round(rss_before, 1)
    result["peak_rss_mb"] = round(_own_peak_kb() / 1024, 1)
    # With the processes it started (a batch's renderers), sampled: at least this process's peak.
    result["tree_peak_rss_mb"] = round(max(tree_peak_kb, _own_peak_kb()) / 1024, 1)
    sys.stdout.write(CHILD_MARK + json.dumps(result, default=str) + "\n")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
