"""API of sittings and deliberations: the same services, rules and messages as the pages."""

from datetime import date, datetime
from typing import Any, Literal

from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, File, Form, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import PageNumberPagination, paginate
from pydantic import BaseModel

from core import tenancy
from core.errors import DomainError
from deliberations import documents, rules, selectors, services
from deliberations.attendance import ItemAttendance
from deliberations.models import (
    Assembly,
    Deliberation,
    DeliberationState,
    Proxy,
    Sitting,
)
from deliberations.selectors import AgendaItem, AttendanceFacts, item_facts
from deliberations.services import BallotInput
from parties.models import Organization, Person, Signatory

router = Router(tags=["Délibérations"])

PresenceValue = Literal["present", "excused", "absent"]
ChoiceValue = Literal["for", "against", "abstain", "not_voting"]
MethodValue = Literal["show_of_hands", "public_ballot", "secret_ballot"]


# --- Schemas ------------------------------------------------------------------------------------


class AssemblyOut(Schema):
    id: int
    organization_id: int
    kind: str
    name: str
    numbering_pattern: str = Field(..., alias="numbering_rule.pattern")
    president_title: str
    name_style: str
    proxy_wording: str
    information_wording: str
    signature_city: str
    yearly_reset: bool = Field(..., alias="numbering_rule.yearly_reset")


class AssemblyIn(Schema):
    organization_id: int
    kind: str
    name: str = Field(..., min_length=1, max_length=200)
    numbering_pattern: str = "{year}-{seq:03}"
    yearly_reset: bool = True
    usual_place: str = ""
    signature_city: str = ""
    president_title: str = "Monsieur le Maire"
    name_style: Literal["first_last", "last_first"] = "first_last"
    proxy_wording: str = "ayant donné pouvoir à"
    information_wording: str = "prend acte"


class NewPersonIn(Schema):
    civility: Literal["", "M.", "Mme"] = ""
    first_name: str = Field(..., min_length=1, max_length=100)
    last_name: str = Field(..., min_length=1, max_length=100)


class MandateIn(Schema):
    person_id: int | None = None
    new_person: NewPersonIn | None = None
    role: Literal["head", "deputy", "delegate", "councillor"] = "councillor"
    function: str = ""
    start_date: date
    end_date: date | None = None


class NumberingIn(Schema):
    pattern: str = Field(..., min_length=1, max_length=60)
    yearly_reset: bool = True


class WordingPatch(Schema):
    president_title: str | None = Field(None, max_length=100)
    name_style: Literal["first_last", "last_first"] | None = None
    proxy_wording: str | None = Field(None, max_length=100)
    information_wording: str | None = Field(None, max_length=200)
    signature_city: str | None = Field(None, max_length=100)


class AnnexOut(Schema):
    id: int
    title: str
    content_type: str
    size: int
    sha256: str
    transmitted: bool


class EndMandateIn(Schema):
    end_date: date


class MemberOut(Schema):
    mandate_id: int
    person_id: int
    name: str
    role: str
    function: str
    start_date: date
    end_date: date | None


class SittingIn(Schema):
    assembly_id: int
    starts_at: datetime
    kind: Literal["ordinary", "extraordinary"] = "ordinary"
    place: str = ""
    president_id: int | None = None
    secretary_id: int | None = None
    notes: str = ""


class SittingPatch(Schema):
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


# The rows of the attendance and agenda answers are plain pydantic models: they are always
# built as dicts, and ninja's ``Schema`` wraps every nested dict in a ``DjangoGetter`` to read
# it — some 800 wrappers per answer on a métropole's sitting (240 members, 150 items).
class ItemAttendanceOut(BaseModel):
    members_in_office: int
    present: int
    represented: int
    voters: int
    quorum_needed: int
    has_quorum: bool


class AgendaItemOut(BaseModel):
    id: int
    position: int | None
    number: str
    title: str
    kind: str
    state: str
    attendance: ItemAttendanceOut
    result: str | None


class SittingDetailOut(SittingOut):
    members_in_office: int
    agenda: list[AgendaItemOut]


class ConveneIn(Schema):
    convocation_date: date
    urgency: bool = False
    urgency_reason: str = ""


