"""Deadlines of sittings and deliberations, handed to the reminders app.

Called by the services in the same transaction as every change of a date they derive
from, so a moved sitting moves its deadlines at once (CONTRACTS: reminders.sync_deadlines).
"""

from __future__ import annotations

from datetime import timedelta
from importlib import import_module
from typing import Any

from core.formatting import french_date
from deliberations import rules
from deliberations.models import Deliberation, Sitting, SittingState

CLERK_ROLES = ("clerk", "admin")


def _reminders() -> tuple[Any, Any] | None:
    """(DeadlineSpec, services module), or None while the reminders app does not provide them."""
    try:
        deadlines = import_module("reminders.deadlines")
        services = import_module("reminders.services")
    except ImportError:
        return None
    if not hasattr(deadlines, "DeadlineSpec") or not hasattr(services, "sync_deadlines"):
        return None
    return deadlines.DeadlineSpec, services


def sitting_specs(sitting: Sitting) -> list[dict[str, Any]]:
    """The sitting's dates to watch: convocation, the sitting itself, the list of
    deliberations (one week, L2121-25), the procès-verbal (one week after approval, L2121-15)."""
    assembly = sitting.assembly
    organization = assembly.organization
    day = sitting.date
    label = f"{assembly.name} du {french_date(day)}"
    url = sitting.get_absolute_url()
    specs: list[dict[str, Any]] = []
    if sitting.state == SittingState.PLANNED:
        clear_days = assembly.clear_days_override or rules.convocation_clear_days(
            population=organization.population, is_epci=organization.is_epci
        )
        specs.append(
            {
                "key": "convocation",
                "kind": "sitting_convocation",
                "due_date": rules.latest_convocation_date(day, clear_days),
                "title": f"Envoyer la convocation — {label}",
                "action": f"Convoquer les membres {clear_days} jours francs avant la séance (CGCT L2121-12).",
            }
        )
    if sitting.state in (SittingState.PLANNED, SittingState.CONVENED, SittingState.OPEN):
        specs.append(
            {
                "key": "sitting",
                "kind": "sitting",
                "due_date": day,
                "title": f"Séance — {label}",
                "starts_at": sitting.starts_at,
                "ends_at": sitting.starts_at + timedelta(hours=3),
                "location": sitting.place,
                "action": "Tenir la séance : présences, pouvoirs, votes.",
            }
        )
    if sitting.list_published_on is None and sitting.state != SittingState.PLANNED:
        specs.append(
            {
                "key": "deliberation-list",
                "kind": "deliberation_list_publication",
                "due_date": rules.list_publication_deadline(day),
                "title": f"Publier la liste des délibérations — {label}",
                "action": "Publier la liste des délibérations examinées dans la semaine (CGCT L2121-25).",
            }
        )
    if sitting.minutes_approved_on and sitting.minutes_published_on is None:
        specs.append(
            {
                "key": "minutes",
                "kind": "minutes_publication",
                "due_date": rules.minutes_publication_deadline(sitting.minutes_approved_on),
                "title": f"Publier le procès-verbal — {label}",
                "action": "Publier le procès-verbal signé dans la semaine de son approbation (CGCT L2121-15).",
            }
        )
    for spec in specs:
        spec["url"] = url
        spec["recipient_roles"] = CLERK_ROLES
    return specs


def deliberation_specs(deliberation: Deliberation) -> list[dict[str, Any]]:
    """The end of the two-month recours period once the act is published."""
    if deliberation.published_on is None:
        return []
    return [
        {
            "key": "recours-end",
            "kind": "recours_end",
            "due_date": rules.recours_end(deliberation.published_on),
            "title": f"Fin du délai de recours — délibération {deliberation.number}",
            "url": deliberation.get_absolute_url(),
            "action": "L'acte ne peut plus être attaqué au-delà de cette date (recours de deux mois).",
            "recipient_roles": CLERK_ROLES,
        }
    ]


def sync_sitting(sitting: Sitting) -> None:
    if _reminders() is not None:
        _sync(sitting, sitting.assembly.organization_id, sitting_specs(sitting))


def sync_deliberation(deliberation: Deliberation) -> None:
    if _reminders() is not None:
        _sync(deliberation, deliberation.assembly.organization_id, deliberation_specs(deliberation))


def _sync(source: Any, organization_id: int, specs: list[dict[str, Any]]) -> None:
    reminders = _reminders()
    assert reminders is not None
    spec_class, services = reminders
    services.sync_deadlines(
        source=source, organization_id=organization_id, specs=[spec_class(**spec) for spec in specs]
    )
