"""A deadline's title names its convention (reference and main partner), so that two
conventions' deadlines, obligations included, never read as the same line."""

from __future__ import annotations

import html
from datetime import date

import pytest
from django.urls import reverse

from conventions import services
from conventions.models import Convention
from reminders.models import Deadline
from tests.conventions.helpers import draft, partner_of

pytestmark = pytest.mark.django_db


def _with_obligation(user, organization, partner, reference):
    convention = draft(user, organization, partner=partner, reference=reference, annual_evaluation=True)
    city = convention.parties.get(organization=organization)
    services.update_convention(user=user, convention=convention, manager=user)
    services.add_obligation(
        user=user,
        convention=convention,
        party=city,
        description="Mettre en place un lien vers le dispositif sur le site internet de la Ville.",
        first_due_date=date(2024, 6, 30),
    )
    return Convention.objects.get(pk=convention.pk)


def test_two_conventions_obligations_never_read_the_same(client_for, legal_user, organization):
    partner = partner_of(organization, "Association FLAG !")
    first = _with_obligation(legal_user, organization, partner, "FLAG-2024")
    second = _with_obligation(legal_user, organization, partner, "FLAG-2025")
    titles = {
        c.reference: list(
            Deadline.objects.filter(object_id=c.pk, kind="obligation_due").values_list("title", flat=True)
        )
        for c in (first, second)
    }
    assert titles == {
        "FLAG-2024": [
            f"Engagement de {organization.short_name or organization.name} (convention FLAG-2024 avec "
            f"{partner.short_name or partner.name}) : Mettre en place un lien vers le dispositif sur le site "
            "internet de la Ville."
        ],
        "FLAG-2025": [
            f"Engagement de {organization.short_name or organization.name} (convention FLAG-2025 avec "
            f"{partner.short_name or partner.name}) : Mettre en place un lien vers le dispositif sur le site "
            "internet de la Ville."
        ],
    }
    # What the reminders page shows: one line each, never twice the same.
    page = html.unescape(client_for(legal_user).get(reverse("reminders:list")).content.decode())
    assert titles["FLAG-2024"][0] in page and titles["FLAG-2025"][0] in page
    every = list(Deadline.objects.filter(organization=organization).values_list("title", "due_date"))
    assert len(every) == len(set(every))


def test_each_kind_of_deadline_names_the_convention(legal_user, organization):
    from tests.conventions.helpers import signed

    convention = signed(legal_user, organization, annual_evaluation=True, reference="DDD-ECR-2024")
    partner = convention.parties.exclude(organization=organization).get().organization
    name = partner.short_name or partner.name
    titles = set(Deadline.objects.filter(object_id=convention.pk).values_list("title", flat=True))
    assert f"Fin de la convention DDD-ECR-2024 avec {name}" in titles
    assert f"Décider du renouvellement de la convention DDD-ECR-2024 avec {name}" in titles
    assert f"Évaluation annuelle n° 1 de la convention DDD-ECR-2024 avec {name}" in titles
