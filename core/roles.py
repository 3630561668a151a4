"""Roles and what each may do.

A user holds one role per organization (``core.Membership``). Every write checks a
capability through :func:`core.tenancy.require`; reads are scoped by organization only.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMINISTRATOR = "admin", _("Administrateur")
    LEGAL = "legal", _("Juriste")
    CLERK = "clerk", _("Secrétariat des assemblées")
    MANAGER = "manager", _("Gestionnaire")
    VIEWER = "viewer", _("Lecteur")
    # An elected member: reaches their own convocations only (``MEMBER_PAGES``), no staff page.
    MEMBER = "member", _("Élu")


class Capability(models.TextChoices):
    MANAGE_ORGANIZATION = "organization.manage", _("gérer l'organisation, ses personnes et ses signataires")
    MANAGE_MEMBERS = "members.manage", _("gérer les utilisateurs et leurs rôles")
    EDIT_PARTNERS = "partners.edit", _("enregistrer des partenaires et des personnes")
    EDIT_CONVENTIONS = "conventions.edit", _("rédiger et modifier les conventions")
    FOLLOW_CONVENTIONS = "conventions.follow", _("suivre les conventions (évaluations, comités, échéances)")
    MANAGE_SITTINGS = "sittings.manage", _("préparer et tenir les séances")
    RECORD_VOTES = "votes.record", _("enregistrer présences, pouvoirs et votes")
    MANAGE_TEMPLATES = "templates.manage", _("gérer les modèles de documents")
    SIGN_DOCUMENTS = "documents.sign", _("signer les documents")
    GENERATE_DOCUMENTS = "documents.generate", _("produire les documents")
    HANDLE_DEADLINES = "deadlines.handle", _("traiter les échéances")


_ALL = frozenset(Capability)

ROLE_CAPABILITIES: dict[str, frozenset[str]] = {
    Role.ADMINISTRATOR: _ALL,
    Role.LEGAL: frozenset(
        {
            Capability.EDIT_PARTNERS,
            Capability.EDIT_CONVENTIONS,
            Capability.FOLLOW_CONVENTIONS,
            Capability.MANAGE_TEMPLATES,
            Capability.SIGN_DOCUMENTS,
            Capability.GENERATE_DOCUMENTS,
            Capability.HANDLE_DEADLINES,
        }
    ),
    Role.CLERK: frozenset(
        {
            Capability.MANAGE_SITTINGS,
            Capability.RECORD_VOTES,
            Capability.SIGN_DOCUMENTS,
            Capability.GENERATE_DOCUMENTS,
            Capability.HANDLE_DEADLINES,
        }
    ),
    Role.MANAGER: frozenset(
        {Capability.FOLLOW_CONVENTIONS, Capability.HANDLE_DEADLINES, Capability.GENERATE_DOCUMENTS}
    ),
    Role.VIEWER: frozenset(),
    Role.MEMBER: frozenset(),
}

# Roles that read the organization's data (every role but the élu's, who reads only what
# concerns them, through their own pages).
STAFF_ROLES = frozenset(role for role in Role if role != Role.MEMBER)


def role_allows(role: str, capability: str) -> bool:
    return capability in ROLE_CAPABILITIES.get(role, frozenset())
