"""Load the demo data of every app (idempotent: running it again changes nothing)."""

from __future__ import annotations

from importlib import import_module
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction


class Command(BaseCommand):
    help = "Charge les données de démonstration (Montpellier, Aix-Marseille-Provence, FLAG !, …) ; peut être relancée."

    def handle(self, *args: Any, **options: Any) -> None:
        lines: list[str] = []
        for dotted in settings.DEMO_LOADERS:
            try:
                module = import_module(dotted)
            except ModuleNotFoundError as exc:
                if exc.name == dotted:
                    continue
                raise
            with transaction.atomic():
                result = module.load()
            if result:
                lines.extend(result)
            self.stdout.write(f"  ✓ {dotted}")
        self.stdout.write(self.style.SUCCESS("Données de démonstration chargées."))
        if lines:
            self.stdout.write("Comptes de démonstration (identifiant, mot de passe) :")
            for line in lines:
                self.stdout.write(f"  {line}")
