"""Demo reminder settings for the demo collectivités (idempotent).

The deadlines themselves come from the demo conventions and sittings (their own demo
loaders call ``sync_deadlines``); here only each collectivité's settings are set.
"""

from __future__ import annotations

from parties.demo import organization
from reminders.models import ReminderSettings

DEMO_SETTINGS = {
    # Montpellier renews its conventions through the council: four months ahead.
    "montpellier": {
        "renewal_lead_months": 4,
        "offsets_days": [120, 60, 30, 7, 0],
        "offsets_by_kind": {"sitting_convocation": [5, 2, 0], "committee_convocation": [10, 3, 0]},
        "roles_by_kind": {"sitting_convocation": ["clerk"], "sitting": ["clerk"], "minutes_publication": ["clerk"]},
    },
    "amp": {
        "renewal_lead_months": 6,
        "offsets_days": [180, 90, 30, 7, 0],
        "offsets_by_kind": {},
        "roles_by_kind": {"sitting_convocation": ["clerk"], "transmission": ["clerk"]},
    },
    "vlg": {
        "renewal_lead_months": 3,
        "offsets_days": [90, 30, 7, 0],
        "offsets_by_kind": {},
        "roles_by_kind": {},
        "digest_by_default": True,
    },
}


def load() -> list[str]:
    lines = []
    for key, values in DEMO_SETTINGS.items():
        try:
            org = organization(key)
        except Exception:  # the parties demo did not run: nothing to set
            continue
        ReminderSettings.objects.update_or_create(organization=org, defaults=values)
        lines.append(f"Rappels : réglages de {org.name}")
    return lines
