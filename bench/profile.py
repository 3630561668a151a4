"""``python -m bench.profile "sitting detail" [--repeat 20] [--sort tottime]``: where an endpoint spends its time.

Runs the endpoints of ``bench.pages`` whose name contains the text, on the métropole as the
pages benchmark does, under cProfile, and prints the functions that cost the most, with the
SQL time of the same requests beside them. For finding what to fix, not for figures.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import sys
import time
from typing import Any

from bench.env import setup


class SqlTimer:
    """An execute wrapper timing every query, by its position in the request."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.position = 0
        self.per_query: dict[int, list[float]] = {}
        self.texts: dict[int, str] = {}

    def __call__(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            spent = time.perf_counter() - start
            self.seconds += spent
            self.per_query.setdefault(self.position, []).append(spent)
            self.texts[self.position] = sql
            self.position += 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("only", help="endpoints whose name contains this text")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--sort", default="cumulative", choices=["cumulative", "tottime"])
    parser.add_argument("--lines", type=int, default=40)
    parser.add_argument("--queries", action="store_true", help="list each SQL query with its median time instead")
    parser.add_argument("--callers", metavar="FUNCTION", help="list who calls the functions matching this text instead")
    args = parser.parse_args(argv)
    setup()
    from django.db import connection
    from django.test import override_settings

    from bench import pages

    with override_settings(ROOT_URLCONF="bench.urls", ALLOWED_HOSTS=["testserver"]):
        fx = pages.Fixtures()
        clients = pages.Clients(fx)
        for endpoint in pages.ENDPOINTS:
            if args.only.lower() not in endpoint.name.lower():
                continue
            path = endpoint.path(fx, "metropole")
            if path is None:
                continue
            client = clients.get("metropole", endpoint.role, endpoint.api)
            client.get(path)  # warm
            timer = SqlTimer()
            if args.queries:
                with connection.execute_wrapper(timer):
                    for _ in range(args.repeat):
                        timer.position = 0
                        client.get(path)
                print(f"== {endpoint.name} ({path}): {len(timer.per_query)} queries, median ms each")
                for index, spent in timer.per_query.items():
                    median = sorted(spent)[len(spent) // 2] * 1000
                    print(f"{index:3d} {median:7.2f}  {' '.join(timer.texts[index].split())[:160]}")
                continue

            profiler = cProfile.Profile()
            start = time.perf_counter()
            with connection.execute_wrapper(timer):
                profiler.enable()
                for _ in range(args.repeat):
                    client.get(path)
                profiler.disable()
            wall = (time.perf_counter() - start) / args.repeat * 1000
            out = io.StringIO()
            stats = pstats.Stats(profiler, stream=out).sort_stats(args.sort)
            if args.callers:
                stats.print_callers(args.callers)
            else:
                stats.print_stats(args.lines)
            print(
                f"== {endpoint.name} ({path}): {wall:.1f} ms per request under the profiler, "
                f"SQL {timer.seconds / args.repeat * 1000:.1f} ms"
            )
            print(out.getvalue())
    return 0


if __name__ == "__main__":
    sys.exit(main())