class DayIn(Schema):
    day: date


class ReconveneIn(Schema):
    starts_at: datetime
    convocation_date: date
    place: str = ""


class AttendanceIn(Schema):
    statuses: dict[int, PresenceValue] = Field(..., description="Identifiant de l'élu → present, excused ou absent")


class MemberAttendanceOut(BaseModel):
    person_id: int
    name: str
    status: str | None
    opening: str


class ProxyOut(BaseModel):
    id: int
    giver_id: int
    giver: str
    holder_id: int
    holder: str
    written_on: date
    illness: bool
    from_item_id: int | None
    revoked: bool
    revoked_from_item_id: int | None


class AttendanceOut(Schema):
    members_in_office: int
    opening: ItemAttendanceOut
    members: list[MemberAttendanceOut]
    proxies: list[ProxyOut]
    items: list[AgendaItemOut]


class MovementIn(Schema):
    person_id: int
    deliberation_id: int
    status: PresenceValue
    only_this_item: bool = False


class ProxyIn(Schema):
    giver_id: int
    holder_id: int
    written_on: date
    illness: bool = False
    from_item_id: int | None = None


class RevokeIn(Schema):
    from_item_id: int | None = None


class DeliberationIn(Schema):
    assembly_id: int
    sitting_id: int | None = None
    title: str = Field(..., min_length=1, max_length=500)
    kind: Literal["vote", "information"] = "vote"
    theme: str = ""
    subject_code: str = ""
    rapporteur_id: int | None = None
    report: str = ""
    operative_part: str = ""
    requires_transmission: bool = True
    year: int | None = None


class DeliberationPatch(Schema):
    title: str | None = None
    kind: Literal["vote", "information"] | None = None
    theme: str | None = None
    subject_code: str | None = None
    rapporteur_id: int | None = None
    report: str | None = None
    operative_part: str | None = None
    requires_transmission: bool | None = None


class VoteOut(Schema):
    method: str
    votes_for: int
    votes_against: int
    abstentions: int
    not_voting: int
    members_in_office: int
    present_count: int
    represented_count: int
    outcome: str
    casting_vote: bool
    result_text: str
    without_quorum: bool


class TransmissionOut(Schema):
    nature: str
    internal_number: str
    sent_on: date
    received_on: date | None
    acknowledgement_id: str


class DeliberationOut(Schema):
    id: int
    assembly_id: int
    sitting_id: int | None
    position: int | None
    number: str
    kind: str
    title: str
    theme: str
    subject_code: str
    rapporteur_id: int | None
    state: str
    signed_on: date | None
    published_on: date | None
    enforceable_on: date | None


class DeliberationDetailOut(DeliberationOut):
    report: str
    operative_part: str
    requires_transmission: bool
    state_reason: str
    vote: VoteOut | None
    transmission: TransmissionOut | None
    attendance: ItemAttendanceOut | None
    recours_end: date | None


class BallotIn(BaseModel):  # plain pydantic: 240 of them in a vote, no DjangoGetter each
    person_id: int
    choice: ChoiceValue


class VoteIn(Schema):
    method: MethodValue = "show_of_hands"
    votes_for: int | None = Field(None, ge=0)
    votes_against: int | None = Field(None, ge=0)
    abstentions: int | None = Field(None, ge=0)
    not_voting: int | None = Field(None, ge=0)
    ballots: list[BallotIn] | None = None
    president_choice: ChoiceValue | None = None
    requested_by: int | None = Field(None, ge=0)
    appointment: bool = False


class ReasonIn(Schema):
    reason: str = ""


class SignIn(Schema):
    signed_on: date
    signatory_id: int | None = None


class TransmissionIn(Schema):
    sent_on: date
    nature: Literal["DE", "AR", "AI", "CC", "BF", "AU"] = "DE"
    internal_number: str = ""
    received_on: date | None = None
    acknowledgement_id: str = ""


class AcknowledgementIn(Schema):
    received_on: date
    acknowledgement_id: str


class PublicationIn(Schema):
    published_on: date


class AgendaIn(Schema):
    sitting_id: int


class PositionIn(Schema):
    position: int


