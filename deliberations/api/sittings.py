"""Sittings: planned, convened, opened and closed, their agenda with each item's quorum, their documents."""

from datetime import date, datetime
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from ninja import Schema, Status
from ninja.pagination import PageNumberPagination, paginate

from core.api_inputs import StrictInput
from deliberations import documents, selectors, services
from deliberations.api._common import AgendaItemOut, Router, facts_and_agenda, person_of
from deliberations.models import Sitting, SittingState
from documents.api import BatchOut, batch_url
from documents.models import DocumentBatch, StoredDocument

router = Router()


class SittingIn(StrictInput):
    django_model = Sitting
    assembly_id: int
    starts_at: datetime
    kind: Literal["ordinary", "extraordinary"] = "ordinary"
    place: str = ""
    president_id: int | None = None
    secretary_id: int | None = None
    notes: str = ""


class SittingPatch(StrictInput):
    django_model = Sitting
    starts_at: datetime | None = None
    kind: Literal["ordinary", "extraordinary"] | None = None
    place: str | None = None
    president_id: int | None = None
    secretary_id: int | None = None
    notes: str | None = None


class SittingOut(Schema):
    id: int
    assembly_id: int
    assembly_name: str
    kind: str
    starts_at: datetime
    place: str
    president_id: int | None
    secretary_id: int | None
    convocation_date: date | None
    urgency: bool
    urgency_reason: str
    reconvened_from_id: int | None
    state: str
    list_published_on: date | None
    minutes_approved_on: date | None
    minutes_published_on: date | None

    @staticmethod
    def resolve_assembly_name(obj: Any) -> str:
        return obj["assembly_name"] if isinstance(obj, dict) else obj.assembly.name


class SittingDetailOut(SittingOut):
    members_in_office: int
    agenda: list[AgendaItemOut]


class ConveneIn(StrictInput):
    django_model = Sitting
    convocation_date: date
    urgency: bool = False
    urgency_reason: str = ""


class DayIn(StrictInput):
    day: date


class ReconveneIn(StrictInput):
    django_model = Sitting
    starts_at: datetime
    convocation_date: date
    place: str = ""


class SittingDocumentOut(Schema):
    """One stored file of a sitting's document."""

    id: int
    kind: str
    format: str
    version: int
    title: str
    sha256: str
    size: int
    download_url: str

    @staticmethod
    def resolve_download_url(obj: StoredDocument) -> str:
        return reverse("api:download_document", args=[obj.pk])


def _sitting_detail(sitting: Sitting) -> dict[str, Any]:
    """The sitting and its agenda with each item's quorum: the attendance is read as plain
    values (no names, no proxy instances), which is all the counts need."""
    facts, agenda = facts_and_agenda(sitting)
    fields = [f for f in SittingOut.model_fields if f != "assembly_name"]
    data = {f: getattr(sitting, f) for f in fields}
    data.update({"assembly_name": sitting.assembly.name, "members_in_office": len(facts.members), "agenda": agenda})
    return data


@router.get("/sittings", response=list[SittingOut], summary="Séances")
@paginate(PageNumberPagination, page_size=50)
def list_sittings(
    request: HttpRequest,
    assembly_id: int | None = None,
    year: int | None = None,
    state: SittingState | Literal[""] = "",
) -> Any:
    queryset = selectors.sittings_for(request.user).order_by("-starts_at")
    if assembly_id:
        queryset = queryset.filter(assembly_id=assembly_id)
    if year:
        queryset = queryset.filter(starts_at__year=year)
    if state:
        queryset = queryset.filter(state=state)
    return queryset


@router.post("/sittings", response={201: SittingDetailOut}, summary="Prévoir une séance")
def create_sitting(request: HttpRequest, payload: SittingIn) -> Any:
    assembly = selectors.assembly_for(request.user, payload.assembly_id)
    sitting = services.create_sitting(
        user=request.user,
        assembly=assembly,
        starts_at=payload.starts_at,
        kind=payload.kind,
        place=payload.place,
        president=person_of(assembly.organization_id, payload.president_id),
        secretary=person_of(assembly.organization_id, payload.secretary_id),
        notes=payload.notes,
    )
    return Status(201, _sitting_detail(selectors.sitting_for(request.user, sitting.pk)))


@router.get(
    "/sittings/{sitting_id}",
    response=SittingDetailOut,
    summary="Une séance, son ordre du jour et le quorum point par point",
)
def get_sitting(request: HttpRequest, sitting_id: int) -> Any:
    return _sitting_detail(selectors.sitting_for(request.user, sitting_id))


