"""Programmes: their conventions, budgets and what they have committed and spent."""

from datetime import date
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import PatchDict, Schema, Status
from ninja.pagination import PageNumberPagination, paginate

from conventions import selectors, services
from conventions.api._common import Router
from conventions.api.schemas import ConventionSummaryOut
from conventions.models import Programme, ProgrammeBudget, ProgrammeKind
from core.api_inputs import StrictInput
from core.errors import DomainError
from parties.selectors import organization_for, organizations_for

router = Router()


class ProgrammeOut(Schema):
    id: int
    name: str
    kind: str
    organization_id: int
    coordinator_id: int | None
    description: str
    start_date: date | None
    end_date: date | None


class ProgrammePatch(StrictInput):
    django_model = Programme
    # Only the fields sent change; a nullable one needs a default to be optional in PatchDict.
    name: str
    kind: str
    coordinator_id: int | None = None
    description: str
    start_date: date | None = None
    end_date: date | None = None


class ProgrammeIn(StrictInput):
    django_model = Programme
    organization_id: int
    name: str
    kind: str = ProgrammeKind.OTHER.value
    coordinator_id: int | None = None
    description: str = ""
    start_date: date | None = None
    end_date: date | None = None


class BudgetIn(StrictInput):
    django_model = ProgrammeBudget
    amount: Decimal
    initiative_fund: Decimal = Decimal("0")


class BudgetOut(Schema):
    year: int
    amount: Decimal
    initiative_fund: Decimal


class ProgrammeSummaryOut(Schema):
    programme: ProgrammeOut
    conventions: list[ConventionSummaryOut]
    by_status: dict[str, int]
    budgets: list[BudgetOut]
    committed: Decimal
    spent: Decimal


@router.get("/programmes", response=list[ProgrammeOut])
@paginate(PageNumberPagination, page_size=50)
def list_programmes(request: HttpRequest) -> Any:
    return selectors.programmes_for(request.user)


@router.get("/programmes/{programme_id}", response=ProgrammeSummaryOut)
def get_programme(request: HttpRequest, programme_id: int) -> Any:
    programme = selectors.programme_for(request.user, programme_id)
    return selectors.programme_summary(programme, today=timezone.localdate())


def _coordinator(request: HttpRequest, organization_id: int | None) -> Any:
    if organization_id is None:
        return None
    coordinator = organizations_for(request.user).filter(pk=organization_id).first()
    if coordinator is None:
        raise DomainError(
            _("Le coordinateur n'est pas une organisation ou un partenaire enregistré par votre collectivité."),
            rule="Programme",
            field="coordinator_id",
        )
    return coordinator


@router.post("/programmes", response={201: ProgrammeOut}, summary="Créer un programme")
def create_programme(request: HttpRequest, payload: ProgrammeIn) -> Status[Programme]:
    organization = organization_for(request.user, payload.organization_id)
    programme = services.create_programme(
        user=request.user,
        organization=organization,
        coordinator=_coordinator(request, payload.coordinator_id),
        **payload.dict(exclude={"organization_id", "coordinator_id"}),
    )
    return Status(201, programme)


@router.patch("/programmes/{programme_id}", response=ProgrammeOut, summary="Modifier un programme")
def update_programme(request: HttpRequest, programme_id: int, payload: PatchDict[ProgrammePatch]) -> Programme:
    programme = selectors.programme_for(request.user, programme_id)
    data: dict[str, Any] = {
        "name": programme.name,
        "kind": programme.kind,
        "coordinator": programme.coordinator,
        "description": programme.description,
        "start_date": programme.start_date,
        "end_date": programme.end_date,
    }
    changes = dict(payload)
    if "coordinator_id" in changes:
        data["coordinator"] = _coordinator(request, changes.pop("coordinator_id"))
    data.update(changes)
    return services.update_programme(user=request.user, programme=programme, **data)


@router.put("/programmes/{programme_id}/budgets/{year}", response=BudgetOut, summary="Fixer le budget d'une année")
def set_budget(request: HttpRequest, programme_id: int, year: int, payload: BudgetIn) -> Any:
    programme = selectors.programme_for(request.user, programme_id)
    services.set_budget(
        user=request.user,
        programme=programme,
        year=year,
        amount=payload.amount,
        initiative_fund=payload.initiative_fund,
    )
    return programme.budgets.get(year=year)


@router.delete(
    "/programmes/{programme_id}/budgets/{year}", response={204: None}, summary="Supprimer le budget d'une année"
)
def remove_budget(request: HttpRequest, programme_id: int, year: int) -> Status[None]:
    programme = selectors.programme_for(request.user, programme_id)
    services.remove_budget(user=request.user, programme=programme, year=year)
    return Status(204, None)
