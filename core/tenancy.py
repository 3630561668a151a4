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

from core import sql
from core.roles import Capability, Role, role_allows

_CACHE_ATTR = "_conventio_roles"
_NAMES_ATTR = "_conventio_organization_names"


@sql.keyed
def _roles_sql() -> str:
    from core.models import Membership
    from parties.models import Organization

    # With each organization's name (joined by key): the menus and lists that name the
    # user's organizations need no query of their own.
    return (
        f"SELECT {sql.column(Membership, 'organization')}, {sql.column(Membership, 'role')}, "
        f"{sql.column(Organization, 'name')} FROM {sql.table(Membership)} "
        f"INNER JOIN {sql.table(Organization)} "
        f"ON {sql.column(Organization, 'id')} = {sql.column(Membership, 'organization')} "
        f"WHERE {sql.column(Membership, 'user')} = %s"
    )


def _load(user: Any) -> None:
    _keep(user, sql.rows(_roles_sql(), [user.pk]))


def _keep(user: Any, rows: list[tuple[Any, ...]]) -> None:
    setattr(user, _CACHE_ATTR, {organization: role for organization, role, _name in rows})
    setattr(user, _NAMES_ATTR, {organization: name for organization, _role, name in rows})


def organizations_sql(organizations: int | None) -> str:
    """The right side of ``organization_id IN (…)`` for a query scoped to a user: ``%s`` for
    each of ``organizations`` ids, or (``None``) the organizations the user ``%s`` is a member
    of, selected in SQL (for a query sent before the user's roles are read)."""
    from core.models import Membership

    if organizations is not None:
        return sql.placeholders(organizations)
    return (
        f"SELECT {sql.name(Membership, 'organization')} FROM {sql.table(Membership)} "
        f"WHERE {sql.name(Membership, 'user')} = %s"
    )


def roles_known(user: Any) -> bool:
    """Whether the user's roles are read already for this request (a query scoped by them
    can then list the organizations; else it selects them by the user's memberships)."""
    return getattr(user, _CACHE_ATTR, None) is not None


def roles_reads(user: Any) -> sql.Reads[None] | None:
    """The user's roles as a query, for a page to send with other reads keyed by the user alone
    (``None`` when they are read already): built, they are kept as ``_load`` keeps them."""
    if user is None or not user.is_authenticated or getattr(user, _CACHE_ATTR, None) is not None:
        return None
    return sql.Reads([(_roles_sql(), [user.pk])], lambda results: _keep(user, results[0]))


def roles_by_organization(user: Any) -> dict[int, str]:
    """{organization id: role} for the user, cached on the user object for the request.

    Every page and API call reads it first: its SQL is written once (``core.sql``) rather
    than built by the ORM each time."""
    if user is None or not user.is_authenticated:
        return {}
    if getattr(user, _CACHE_ATTR, None) is None:
        _load(user)
    return getattr(user, _CACHE_ATTR)  # type: ignore[no-any-return]


def organizations_by_name(user: Any) -> list[tuple[int, str]]:
    """The user's organizations as (id, name), by name, read with their roles (no query)."""
    if user is None or not user.is_authenticated:
        return []
    if getattr(user, _NAMES_ATTR, None) is None:
        _load(user)
    names: dict[int, str] = getattr(user, _NAMES_ATTR)
    return sorted(names.items(), key=lambda item: (item[1], item[0]))


def forget_roles(user: Any) -> None:
    for attribute in (_CACHE_ATTR, _NAMES_ATTR):
        if hasattr(user, attribute):
            delattr(user, attribute)


def organization_ids(user: Any) -> list[int]:
    """The organizations whose data the user may read."""
    return list(roles_by_organization(user))


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
