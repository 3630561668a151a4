"""{% load documents %}{% documents_panel obj %}: an object's documents, with download, sign and verify links."""

from __future__ import annotations

from typing import Any

from django import template
from django.db.models import Model

from core import tenancy
from core.roles import Capability
from documents import selectors

register = template.Library()


@register.inclusion_tag("documents/pages/_panel.html", takes_context=True)
def documents_panel(context: dict[str, Any], obj: Model, limit: int = 50) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    documents = selectors.documents_of(user, obj)[:limit] if user is not None else []
    documents = list(documents)
    sign_orgs = set(tenancy.organizations_where(user, Capability.SIGN_DOCUMENTS)) if user is not None else set()
    return {
        "documents": documents,
        "sign_orgs": sign_orgs,
        "request": request,
    }
