"""What every page's layout needs: the navigation, the notifications link, the language."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.messages import get_messages
from django.http import HttpRequest
from django.urls import NoReverseMatch
from django.utils.module_loading import import_string
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from core.jinja import url as reverse  # reversed once per process (see there)

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

# The menu of an élu's account (core.middleware.MemberPagesOnlyMiddleware): their convocations.
MEMBER_NAVIGATION = [(_("Mes séances"), "deliberations:my_sittings", "/membres/")]


def navigation(request: HttpRequest) -> list[dict[str, Any]]:
    """The main menu's entries, the current one marked."""
    from core.tenancy import member_only

    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return []
    items = []
    path = request.path
    entries = MEMBER_NAVIGATION if member_only(user) else NAVIGATION
    for label, name, prefix in entries:
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
                    for _l, _n, other_prefix in entries
                ),
            }
        )
    if user.is_staff:
        items.append(
            {"label": _("Administration"), "url": reverse("admin:index"), "current": path.startswith("/admin/")}
        )
    return items


def notifications(request: HttpRequest) -> dict[str, Any]:
    """The header's link to the notifications, given by the app named in
    ``settings.HEADER_NOTIFICATIONS`` ("module.callable" taking the request)."""
    dotted = getattr(settings, "HEADER_NOTIFICATIONS", None)
    if not dotted:
        return {"show": False}
    return import_string(dotted)(request)  # type: ignore[no-any-return]


def page(request: HttpRequest) -> dict[str, Any]:
    """The context of ``layout.jinja``: the header's (navigation, notifications link,
    language) and the messages to show once."""
    # ``csrf_input`` and ``csrf_token`` come from the Jinja2 backend (rendered with the request).
    from core.tenancy import member_only

    user = getattr(request, "user", None)
    elu = user is not None and user.is_authenticated and member_only(user)
    return {
        "user": user,
        # The header's link on the user's name: their account, or an élu's sittings.
        "account_url": reverse("deliberations:my_sittings") if elu else reverse("core:tokens"),
        "navigation": navigation(request),
        "notifications": notifications(request),
        "LANGUAGE_CODE": get_language(),
        "messages": get_messages(request),
    }
