"""The members' page, reached from the personal link of the convocation e-mail (no login):
the sitting, its agenda and documents. The token in the address is the only credential;
everything read starts from the access it opens."""

from __future__ import annotations

from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from deliberations.models import MemberAccess
from deliberations.selectors import members as member_selectors
from deliberations.services.member_access import record_opening

_PAGE = "pages/deliberations/member_page.jinja"
_LINK_ERROR = "pages/deliberations/member_link_error.jinja"


def _private(response: HttpResponse) -> HttpResponse:
    """A personal page: never cached by a shared proxy, never indexed, never sent as referrer."""
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response


def _link_error(request: HttpRequest, status: int) -> HttpResponse:
    if status == 410:
        title = _("Ce lien a expiré")
        message = _(
            "Ce lien personnel ne vaut que jusqu'au lendemain de la séance. "
            "Pour consulter les documents, adressez-vous au secrétariat des assemblées."
        )
    else:
        title = _("Lien inconnu")
        message = _(
            "Ce lien ne correspond à aucune convocation. Vérifiez qu'il a été copié en entier depuis le courriel, "
            "ou adressez-vous au secrétariat des assemblées."
        )
    response = render(
        request, _LINK_ERROR, {"title": title, "message": message, "status": status}, status=status, using="pages"
    )
    return _private(response)


def _open(request: HttpRequest, token: str) -> MemberAccess | HttpResponse:
    """The access of a valid token, or the page saying the link is unknown (404) or expired (410)."""
    access = member_selectors.access_by_token(token)
    if access is None:
        return _link_error(request, 404)
    if member_selectors.is_expired(access, timezone.now()):
        return _link_error(request, 410)
    return access


@require_safe
def member_page(request: HttpRequest, token: str) -> HttpResponse:
    opened = _open(request, token)
    if isinstance(opened, HttpResponse):
        return opened
    access = opened
    record_opening(access=access, at=timezone.now())
    sitting = access.sitting
    return _private(
        render(
            request,
            _PAGE,
            {
                "access": access,
                "token": token,
                "sitting": sitting,
                "person": access.person,
                "organization": sitting.assembly.organization,
                "items": list(member_selectors.member_agenda(access)),
                "documents": list(member_selectors.sitting_documents(access)),
            },
            using="pages",
        )
    )


@require_safe
def member_annex(request: HttpRequest, token: str, annex_id: int) -> HttpResponse:
    opened = _open(request, token)
    if isinstance(opened, HttpResponse):
        return opened
    annex = member_selectors.member_annex(opened, annex_id)
    if annex is None:
        return _link_error(request, 404)
    name = annex.file.name.rsplit("/", 1)[-1]
    response = FileResponse(annex.file.open("rb"), as_attachment=True, filename=name, content_type=annex.content_type)
    return _private(response)


@require_safe
def member_document(request: HttpRequest, token: str, document_id: int) -> HttpResponse:
    opened = _open(request, token)
    if isinstance(opened, HttpResponse):
        return opened
    document = member_selectors.member_document(opened, document_id)
    if document is None:
        return _link_error(request, 404)
    response = FileResponse(
        document.file.open("rb"), as_attachment=True, filename=document.filename, content_type=document.content_type
    )
    return _private(response)
