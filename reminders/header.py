"""The header's link to the notifications, shown on every page (``HEADER_NOTIFICATIONS``)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import ngettext

from reminders import selectors


def notifications(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"show": False}
    unread = selectors.unread_count(user, request)
    label = selectors.unread_label(unread)
    return {
        "show": True,
        "url": reverse("reminders:notifications"),
        "unread": unread,
        "label": label,
        "aria": ngettext("%(label)s non lue", "%(label)s non lues", unread) % {"label": label},
    }
