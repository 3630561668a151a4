"""``manage.py send_reminders [--date YYYY-MM-DD]``: run once a day (cron, systemd timer)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from reminders import dispatch
from reminders.tasks import deliver_reminders


class Command(BaseCommand):
    help = (
        "Prépare les rappels du jour pour toutes les échéances ouvertes et confie leur envoi "
        "aux tâches de fond. Sans effet la seconde fois le même jour ; rattrape les jours manqués."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", help="Simuler ce jour (AAAA-MM-JJ) ; par défaut aujourd'hui.")
        parser.add_argument(
            "--no-delivery", action="store_true", help="Préparer les rappels sans lancer l'envoi des courriels."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["date"]:
            try:
                today = date.fromisoformat(options["date"])
            except ValueError:
                raise CommandError(f"Date invalide : « {options['date']} » (format attendu AAAA-MM-JJ).")
        else:
            today = timezone.localdate()
        result = dispatch.plan_reminders(today=today)
        if not options["no_delivery"]:
            # The worker sends them once this run's rows are committed.
            transaction.on_commit(lambda: deliver_reminders.enqueue(run_date=today.isoformat()))
        self.stdout.write(
            f"{today:%d/%m/%Y} : {result.deadlines_due} échéance(s) à rappeler, "
            f"{result.reminders_planned} rappel(s) dus, dont {result.reminders_created} nouveau(x)."
        )
