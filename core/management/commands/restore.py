"""``manage.py restore FILE [--replace]``: put an archive of ``manage.py backup`` back (core.backup)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.backup import BackupError, restore


class Command(BaseCommand):
    help = "Restaure une sauvegarde (base de données et documents) ; refuse une base non vide sans --replace."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="Archive écrite par manage.py backup.")
        parser.add_argument(
            "--replace", action="store_true", help="Remplacer les données d'une base qui n'est pas vide."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            restored = restore(Path(options["file"]), replace=options["replace"])
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        rows = sum(restored.tables.values())
        self.stdout.write(
            f"Sauvegarde restaurée : {rows} lignes dans {len(restored.tables)} tables, {restored.files} fichiers, "
            "nombres de lignes et empreintes vérifiés."
        )
