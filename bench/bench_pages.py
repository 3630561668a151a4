"""``python -m bench.run pages``."""

from __future__ import annotations

import argparse

from bench import harness, pages


def main(args: argparse.Namespace) -> harness.Report:
    report = pages.run(repeat=args.repeat, only=args.only)
    pages.write_plans(report)
    report.notes.append("query plans: bench/results/latest-plans.md")
    return report
