"""Drafting a convention and taking it through approval, signature and its life."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max

from conventions import deadlines, rules
from conventions.models import (
    Annex,
    ClauseTemplate,
    Convention,
    ConventionClause,
    ConventionKind,
    ConventionParty,
    ConventionStatus,
    Evaluation,
    Obligation,
    Recurrence,
    RenewalMode,
    Side,
    StartEvent,
    TerminationMode,
)
from conventions.models.conventions import EDITABLE_STATES, LIVE_STATES
from conventions.services._common import lock, run_transition, save, today_or
from core import tenancy
from core.errors import DomainError
from core.formatting import french_date
from core.roles import Capability
from parties.models import Organization, Signatory

TERM_FIELDS = (
    "service",
    "title",
    "object",
    "kind",
    "amount",
    "programme",
    "start_event",
    "fixed_start_date",
    "duration_months",
    "duration_days",
    "renewal",
    "tacit_renewals_allowed",
    "renewal_notice_value",
    "renewal_notice_unit",
    "termination_mode",
    "termination_notice_value",
    "termination_notice_unit",
    "termination_by_registered_letter",
    "data_withdrawal_value",
    "data_withdrawal_unit",
    "after_termination",
    "annual_evaluation",
    "has_committee",
    "perimeter_communes",
    "perimeter_postal_codes",
    "perimeter_urls",
)
# What may change at any time, even once signed (the text and terms then change by avenant).
FOLLOW_FIELDS = ("service", "manager")

TERMS_RULE = "Conditions de la convention"


def _require_edit(user: Any, convention: Convention) -> None:
    tenancy.require(user, convention.organization_id, Capability.EDIT_CONVENTIONS)


def _require_editable(convention: Convention) -> None:
    if convention.status not in EDITABLE_STATES:
        raise DomainError(
            f"La convention est « {convention.get_status_display()} » : son texte et ses conditions ne se modifient "
            "plus que par avenant.",
            rule="Modification par avenant",
        )


def _clean_terms(data: dict[str, Any], organization: Organization) -> dict[str, Any]:
    """Check and normalize the terms given by a form or the API; raise on the first broken rule."""
    cleaned = dict(data)
    if "title" in cleaned and not str(cleaned["title"] or "").strip():
        raise DomainError("L'intitulé de la convention est obligatoire.", rule=TERMS_RULE, field="title")
    for key in ("perimeter_communes",):
        if key in cleaned:
            value = cleaned[key]
            items = rules.split_lines(value) if isinstance(value, str) else [str(v).strip() for v in value or []]
            cleaned[key] = [v for v in items if v]
    if "perimeter_postal_codes" in cleaned:
        value = cleaned["perimeter_postal_codes"]
        cleaned["perimeter_postal_codes"] = rules.normalize_postal_codes(
            rules.split_lines(value) if isinstance(value, str) else value or []
        )
    if "perimeter_urls" in cleaned:
        value = cleaned["perimeter_urls"]
        cleaned["perimeter_urls"] = rules.normalize_urls(
            rules.split_lines(value) if isinstance(value, str) else value or []
        )
    programme = cleaned.get("programme")
    if programme is not None and programme.organization_id != organization.pk:
        raise DomainError("Ce programme appartient à une autre organisation.", rule=TERMS_RULE, field="programme")
    return cleaned


def _check_consistency(convention: Convention) -> None:
    """Rules that tie several terms together (also guarded by database constraints)."""
    if convention.kind == ConventionKind.FINANCIAL and convention.amount is None:
        raise DomainError("Une convention de soutien financier indique son montant.", rule=TERMS_RULE, field="amount")
    if convention.amount is not None and convention.amount < 0:
        raise DomainError("Le montant ne peut pas être négatif.", rule=TERMS_RULE, field="amount")
    if not (convention.duration_months or convention.duration_days):
        raise DomainError(
            "La durée de la convention doit être positive (en mois et/ou en jours).",
            rule="Durée de la convention",
            field="duration_months",
        )
    if convention.start_event == StartEvent.FIXED_DATE and not convention.fixed_start_date:
        raise DomainError(
            "Indiquez la date de prise d'effet fixée par la convention.",
            rule="Durée de la convention",
            field="fixed_start_date",
        )
    if convention.renewal == RenewalMode.TACIT and convention.tacit_renewals_allowed < 1:
        raise DomainError(
            "Une tacite reconduction indique combien de fois la convention peut être reconduite (au moins une).",
            rule="Renouvellement",
            field="tacit_renewals_allowed",
        )
    if convention.renewal != RenewalMode.TACIT:
        convention.tacit_renewals_allowed = 0
    if convention.termination_mode == TerminationMode.NOTICE and convention.termination_notice_value < 1:
        raise DomainError(
            "Une résiliation avec préavis indique la durée du préavis.",
            rule="Résiliation",
            field="termination_notice_value",
        )


def _check_user_in(organization_id: int, user_ids: Iterable[int], field: str) -> None:
    ids = set(user_ids)
    if not ids:
        return
    members = set(
        get_user_model()
        .objects.filter(pk__in=ids, memberships__organization_id=organization_id)
        .values_list("pk", flat=True)
    )
    if ids - members:
        raise DomainError(
            "Le responsable et les personnes qui suivent la convention doivent appartenir à l'organisation.",
            rule="Suivi de la convention",
            field=field,
        )


def _next_reference(organization: Organization, year: int) -> str:
    prefix = f"CONV-{year}-"
    taken = Convention.objects.filter(organization=organization, reference__startswith=prefix).values_list(
        "reference", flat=True
    )
    numbers = [int(r[len(prefix) :]) for r in taken if r[len(prefix) :].isdigit()]
    return f"{prefix}{max(numbers, default=0) + 1:03d}"


@transaction.atomic
def create_convention(
    *,
    user: Any,
    organization: Organization,
    title: str,
    reference: str = "",
    manager: Any = None,
    followers: Sequence[Any] = (),
    today: date | None = None,
    **terms: Any,
) -> Convention:
    """Start a draft convention; the owning organization becomes its first party ("d'une part")."""
    tenancy.require(user, organization.pk, Capability.EDIT_CONVENTIONS)
    # Serialize reference numbering per organization.
    Organization.objects.select_for_update().filter(pk=organization.pk).first()
    cleaned = _clean_terms({"title": title, **{k: v for k, v in terms.items() if k in TERM_FIELDS}}, organization)
    reference = (reference or "").strip() or _next_reference(organization, today_or(today).year)
    if Convention.objects.filter(organization=organization, reference=reference).exists():
        raise DomainError(
            f"La référence « {reference} » est déjà utilisée par une autre convention.",
            rule="Référence unique",
            field="reference",
        )
    _check_user_in(organization.pk, [u.pk for u in [manager, *followers] if u is not None], "manager")
    convention = Convention(organization=organization, reference=reference, manager=manager, created_by=user, **cleaned)
    _check_consistency(convention)
    save(convention, user=user, reason="Création de la convention")
    if followers:
        convention.followers.set(followers)
    ConventionParty.objects.create(
        convention=convention,
        organization=organization,
        side=Side.FIRST,
        position=1,
        signatory=organization.signatories.filter(is_default=True).first(),
    )
    deadlines.sync_convention(convention)
    return convention


@transaction.atomic
def update_convention(
    *, user: Any, convention: Convention, followers: Sequence[Any] | None = None, **data: Any
) -> Convention:
    """Change a draft's terms; the manager, service and followers may change at any time."""
    locked = lock(convention)
    is_term_change = any(k in TERM_FIELDS and k not in FOLLOW_FIELDS for k in data) or "reference" in data
    if is_term_change:
        _require_edit(user, locked)
        _require_editable(locked)
    else:
        tenancy.require(user, locked.organization_id, Capability.FOLLOW_CONVENTIONS)
    cleaned = _clean_terms({k: v for k, v in data.items() if k in TERM_FIELDS}, locked.organization)
    if "reference" in data:
        reference = str(data["reference"] or "").strip()
        if not reference:
            raise DomainError("La référence est obligatoire.", rule="Référence unique", field="reference")
        if (
            Convention.objects.filter(organization_id=locked.organization_id, reference=reference)
            .exclude(pk=locked.pk)
            .exists()
        ):
            raise DomainError(
                f"La référence « {reference} » est déjà utilisée par une autre convention.",
                rule="Référence unique",
                field="reference",
            )
        locked.reference = reference
    if "manager" in data:
        manager = data["manager"]
        _check_user_in(locked.organization_id, [manager.pk] if manager else [], "manager")
        locked.manager = manager
    for field, value in cleaned.items():
        setattr(locked, field, value)
    _check_consistency(locked)
    save(locked, user=user, reason="Modification de la convention")
    if followers is not None:
        _check_user_in(locked.organization_id, [u.pk for u in followers], "followers")
        locked.followers.set(followers)
    deadlines.sync_convention(locked)
    return locked


