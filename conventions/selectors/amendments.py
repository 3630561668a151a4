"""Avenants and evaluations of the user's organizations' conventions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from conventions.models import Amendment, AmendmentSignature, ConventionParty, Evaluation
from conventions.selectors._common import not_found
from core import tenancy
from core.formatting import french_amount, french_date


def _amendments(user: Any) -> QuerySet[Amendment]:
    return Amendment.objects.filter(convention__organization_id__in=tenancy.organization_ids(user)).select_related(
        "convention__organization", "clause"
    )


def amendment_for(user: Any, convention_pk: int, number: int) -> Amendment:
    """The avenant ``number`` of a convention of the user's organizations, or 404."""
    try:
        return _amendments(user).get(convention_id=convention_pk, number=number)
    except Amendment.DoesNotExist as exc:
        raise not_found("avenant") from exc


def amendment_by_id(user: Any, pk: int) -> Amendment:
    """An avenant of a convention of the user's organizations, or 404."""
    try:
        return _amendments(user).get(pk=pk)
    except Amendment.DoesNotExist as exc:
        raise not_found("avenant") from exc


@dataclass(frozen=True)
class EffectRow:
    """One term of the convention before and after an avenant, as people read it."""

    label: str
    before: str
    after: str


def _date_text(value: Any) -> str:
    return french_date(date.fromisoformat(value)) if value else "—"


def _amount_text(value: Any) -> str:
    return french_amount(Decimal(value)) if value not in (None, "") else "—"


def _months_text(value: Any) -> str:
    return f"{value} mois" if value else "—"


def amendment_effect(amendment: Amendment) -> list[EffectRow]:
    """The avenant's effect (recorded when it applied): last day covered, duration, amount
    and the article it changed, each before and after, in French."""
    before, after = amendment.effect_before or {}, amendment.effect_after or {}
    if not before:
        return []
    rows = [
        EffectRow(_("Dernier jour couvert"), _date_text(before.get("end_date")), _date_text(after.get("end_date"))),
        EffectRow(_("Durée"), _months_text(before.get("duration_months")), _months_text(after.get("duration_months"))),
        EffectRow(_("Montant"), _amount_text(before.get("amount")), _amount_text(after.get("amount"))),
    ]
    if before.get("clause") or after.get("clause"):
        old, new = before.get("clause") or {}, after.get("clause") or {}
        rows.append(
            EffectRow(
                _("Article"),
                f"{old['position']}. {old['title']}" if old else "—",
                f"{new['position']}. {new['title']}" if new else "—",
            )
        )
    return rows


@dataclass(frozen=True)
class PartySignature:
    """A party of the convention and its signature of an avenant, if it has signed."""

    party: ConventionParty
    signature: AmendmentSignature | None


def amendment_signatures(amendment: Amendment) -> list[PartySignature]:
    """Every party of the avenant's convention, in order, with its signature of the avenant."""
    signatures = {
        s.party_id: s
        for s in AmendmentSignature.objects.filter(amendment=amendment).select_related("signatory__person")
    }
    parties = ConventionParty.objects.filter(convention_id=amendment.convention_id).select_related(
        "organization", "signatory__person"
    )
    return [PartySignature(p, signatures.get(p.pk)) for p in parties.order_by("position", "id")]


def evaluation_for(user: Any, pk: int) -> Evaluation:
    """An evaluation of a convention of the user's organizations, or 404."""
    try:
        return (
            Evaluation.objects.filter(convention__organization_id__in=tenancy.organization_ids(user))
            .select_related("convention")
            .get(pk=pk)
        )
    except Evaluation.DoesNotExist as exc:
        raise not_found("évaluation") from exc
