"""``manage.py generate_bench_data --scale N``: the benchmark dataset (same as ``python -m bench.generate``)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Build (again) the benchmark dataset: a métropole, its communes and ten years of history."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scale", type=float, default=1.0)
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--only", nargs="*")

    def handle(self, *args: Any, **options: Any) -> None:
        from bench.generator import generate

        result = generate(scale=options["scale"], seed=options["seed"], only=options["only"], log=self.stdout.write)
        for name, count in result["counts"].items():
            self.stdout.write(f"{name}: {count}")