# --- Parties ---------------------------------------------------------------------------


@transaction.atomic
def add_party(
    *,
    user: Any,
    convention: Convention,
    organization: Organization,
    signatory: Signatory | None = None,
    side: str = Side.OTHER,
    designation: str = "",
) -> ConventionParty:
    """Add a party (an organization the convention's owner can see), "d'une part" or "d'autre part"."""
    locked = lock(convention)
    _require_edit(user, locked)
    _require_editable(locked)
    visible = Organization.objects.visible_to([locked.organization_id])
    if not visible.filter(pk=organization.pk).exists():
        raise DomainError(
            "Cette organisation n'est pas un partenaire enregistré par votre collectivité.",
            rule="Parties",
            field="organization",
        )
    if locked.parties.filter(organization=organization).exists():
        raise DomainError(f"{organization.name} est déjà partie à la convention.", rule="Parties", field="organization")
    if signatory is not None and signatory.organization_id != organization.pk:
        raise DomainError(
            f"{signatory.person.full_name} ne signe pas pour {organization.name}.", rule="Parties", field="signatory"
        )
    if side not in Side.values:
        raise DomainError(f"Côté inconnu : « {side} ».", rule="Parties", field="side")
    position = (locked.parties.aggregate(m=Max("position"))["m"] or 0) + 1
    party = ConventionParty(
        convention=locked,
        organization=organization,
        signatory=signatory or organization.signatories.filter(is_default=True).first(),
        side=side,
        position=position,
        designation=designation.strip(),
    )
    save(party, user=user, reason=f"Ajout de la partie {organization.name}")
    return party


