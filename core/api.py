"""API: who am I, and my personal tokens."""

from datetime import datetime

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status

from core import services, tenancy
from core.api_inputs import StrictInput
from core.models import ApiToken

router = Router(tags=["Compte"])


class MembershipOut(Schema):
    organization_id: int
    role: str


class MeOut(Schema):
    id: int
    username: str
    full_name: str
    memberships: list[MembershipOut]


class TokenIn(StrictInput):
    django_model = ApiToken
    name: str


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class NewTokenOut(TokenOut):
    key: str


@router.get("/me", response=MeOut, summary="L'utilisateur connecté et ses rôles")
def me(request: HttpRequest) -> dict[str, object]:
    user = tenancy.acting_user(request)
    return {
        "id": user.pk,
        "username": user.get_username(),
        "full_name": user.get_full_name(),
        "memberships": [
            {"organization_id": org, "role": role} for org, role in tenancy.roles_by_organization(user).items()
        ],
    }


@router.get("/tokens", response=list[TokenOut], summary="Mes jetons d'API")
def list_tokens(request: HttpRequest) -> list[ApiToken]:
    return list(ApiToken.objects.filter(user=tenancy.acting_user(request)))


@router.post("/tokens", response={201: NewTokenOut}, summary="Créer un jeton (la clé n'est montrée qu'une fois)")
def create_token(request: HttpRequest, payload: TokenIn) -> Status[dict[str, object]]:
    token, key = services.create_api_token(user=request.user, name=payload.name)
    return Status(201, {**TokenOut.from_orm(token).dict(), "key": key})


@router.delete("/tokens/{token_id}", response={204: None}, summary="Révoquer un jeton")
def revoke_token(request: HttpRequest, token_id: int) -> Status[None]:
    token = get_object_or_404(ApiToken, pk=token_id, user=request.user)
    services.revoke_api_token(user=request.user, token=token)
    return Status(204, None)
