"""``python -m bench.run pages|reminders|documents|attendance|load|storage|all``: run benchmarks.

Figures are printed as tables and written as JSON under ``bench/results/`` (git-ignored),
with the machine they ran on. Run them on PostgreSQL at scale 1 (see ``bench/README.md``).
"""

from __future__ import annotations

import argparse
import sys
import traceback
from collections.abc import Callable
from importlib import import_module

from bench.env import setup

BENCHMARKS = ["storage", "pages", "reminders", "documents", "attendance", "load", "cluster"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("benchmark", choices=[*BENCHMARKS, "all"])
    parser.add_argument(
        "--repeat", type=int, default=60, help="timed requests per page and as many of its floor (pages)"
    )
    parser.add_argument("--only", help="only the endpoints whose name contains this text (pages)")
    parser.add_argument("--duration", type=float, default=120, help="seconds of load (load)")
    parser.add_argument("--users", type=int, default=50, help="concurrent users (load)")
    args = parser.parse_args(argv)
    setup()
    names = BENCHMARKS if args.benchmark == "all" else [args.benchmark]
    failed = 0
    for name in names:
        module = import_module(f"bench.bench_{name}")
        runner: Callable[..., object] = module.main
        try:
            report = runner(args)
        except Exception:  # one benchmark failing must not hide the others' figures
            traceback.print_exc()
            print(f"{name}: FAILED (see the traceback above)\n")
            failed += 1
            continue
        print(report.render())
        path = report.save()
        print(f"→ {path}\n")
        failed += sum(1 for c in report.checks if c.status == "FAIL")
    print(f"{failed} target(s) missed" if failed else "every target met")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
