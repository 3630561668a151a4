"""``python -m bench.generate --scale 1``: build (again) the benchmark dataset."""

from __future__ import annotations

import argparse
import json

from bench.env import setup


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scale", type=float, default=1.0, help="1 = a métropole and its communes, ten years")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--only", nargs="*", help="stages to build (parties is always built)")
    args = parser.parse_args(argv)
    setup()
    from bench.generator import generate
    from bench.harness import format_table

    result = generate(scale=args.scale, seed=args.seed, only=args.only)
    print(format_table(["rows", "count"], [[k, v] for k, v in result["counts"].items()]))
    print(json.dumps(result["timings"]))


if __name__ == "__main__":
    main()
