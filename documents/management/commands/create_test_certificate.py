"""manage.py create_test_certificate --signatory ID: a self-made certificate for demos and tests.

Never for real people: the key is made here, its CA is trusted only by the organization
that asks for it.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from core.errors import DomainError
from documents import services
from parties.models import Signatory


class Command(BaseCommand):
    help = "Crée un certificat de signature de TEST (PKCS#12 auto-émis) pour un signataire d'une organisation."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--signatory", type=int, required=True, help="Identifiant du signataire")
        parser.add_argument("--passphrase", required=True, help="Phrase secrète du PKCS#12 (conservée chiffrée)")
        parser.add_argument(
            "--no-trust", action="store_true", help="Ne pas ajouter l'autorité de test à la liste de confiance"
        )
        parser.add_argument("--export", help="Écrire aussi le PKCS#12 dans ce fichier")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            signatory = Signatory.objects.select_related("organization", "person").get(pk=options["signatory"])
        except Signatory.DoesNotExist as exc:
            raise CommandError(f"Signataire introuvable : {options['signatory']}") from exc
        try:
            certificate = services.create_test_certificate(
                organization=signatory.organization,
                signatory=signatory,
                passphrase=options["passphrase"],
                trust=not options["no_trust"],
            )
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        if options["export"]:
            with open(options["export"], "wb") as handle:
                handle.write(bytes(certificate.pkcs12))
        self.stdout.write(self.style.SUCCESS(f"Certificat de test créé : {certificate.label} (#{certificate.pk})"))