class DocumentOut(Schema):
    id: int
    kind: str
    format: str
    version: int
    title: str
    sha256: str


class BatchOut(Schema):
    url: str


# --- Helpers --------------------------------------------------------------------------------------


def _attendance_out(item: ItemAttendance) -> dict[str, Any]:
    return _quorum_out(item.members_in_office, item.present_count, item.represented_count)


def _quorum_out(members_in_office: int, present: int, represented: int) -> dict[str, Any]:
    return {
        "members_in_office": members_in_office,
        "present": present,
        "represented": represented,
        "voters": present + represented,
        "quorum_needed": rules.quorum_needed(members_in_office),
        "has_quorum": rules.has_quorum(present=present, members_in_office=members_in_office),
    }


def _facts_and_agenda(sitting: Sitting, *, names: bool = False) -> tuple[AttendanceFacts, list[dict[str, Any]]]:
    """The sitting's attendance facts, and each agenda item with its quorum and result: the
    agenda as the pages read it (``selectors.agenda_summary``), the attendance as plain values
    replayed in memory, a fixed number of queries whatever the sitting's size."""
    facts = selectors.attendance_facts(sitting, names=names)
    return facts, _agenda_out(facts, selectors.agenda_summary(sitting))


def _agenda_out(facts: AttendanceFacts, items: list[AgendaItem]) -> list[dict[str, Any]]:
    by_position = facts.replay([item.position for item in items])
    return [
        {
            "id": item.pk,
            "position": item.position,
            "number": item.number,
            "title": item.title,
            "kind": item.kind,
            "state": item.state,
            "attendance": _attendance_out(by_position[item.position]),
            "result": _result(item),
        }
        for item in items
    ]


def _result(item: AgendaItem) -> str | None:
    """What the item's examination said: its vote's result, or the prise d'acte."""
    if item.vote is not None:
        return item.vote.result_text
    return "prend acte" if item.state == DeliberationState.TAKEN_NOTE else None


def _person(user: Any, organization_id: int, person_id: int | None) -> Person | None:
    if person_id is None:
        return None
    return get_object_or_404(Person, pk=person_id, organization_id=organization_id)


def _sitting_detail(sitting: Sitting) -> dict[str, Any]:
    """The sitting and its agenda with each item's quorum: the attendance is read as plain
    values (no names, no proxy instances), which is all the counts need."""
    facts, agenda = _facts_and_agenda(sitting)
    fields = [f for f in SittingOut.model_fields if f != "assembly_name"]
    data = {f: getattr(sitting, f) for f in fields}
    data.update({"assembly_name": sitting.assembly.name, "members_in_office": len(facts.members), "agenda": agenda})
    return data


def _deliberation_detail(user: Any, deliberation_id: int) -> dict[str, Any]:
    # The act with its vote and transmission in one query, the attendance at its item as
    # plain values in two more (no member, proxy or change instances).
    deliberation = selectors.deliberation_detail_for(user, deliberation_id)
    attendance = None
    if deliberation.sitting_id and deliberation.position:
        facts = selectors.item_facts(deliberation.sitting, deliberation.position)  # type: ignore[arg-type]
        attendance = _attendance_out(facts.at(deliberation.position))
    return _detail_out(
        deliberation,
        vote=getattr(deliberation, "vote", None),
        transmission=getattr(deliberation, "transmission", None),
        attendance=attendance,
    )


def _detail_out(
    deliberation: Deliberation, *, vote: Any, transmission: Any, attendance: dict[str, Any] | None
) -> dict[str, Any]:
    data = {f: getattr(deliberation, f) for f in DeliberationOut.model_fields}
    data.update(
        {
            "report": deliberation.report,
            "operative_part": deliberation.operative_part,
            "requires_transmission": deliberation.requires_transmission,
            "state_reason": deliberation.state_reason,
            "vote": {f: getattr(vote, f) for f in VoteOut.model_fields} if vote else None,
            "transmission": {f: getattr(transmission, f) for f in TransmissionOut.model_fields}
            if transmission
            else None,
            "attendance": attendance,
            "recours_end": rules.recours_end(deliberation.published_on) if deliberation.published_on else None,
        }
    )
    return data


