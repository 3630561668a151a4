"""manage.py verify_pdf FILE [--organization ID …] [--json]: report on a PDF's signatures."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from core.errors import DomainError
from documents import services


class Command(BaseCommand):
    help = "Vérifie les signatures électroniques d'un PDF (intégrité, signataire, date, confiance, modification)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", help="Chemin du PDF à vérifier")
        parser.add_argument(
            "--organization",
            type=int,
            action="append",
            default=[],
            help="Organisation dont la liste de confiance s'applique (répétable)",
        )
        parser.add_argument("--json", action="store_true", help="Sortie JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"Fichier introuvable : {path}")
        try:
            report = services.verify_bytes(data=path.read_bytes(), organization_ids=options["organization"])
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        if options["json"]:
            self.stdout.write(json.dumps(report.as_dict(), default=str, ensure_ascii=False, indent=2))
        else:
            self.stdout.write(f"Fichier : {path}")
            self.stdout.write(f"SHA-256 : {report.sha256}")
            if report.error:
                self.stdout.write(report.error)
            for index, signature in enumerate(report.signatures, start=1):
                self.stdout.write(f"Signature {index} ({signature.field_name}) : {signature.signer}")
                self.stdout.write(f"  signée le : {signature.signed_at or '—'}")
                if signature.timestamped_at:
                    self.stdout.write(f"  horodatée le : {signature.timestamped_at}")
                self.stdout.write(f"  intacte : {'oui' if signature.intact else 'NON'}")
                self.stdout.write(f"  cryptographiquement valide : {'oui' if signature.valid else 'NON'}")
                self.stdout.write(f"  certificat de confiance : {'oui' if signature.trusted else 'non'}")
                self.stdout.write(f"  modifié après signature : {'OUI' if signature.modified_after else 'non'}")
                self.stdout.write(f"  changements ultérieurs : {signature.later_changes or '—'}")
            self.stdout.write("Résultat : " + ("VALIDE" if report.all_ok else "NON VALIDE"))
        if not report.all_ok:
            raise SystemExit(1)