@transaction.atomic
def update_party(
    *,
    user: Any,
    party: ConventionParty,
    signatory: Signatory | None = None,
    designation: str | None = None,
    side: str | None = None,
) -> ConventionParty:
    convention = lock(party.convention)
    _require_edit(user, convention)
    if convention.status not in (*EDITABLE_STATES, ConventionStatus.APPROVED):
        _require_editable(convention)
    party = lock(party)
    if signatory is not None:
        if signatory.organization_id != party.organization_id:
            raise DomainError("Ce signataire ne signe pas pour cette organisation.", rule="Parties", field="signatory")
        party.signatory = signatory
    if designation is not None:
        party.designation = designation.strip()
    if side is not None:
        party.side = side
    save(party, user=user, reason="Modification de la partie")
    return party


@transaction.atomic
def remove_party(*, user: Any, party: ConventionParty) -> None:
    convention = lock(party.convention)
    _require_edit(user, convention)
    _require_editable(convention)
    if party.organization_id == convention.organization_id:
        raise DomainError(
            "La collectivité qui porte la convention en reste partie.", rule="Parties", field="organization"
        )
    party.delete()


# --- Clauses -----------------------------------------------------------------------------


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
    _require_edit(user, locked)
    _require_editable(locked)
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
    _require_edit(user, convention)
    _require_editable(convention)
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
    _require_edit(user, convention)
    _require_editable(convention)
    ordered = [c for c in convention.clauses.order_by("position") if c.pk != clause.pk]
    position = max(1, min(position, len(ordered) + 1))
    ordered.insert(position - 1, clause)
    _renumber(convention, ordered, user)


@transaction.atomic
def remove_clause(*, user: Any, clause: ConventionClause) -> None:
    convention = lock(clause.convention)
    _require_edit(user, convention)
    _require_editable(convention)
    clause.delete()
    _renumber(convention, list(convention.clauses.order_by("position")), user)


# --- Obligations -----------------------------------------------------------------------


