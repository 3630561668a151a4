"""The dashboard panel: next sittings, and acts still to sign, transmit or publish."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from core import tenancy
from deliberations import selectors

SITTING_ROWS = 5
ACT_ROWS = 10


def panel(request: HttpRequest) -> dict[str, Any] | None:
    """The panel's context, or ``None`` for a user of no organization."""
    user = request.user
    if not user.is_authenticated or not tenancy.organization_ids(user):
        return None
    assembly_ids = selectors.user_assembly_ids(user)
    sittings = selectors.upcoming_sittings(user, timezone.localdate(), SITTING_ROWS, assembly_ids=assembly_ids)
    # The panel prints an act's number, title and state (not its report and operative part, long texts).
    acts = selectors.acts_to_follow_up(user, ACT_ROWS, assembly_ids=assembly_ids).only("id", "number", "title", "state")
    return {
        "title": _("Séances et délibérations"),
        "template": "pages/core/_dashboard_deliberations.jinja",
        "sittings": sittings,
        "acts": list(acts),
    }
