"""The members' page, reached from the personal link of the convocation e-mail (no login):
the sitting, its agenda and documents. The token in the address is the only credential;
everything read starts from the access it opens."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from core.errors import DomainError
from deliberations import rules
from deliberations.models import Channel, Intent, MemberAccess
from deliberations.selectors import members as member_selectors
from deliberations.services import members as member_services
from deliberations.services.member_access import get_or_create_access, record_opening
from deliberations.views._common import error_text
from parties.models import Person

_PAGE = "pages/deliberations/member_page.jinja"
_LINK_ERROR = "pages/deliberations/member_link_error.jinja"


def _private[R: HttpResponseBase](response: R) -> R:
    """A personal page: never cached by a shared proxy, never indexed, its address never sent
    to another site as referrer."""
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    # Same origin only: another site never sees the token; the form posts keep their Origin
    # (with "no-referrer" a browser sends "Origin: null", which the CSRF check refuses).
    response["Referrer-Policy"] = "same-origin"
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


def _page(request: HttpRequest, access: MemberAccess, *, error: str = "", status: int = 200) -> HttpResponse:
    sitting = access.sitting
    return _private(
        render(
            request,
            _PAGE,
            {
                "access": access,
                "token": access.token,
                "sitting": sitting,
                "person": access.person,
                "organization": sitting.assembly.organization,
                "items": list(member_selectors.member_agenda(access)),
                "documents": list(member_selectors.sitting_documents(access)),
                "situation": member_selectors.member_situation(sitting, access.person),
                "answering": sitting.state in member_services.ANSWERING_STATES,
                "intents": Intent,
                "error": error,
            },
            status=status,
            using="pages",
        )
    )


def _channel(request: HttpRequest, access: MemberAccess) -> str:
    """The account when the member is logged in as the person of the link, else the link."""
    from deliberations.selectors.members import person_of_user

    if request.user.is_authenticated and person_of_user(request.user, access.sitting) == access.person_id:
        return Channel.ACCOUNT
    return Channel.LINK


@require_safe
def member_page(request: HttpRequest, token: str) -> HttpResponse:
    opened = _open(request, token)
    if isinstance(opened, HttpResponse):
        return opened
    record_opening(access=opened, at=timezone.now())
    return _page(request, opened)


def _act(request: HttpRequest, token: str, action: Callable[[MemberAccess, str], Any], done: str) -> HttpResponse:
    """Run one of the member's actions; a refusal shows the page again with the rule it names."""
    opened = _open(request, token)
    if isinstance(opened, HttpResponse):
        return opened
    try:
        action(opened, _channel(request, opened))
    except DomainError as exc:
        return _page(request, opened, error=error_text(exc), status=exc.status_code)
    messages.success(request, done)
    return redirect("deliberations:member_page", token=opened.token)


@require_POST
def member_answer(request: HttpRequest, token: str) -> HttpResponse:
    intent = request.POST.get("intent", "")
    done = _("Votre présence est notée.") if intent == Intent.PRESENT else _("Votre absence est notée.")
    return _act(
        request,
        token,
        lambda access, channel: member_services.answer_convocation(
            sitting=access.sitting, person=access.person, intent=intent, channel=channel
        ),
        done,
    )


@require_POST
def member_proxy(request: HttpRequest, token: str) -> HttpResponse:
    def give(access: MemberAccess, channel: str) -> Any:
        text = request.POST.get("holder", "")
        holder = (
            Person.objects.filter(pk=int(text), organization_id=access.person.organization_id).first()
            if text.isdigit() and len(text) < 12
            else None
        )
        if holder is None:
            raise DomainError(
                _("Choisissez le membre à qui vous donnez pouvoir."), rule=rules.RULE_PROXY, field="holder"
            )
        return member_services.give_proxy(sitting=access.sitting, giver=access.person, holder=holder, channel=channel)

    return _act(
        request, token, give, _("Votre pouvoir est enregistré : le secrétariat le voit sur la feuille de présence.")
    )


@require_POST
def member_proxy_withdraw(request: HttpRequest, token: str) -> HttpResponse:
    return _act(
        request,
        token,
        lambda access, channel: member_services.withdraw_proxy(
            sitting=access.sitting, giver=access.person, channel=channel
        ),
        _("Votre pouvoir est révoqué."),
    )


@require_safe
def member_proxy_document(request: HttpRequest, token: str) -> HttpResponseBase:
    """The written proxy the member gave for this sitting (PDF), made again if it is missing."""
    opened = _open(request, token)
    if isinstance(opened, HttpResponse):
        return opened
    situation = member_selectors.member_situation(opened.sitting, opened.person)
    if situation.given is None:
        return _link_error(request, 404)
    document = situation.given_document
    if document is None:
        channel = situation.intent.channel if situation.intent is not None else Channel.LINK
        member_services.write_proxy_document_safely(
            proxy_id=situation.given.pk, channel=channel, given_at=situation.given.created_at
        )
        document = member_selectors.proxy_document(situation.given, opened.sitting.assembly.organization_id)
        if document is None:
            return _link_error(request, 404)
    response = FileResponse(
        document.file.open("rb"), as_attachment=True, filename=document.filename, content_type=document.content_type
    )
    return _private(response)


@require_safe
def member_annex(request: HttpRequest, token: str, annex_id: int) -> HttpResponseBase:
    opened = _open(request, token)
    if isinstance(opened, HttpResponse):
        return opened
    annex = member_selectors.member_annex(opened, annex_id)
    if annex is None:
        return _link_error(request, 404)
    name = (annex.file.name or "annexe").rsplit("/", 1)[-1]
    response = FileResponse(annex.file.open("rb"), as_attachment=True, filename=name, content_type=annex.content_type)
    return _private(response)


@require_safe
def member_document(request: HttpRequest, token: str, document_id: int) -> HttpResponseBase:
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


# --- The élu's account: « Mes séances » ---------------------------------------------------------


@login_required
@require_safe
def my_sittings(request: HttpRequest) -> HttpResponse:
    """The sittings the user is convened to as an elected member, each opening its page."""
    rows = member_selectors.my_sittings(request.user, timezone.now())
    return render(request, "pages/deliberations/my_sittings.jinja", {"rows": rows}, using="pages")


@login_required
@require_safe
def my_sitting(request: HttpRequest, pk: int) -> HttpResponse:
    """The personal page of one of the user's sittings (the same page as the e-mail's link)."""
    row = next((r for r in member_selectors.my_sittings(request.user, timezone.now()) if r.sitting.pk == pk), None)
    if row is None:
        # A sitting of the user's organization, to an account linked to no member: their role
        # has no convocation. Any other: not found, nothing told.
        if member_selectors.is_own_sitting(request.user, pk) and not member_selectors.is_linked_to_a_member(
            request.user
        ):
            raise PermissionDenied(_("Votre compte n'est rattaché à aucun élu : il n'a pas de convocation."))
        raise Http404(_("Aucune séance ne correspond à cette adresse."))
    person = Person.objects.get(pk=row.person_id)
    access = get_or_create_access(sitting=row.sitting, person=person)
    return redirect("deliberations:member_page", token=access.token)
