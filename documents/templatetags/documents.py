"""{% load documents %}{% documents_panel obj %}: an object's documents, with download, sign and verify links."""

from __future__ import annotations

from typing import Any

from django import template
from django.db.models import Model
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core import tenancy
from core.roles import Capability
from core.templatetags.conventio import render_page_part
from documents import selectors
from documents.models import Origin

_PK = 987654321  # placeholder pk replaced in the reversed addresses
_PK_TEXT = f"/{_PK}/"

register = template.Library()


# The columns the panel prints: no organization, author, owner type or template joined.
_PANEL_FIELDS = ("pk", "organization_id", "title", "format", "version", "origin", "signature_count", "created_at")


@register.simple_tag(takes_context=True)
def documents_panel(context: dict[str, Any], obj: Model, limit: int = 50) -> SafeString:
    """``{% documents_panel obj %}``: ``panels/documents.jinja``, the panel of the Jinja2 pages."""
    return render_page_part("panels/documents.jinja", documents_context(context.get("request"), obj, limit))


def documents_context(request: Any, obj: Model, limit: int = 50) -> dict[str, Any]:
    """Each row decided here from plain values: the panel is on every sitting, act and
    convention page, with a version per format and per run."""
    user = getattr(request, "user", None)
    if user is None:
        return {"rows": [], "labels": {}}
    documents = list(selectors.documents_of(user, obj).select_related(None).values_list(*_PANEL_FIELDS)[:limit])
    sign_orgs = set(tenancy.organizations_where(user, Capability.SIGN_DOCUMENTS))
    detail = reverse("documents:detail", args=[_PK])
    download = reverse("documents:download", args=[_PK])
    origins = {value: str(label) for value, label in Origin.choices}
    rows = []
    for pk, organization_id, title, document_format, version, origin, signatures, created_at in documents:
        local = timezone.localtime(created_at)
        origin_label = origins.get(origin, origin)
        if signatures:
            origin_label += " (" + ngettext("%(n)s signature", "%(n)s signatures", signatures) % {"n": signatures} + ")"
        rows.append(
            {
                "url": detail.replace(_PK_TEXT, f"/{pk}/"),
                "download_url": download.replace(_PK_TEXT, f"/{pk}/"),
                "title": title,
                "format": document_format.upper(),
                "version": version,
                "origin": origin_label,
                "created_iso": local.isoformat(),
                "created": local.strftime("%d/%m/%Y %H:%M"),
                "pdf": document_format == "pdf",
                "can_sign": organization_id in sign_orgs,
            }
        )
    labels = {"download": _("Télécharger"), "verify": _("Vérifier"), "sign": _("Signer")}
    return {"rows": rows, "labels": labels}
