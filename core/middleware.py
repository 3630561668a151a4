"""Security of every request: the Permissions-Policy header, the client's address behind the
reverse proxy and the login throttling's count per address (both used by django-axes)."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from typing import Any

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.models import AccessAttempt
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Sum
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _


def permissions_policy(policy: dict[str, list[str]]) -> str:
    """The header's value: ``{"camera": []}`` → ``camera=()``, ``{"fullscreen": ["self"]}`` →
    ``fullscreen=(self)``."""
    return ", ".join(f"{feature}=({' '.join(allowed)})" for feature, allowed in policy.items())


class PermissionsPolicyMiddleware:
    """Sends ``settings.PERMISSIONS_POLICY`` (Django has no setting for this header)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.header = permissions_policy(settings.PERMISSIONS_POLICY)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if self.header:
            response.headers.setdefault("Permissions-Policy", self.header)
        return response


def client_address(request: HttpRequest) -> str | None:
    """The client's address as the first trusted reverse proxy saw it.

    Behind nginx, REMOTE_ADDR is the proxy's: every login would count against one address.
    Each trusted proxy appends the address it received the request from to X-Forwarded-For,
    so the client's is the ``TRUSTED_PROXY_HOPS``-th from the right; anything to its left
    was written by the client and is ignored.
    """
    hops = settings.TRUSTED_PROXY_HOPS
    remote = request.META.get("REMOTE_ADDR")
    if hops <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if len(forwarded) < hops:
        return remote
    try:
        return str(ipaddress.ip_address(forwarded[-hops]))
    except ValueError:
        # A proxy that writes no address there is misconfigured: count the peer instead.
        return remote


class LoginThrottleHandler(AxesDatabaseHandler):
    """Axes' database handler that also counts the failures of one address over every user name.

    Axes locks out when the failures reach one limit, ``AXES_FAILURE_LIMIT``, which stays the
    limit of one user name from one address. One address trying many user names (a town
    hall's staff share theirs) is allowed ``LOGIN_FAILURES_PER_ADDRESS`` failures, scaled here
    onto that limit: address failures × user limit ÷ address limit reaches the user limit
    exactly when the address's failures reach theirs. A successful login still resets only
    its own user name's failures (``AXES_LOCKOUT_PARAMETERS``), so one valid account cannot
    clear the count of the names tried before it.
    """

    def get_failures(self, request: Any, credentials: dict[str, Any] | None = None) -> int:
        of_user = super().get_failures(request, credentials)
        of_address = AccessAttempt.objects.filter(
            ip_address=request.axes_ip_address, attempt_time__gte=get_cool_off_threshold(request)
        ).aggregate(n=Coalesce(Sum("failures_since_start"), 0))["n"]
        per_address = max(settings.LOGIN_FAILURES_PER_ADDRESS, 1)
        return max(of_user, of_address * settings.AXES_FAILURE_LIMIT // per_address)


class MemberPagesOnlyMiddleware:
    """An élu's account (the élu role in each of its organizations) reaches only the pages
    named in ``settings.MEMBER_PAGES``: their convocations, and logging in and out. The home
    page sends them to ``settings.MEMBER_HOME``; any other page, the API included, answers
    403. Their data is out of reach anyway (``tenancy.organization_ids`` leaves it out): this
    keeps them from staff pages whose forms and empty lists would mean nothing to them."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func: Any, view_args: Any, view_kwargs: Any) -> Any:
        from core.tenancy import member_only

        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not member_only(user):
            return None
        match = request.resolver_match
        name = match.view_name if match is not None else ""
        if name in settings.MEMBER_PAGES:
            return None
        if name in ("home", "core:dashboard"):
            return redirect(settings.MEMBER_HOME)
        raise PermissionDenied(
            _("Votre compte d'élu donne accès à vos convocations seulement (« Mes séances »), pas à cette page.")
        )
