"""``{% notifications_link %}``: the header's link to the notifications, with the unread count."""

from __future__ import annotations

from typing import Any

from django import template

from reminders import selectors

register = template.Library()


@register.inclusion_tag("reminders/_header_notifications.html", takes_context=True)
def notifications_link(context: dict[str, Any]) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"show": False}
    unread = selectors.unread_count(user, request)
    return {"show": True, "unread": unread, "unread_label": selectors.unread_label(unread)}
