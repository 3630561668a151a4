"""Daily run: conventions move with the calendar (in force, expired, terminated, renewed)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from conventions import services


class Command(BaseCommand):
    help = (
        "Applique les dates des conventions : entrée en vigueur, expiration, résiliation effective, "
        "reconduction tacite. Idempotente : à lancer chaque jour."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", help="Jour à appliquer (AAAA-MM-JJ), aujourd'hui par défaut.")

    def handle(self, *args: Any, **options: Any) -> None:
        day = None
        if options.get("date"):
            try:
                day = date.fromisoformat(options["date"])
            except ValueError as exc:
                raise CommandError(f"Date invalide « {options['date']} » : format attendu AAAA-MM-JJ.") from exc
        lines = services.apply_dates(today=day)
        for line in lines:
            self.stdout.write(f"  {line}")
        self.stdout.write(self.style.SUCCESS(f"{len(lines)} convention(s) mise(s) à jour."))
