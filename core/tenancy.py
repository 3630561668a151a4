"""Tenancy: which organizations a user belongs to, and what their role lets them do.

Every read of domain data is filtered by :func:`organization_ids`; an object of another
organization is answered with 404 (never 403), so nothing about it leaks. Writes check a
capability with :func:`require`.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db.models import Model, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from core.roles import STAFF_ROLES, Capability, Role, role_allows

# The user's memberships, read once per request and kept on the user object (as Django keeps
# a user's permissions in ``_perm_cache``).
_CACHE_ATTR = "_conventio_memberships"


def _memberships(user: Any) -> dict[int, tuple[str, str]]:
    """{organization id: (role, organization name)} of the user, read once per request."""
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is None:
        from core.models import Membership

        rows = Membership.objects.filter(user=user).values_list("organization_id", "role", "organization__name")
        cached = {organization: (role, name) for organization, role, name in rows}
        setattr(user, _CACHE_ATTR, cached)
    return cached  # type: ignore[no-any-return]


def roles_by_organization(user: Any) -> dict[int, str]:
    """{organization id: role} for the user (one query per request)."""
    if user is None or not user.is_authenticated:
        return {}
    return {organization: role for organization, (role, _name) in _memberships(user).items()}


def organizations_by_name(user: Any) -> list[tuple[int, str]]:
    """The user's organizations as (id, name), by name, read with their roles."""
    if user is None or not user.is_authenticated:
        return []
    names = {organization: name for organization, (_role, name) in _memberships(user).items()}
    return sorted(names.items(), key=lambda item: (item[1], item[0]))


def forget_roles(user: Any) -> None:
    """Forget the memberships read for this request (after one of them changed)."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def organization_ids(user: Any) -> list[int]:
    """The organizations whose data the user may read: not those where they are an élu, who
    reads only their own convocations (``deliberations.selectors.members``)."""
    return [organization for organization, role in roles_by_organization(user).items() if role in STAFF_ROLES]


def member_only(user: Any) -> bool:
    """Whether the user is an élu in each of their organizations (and staff in none)."""
    roles = roles_by_organization(user)
    return bool(roles) and all(role == Role.MEMBER for role in roles.values())


def role_in(user: Any, organization_id: int | None) -> str | None:
    if organization_id is None:
        return None
    return roles_by_organization(user).get(organization_id)


def can(user: Any, organization_id: int | None, capability: str) -> bool:
    role = role_in(user, organization_id)
    return role is not None and role_allows(role, capability)


def require(user: Any, organization_id: int | None, capability: str) -> None:
    """Raise 404 if the user cannot see the organization, 403 if their role forbids the act."""
    role = role_in(user, organization_id)
    if role is None:
        raise Http404(_("Aucun objet ne correspond à cette adresse."))
    if not role_allows(role, capability):
        raise PermissionDenied(
            _("Votre rôle « %(role)s » ne permet pas de %(action)s.")
            % {"role": Role(role).label, "action": Capability(capability).label}
        )


def organizations_where(user: Any, capability: str) -> list[int]:
    return [org for org, role in roles_by_organization(user).items() if role_allows(role, capability)]


def get_scoped_or_404[M: Model](
    queryset: QuerySet[M], user: Any, *, org_field: str = "organization", **lookup: Any
) -> M:
    """Fetch one object among those of the user's organizations, or 404."""
    try:
        return queryset.filter(**{f"{org_field}__in": organization_ids(user)}).get(**lookup)
    except ObjectDoesNotExist as exc:
        raise Http404(_("Aucun objet ne correspond à cette adresse.")) from exc


def acting_user(request: Any) -> Any:
    """The authenticated user of a request (views and endpoints that require login)."""
    user = request.user
    if not user.is_authenticated:
        raise PermissionDenied(_("Connexion requise."))
    return user
