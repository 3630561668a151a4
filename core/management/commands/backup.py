"""``manage.py backup [FILE]``: the database and the stored files in one archive (core.backup)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.backup import BackupError, backup


class Command(BaseCommand):
    help = "Sauvegarde la base de données et les documents dans une archive .tar.gz."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "file", nargs="?", help="Archive à écrire (par défaut var/backups/conventio-<date>.tar.gz)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        name = f"conventio-{datetime.now().strftime('%Y%m%d-%H%M%S')}.tar.gz"  # noqa: DTZ005 (a local file name)
        path = Path(options["file"]) if options["file"] else Path(settings.VAR_DIR) / "backups" / name
        try:
            manifest = backup(path)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        rows = sum(manifest["tables"].values())
        self.stdout.write(
            f"Sauvegarde écrite : {path} ({rows} lignes dans {len(manifest['tables'])} tables, "
            f"{len(manifest['files'])} fichiers)"
        )
