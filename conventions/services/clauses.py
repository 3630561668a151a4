"""The articles of a convention: written freely or taken from the library, their variables
filled in when rendered."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Max

from conventions import rules
from conventions.models import ClauseTemplate, Convention, ConventionClause, RenewalMode, StartEvent, TerminationMode
from conventions.services._common import delete, lock, require_edit, require_editable, save
from core.errors import DomainError
from core.formatting import french_date


def _delay_text(delay: rules.Delay) -> str:
    """A delay as a clause writes it, nothing when there is none (never "0 mois")."""
    return delay.describe() if delay.value else ""


def _start_text(convention: Convention) -> str:
    """When the convention takes effect, as the end of "La présente convention prend effet …"."""
    if convention.start_event == StartEvent.FIXED_DATE and convention.fixed_start_date:
        return f"le {french_date(convention.fixed_start_date)}"
    if convention.start_event == StartEvent.NOTIFICATION:
        return "à compter de sa notification au partenaire"
    return "à compter de la date de sa signature par la dernière des parties"


def _sentence(text: str) -> str:
    text = " ".join(text.split())
    return text + "." if text and text[-1] not in ".!?" else text


def _item(text: str) -> str:
    """An engagement as an item of a list introduced by "s'engage à :" ("Fournir …" → "fournir …",
    an acronym kept), without its final period."""
    text = text.strip().rstrip(".; ")
    if len(text) > 1 and text[0].isupper() and text[1].islower():
        text = text[0].lower() + text[1:]
    return text


def clause_variables(convention: Convention) -> dict[str, Any]:
    """The values a clause of the library may use (``rules.VARIABLES``), e.g. {{ duree }}; an
    absent value is None, "" or an empty list, so that the optional parts that need it vanish."""
    parties = list(convention.parties.all())
    partners = [p.organization.name for p in parties if p.organization_id != convention.organization_id]
    own = {p.pk for p in parties if p.organization_id == convention.organization_id}
    obligations = list(convention.obligations.all())
    notice = convention.termination_mode == TerminationMode.NOTICE
    tacit = convention.renewal == RenewalMode.TACIT
    return {
        "reference": convention.reference,
        "intitule": convention.title,
        "objet": _item(convention.object),
        "collectivite": convention.organization.name,
        "designation_collectivite": next((p.designation for p in parties if p.pk in own and p.designation), ""),
        "designation_partenaire": next((p.designation for p in parties if p.pk not in own and p.designation), ""),
        "partenaire": rules.french_list(partners),
        "partenaires": partners,
        "programme": convention.programme.name if convention.programme_id else "",  # type: ignore[union-attr]
        "duree": convention.duration_text,
        "duree_mois": convention.duration_months or None,
        "duree_jours": convention.duration_days or None,
        "prise_effet": _start_text(convention),
        "date_debut": convention.effective_date,
        "date_fin": convention.end_date,
        "montant": convention.amount,
        "preavis": _delay_text(convention.termination_notice) if notice else "",
        "lettre_recommandee": convention.termination_by_registered_letter,
        "delai_retrait_donnees": _delay_text(convention.data_withdrawal),
        "apres_resiliation": _sentence(convention.after_termination),
        "reconduction_tacite": tacit,
        "reconductions": convention.tacit_renewals_allowed if tacit else None,
        "preavis_reconduction": _delay_text(convention.renewal_notice) if tacit else "",
        "evaluation_annuelle": convention.annual_evaluation,
        "comite_de_suivi": convention.has_committee,
        "communes": list(convention.perimeter_communes),
        "codes_postaux": list(convention.perimeter_postal_codes),
        "urls": list(convention.perimeter_urls),
        "engagements_collectivite": [_item(o.description) for o in obligations if o.party_id in own],
        "engagements_partenaire": [_item(o.description) for o in obligations if o.party_id not in own],
    }


def _next_clause_position(convention: Convention) -> int:
    return (convention.clauses.aggregate(m=Max("position"))["m"] or 0) + 1


def _quoted(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    return f"« {text if len(text) <= limit else text[: limit - 1] + '…'} »"


def _record(convention: Convention, user: Any, reason: str) -> None:
    """Write the change of an article in the convention's own history, with its values."""
    save(convention, user=user, reason=reason, update_fields=["updated_at"])


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
    _record(locked, user, f"Article {clause.position} ajouté : {_quoted(clause.title)}")
    return clause


