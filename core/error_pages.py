"""The error pages (400, 403, 404, 500) in the site's layout and language.

Django's own are bare English pages (its 403 even in production). A 403 says what the role
does not allow (``tenancy.require``'s message); a 404 never says why, so that nothing tells
whether another organization's object exists. The 500 page is rendered without the context
processors: the error may come from the database they read.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.template import engines
from django.utils.translation import get_language
from django.utils.translation import gettext as _

_TEMPLATE = "pages/errors/error.jinja"


def _page(request: HttpRequest | None, status: int, title: str, message: str) -> HttpResponse:
    context: dict[str, Any] = {"status": status, "title": title, "message": message}
    if request is None:  # the layout's context, without reading anything
        context.update(LANGUAGE_CODE=get_language(), user=None, navigation=[], notifications={"show": False})
        context.update(messages=[], csrf_token="", csrf_input="", request=None)
    html = engines["pages"].get_template(_TEMPLATE).render(context, request=request)
    return HttpResponse(html, status=status)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _page(
        request,
        400,
        _("Requête incorrecte"),
        _("La requête envoyée n'a pas pu être comprise. Revenez à la page précédente et réessayez."),
    )


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    detail = str(exception) if exception is not None and str(exception) else ""
    return _page(
        request,
        403,
        _("Accès refusé"),
        detail or _("Votre rôle ne vous permet pas d'accéder à cette page ou d'effectuer cette action."),
    )


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _page(
        request,
        404,
        _("Page introuvable"),
        _("Aucune page ne correspond à cette adresse, ou elle ne fait pas partie de vos organisations."),
    )


def server_error(request: HttpRequest) -> HttpResponse:
    return _page(
        None,
        500,
        _("Erreur du serveur"),
        _("Une erreur inattendue est survenue. Elle a été enregistrée ; réessayez dans un instant."),
    )
