"""API authentication: personal bearer tokens, or the browser session (with CSRF)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.security import HttpBearer, django_auth

from core.models import ApiToken


class TokenAuth(HttpBearer):
    openapi_description = "Jeton personnel créé dans « Mon compte › Jetons d'API » : Authorization: Bearer cvt_…"

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        api_token = ApiToken.objects.active().select_related("user").filter(key_hash=ApiToken.hash_key(token)).first()
        if api_token is None or not api_token.user.is_active:
            return None
        from core.tenancy import member_only

        if member_only(api_token.user):
            # An élu's account reaches its own convocations only, never the staff's API.
            raise PermissionDenied(_("Un compte d'élu n'a pas accès à l'API."))
        api_token.mark_used()
        # Histories (django-simple-history) and services read the actor from request.user.
        request.user = api_token.user
        return api_token.user


api_auth = [TokenAuth(), django_auth]