@transaction.atomic
def add_clause_from_library(*, user: Any, convention: Convention, template: ClauseTemplate) -> ConventionClause:
    if template.organization_id != convention.organization_id or not template.is_active:
        raise DomainError("Cette clause n'est pas dans la bibliothèque de votre collectivité.", rule="Articles")
    return add_clause(user=user, convention=convention, title=template.title, body=template.body, template=template)


def _clause_of(convention: Convention, clause: ConventionClause) -> ConventionClause:
    """The article, read again under the convention's lock; one of another convention is refused."""
    locked = ConventionClause.objects.select_for_update().filter(pk=clause.pk, convention=convention).first()
    if locked is None:
        raise DomainError("Cet article n'est pas (ou plus) un article de la convention.", rule="Articles")
    return locked


@transaction.atomic
def update_clause(*, user: Any, clause: ConventionClause, title: str, body: str) -> ConventionClause:
    """Change an article's title and text while the convention is being drafted; the history
    of the convention says what changed ("titre : « A » → « B »")."""
    convention = lock(clause.convention)
    require_edit(user, convention)
    require_editable(convention)
    if not title.strip() or not body.strip():
        raise DomainError("Un article a un titre et un texte.", rule="Articles", field="body")
    rules.render_clause(body, clause_variables(convention))
    clause = _clause_of(convention, clause)
    changes = []
    if clause.title != title.strip():
        changes.append(f"titre : {_quoted(clause.title)} → {_quoted(title.strip())}")
    if clause.body.strip() != body.strip():
        # The history is read by people: the texts as the convention prints them, variables filled in.
        values = clause_variables(convention)
        old_text, new_text = (rules.render_clause(b, values, strict=False) for b in (clause.body, body))
        changes.append(f"texte : {_quoted(old_text, 120)} → {_quoted(new_text, 120)}")
    if not changes:
        return clause
    clause.title, clause.body = title.strip(), body
    save(clause, user=user, reason=f"Modification de l'article {clause.position}")
    _record(convention, user, f"Article {clause.position} modifié — " + " ; ".join(changes))
    return clause


def _renumber(ordered: list[ConventionClause]) -> None:
    # Two passes so that the unique (convention, position) constraint holds at every step.
    offset = 1000
    for index, clause in enumerate(ordered, start=1):
        ConventionClause.objects.filter(pk=clause.pk).update(position=offset + index)
    for index, clause in enumerate(ordered, start=1):
        ConventionClause.objects.filter(pk=clause.pk).update(position=index)


@transaction.atomic
def move_clause(*, user: Any, clause: ConventionClause, position: int) -> ConventionClause:
    """Move an article to ``position``; the others are renumbered 1, 2, …"""
    convention = lock(clause.convention)
    require_edit(user, convention)
    require_editable(convention)
    clause = _clause_of(convention, clause)
    ordered = [c for c in convention.clauses.select_for_update().order_by("position") if c.pk != clause.pk]
    position = max(1, min(position, len(ordered) + 1))
    if position == clause.position:
        raise DomainError(f"L'article {clause.position} est déjà à cette place.", rule="Articles", field="position")
    before = clause.position
    ordered.insert(position - 1, clause)
    _renumber(ordered)
    _record(convention, user, f"Article {_quoted(clause.title)} déplacé : article n° {before} → article n° {position}")
    clause.position = position
    return clause


@transaction.atomic
def remove_clause(*, user: Any, clause: ConventionClause) -> None:
    """Remove an article while the convention is being drafted; those after it move up."""
    convention = lock(clause.convention)
    require_edit(user, convention)
    require_editable(convention)
    clause = _clause_of(convention, clause)
    position, title = clause.position, clause.title
    delete(clause, user=user, reason=f"Suppression de l'article {position}")
    _renumber(list(convention.clauses.select_for_update().order_by("position")))
    _record(
        convention, user, f"Article {position} supprimé : {_quoted(title)} (les articles suivants sont renumérotés)"
    )
