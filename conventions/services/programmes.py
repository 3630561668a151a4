"""Programmes gathering partner conventions, and their yearly budgets."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from conventions import rules
from conventions.models import Programme, ProgrammeBudget, ProgrammeKind
from conventions.models.conventions import COMMITTED_STATES
from conventions.services._common import delete, lock, save
from core import tenancy
from core.errors import DomainError
from core.formatting import french_amount
from core.roles import Capability
from parties.models import Organization

PROGRAMME = rules.PROGRAMME_RULE
BUDGET = rules.BUDGET_RULE
NAME_MAX_LENGTH = Programme._meta.get_field("name").max_length or 200


def _clean(
    *,
    organization_id: int,
    name: str,
    kind: str,
    coordinator: Organization | None,
    start_date: date | None,
    end_date: date | None,
    programme_id: int | None = None,
) -> str:
    """Check what a programme's form or the API gives; return the name as stored."""
    name = name.strip()
    if not name:
        raise DomainError("Le nom du programme est obligatoire.", rule=PROGRAMME, field="name")
    if len(name) > NAME_MAX_LENGTH:
        raise DomainError(f"Le nom du programme dépasse {NAME_MAX_LENGTH} caractères.", rule=PROGRAMME, field="name")
    homonyms = Programme.objects.filter(organization_id=organization_id, name__iexact=name)
    if programme_id is not None:
        homonyms = homonyms.exclude(pk=programme_id)
    if homonyms.exists():
        raise DomainError(f"Le programme « {name} » existe déjà.", rule=PROGRAMME, field="name")
    if kind not in ProgrammeKind.values:
        raise DomainError(f"Nature de programme inconnue : « {kind} ».", rule=PROGRAMME, field="kind")
    if (
        coordinator is not None
        and not Organization.objects.visible_to([organization_id]).filter(pk=coordinator.pk).exists()
    ):
        raise DomainError(
            "Le coordinateur n'est pas une organisation ou un partenaire enregistré par votre collectivité.",
            rule=PROGRAMME,
            field="coordinator",
        )
    rules.check_programme_period(start=start_date, end=end_date)
    return name


@transaction.atomic
def create_programme(
    *,
    user: Any,
    organization: Organization,
    name: str,
    kind: str = ProgrammeKind.OTHER,
    coordinator: Organization | None = None,
    description: str = "",
    start_date: date | None = None,
    end_date: date | None = None,
) -> Programme:
    """A programme of the organization, its name unique there (whatever the case)."""
    tenancy.require(user, organization.pk, Capability.EDIT_CONVENTIONS)
    # Serialize the name check per organization.
    Organization.objects.select_for_update().filter(pk=organization.pk).first()
    name = _clean(
        organization_id=organization.pk,
        name=name,
        kind=kind,
        coordinator=coordinator,
        start_date=start_date,
        end_date=end_date,
    )
    programme = Programme(
        organization=organization,
        name=name,
        kind=kind,
        coordinator=coordinator,
        description=description.strip(),
        start_date=start_date,
        end_date=end_date,
    )
    save(programme, user=user, reason="Création du programme")
    return programme


@transaction.atomic
def update_programme(
    *,
    user: Any,
    programme: Programme,
    name: str,
    kind: str,
    coordinator: Organization | None,
    description: str,
    start_date: date | None,
    end_date: date | None,
) -> Programme:
    """Change a programme's name, nature, coordinator, description or period. The period keeps
    covering the years that already have a budget."""
    tenancy.require(user, programme.organization_id, Capability.EDIT_CONVENTIONS)
    Organization.objects.select_for_update().filter(pk=programme.organization_id).first()
    locked = lock(programme)
    name = _clean(
        organization_id=locked.organization_id,
        name=name,
        kind=kind,
        coordinator=coordinator,
        start_date=start_date,
        end_date=end_date,
        programme_id=locked.pk,
    )
    for year in locked.budgets.order_by("year").values_list("year", flat=True):
        if rules.year_outside_period(year, start=start_date, end=end_date):
            field = "start_date" if start_date and year < start_date.year else "end_date"
            raise DomainError(
                f"Le programme a un budget pour {year} : sa période doit couvrir cette année "
                "(ou supprimez d'abord ce budget).",
                rule=PROGRAMME,
                field=field,
            )
    locked.name, locked.kind, locked.coordinator = name, kind, coordinator
    locked.description, locked.start_date, locked.end_date = description.strip(), start_date, end_date
    save(locked, user=user, reason="Modification du programme")
    return locked


