"""The articles of a convention: written freely or taken from the library, their variables
filled in when rendered."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Max

from conventions import rules
from conventions.models import ClauseTemplate, Convention, ConventionClause
from conventions.services._common import lock, require_edit, require_editable, save
from core.errors import DomainError


def clause_variables(convention: Convention) -> dict[str, Any]:
    """The values a clause of the library may use, e.g. {{ duree_mois }}."""
    parties = list(convention.parties.all())
    partners = [p.organization.name for p in parties if p.organization_id != convention.organization_id]
    return {
        "reference": convention.reference,
        "intitule": convention.title,
        "objet": convention.object,
        "collectivite": convention.organization.name,
        "partenaire": ", ".join(partners),
        "partenaires": partners,
        "duree_mois": convention.duration_months,
        "duree_jours": convention.duration_days,
        "duree": convention.duration_text,
        "date_debut": convention.effective_date,
        "date_fin": convention.end_date,
        "montant": convention.amount,
        "preavis": convention.termination_notice.describe(),
        "delai_retrait_donnees": convention.data_withdrawal.describe(),
        "codes_postaux": convention.perimeter_postal_codes,
        "communes": convention.perimeter_communes,
        "urls": convention.perimeter_urls,
        "reconductions": convention.tacit_renewals_allowed,
    }


def _next_clause_position(convention: Convention) -> int:
    return (convention.clauses.aggregate(m=Max("position"))["m"] or 0) + 1


@transaction.atomic
def add_clause(
    *, user: Any, convention: Convention, title: str, body: str, template: ClauseTemplate | None = None
) -> ConventionClause:
    """Append an article; its {{ variables }} are checked now and filled in when rendered."""
    locked = lock(convention)
    require_edit(user, locked)
    require_editable(locked)
    if not title.strip() or not body.strip():
        raise DomainError("Un article a un titre et un texte.", rule="Articles", field="body")
    rules.render_clause(body, clause_variables(locked))  # refuses unknown or unsafe variables
    clause = ConventionClause(
        convention=locked, position=_next_clause_position(locked), title=title.strip(), body=body, template=template
    )
    save(clause, user=user, reason=f"Ajout de l'article {clause.position}")
    return clause


@transaction.atomic
def add_clause_from_library(*, user: Any, convention: Convention, template: ClauseTemplate) -> ConventionClause:
    if template.organization_id != convention.organization_id or not template.is_active:
        raise DomainError("Cette clause n'est pas dans la bibliothèque de votre collectivité.", rule="Articles")
    return add_clause(user=user, convention=convention, title=template.title, body=template.body, template=template)


@transaction.atomic
def update_clause(*, user: Any, clause: ConventionClause, title: str, body: str) -> ConventionClause:
    convention = lock(clause.convention)
    require_edit(user, convention)
    require_editable(convention)
    if not title.strip() or not body.strip():
        raise DomainError("Un article a un titre et un texte.", rule="Articles", field="body")
    rules.render_clause(body, clause_variables(convention))
    clause = lock(clause)
    clause.title, clause.body = title.strip(), body
    save(clause, user=user, reason=f"Modification de l'article {clause.position}")
    return clause


def _renumber(convention: Convention, ordered: list[ConventionClause], user: Any) -> None:
    # Two passes so that the unique (convention, position) constraint holds at every step.
    offset = 1000
    for index, clause in enumerate(ordered, start=1):
        ConventionClause.objects.filter(pk=clause.pk).update(position=offset + index)
    for index, clause in enumerate(ordered, start=1):
        ConventionClause.objects.filter(pk=clause.pk).update(position=index)


@transaction.atomic
def move_clause(*, user: Any, clause: ConventionClause, position: int) -> None:
    """Move an article to ``position``; the others are renumbered 1, 2, …"""
    convention = lock(clause.convention)
    require_edit(user, convention)
    require_editable(convention)
    ordered = [c for c in convention.clauses.order_by("position") if c.pk != clause.pk]
    position = max(1, min(position, len(ordered) + 1))
    ordered.insert(position - 1, clause)
    _renumber(convention, ordered, user)


@transaction.atomic
def remove_clause(*, user: Any, clause: ConventionClause) -> None:
    convention = lock(clause.convention)
    require_edit(user, convention)
    require_editable(convention)
    clause.delete()
    _renumber(convention, list(convention.clauses.order_by("position")), user)
