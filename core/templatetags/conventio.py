from __future__ import annotations

from typing import Any

from django import template
from django.db.models import Model
from django.template import engines
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from core import tenancy
from core.context_processors import header
from core.fragments import csrf_input
from core.history import entries_for

register = template.Library()


def history_context(obj: Model, limit: int = 20) -> dict[str, Any]:
    """The latest changes of an object, with a link to its whole history."""
    return {
        "entries": entries_for(obj, limit=limit),
        "full_url": reverse("core:history", args=[obj._meta.app_label, obj._meta.model_name, obj.pk]),
    }


@register.simple_tag
def history_panel(obj: Model, limit: int = 20) -> SafeString:
    """``{% history_panel obj %}``: ``panels/history.jinja``, the panel of the Jinja2 pages."""
    return render_page_part("panels/history.jinja", history_context(obj, limit))


@register.simple_tag(takes_context=True)
def user_can(context: dict[str, Any], organization_id: int | None, capability: str) -> bool:
    request = context.get("request")
    return request is not None and tenancy.can(request.user, organization_id, capability)


@register.filter
def frdate(value: Any) -> str:
    """ "26 mars 2024"."""
    from core.formatting import french_date

    return french_date(value) if value else ""


@register.filter
def framount(value: Any) -> str:
    """ "60 000,00 €"."""
    from core.formatting import french_amount

    return french_amount(value) if value is not None and value != "" else ""


def render_page_part(name: str, context: dict[str, Any]) -> SafeString:
    """A part of the Jinja2 pages (``templates/jinja2/``) written into a Django page."""
    template = engines["pages"].env.get_template(name)  # type: ignore[attr-defined]
    return mark_safe(template.render(context))


@register.simple_tag(takes_context=True)
def site_header(context: dict[str, Any]) -> SafeString:
    """The header of ``layout.jinja`` for Django's pages: one header for both layouts."""
    request = context["request"]
    return render_page_part("layout/header.jinja", {**header(request), "csrf_input": csrf_input(request)})