AMOUNT_LIMIT = Decimal("10") ** 10  # the budget columns hold 12 digits, 2 of them decimals


def _check_amount(value: Decimal, field: str, label: str) -> None:
    if value < 0:
        raise DomainError(f"{label} ne peut pas être négatif.", rule=BUDGET, field=field)
    if value >= AMOUNT_LIMIT:
        raise DomainError(f"{label} dépasse {french_amount(AMOUNT_LIMIT - 1)}.", rule=BUDGET, field=field)
    if value != value.quantize(Decimal("0.01")):
        raise DomainError(f"{label} s'exprime en euros et centimes (deux décimales au plus).", rule=BUDGET, field=field)


@transaction.atomic
def set_budget(
    *, user: Any, programme: Programme, year: int, amount: Decimal, initiative_fund: Decimal = Decimal("0")
) -> ProgrammeBudget:
    """The programme's budget for a year of its period and its initiative fund (within the budget)."""
    tenancy.require(user, programme.organization_id, Capability.EDIT_CONVENTIONS)
    locked = lock(programme)
    rules.check_budget_year(year, start=locked.start_date, end=locked.end_date)
    _check_amount(amount, "amount", "Le budget")
    _check_amount(initiative_fund, "initiative_fund", "Le fonds d'initiatives")
    if initiative_fund > amount:
        raise DomainError(
            "Le fonds d'initiatives fait partie du budget : il ne peut pas le dépasser.",
            rule=BUDGET,
            field="initiative_fund",
        )
    budget = ProgrammeBudget.objects.select_for_update().filter(programme=locked, year=year).first()
    created = budget is None
    if budget is None:
        budget = ProgrammeBudget(programme=locked, year=year)
    budget.amount, budget.initiative_fund = amount, initiative_fund
    verb = "fixé" if created else "modifié"
    save(
        budget,
        user=user,
        reason=f"Budget {year} {verb} : {french_amount(amount)} dont {french_amount(initiative_fund)} "
        "de fonds d'initiatives",
    )
    return budget


def _committed_periods(programme: Programme) -> list[tuple[str, date, date | None]]:
    """Each convention of the programme whose amount is committed, with the period it covers:
    its term once in force, else from its approval (or its drafting) until it is known."""
    periods = []
    for convention in programme.conventions.filter(status__in=COMMITTED_STATES, amount__isnull=False).only(
        "reference", "effective_date", "approved_on", "end_date", "created_at"
    ):
        start = convention.effective_date or convention.approved_on or timezone.localdate(convention.created_at)
        periods.append((convention.reference, start, convention.end_date))
    return periods


@transaction.atomic
def remove_budget(*, user: Any, programme: Programme, year: int) -> None:
    """Delete one year's budget. Refused while conventions of the programme commit amounts
    that year: their commitment would lose the budget it was counted against."""
    tenancy.require(user, programme.organization_id, Capability.EDIT_CONVENTIONS)
    locked = lock(programme)
    budget = ProgrammeBudget.objects.select_for_update().filter(programme=locked, year=year).first()
    if budget is None:
        raise DomainError(f"Le programme n'a pas de budget pour {year}.", rule=BUDGET, field="year")
    rules.check_budget_removable(year, _committed_periods(locked))
    delete(budget, user=user, reason=f"Budget {year} supprimé")