@router.patch("/sittings/{sitting_id}", response=SittingDetailOut, summary="Modifier une séance")
def update_sitting(request: HttpRequest, sitting_id: int, payload: SittingPatch) -> Any:
    sitting = selectors.sitting_for(request.user, sitting_id)
    data = payload.dict(exclude_unset=True)
    org = sitting.assembly.organization_id
    if "president_id" in data:
        data["president"] = person_of(org, data.pop("president_id"))
    if "secretary_id" in data:
        data["secretary"] = person_of(org, data.pop("secretary_id"))
    services.update_sitting(user=request.user, sitting=sitting, **data)
    return _sitting_detail(selectors.sitting_for(request.user, sitting_id))


def _sitting_step(request: HttpRequest, sitting_id: int, step: Any, **kwargs: Any) -> Any:
    sitting = selectors.sitting_for(request.user, sitting_id)
    # The step returns the sitting it locked and changed (with its assembly): not read again.
    return _sitting_detail(step(user=request.user, sitting=sitting, **kwargs))


@router.post(
    "/sittings/{sitting_id}/convene", response=SittingDetailOut, summary="Convoquer (délai en jours francs contrôlé)"
)
def convene(request: HttpRequest, sitting_id: int, payload: ConveneIn) -> Any:
    return _sitting_step(request, sitting_id, services.convene, **payload.dict())


@router.post("/sittings/{sitting_id}/open", response=SittingDetailOut, summary="Ouvrir la séance")
def open_sitting(request: HttpRequest, sitting_id: int) -> Any:
    return _sitting_step(request, sitting_id, services.open_sitting)


@router.post("/sittings/{sitting_id}/close", response=SittingDetailOut, summary="Clore la séance")
def close_sitting(request: HttpRequest, sitting_id: int) -> Any:
    return _sitting_step(request, sitting_id, services.close_sitting)


@router.post(
    "/sittings/{sitting_id}/list-publication",
    response=SittingDetailOut,
    summary="Publication de la liste des délibérations",
)
def publish_list(request: HttpRequest, sitting_id: int, payload: DayIn) -> Any:
    return _sitting_step(request, sitting_id, services.publish_list, published_on=payload.day)


@router.post(
    "/sittings/{sitting_id}/minutes-approval", response=SittingDetailOut, summary="Approbation du procès-verbal"
)
def approve_minutes(request: HttpRequest, sitting_id: int, payload: DayIn) -> Any:
    return _sitting_step(request, sitting_id, services.approve_minutes, approved_on=payload.day)


@router.post(
    "/sittings/{sitting_id}/minutes-publication", response=SittingDetailOut, summary="Publication du procès-verbal"
)
def publish_minutes(request: HttpRequest, sitting_id: int, payload: DayIn) -> Any:
    return _sitting_step(request, sitting_id, services.publish_minutes, published_on=payload.day)


@router.post(
    "/sittings/{sitting_id}/reconvene", response={201: SittingDetailOut}, summary="Reconvoquer faute de quorum"
)
def reconvene(request: HttpRequest, sitting_id: int, payload: ReconveneIn) -> Any:
    sitting = selectors.sitting_for(request.user, sitting_id)
    second = services.reconvene(user=request.user, sitting=sitting, **payload.dict())
    return Status(201, _sitting_detail(selectors.sitting_for(request.user, second.pk)))


@router.post(
    "/sittings/{sitting_id}/documents",
    response={202: BatchOut},
    summary="Produire tous les documents de la séance (un lot, puis son archive ZIP)",
    description="Convocation, liste des délibérations, procès-verbal et l'extrait de chaque point examiné, "
    "produits en arrière-plan : la réponse donne le lot (id, état, avancement done/total) et son adresse "
    "dans l'API (url, aussi dans l'en-tête Location) ; archive_url télécharge le ZIP une fois le lot terminé.",
    openapi_extra={
        "responses": {
            202: {
                "headers": {
                    "Location": {
                        "description": "L'adresse du lot dans l'API (son avancement)",
                        "schema": {"type": "string"},
                    }
                }
            }
        }
    },
)
def sitting_documents(request: HttpRequest, sitting_id: int, response: HttpResponse) -> Any:
    sitting = selectors.sitting_for(request.user, sitting_id)
    batch = documents.start_sitting_bundle(user=request.user, sitting=sitting)
    if not isinstance(batch, DocumentBatch):
        # The documents app always offers background batches: the builder's at-once fallback
        # (which returns the sitting) has no batch to answer.
        raise RuntimeError("The documents app offers no background batches.")
    response["Location"] = batch_url(batch)
    return Status(202, batch)


@router.post(
    "/sittings/{sitting_id}/documents/{kind}",
    response={201: list[SittingDocumentOut]},
    summary="Produire un document de la séance à l'instant (PDF et DOCX)",
)
def sitting_document(
    request: HttpRequest, sitting_id: int, kind: Literal["convocation", "deliberation_list", "minutes"]
) -> Any:
    sitting = selectors.sitting_for(request.user, sitting_id)
    return Status(201, documents.generate_sitting_document(user=request.user, sitting=sitting, kind=kind))
