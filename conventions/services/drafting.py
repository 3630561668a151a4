"""Drafting a convention: its terms, its manager and followers, its parties."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from conventions import deadlines, rules
from conventions.models import (
    Convention,
    ConventionKind,
    ConventionParty,
    ConventionStatus,
    RenewalMode,
    Side,
    StartEvent,
    TerminationMode,
)
from conventions.models.conventions import EDITABLE_STATES, PaymentTerms
from conventions.rules import subsidies
from conventions.services._common import lock, require_edit, require_editable, save, today_or
from core import tenancy
from core.errors import DomainError
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
    "subsidy_nature",
    "payment_terms",
    "payment_terms_detail",
    "payment_start",
    "payment_end",
    "eu_notified",
    "rae_id",
    "aid_scheme",
)
# What the open-data file of subsidies publishes of a convention besides its terms: legal staff
# may complete it at any time, signed conventions included (the payment dates are known late).
SUBSIDY_FIELDS = (
    "subsidy_nature",
    "payment_terms",
    "payment_terms_detail",
    "payment_start",
    "payment_end",
    "eu_notified",
    "rae_id",
    "aid_scheme",
)
# What may change at any time, even once signed (the text and terms then change by avenant).
FOLLOW_FIELDS = ("service", "manager")

TERMS_RULE = "Conditions de la convention"
SUBSIDY_RULE = "Données essentielles des subventions (décret n° 2017-779)"


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
    if convention.payment_end is not None and (
        convention.payment_start is None or convention.payment_end < convention.payment_start
    ):
        raise DomainError(
            "La période de versement commence par sa date de début et finit après elle.",
            rule=SUBSIDY_RULE,
            field="payment_end",
        )
    if convention.payment_terms == PaymentTerms.OTHER and not convention.payment_terms_detail.strip():
        raise DomainError(
            "Décrivez les modalités de versement (« Autres modalités »).",
            rule=SUBSIDY_RULE,
            field="payment_terms_detail",
        )
    if convention.rae_id and not convention.rae_id.isdigit():
        raise DomainError("L'identifiant RAE compte au plus 5 chiffres.", rule=SUBSIDY_RULE, field="rae_id")
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
        is_beneficiary=False,
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
    is_term_change = (
        any(k in TERM_FIELDS and k not in FOLLOW_FIELDS and k not in SUBSIDY_FIELDS for k in data)
        or "reference" in data
    )
    if is_term_change:
        require_edit(user, locked)
        require_editable(locked)
    elif any(k in SUBSIDY_FIELDS for k in data):
        require_edit(user, locked)
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
    require_edit(user, locked)
    require_editable(locked)
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
    require_edit(user, convention)
    if convention.status not in (*EDITABLE_STATES, ConventionStatus.APPROVED):
        require_editable(convention)
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


@dataclass(frozen=True)
class BeneficiaryShare:
    """What a form or the API says of one partner of a subsidy: whether it receives it and,
    when the beneficiaries do not share it equally, its share (a percentage or an amount)."""

    party_id: int
    is_beneficiary: bool = True
    share_percent: Decimal | None = None
    share_amount: Decimal | None = None


@transaction.atomic
def set_beneficiaries(
    *, user: Any, convention: Convention, shares: Sequence[BeneficiaryShare]
) -> list[ConventionParty]:
    """Who among the partners receives the subsidy and each one's share, checked as a whole
    (``rules.subsidies.beneficiary_shares``: every share or none, together the whole subsidy).
    Publication data, like ``SUBSIDY_FIELDS``: legal staff may complete it once signed too.
    The partners not named keep what they had; the collectivité itself is no beneficiary."""
    locked = lock(convention)
    require_edit(user, locked)
    partners = {
        p.pk: p
        for p in locked.parties.exclude(organization_id=locked.organization_id).select_for_update().order_by("position")
    }
    seen: set[int] = set()
    changed: list[ConventionParty] = []
    for share in shares:
        party = partners.get(share.party_id)
        if party is None or share.party_id in seen:
            raise DomainError(
                _("La partie n° {id} n'est pas un partenaire de cette convention (ou figure deux fois).").format(
                    id=share.party_id
                ),
                rule=subsidies.SHARE_RULE,
                field="party_id",
            )
        seen.add(share.party_id)
        if not share.is_beneficiary and (share.share_percent is not None or share.share_amount is not None):
            raise DomainError(
                _("{name} ne reçoit pas la subvention : elle n'a pas de part.").format(name=party.organization.name),
                rule=subsidies.SHARE_RULE,
                field="share_percent",
            )
        subsidies.check_share(percent=share.share_percent, amount=share.share_amount, total=locked.amount)
        values = (share.is_beneficiary, share.share_percent, share.share_amount)
        if (party.is_beneficiary, party.share_percent, party.share_amount) != values:
            party.is_beneficiary, party.share_percent, party.share_amount = values
            changed.append(party)
    beneficiaries = [p for p in partners.values() if p.is_beneficiary]
    subsidies.beneficiary_shares(locked.amount, [(p.share_percent, p.share_amount) for p in beneficiaries])
    for party in changed:
        save(party, user=user, reason="Bénéficiaire et part de la subvention")
    return list(partners.values())


@transaction.atomic
def remove_party(*, user: Any, party: ConventionParty) -> None:
    convention = lock(party.convention)
    require_edit(user, convention)
    require_editable(convention)
    if party.organization_id == convention.organization_id:
        raise DomainError(
            "La collectivité qui porte la convention en reste partie.", rule="Parties", field="organization"
        )
    party.delete()
