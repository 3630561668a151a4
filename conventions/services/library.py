"""The clause library legal staff maintain from their pages: create, edit, deactivate."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.text import slugify

from conventions import rules
from conventions.models import ClauseTemplate
from conventions.services._common import lock, save
from conventions.standard_clauses import STANDARD_CLAUSES
from core import tenancy
from core.errors import DomainError
from core.roles import Capability
from parties.models import Organization

LIBRARY_RULE = "Bibliothèque de clauses"


def _check(title: str, body: str) -> None:
    if not title.strip():
        raise DomainError("Le titre de la clause est obligatoire.", rule=LIBRARY_RULE, field="title")
    if not body.strip():
        raise DomainError("Le texte de la clause est obligatoire.", rule=LIBRARY_RULE, field="body")
    rules.check_library_clause(body)  # refuses a bad template or a variable no convention gives


@transaction.atomic
def create_clause_template(
    *, user: Any, organization: Organization, title: str, body: str, category: str = "", key: str = ""
) -> ClauseTemplate:
    """Add a clause to the organization's library; its code defaults to the title's slug and
    must be unused in the library."""
    tenancy.require(user, organization.pk, Capability.EDIT_CONVENTIONS)
    _check(title, body)
    code = slugify(key.strip() or title)[:60].strip("-")
    if not code:
        raise DomainError("Le code de la clause est obligatoire.", rule=LIBRARY_RULE, field="key")
    if ClauseTemplate.objects.select_for_update().filter(organization=organization, key=code).exists():
        raise DomainError(
            f"Le code « {code} » est déjà celui d'une clause de la bibliothèque : choisissez-en un autre.",
            rule=LIBRARY_RULE,
            field="key",
        )
    template = ClauseTemplate(
        organization=organization, key=code, title=title.strip(), body=body, category=category.strip()
    )
    save(template, user=user, reason="Clause ajoutée à la bibliothèque")
    return template


@transaction.atomic
def update_clause_template(
    *, user: Any, template: ClauseTemplate, title: str, body: str, category: str = ""
) -> ClauseTemplate:
    """Change a clause's title, category and text; conventions already drafted keep their copy."""
    tenancy.require(user, template.organization_id, Capability.EDIT_CONVENTIONS)
    locked = lock(template)
    _check(title, body)
    locked.title, locked.body, locked.category = title.strip(), body, category.strip()
    save(locked, user=user, reason="Clause de la bibliothèque modifiée")
    return locked


@transaction.atomic
def set_clause_template_active(*, user: Any, template: ClauseTemplate, active: bool) -> ClauseTemplate:
    """Withdraw a clause from the library (it is no longer offered for new articles) or bring
    it back. Conventions that used it keep their articles."""
    tenancy.require(user, template.organization_id, Capability.EDIT_CONVENTIONS)
    locked = lock(template)
    if locked.is_active == active:
        state = "active" if active else "désactivée"
        raise DomainError(f"Cette clause est déjà {state}.", rule=LIBRARY_RULE, field="is_active")
    locked.is_active = active
    save(
        locked,
        user=user,
        reason="Clause réactivée" if active else "Clause désactivée",
        update_fields=["is_active", "updated_at"],
    )
    return locked


@dataclass(frozen=True)
class LibraryImport:
    """What importing the standard library did: the codes added, and those the organization
    already had (kept as it wrote them)."""

    added: tuple[str, ...]
    kept: tuple[str, ...]


@transaction.atomic
def import_standard_library(*, user: Any, organization: Organization) -> LibraryImport:
    """Add the standard clause library (``conventions.standard_clauses``) to an organization's.
    Idempotent: a clause whose code the organization already uses is left untouched, whether
    it was imported before and edited since, or written by the organization itself; a
    deactivated one stays deactivated. The organization row is locked, so two imports at once
    cannot both add the same clause."""
    tenancy.require(user, organization.pk, Capability.EDIT_CONVENTIONS)
    Organization.objects.select_for_update().filter(pk=organization.pk).first()
    existing = set(ClauseTemplate.objects.filter(organization=organization).values_list("key", flat=True))
    added, kept = [], []
    for clause in STANDARD_CLAUSES:
        if clause.key in existing:
            kept.append(clause.key)
            continue
        rules.check_library_clause(clause.body)
        template = ClauseTemplate(
            organization=organization, key=clause.key, title=clause.title, category=clause.category, body=clause.body
        )
        save(template, user=user, reason="Clause importée de la bibliothèque type")
        added.append(clause.key)
    return LibraryImport(added=tuple(added), kept=tuple(kept))
