"""Add the standard clause library to organizations (idempotent)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Q

from conventions import services
from core import tenancy
from core.models import User
from core.roles import Capability
from parties.models import Organization


class Command(BaseCommand):
    help = (
        "Importe la bibliothèque type de clauses dans une ou plusieurs organisations, au nom d'un utilisateur "
        "qui tient leurs conventions. Idempotente : une clause déjà présente (même code) est laissée telle quelle."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--user", required=True, help="Identifiant de l'utilisateur qui importe.")
        parser.add_argument(
            "--organization",
            action="append",
            default=[],
            help="Numéro SIREN ou identifiant de l'organisation (répétable). Sans cette option : toutes les "
            "organisations dont l'utilisateur tient les conventions.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["user"]).first()
        if user is None:
            raise CommandError(f"Utilisateur inconnu : « {options['user']} ».")
        allowed = tenancy.organizations_where(user, Capability.EDIT_CONVENTIONS)
        wanted = options["organization"]
        organizations = Organization.objects.filter(pk__in=allowed)
        if wanted:
            query = Q()
            for value in wanted:
                query |= Q(siren=value) | (Q(pk=int(value)) if value.isdigit() else Q())
            organizations = organizations.filter(query)
            if organizations.count() < len(wanted):
                raise CommandError(
                    "Organisation inconnue ou dont l'utilisateur ne tient pas les conventions : "
                    + ", ".join(wanted)
                    + "."
                )
        if not organizations.exists():
            raise CommandError("Aucune organisation dont cet utilisateur tient les conventions.")
        for organization in organizations.order_by("name"):
            result = services.import_standard_library(user=user, organization=organization)
            self.stdout.write(
                f"  {organization.name} : {len(result.added)} clause(s) ajoutée(s), "
                f"{len(result.kept)} déjà présente(s)."
            )
        self.stdout.write(self.style.SUCCESS("Bibliothèque type importée."))
