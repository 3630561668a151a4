"""Writes of the core app: API tokens and memberships."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from core import tenancy
from core.errors import DomainError
from core.models import ApiToken, Membership
from core.roles import Capability, Role


@transaction.atomic
def create_api_token(*, user: Any, name: str) -> tuple[ApiToken, str]:
    """A new personal token; returns it with its key, which is never stored nor shown again."""
    name = name.strip()
    if not name:
        raise DomainError("Donnez un nom au jeton (par exemple « script de publication »).", field="name")
    if len(name) > 100:
        raise DomainError("Le nom du jeton ne doit pas dépasser 100 caractères.", field="name")
    key = ApiToken.new_key()
    token = ApiToken.objects.create(
        user=user, name=name, prefix=key[4 : 4 + ApiToken.PREFIX_LENGTH], key_hash=ApiToken.hash_key(key)
    )
    return token, key


@transaction.atomic
def revoke_api_token(*, user: Any, token: ApiToken) -> ApiToken:
    locked = ApiToken.objects.select_for_update().get(pk=token.pk, user=user)
    if locked.revoked_at is None:
        locked.revoked_at = timezone.now()
        locked.save(update_fields=["revoked_at"])
    return locked


@transaction.atomic
def set_membership(*, actor: Any, user: Any, organization_id: int, role: str) -> Membership:
    """Give a user a role in an organization (administrators only)."""
    tenancy.require(actor, organization_id, Capability.MANAGE_MEMBERS)
    if role not in Role.values:
        raise DomainError(f"Rôle inconnu : « {role} ».", field="role")
    membership, _ = Membership.objects.update_or_create(
        user=user, organization_id=organization_id, defaults={"role": role}
    )
    tenancy.forget_roles(user)
    return membership


@transaction.atomic
def link_person(*, actor: Any, membership: Membership, person: Any) -> Membership:
    """Say which elected member a user's account is in an organization (administrators only):
    their convocations then appear on « Mes séances ». ``person`` None unlinks."""
    tenancy.require(actor, membership.organization_id, Capability.MANAGE_MEMBERS)
    if person is not None and person.organization_id != membership.organization_id:
        raise DomainError(
            "Cette personne n'appartient pas à l'organisation de ce rôle.", rule="Comptes des élus", field="person"
        )
    locked = Membership.objects.select_for_update().get(pk=membership.pk)
    taken = Membership.objects.filter(person=person).exclude(pk=locked.pk).exists() if person is not None else False
    if taken:
        raise DomainError(
            "Cette personne est déjà rattachée à un autre compte.", rule="Comptes des élus", field="person"
        )
    locked.person = person
    locked.save(update_fields=["person", "updated_at"])
    return locked