def _item(sitting: Sitting, deliberation_id: int | None) -> Deliberation | None:
    if deliberation_id is None:
        return None
    try:
        return Deliberation.objects.get(pk=deliberation_id, sitting=sitting)
    except Deliberation.DoesNotExist:
        raise DomainError("Ce point n'est pas à l'ordre du jour de cette séance.", field="deliberation_id")


# --- Assemblies ----------------------------------------------------------------------------------


@router.get("/assemblies", response=list[AssemblyOut], summary="Assemblées délibérantes")
def list_assemblies(request: HttpRequest) -> Any:
    return list(selectors.assemblies_for(request.user).select_related("numbering_rule"))


@router.post("/assemblies", response={201: AssemblyOut}, summary="Créer une assemblée")
def create_assembly(request: HttpRequest, payload: AssemblyIn) -> Any:
    # One of the user's own organizations (not a partner they only know of).
    organization = tenancy.get_scoped_or_404(
        Organization.objects.all(), request.user, org_field="pk", pk=payload.organization_id
    )
    data = payload.dict(exclude={"organization_id"})
    assembly = services.create_assembly(user=request.user, organization=organization, **data)
    return Status(201, Assembly.objects.select_related("numbering_rule").get(pk=assembly.pk))


@router.get("/assemblies/{assembly_id}/members", response=list[MemberOut], summary="Membres en exercice à une date")
def list_members(request: HttpRequest, assembly_id: int, on: date) -> Any:
    assembly = selectors.assembly_for(request.user, assembly_id)
    return [
        {
            "mandate_id": m.pk,
            "person_id": m.person_id,
            "name": m.person.full_name,
            "role": m.role,
            "function": m.function,
            "start_date": m.start_date,
            "end_date": m.end_date,
        }
        for m in selectors.members_in_office(assembly, on)
    ]


@router.put("/assemblies/{assembly_id}/numbering", response=AssemblyOut, summary="Modifier la numérotation")
def set_numbering(request: HttpRequest, assembly_id: int, payload: NumberingIn) -> Any:
    assembly = selectors.assembly_for(request.user, assembly_id)
    services.set_numbering_rule(
        user=request.user, assembly=assembly, pattern=payload.pattern, yearly_reset=payload.yearly_reset
    )
    return selectors.assembly_for(request.user, assembly_id)


@router.patch("/assemblies/{assembly_id}", response=AssemblyOut, summary="Modifier les formules des documents")
def update_wording(request: HttpRequest, assembly_id: int, payload: WordingPatch) -> Any:
    assembly = selectors.assembly_for(request.user, assembly_id)
    services.update_wording(user=request.user, assembly=assembly, **payload.dict(exclude_none=True))
    return selectors.assembly_for(request.user, assembly_id)


def _member_out(mandate: Any) -> dict[str, Any]:
    return {
        "mandate_id": mandate.pk,
        "person_id": mandate.person_id,
        "name": mandate.person.full_name,
        "role": mandate.role,
        "function": mandate.function,
        "start_date": mandate.start_date,
        "end_date": mandate.end_date,
    }


@router.post("/assemblies/{assembly_id}/mandates", response={201: MemberOut}, summary="Ajouter un mandat")
def add_mandate(request: HttpRequest, assembly_id: int, payload: MandateIn) -> Any:
    """Seat an existing person (``person_id``) or a new one (``new_person``)."""
    assembly = selectors.assembly_for(request.user, assembly_id)
    common: dict[str, Any] = {
        "role": payload.role,
        "function": payload.function,
        "start_date": payload.start_date,
        "end_date": payload.end_date,
    }
    if (payload.person_id is None) == (payload.new_person is None):
        raise DomainError(
            "Indiquez soit person_id (élu déjà enregistré), soit new_person (nouvel élu).",
            rule="Membres en exercice",
            field="person_id",
        )
    if payload.new_person is not None:
        mandate = services.add_member(user=request.user, assembly=assembly, **payload.new_person.dict(), **common)
    else:
        person = _person(request.user, assembly.organization_id, payload.person_id)
        assert person is not None
        mandate = services.add_mandate(user=request.user, assembly=assembly, person=person, **common)
    return Status(201, _member_out(mandate))


