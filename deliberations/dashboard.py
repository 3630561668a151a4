"""The dashboard panel: next sittings, and acts still to sign, transmit or publish."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from core import tenancy
from deliberations import selectors


def panel(request: HttpRequest) -> dict[str, Any] | None:
    user = request.user
    if not user.is_authenticated or not tenancy.organization_ids(user):
        return None
    assembly_ids = selectors.assembly_ids_of(tenancy.organization_ids(user))  # read once for both lists
    return {
        "title": _("Séances et délibérations"),
        "template": "pages/core/_dashboard_deliberations.jinja",
        "sittings": selectors.upcoming_sittings(user, timezone.localdate(), assembly_ids=assembly_ids),
        # The panel prints the number, the title and the state: an act's report and operative
        # part (long texts) and its joined rows are not read.
        "acts": list(
            selectors.acts_to_follow_up(user, assembly_ids=assembly_ids)
            .select_related(None)
            .only("pk", "number", "title", "state")
        ),
    }