@transaction.atomic
def add_obligation(
    *,
    user: Any,
    convention: Convention,
    party: ConventionParty,
    description: str,
    recurrence: str = Recurrence.ONCE,
    first_due_date: date | None = None,
    amount: Decimal | None = None,
) -> Obligation:
    """An engagement of one party, one-off or recurring, with a due date where there is one."""
    locked = lock(convention)
    _require_edit(user, locked)
    if party.convention_id != locked.pk:
        raise DomainError("Cette partie n'est pas partie à la convention.", rule="Engagements", field="party")
    if not description.strip():
        raise DomainError("Décrivez l'engagement.", rule="Engagements", field="description")
    if recurrence not in Recurrence.values:
        raise DomainError(f"Périodicité inconnue : « {recurrence} ».", rule="Engagements", field="recurrence")
    if recurrence != Recurrence.ONCE and first_due_date is None:
        raise DomainError(
            "Un engagement périodique indique sa première échéance.", rule="Engagements", field="first_due_date"
        )
    if amount is not None and amount < 0:
        raise DomainError("Le montant ne peut pas être négatif.", rule="Engagements", field="amount")
    obligation = Obligation(
        convention=locked,
        party=party,
        description=description.strip(),
        recurrence=recurrence,
        first_due_date=first_due_date,
        amount=amount,
    )
    save(obligation, user=user, reason="Ajout d'un engagement")
    deadlines.sync_convention(locked)
    return obligation


@transaction.atomic
def fulfil_obligation(*, user: Any, obligation: Obligation, fulfilled_on: date) -> Obligation:
    """Record that an engagement was met (for a recurring one: up to that date)."""
    convention = lock(obligation.convention)
    tenancy.require(user, convention.organization_id, Capability.FOLLOW_CONVENTIONS)
    obligation = lock(obligation)
    obligation.fulfilled_on = fulfilled_on
    save(obligation, user=user, reason=f"Engagement réalisé le {french_date(fulfilled_on)}")
    deadlines.sync_convention(convention)
    return obligation


# --- Annexes -----------------------------------------------------------------------------

ANNEX_MAX_BYTES = 10 * 1024 * 1024
_SIGNATURES = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
)


def sniff_content_type(head: bytes, name: str) -> str | None:
    """The type of an upload from its first bytes (never from its name or the browser's claim)."""
    for magic, content_type in _SIGNATURES:
        if head.startswith(magic):
            return content_type
    if head.startswith(b"PK\x03\x04"):
        lowered = name.lower()
        if lowered.endswith(".docx"):
            return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        if lowered.endswith(".odt"):
            return "application/vnd.oasis.opendocument.text"
        if lowered.endswith(".xlsx"):
            return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return None


def _check_upload(name: str, content: bytes) -> str:
    if len(content) == 0:
        raise DomainError("Le fichier est vide.", rule="Annexes", field="file")
    if len(content) > ANNEX_MAX_BYTES:
        raise DomainError(
            f"Le fichier dépasse {ANNEX_MAX_BYTES // (1024 * 1024)} Mo.", rule="Annexes : taille", field="file"
        )
    content_type = sniff_content_type(content[:16], name)
    if content_type is None:
        raise DomainError(
            "Type de fichier refusé : seuls PDF, DOCX, ODT, XLSX, PNG et JPEG sont acceptés (contrôle du contenu).",
            rule="Annexes : type de fichier",
            field="file",
        )
    return content_type


@transaction.atomic
def add_annex(
    *, user: Any, convention: Convention, title: str, name: str, content: bytes, evaluation: Evaluation | None = None
) -> Annex:
    """Attach a file (annex, or an evaluation's attachment), checked by its content and size."""
    locked = lock(convention)
    capability = Capability.FOLLOW_CONVENTIONS if evaluation is not None else Capability.EDIT_CONVENTIONS
    tenancy.require(user, locked.organization_id, capability)
    content_type = _check_upload(name, content)
    safe_name = "".join(ch for ch in name.rsplit("/", 1)[-1] if ch.isalnum() or ch in "._-")[-80:] or "annexe"
    annex = Annex(
        convention=locked,
        evaluation=evaluation,
        title=(title or name).strip()[:200],
        content_type=content_type,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        uploaded_by=user,
    )
    annex.file.save(safe_name, ContentFile(content), save=False)
    save(annex, user=user, reason="Ajout d'une annexe")
    return annex


# --- Approval, signature, life --------------------------------------------------------