@router.post("/assemblies/{assembly_id}/mandates/{mandate_id}/end", response=MemberOut, summary="Terminer un mandat")
def end_mandate(request: HttpRequest, assembly_id: int, mandate_id: int, payload: EndMandateIn) -> Any:
    assembly = selectors.assembly_for(request.user, assembly_id)
    mandate = get_object_or_404(selectors.mandates_of(assembly), pk=mandate_id)
    return _member_out(services.end_mandate(user=request.user, mandate=mandate, end_date=payload.end_date))


# --- Sittings ---------------------------------------------------------------------------------------


@router.get("/sittings", response=list[SittingOut], summary="Séances")
@paginate(PageNumberPagination, page_size=50)
def list_sittings(
    request: HttpRequest, assembly_id: int | None = None, year: int | None = None, state: str = ""
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
        president=_person(request.user, assembly.organization_id, payload.president_id),
        secretary=_person(request.user, assembly.organization_id, payload.secretary_id),
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
        data["president"] = _person(request.user, org, data.pop("president_id"))
    if "secretary_id" in data:
        data["secretary"] = _person(request.user, org, data.pop("secretary_id"))
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


def _attendance(sitting: Sitting) -> dict[str, Any]:
    """The attendance grid: members, proxies and each item's quorum, read as plain values."""
    facts, agenda = _facts_and_agenda(sitting, names=True)
    opening = facts.at(None)
    names = facts.names
    # A proxy's giver or holder whose mandate has ended since is no longer among the members.
    others = {p for proxy in facts.proxies for p in (proxy.giver_id, proxy.holder_id) if p not in names}
    if others:
        former = Person.objects.filter(pk__in=others, organization_id=sitting.assembly.organization_id)
        names = names | {person.pk: person.full_name for person in former}
    return {
        "members_in_office": len(facts.members),
        "opening": _attendance_out(opening),
        "members": [
            {
                "person_id": person_id,
                "name": names[person_id],
                "status": facts.defaults.get(person_id),
                "opening": opening.state_of(person_id),
            }
            for person_id in facts.members
        ],
        "proxies": [
            {
                "id": p.id,
                "giver_id": p.giver_id,
                "giver": names[p.giver_id],
                "holder_id": p.holder_id,
                "holder": names[p.holder_id],
                "written_on": p.written_on,
                "illness": p.illness,
                "from_item_id": p.from_item_id,
                "revoked": p.revoked,
                "revoked_from_item_id": p.revoked_from_item_id,
            }
            for p in facts.proxies
        ],
        "items": agenda,
    }


@router.get(
    "/sittings/{sitting_id}/attendance", response=AttendanceOut, summary="Présences, pouvoirs et quorum point par point"
)
def get_attendance(request: HttpRequest, sitting_id: int) -> Any:
    return _attendance(selectors.sitting_for(request.user, sitting_id))


@router.put("/sittings/{sitting_id}/attendance", response=AttendanceOut, summary="Présence des élus pour la séance")
def set_attendance(request: HttpRequest, sitting_id: int, payload: AttendanceIn) -> Any:
    sitting = selectors.sitting_for(request.user, sitting_id)
    services.set_attendances(user=request.user, sitting=sitting, statuses=dict(payload.statuses))
    return _attendance(sitting)


@router.post(
    "/sittings/{sitting_id}/attendance/all-present", response=AttendanceOut, summary="Tous présents (élus non pointés)"
)
def all_present(request: HttpRequest, sitting_id: int) -> Any:
    sitting = selectors.sitting_for(request.user, sitting_id)
    services.mark_unrecorded_present(user=request.user, sitting=sitting)
    return _attendance(sitting)


@router.post(
    "/sittings/{sitting_id}/movements", response={201: AttendanceOut}, summary="Arrivée ou départ à partir d'un point"
)
def record_movement(request: HttpRequest, sitting_id: int, payload: MovementIn) -> Any:
    sitting = selectors.sitting_for(request.user, sitting_id)
    person = _person(request.user, sitting.assembly.organization_id, payload.person_id)
    item = _item(sitting, payload.deliberation_id)
    assert person is not None and item is not None
    services.record_movement(
        user=request.user,
        sitting=sitting,
        person=person,
        deliberation=item,
        status=payload.status,
        only_this_item=payload.only_this_item,
    )
    return Status(201, _attendance(sitting))


@router.post(
    "/sittings/{sitting_id}/proxies", response={201: ProxyOut}, summary="Enregistrer un pouvoir (CGCT L2121-20)"
)
def register_proxy(request: HttpRequest, sitting_id: int, payload: ProxyIn) -> Any:
    sitting = selectors.sitting_for(request.user, sitting_id)
    people = Person.objects.filter(
        pk__in=[payload.giver_id, payload.holder_id], organization_id=sitting.assembly.organization_id
    ).in_bulk()
    if payload.giver_id not in people or payload.holder_id not in people:
        raise Http404
    giver, holder = people[payload.giver_id], people[payload.holder_id]
    proxy = services.register_proxy(
        user=request.user,
        sitting=sitting,
        giver=giver,
        holder=holder,
        written_on=payload.written_on,
        illness=payload.illness,
        from_item=_item(sitting, payload.from_item_id),
    )
    return Status(201, _proxy_out(proxy))


def _proxy_out(proxy: Proxy) -> dict[str, Any]:
    return {
        "id": proxy.pk,
        "giver_id": proxy.giver_id,
        "giver": proxy.giver.full_name,
        "holder_id": proxy.holder_id,
        "holder": proxy.holder.full_name,
        "written_on": proxy.written_on,
        "illness": proxy.illness,
        "from_item_id": proxy.from_item_id,
        "revoked": proxy.revoked,
        "revoked_from_item_id": proxy.revoked_from_item_id,
    }


@router.post("/sittings/{sitting_id}/proxies/{proxy_id}/revoke", response=ProxyOut, summary="Révoquer un pouvoir")
def revoke_proxy(request: HttpRequest, sitting_id: int, proxy_id: int, payload: RevokeIn) -> Any:
    sitting = selectors.sitting_for(request.user, sitting_id)
    proxy = get_object_or_404(Proxy.objects.select_related("giver", "holder"), pk=proxy_id, sitting=sitting)
    proxy = services.revoke_proxy(user=request.user, proxy=proxy, from_item=_item(sitting, payload.from_item_id))
    return _proxy_out(proxy)


@router.post(
    "/sittings/{sitting_id}/documents", response={202: BatchOut}, summary="Produire tous les documents de la séance"
)
def sitting_documents(request: HttpRequest, sitting_id: int) -> Any:
    sitting = selectors.sitting_for(request.user, sitting_id)
    result = documents.start_sitting_bundle(user=request.user, sitting=sitting)
    return Status(202, {"url": result.get_absolute_url()})


# --- Deliberations ------------------------------------------------------------------------------------


@router.get(
    "/deliberations", response=list[DeliberationOut], summary="Délibérations (recherche par mots, année, matière, état)"
)
@paginate(PageNumberPagination, page_size=50)
def list_deliberations(
    request: HttpRequest,
    q: str = "",
    year: int | None = None,
    subject: str = "",
    state: str = "",
    sitting_id: int | None = None,
) -> Any:
    queryset = selectors.filter_deliberations(
        selectors.deliberations_for(request.user).order_by("-year", "-sequence"),
        q=q,
        year=year,
        subject=subject,
        state=state,
    )
    if sitting_id:
        queryset = queryset.filter(sitting_id=sitting_id)
    # The columns the answer gives, as values: no joined rows, no long texts, no model instances.
    return queryset.select_related(None).values(*DeliberationOut.model_fields)


@router.post(
    "/deliberations", response={201: DeliberationDetailOut}, summary="Nouveau projet de délibération (numéroté)"
)
def create_deliberation(request: HttpRequest, payload: DeliberationIn) -> Any:
    assembly = selectors.assembly_for(request.user, payload.assembly_id)
    sitting = selectors.sitting_for(request.user, payload.sitting_id) if payload.sitting_id else None
    data = payload.dict(exclude={"assembly_id", "sitting_id", "rapporteur_id"})
    deliberation = services.create_deliberation(
        user=request.user,
        assembly=assembly,
        sitting=sitting,
        rapporteur=_person(request.user, assembly.organization_id, payload.rapporteur_id),
        **data,
    )
    return Status(201, _deliberation_detail(request.user, deliberation.pk))


@router.get("/deliberations/{deliberation_id}", response=DeliberationDetailOut)
def get_deliberation(request: HttpRequest, deliberation_id: int) -> Any:
    return _deliberation_detail(request.user, deliberation_id)


@router.patch(
    "/deliberations/{deliberation_id}", response=DeliberationDetailOut, summary="Modifier le texte d'un projet"
)
def update_deliberation(request: HttpRequest, deliberation_id: int, payload: DeliberationPatch) -> Any:
    deliberation = selectors.deliberation_for(request.user, deliberation_id)
    data = payload.dict(exclude_unset=True)
    if "rapporteur_id" in data:
        data["rapporteur"] = _person(request.user, deliberation.assembly.organization_id, data.pop("rapporteur_id"))
    services.update_deliberation(user=request.user, deliberation=deliberation, **data)
    return _deliberation_detail(request.user, deliberation_id)


def _step(request: HttpRequest, deliberation_id: int, step: Any, **kwargs: Any) -> Any:
    deliberation = selectors.deliberation_for(request.user, deliberation_id)
    step(user=request.user, deliberation=deliberation, **kwargs)
    return _deliberation_detail(request.user, deliberation_id)


@router.post(
    "/deliberations/{deliberation_id}/agenda", response=DeliberationDetailOut, summary="Inscrire à l'ordre du jour"
)
def put_on_agenda(request: HttpRequest, deliberation_id: int, payload: AgendaIn) -> Any:
    sitting = selectors.sitting_for(request.user, payload.sitting_id)
    return _step(request, deliberation_id, services.put_on_agenda, sitting=sitting)


@router.post(
    "/deliberations/{deliberation_id}/position",
    response=DeliberationDetailOut,
    summary="Changer de rang à l'ordre du jour",
)
def move_item(request: HttpRequest, deliberation_id: int, payload: PositionIn) -> Any:
    return _step(request, deliberation_id, services.move_item, position=payload.position)


def _item_to_examine(user: Any, deliberation_id: int) -> Deliberation:
    """The item to vote on or take note of, scoped to the user's organizations, with its
    assembly and sitting only: the service locks and reads the row again, and the answer is
    built from that (not from the signatory, rapporteur and organization ``deliberation_for`` joins)."""
    return tenancy.get_scoped_or_404(
        Deliberation.objects.select_related("assembly", "sitting"),
        user,
        org_field="assembly__organization",
        pk=deliberation_id,
    )


@router.post(
    "/deliberations/{deliberation_id}/vote", response={201: DeliberationDetailOut}, summary="Enregistrer le vote"
)
def record_vote(request: HttpRequest, deliberation_id: int, payload: VoteIn) -> Any:
    data = payload.dict(exclude={"ballots"})
    ballots = [BallotInput(b.person_id, b.choice) for b in payload.ballots] if payload.ballots is not None else None
    deliberation = _item_to_examine(request.user, deliberation_id)
    vote = services.record_vote(user=request.user, deliberation=deliberation, ballots=ballots, **data)
    # Answered from what the service locked, checked and wrote (the item's quorum is on the
    # vote), not read again. A voted item has no transmission: one is recorded once signed.
    return Status(
        201,
        _detail_out(
            vote.deliberation,
            vote=vote,
            transmission=None,
            attendance=_quorum_out(vote.members_in_office, vote.present_count, vote.represented_count),
        ),
    )


@router.post(
    "/deliberations/{deliberation_id}/take-note", response=DeliberationDetailOut, summary="Prendre acte (sans vote)"
)
def take_note(request: HttpRequest, deliberation_id: int) -> Any:
    deliberation = _item_to_examine(request.user, deliberation_id)
    noted = services.take_note(user=request.user, deliberation=deliberation)
    # Answered from the locked item; its quorum is read again as plain values (the service
    # keeps no record of it). Noted just now, it has no vote and no transmission.
    assert deliberation.sitting is not None
    facts = item_facts(deliberation.sitting, noted.position)
    return _detail_out(noted, vote=None, transmission=None, attendance=_attendance_out(facts.at(noted.position)))


@router.post(
    "/deliberations/{deliberation_id}/reopen",
    response=DeliberationDetailOut,
    summary="Annuler un vote saisi par erreur",
)
def reopen(request: HttpRequest, deliberation_id: int, payload: ReasonIn) -> Any:
    return _step(request, deliberation_id, services.reopen_item, reason=payload.reason)


@router.post("/deliberations/{deliberation_id}/withdraw", response=DeliberationDetailOut, summary="Retirer")
def withdraw(request: HttpRequest, deliberation_id: int, payload: ReasonIn) -> Any:
    return _step(request, deliberation_id, services.withdraw, reason=payload.reason)


@router.post("/deliberations/{deliberation_id}/postpone", response=DeliberationDetailOut, summary="Reporter")
def postpone(request: HttpRequest, deliberation_id: int, payload: ReasonIn) -> Any:
    return _step(request, deliberation_id, services.postpone, reason=payload.reason)


@router.post("/deliberations/{deliberation_id}/sign", response=DeliberationDetailOut, summary="Signer")
def sign(request: HttpRequest, deliberation_id: int, payload: SignIn) -> Any:
    deliberation = selectors.deliberation_for(request.user, deliberation_id)
    signatory = (
        get_object_or_404(Signatory, pk=payload.signatory_id, organization_id=deliberation.assembly.organization_id)
        if payload.signatory_id
        else None
    )
    return _step(request, deliberation_id, services.sign, signed_on=payload.signed_on, signatory=signatory)


@router.post(
    "/deliberations/{deliberation_id}/transmission",
    response=DeliberationDetailOut,
    summary="Transmission en préfecture (@CTES)",
)
def transmit(request: HttpRequest, deliberation_id: int, payload: TransmissionIn) -> Any:
    return _step(request, deliberation_id, services.record_transmission, **payload.dict())


@router.post(
    "/deliberations/{deliberation_id}/acknowledgement",
    response=DeliberationDetailOut,
    summary="Accusé de réception de la préfecture",
)
def acknowledge(request: HttpRequest, deliberation_id: int, payload: AcknowledgementIn) -> Any:
    return _step(request, deliberation_id, services.record_acknowledgement, **payload.dict())


@router.post("/deliberations/{deliberation_id}/publication", response=DeliberationDetailOut, summary="Publication")
def publish(request: HttpRequest, deliberation_id: int, payload: PublicationIn) -> Any:
    return _step(request, deliberation_id, services.publish, published_on=payload.published_on)


@router.post(
    "/deliberations/{deliberation_id}/extract",
    response={201: list[DocumentOut]},
    summary="Produire l'extrait (PDF et DOCX)",
)
def extract(request: HttpRequest, deliberation_id: int) -> Any:
    deliberation = selectors.deliberation_for(request.user, deliberation_id)
    return Status(201, documents.generate_extract(user=request.user, deliberation=deliberation))


@router.post(
    "/deliberations/{deliberation_id}/annexes",
    response={201: AnnexOut},
    summary="Joindre une annexe (multipart : file, title, transmitted)",
)
def add_annex(
    request: HttpRequest,
    deliberation_id: int,
    file: File[UploadedFile],
    title: Form[str] = "",
    transmitted: Form[bool] = True,
) -> Any:
    deliberation = selectors.deliberation_for(request.user, deliberation_id)
    annex = services.add_annex(
        user=request.user, deliberation=deliberation, upload=file, title=title, transmitted=transmitted
    )
    return Status(201, annex)


@router.delete(
    "/deliberations/{deliberation_id}/annexes/{annex_id}", response={204: None}, summary="Retirer une annexe"
)
def remove_annex(request: HttpRequest, deliberation_id: int, annex_id: int) -> Any:
    deliberation = selectors.deliberation_for(request.user, deliberation_id)
    annex = get_object_or_404(deliberation.annexes.all(), pk=annex_id)
    services.remove_annex(user=request.user, annex=annex)
    return Status(204, None)
