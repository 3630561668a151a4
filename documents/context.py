"""The data a document template receives: plain values only, never model instances.

Templates are written by legal staff and rendered in a sandbox; giving them plain data
(str, numbers, dates, lists and dicts of those) means a template can reach nothing but
what the caller chose to show.
"""

from __future__ import annotations

import base64
import mimetypes
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from core.errors import DomainError
from parties.models import Organization

PLAIN_SCALARS = (str, int, float, Decimal, bool, date, datetime, type(None))
LOGO_MAX_BYTES = 512 * 1024
_LOGO_TYPES = {"image/png", "image/jpeg", "image/svg+xml", "image/gif", "image/webp"}


def organization_context(organization: Organization) -> dict[str, str]:
    """The ``organization`` dict every document context carries."""
    return {
        "name": organization.name,
        "short_name": organization.short_name or organization.name,
        "city": organization.city,
        "departement_code": organization.departement_code,
        "siren": organization.siren,
        "address": organization.address,
        "logo_data_uri": logo_data_uri(organization),
    }


def logo_data_uri(organization: Organization) -> str:
    """The organization's logo inlined as a data: URI ("" without a usable logo).

    Inlining keeps the renderer away from storage and networks: the PDF fetcher accepts
    only data: URIs and the app's own static files.
    """
    if not organization.logo:
        return ""
    mime = mimetypes.guess_type(organization.logo.name or "")[0] or ""
    if mime not in _LOGO_TYPES:
        return ""
    try:
        if organization.logo.size > LOGO_MAX_BYTES:
            return ""
        with organization.logo.open("rb") as handle:
            data = handle.read(LOGO_MAX_BYTES + 1)
    except (OSError, ValueError):
        return ""
    return f"data:{mime};base64,{base64.b64encode(data).decode()}"


def check_plain(value: Any, path: str = "context") -> None:
    """Refuse anything but plain data, naming where the offending value is."""
    if isinstance(value, PLAIN_SCALARS):
        return
    if isinstance(value, Mapping):
        for key, item in value.items():
            if not isinstance(key, str):
                raise DomainError(
                    _("Contexte de document invalide : la clé %(key)r de %(path)s n'est pas du texte.")
                    % {"key": key, "path": path},
                    rule="documents.plain_context",
                )
            check_plain(item, f"{path}.{key}")
        return
    if isinstance(value, list | tuple):
        for index, item in enumerate(value):
            check_plain(item, f"{path}[{index}]")
        return
    raise DomainError(
        _(
            "Contexte de document invalide : %(path)s est un objet %(type)s ; seules des données simples "
            "(texte, nombres, dates, listes et dictionnaires) peuvent être données à un modèle."
        )
        % {"path": path, "type": type(value).__name__},
        rule="documents.plain_context",
    )