def _deliberation_date(deliberation: Any) -> date | None:
    sitting = getattr(deliberation, "sitting", None)
    if sitting is not None and sitting.starts_at:
        from django.utils import timezone

        return timezone.localtime(sitting.starts_at).date()
    return deliberation.signed_on


def check_approving_deliberations(organization_id: int, deliberations: Sequence[Any]) -> date | None:
    """An approval needs an adopted (or later) deliberation of the convention's own organization;
    returns the latest sitting date."""
    from deliberations.models import AFTER_SIGNATURE_STATES, DeliberationKind, DeliberationState

    dates: list[date] = []
    for deliberation in deliberations:
        if deliberation.assembly.organization_id != organization_id:
            raise DomainError(
                f"La délibération {deliberation.number} est celle d'une autre collectivité.",
                rule="Approbation par l'assemblée de la collectivité",
                field="deliberations",
            )
        result = getattr(deliberation, "vote", None) if deliberation.state in AFTER_SIGNATURE_STATES else None
        adopted = deliberation.state == DeliberationState.ADOPTED or (
            deliberation.state in AFTER_SIGNATURE_STATES
            and deliberation.kind == DeliberationKind.VOTE
            and result is not None
            and result.outcome == "adopted"
        )
        if not adopted:
            raise DomainError(
                f"La délibération {deliberation.number} n'est pas adoptée (état : {deliberation.get_state_display()}) : "
                "elle ne peut pas approuver la convention.",
                rule="Approbation par une délibération adoptée",
                field="deliberations",
            )
        day = _deliberation_date(deliberation)
        if day:
            dates.append(day)
    return max(dates) if dates else None


def check_delegated_decision(reference: str, decision_date: date | None) -> None:
    if not reference.strip() or decision_date is None:
        raise DomainError(
            "Une décision prise par délégation indique sa référence et sa date.",
            rule="Approbation par décision déléguée",
            field="delegated_decision_reference",
        )


@transaction.atomic
def submit_for_review(*, user: Any, convention: Convention, reason: str = "") -> Convention:
    """Brouillon → relecture juridique: at least two parties, the owner among them."""
    locked = lock(convention)
    _require_edit(user, locked)
    parties = list(locked.parties.all())
    if len(parties) < 2:
        raise DomainError(
            "Une convention a au moins deux parties : ajoutez le partenaire avant la relecture.",
            rule="Parties",
            field="parties",
        )
    run_transition(locked, "submit_for_review", target_label="Relecture juridique")
    save(locked, user=user, reason=reason or "Transmise en relecture juridique")
    return locked


@transaction.atomic
def return_to_draft(*, user: Any, convention: Convention, reason: str) -> Convention:
    locked = lock(convention)
    _require_edit(user, locked)
    run_transition(locked, "return_to_draft", target_label="Brouillon")
    save(locked, user=user, reason=reason or "Renvoyée en brouillon")
    return locked


@transaction.atomic
def approve_convention(
    *,
    user: Any,
    convention: Convention,
    deliberations: Sequence[Any] = (),
    delegated_reference: str = "",
    delegated_date: date | None = None,
    reason: str = "",
) -> Convention:
    """Relecture → approuvée, by an adopted deliberation of the same organization or by a
    delegated decision (reference and date)."""
    locked = lock(convention)
    _require_edit(user, locked)
    if locked.status != ConventionStatus.LEGAL_REVIEW:
        run_transition(locked, "approve", target_label="Approuvée")  # raises the clear error
    if not deliberations and not delegated_reference and delegated_date is None:
        raise DomainError(
            "L'approbation exige une délibération adoptée de la collectivité ou une décision prise par délégation "
            "(référence et date).",
            rule="Approbation de la convention",
            field="deliberations",
        )
    approved_on = check_approving_deliberations(locked.organization_id, deliberations) if deliberations else None
    if delegated_reference or delegated_date:
        check_delegated_decision(delegated_reference, delegated_date)
        locked.delegated_decision_reference = delegated_reference.strip()
        locked.delegated_decision_date = delegated_date
        approved_on = max(d for d in [approved_on, delegated_date] if d)
    locked.approved_on = approved_on
    run_transition(locked, "approve", target_label="Approuvée")
    numbers = ", ".join(d.number for d in deliberations)
    save(
        locked,
        user=user,
        reason=reason
        or (f"Approuvée par la délibération {numbers}" if numbers else f"Approuvée par décision {delegated_reference}"),
    )
    if deliberations:
        locked.approving_deliberations.add(*deliberations)
    return locked


