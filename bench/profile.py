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

from bench.env import setup


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("only", help="endpoints whose name contains this text")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--sort", default="cumulative", choices=["cumulative", "tottime"])
    parser.add_argument("--lines", type=int, default=40)
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
            sql_seconds = 0.0

            def timed(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
                nonlocal sql_seconds
                start = time.perf_counter()
                try:
                    return execute(sql, params, many, context)
                finally:
                    sql_seconds += time.perf_counter() - start

            profiler = cProfile.Profile()
            start = time.perf_counter()
            with connection.execute_wrapper(timed):
                profiler.enable()
                for _ in range(args.repeat):
                    client.get(path)
                profiler.disable()
            wall = (time.perf_counter() - start) / args.repeat * 1000
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).sort_stats(args.sort).print_stats(args.lines)
            print(
                f"== {endpoint.name} ({path}): {wall:.1f} ms per request under the profiler, "
                f"SQL {sql_seconds / args.repeat * 1000:.1f} ms"
            )
            print(out.getvalue())
    return 0


if __name__ == "__main__":
    sys.exit(main())
