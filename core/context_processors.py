"""What every page needs: the navigation and the user's organizations."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from core import tenancy
from core.roles import Role

# (label, URL name, prefix that marks the entry as current). An app that does not yet
# provide its page is left out of the menu rather than linking to nothing.
NAVIGATION = [
    (_("Tableau de bord"), "core:dashboard", "/tableau-de-bord/"),
    (_("Conventions"), "conventions:list", "/conventions/"),
    (_("Séances"), "deliberations:sitting_list", "/deliberations/seances/"),
    (_("Délibérations"), "deliberations:list", "/deliberations/"),
    (_("Échéances"), "reminders:list", "/echeances/"),
    (_("Documents"), "documents:list", "/documents/"),
    (_("Organisations"), "parties:organization_list", "/organisations/"),
]


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"navigation": []}
    items = []
    path = request.path
    for label, name, prefix in NAVIGATION:
        try:
            url = reverse(name)
        except NoReverseMatch:
            continue
        items.append(
            {
                "label": label,
                "url": url,
                "current": path.startswith(prefix)
                and not any(
                    other_prefix != prefix and other_prefix.startswith(prefix) and path.startswith(other_prefix)
                    for _l, _n, other_prefix in NAVIGATION
                ),
            }
        )
    if user.is_staff:
        items.append(
            {"label": _("Administration"), "url": reverse("admin:index"), "current": path.startswith("/admin/")}
        )
    roles = tenancy.roles_by_organization(user)
    return {"navigation": items, "my_roles": {org: Role(role).label for org, role in roles.items()}}