@transaction.atomic
def send_for_signature(*, user: Any, convention: Convention, sent_on: date, reason: str = "") -> Convention:
    """Approuvée → en signature: every party has its signatory."""
    locked = lock(convention)
    _require_edit(user, locked)
    run_transition(locked, "send_for_signature", target_label="En signature")
    missing = [p.organization.name for p in locked.parties.select_related("organization") if p.signatory_id is None]
    if missing:
        raise DomainError(
            "Indiquez le signataire de : " + ", ".join(missing) + ".", rule="Signature", field="signatory"
        )
    if locked.approved_on and sent_on < locked.approved_on:
        raise DomainError(
            "L'envoi en signature ne peut pas précéder l'approbation.",
            rule="Signature après approbation",
            field="sent_on",
        )
    locked.sent_for_signature_on = sent_on
    save(locked, user=user, reason=reason or f"Envoyée en signature le {french_date(sent_on)}")
    return locked


def _set_term(convention: Convention) -> None:
    """Derive the effective date and the last day covered from the start event and duration."""
    parties = list(convention.parties.all())
    effective = rules.effective_start(
        start_event=convention.start_event,
        signature_dates=[p.signed_on for p in parties],
        notification_date=convention.notification_date,
        fixed_date=convention.fixed_start_date,
    )
    convention.effective_date = effective
    if effective is not None:
        convention.end_date = rules.end_date(
            effective, months=convention.duration_months, days=convention.duration_days
        )
        # Tacit renewals already done extend the term by whole periods.
        for _ in range(convention.tacit_renewals_done):
            convention.end_date = rules.renewed_end_date(
                convention.end_date, months=convention.duration_months, days=convention.duration_days
            )


def _activate_if_due(convention: Convention, user: Any, today: date) -> None:
    if (
        convention.status == ConventionStatus.SIGNED
        and convention.effective_date is not None
        and convention.effective_date <= today
    ):
        convention.activate()
        save(convention, user=user, reason=f"En vigueur depuis le {french_date(convention.effective_date)}")
        schedule_evaluations(convention)


@transaction.atomic
def record_signature(
    *, user: Any, convention: Convention, party: ConventionParty, signed_on: date, today: date | None = None
) -> Convention:
    """A party signs. When the last one has signed, the convention is signed; its effective
    date follows the start event, and it is in force at once if that date has come."""
    day = today_or(today)
    locked = lock(convention)
    _require_edit(user, locked)
    if locked.status != ConventionStatus.OUT_FOR_SIGNATURE:
        raise DomainError(
            f"La convention est « {locked.get_status_display()} » : les signatures se recueillent quand elle est "
            "en signature.",
            rule="Cycle de vie",
            field="status",
        )
    party = lock(party)
    if party.convention_id != locked.pk:
        raise DomainError("Cette partie n'est pas partie à la convention.", rule="Signature", field="party")
    rules.check_signature_date(signed_on=signed_on, approved_on=locked.approved_on, today=day)
    if locked.sent_for_signature_on and signed_on < locked.sent_for_signature_on:
        raise DomainError(
            f"La signature ({french_date(signed_on)}) précède l'envoi en signature "
            f"({french_date(locked.sent_for_signature_on)}).",
            rule="Signature",
            field="signed_on",
        )
    party.signed_on = signed_on
    save(party, user=user, reason=f"Signée par {party.organization.name} le {french_date(signed_on)}")
    parties = list(locked.parties.all())
    if all(p.signed_on for p in parties):
        locked.signed_on = max(p.signed_on for p in parties if p.signed_on)
        locked.mark_signed()
        _set_term(locked)
        reason = f"Signée par toutes les parties (dernière signature le {french_date(locked.signed_on)})"
        if locked.effective_date:
            reason += f", prise d'effet le {french_date(locked.effective_date)}"
        save(locked, user=user, reason=reason)
        _activate_if_due(locked, user, day)
    deadlines.sync_convention(locked)
    return locked


@transaction.atomic
def record_notification(
    *, user: Any, convention: Convention, notified_on: date, today: date | None = None
) -> Convention:
    """The signed convention was notified to the partner: it takes effect that day when its
    start event is the notification."""
    day = today_or(today)
    locked = lock(convention)
    _require_edit(user, locked)
    if locked.status not in (ConventionStatus.SIGNED, ConventionStatus.ACTIVE) or locked.signed_on is None:
        raise DomainError("Seule une convention signée se notifie.", rule="Cycle de vie", field="status")
    if notified_on < locked.signed_on or notified_on > day:
        raise DomainError(
            "La notification suit la signature et n'est pas dans le futur.",
            rule="Notification",
            field="notified_on",
        )
    locked.notification_date = notified_on
    if locked.start_event == StartEvent.NOTIFICATION:
        _set_term(locked)
    save(locked, user=user, reason=f"Notifiée le {french_date(notified_on)}")
    _activate_if_due(locked, user, day)
    deadlines.sync_convention(locked)
    return locked


@transaction.atomic
def suspend(*, user: Any, convention: Convention, reason: str) -> Convention:
    locked = lock(convention)
    _require_edit(user, locked)
    if not reason.strip():
        raise DomainError("Indiquez le motif de la suspension.", rule="Suspension", field="reason")
    run_transition(locked, "suspend", target_label="Suspendue")
    save(locked, user=user, reason=f"Suspendue : {reason.strip()}")
    return locked


@transaction.atomic
def resume(*, user: Any, convention: Convention, reason: str = "") -> Convention:
    locked = lock(convention)
    _require_edit(user, locked)
    run_transition(locked, "resume", target_label="En vigueur")
    save(locked, user=user, reason=reason or "Reprise après suspension")
    return locked


@transaction.atomic
def cancel(*, user: Any, convention: Convention, reason: str) -> Convention:
    locked = lock(convention)
    _require_edit(user, locked)
    if not reason.strip():
        raise DomainError("Indiquez pourquoi la convention est abandonnée.", rule="Abandon", field="reason")
    run_transition(locked, "cancel", target_label="Abandonnée")
    save(locked, user=user, reason=f"Abandonnée : {reason.strip()}")
    deadlines.sync_convention(locked)
    return locked


def schedule_evaluations(convention: Convention) -> None:
    """Create (or move) one evaluation per year of the term when the convention asks for one;
    evaluations already held are kept as they are."""
    if not convention.annual_evaluation or convention.effective_date is None or convention.end_date is None:
        return
    due_dates = rules.evaluation_due_dates(convention.effective_date, convention.end_date)
    existing = {e.number: e for e in convention.evaluations.all()}
    for number, due in enumerate(due_dates, start=1):
        evaluation = existing.pop(number, None)
        if evaluation is None:
            Evaluation.objects.create(convention=convention, number=number, due_date=due)
        elif evaluation.held_on is None and evaluation.due_date != due:
            evaluation.due_date = due
            evaluation._change_reason = "Date recalculée"  # type: ignore[attr-defined]
            evaluation.save(update_fields=["due_date", "updated_at"])
    for leftover in existing.values():
        if leftover.held_on is None:
            leftover.delete()


@transaction.atomic
def renew_expressly(*, user: Any, convention: Convention, reference: str = "", title: str = "") -> Convention:
    """Express renewal: a new draft convention (to be approved by a new deliberation) linked to
    this one, with the same parties, clauses, obligations and terms. This one becomes
    "renouvelée" when its period ends and the successor is signed."""
    locked = lock(convention)
    _require_edit(user, locked)
    if locked.status not in (*LIVE_STATES, ConventionStatus.EXPIRED):
        raise DomainError(
            "Seule une convention signée, en vigueur ou expirée se renouvelle.", rule="Renouvellement exprès"
        )
    terms = {f: getattr(locked, f) for f in TERM_FIELDS if f != "title"}
    successor = create_convention(
        user=user,
        organization=locked.organization,
        title=title or locked.title,
        reference=reference,
        manager=locked.manager,
        followers=list(locked.followers.all()),
        **terms,
    )
    successor.predecessor = locked
    save(successor, user=user, reason=f"Renouvellement de {locked.reference}")
    for party in locked.parties.exclude(organization_id=locked.organization_id):
        ConventionParty.objects.create(
            convention=successor,
            organization_id=party.organization_id,
            signatory_id=party.signatory_id,
            side=party.side,
            position=party.position,
            designation=party.designation,
        )
    for clause in locked.clauses.all():
        ConventionClause.objects.create(
            convention=successor,
            position=clause.position,
            title=clause.title,
            body=clause.body,
            template_id=clause.template_id,
        )
    return successor


# --- Time-driven moves (manage.py apply_convention_dates) -----------------------------------


def _renew_tacitly(convention: Convention, day: date) -> bool:
    if convention.renewal != RenewalMode.TACIT or convention.end_date is None:
        return False
    if hasattr(convention, "termination_notice_record"):
        return False
    renewed = False
    while rules.tacit_renewal_due(
        end=convention.end_date,
        today=day,
        renewals_done=convention.tacit_renewals_done,
        renewals_allowed=convention.tacit_renewals_allowed,
    ):
        previous = convention.end_date
        convention.end_date = rules.renewed_end_date(
            previous, months=convention.duration_months, days=convention.duration_days
        )
        convention.tacit_renewals_done += 1
        save(
            convention,
            user=None,
            reason=f"Reconduction tacite n° {convention.tacit_renewals_done} : "
            f"fin {french_date(previous)} → {french_date(convention.end_date)}",
        )
        renewed = True
    return renewed


def apply_dates_to(convention: Convention, day: date) -> str | None:
    """Apply what the calendar decides for one convention on ``day``; idempotent. Returns a
    line describing what changed, or None."""
    status = convention.status
    if status == ConventionStatus.SIGNED:
        if convention.effective_date and convention.effective_date <= day:
            _activate_if_due(convention, None, day)
            return f"{convention.reference} : en vigueur"
        return None
    notice = getattr(convention, "termination_notice_record", None)
    if status == ConventionStatus.TERMINATION_NOTIFIED:
        effective = notice.effective_date if notice else None
        if effective and effective <= day and not (convention.end_date and convention.end_date < effective):
            convention.terminate()
            convention.terminated_on = effective
            convention.ended_on = effective
            save(convention, user=None, reason=f"Résiliation effective le {french_date(effective)}")
            return f"{convention.reference} : résiliée"
        if convention.end_date and convention.end_date < day:
            convention.expire()
            convention.ended_on = convention.end_date
            save(convention, user=None, reason=f"Expirée après le {french_date(convention.end_date)}")
            return f"{convention.reference} : expirée"
        return None
    if status in (ConventionStatus.ACTIVE, ConventionStatus.SUSPENDED):
        if convention.end_date is None or convention.end_date >= day:
            return None
        if _renew_tacitly(convention, day):
            schedule_evaluations(convention)
            if convention.end_date >= day:
                return f"{convention.reference} : reconduite tacitement"
            # Every renewal allowed has run out too (the command did not run for a long
            # while): the convention ends now, in this same run, so a second run is a no-op.
        successor = (
            convention.successors.filter(status__in=[ConventionStatus.SIGNED, ConventionStatus.ACTIVE])
            .order_by("-id")
            .first()
        )
        convention.ended_on = convention.end_date
        if successor is not None:
            convention.mark_renewed()
            save(convention, user=None, reason=f"Renouvelée par {successor.reference}")
            return f"{convention.reference} : renouvelée"
        convention.expire()
        save(convention, user=None, reason=f"Expirée après le {french_date(convention.end_date)}")
        return f"{convention.reference} : expirée"
    return None


def apply_dates(*, today: date | None = None) -> list[str]:
    """The daily run: each convention whose dates call for a move is locked and moved once."""
    day = today_or(today)
    from django.db.models import Q

    candidates = Convention.objects.filter(
        Q(status=ConventionStatus.SIGNED, effective_date__lte=day)
        | Q(status__in=[ConventionStatus.ACTIVE, ConventionStatus.SUSPENDED], end_date__lt=day)
        | Q(status=ConventionStatus.TERMINATION_NOTIFIED)
    ).values_list("pk", flat=True)
    lines = []
    for pk in list(candidates):
        with transaction.atomic():
            convention = Convention.objects.select_for_update().get(pk=pk)
            line = apply_dates_to(convention, day)
            if line:
                deadlines.sync_convention(convention)
                lines.append(line)
    return lines
