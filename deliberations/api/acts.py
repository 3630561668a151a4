"""Deliberations from draft to decision: listed and searched, written, put on the agenda, voted or noted."""

from datetime import date
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Schema, Status
from ninja.pagination import PageNumberPagination, paginate
from pydantic import BaseModel

from core import tenancy
from core.api_inputs import StrictInput
from deliberations import rules, selectors, services
from deliberations.api._common import ItemAttendanceOut, Router, attendance_out, person_of, quorum_out
from deliberations.models import Deliberation, DeliberationState, VoteResult
from deliberations.services import BallotInput

router = Router()


ChoiceValue = Literal["for", "against", "abstain", "not_voting"]
MethodValue = Literal["show_of_hands", "public_ballot", "secret_ballot"]


class DeliberationIn(StrictInput):
    django_model = Deliberation
    assembly_id: int
    sitting_id: int | None = None
    title: str = Field(..., min_length=1, max_length=500)
    kind: Literal["vote", "information"] = "vote"
    theme: str = ""
    subject_code: str = Field(
        "", description="Matière de la nomenclature @CTES, au moins deux niveaux connus (7.5, 1.1.2)"
    )
    rapporteur_id: int | None = None
    report: str = ""
    operative_part: str = ""
    requires_transmission: bool = True
    year: int | None = None


class DeliberationPatch(StrictInput):
    django_model = Deliberation
    title: str | None = None
    kind: Literal["vote", "information"] | None = None
    theme: str | None = None
    subject_code: str | None = None
    rapporteur_id: int | None = None
    presided_by_id: int | None = None
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
    presided_by_id: int | None = None
    # The re-convened sitting that votes this item without quorum (CGCT L2121-17), if any.
    quorum_waived_in_id: int | None = None
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


class VoteIn(StrictInput):
    django_model = VoteResult
    method: MethodValue = "show_of_hands"
    votes_for: int | None = Field(None, ge=0)
    votes_against: int | None = Field(None, ge=0)
    abstentions: int | None = Field(None, ge=0)
    not_voting: int | None = Field(None, ge=0)
    ballots: list[BallotIn] | None = None
    president_choice: ChoiceValue | None = None
    requested_by: int | None = Field(None, ge=0)
    appointment: bool = False
    # Who presides the item, when not the sitting's president (CGCT L2121-14): recorded first.
    presided_by_id: int | None = None


class ReasonIn(StrictInput):
    reason: str = ""


class AgendaIn(StrictInput):
    sitting_id: int


class PositionIn(StrictInput):
    django_model = Deliberation
    position: int


def deliberation_detail(user: Any, deliberation_id: int) -> dict[str, Any]:
    # The act with its vote and transmission in one query, the attendance at its item as
    # plain values in two more (no member, proxy or change instances).
    deliberation = selectors.deliberation_detail_for(user, deliberation_id)
    attendance = None
    if deliberation.sitting_id and deliberation.position:
        facts = selectors.item_facts(deliberation.sitting, deliberation.position)  # type: ignore[arg-type]
        attendance = attendance_out(facts.at(deliberation.position))
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


def act_step(request: HttpRequest, deliberation_id: int, service: Any, **kwargs: Any) -> Any:
    """Run one transition's service on the act, then answer with the act as it is now."""
    deliberation = selectors.deliberation_for(request.user, deliberation_id)
    service(user=request.user, deliberation=deliberation, **kwargs)
    return deliberation_detail(request.user, deliberation_id)


@router.get(
    "/deliberations", response=list[DeliberationOut], summary="Délibérations (recherche par mots, année, matière, état)"
)
@paginate(PageNumberPagination, page_size=50)
def list_deliberations(
    request: HttpRequest,
    q: str = "",
    year: int | None = None,
    subject: str = "",
    state: DeliberationState | Literal[""] = "",
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
        rapporteur=person_of(assembly.organization_id, payload.rapporteur_id),
        **data,
    )
    return Status(201, deliberation_detail(request.user, deliberation.pk))


@router.get("/deliberations/{deliberation_id}", response=DeliberationDetailOut)
def get_deliberation(request: HttpRequest, deliberation_id: int) -> Any:
    return deliberation_detail(request.user, deliberation_id)


@router.patch(
    "/deliberations/{deliberation_id}", response=DeliberationDetailOut, summary="Modifier le texte d'un projet"
)
def update_deliberation(request: HttpRequest, deliberation_id: int, payload: DeliberationPatch) -> Any:
    deliberation = selectors.deliberation_for(request.user, deliberation_id)
    data = payload.dict(exclude_unset=True)
    if "rapporteur_id" in data:
        data["rapporteur"] = person_of(deliberation.assembly.organization_id, data.pop("rapporteur_id"))
    services.update_deliberation(user=request.user, deliberation=deliberation, **data)
    return deliberation_detail(request.user, deliberation_id)


@router.post(
    "/deliberations/{deliberation_id}/agenda", response=DeliberationDetailOut, summary="Inscrire à l'ordre du jour"
)
def put_on_agenda(request: HttpRequest, deliberation_id: int, payload: AgendaIn) -> Any:
    sitting = selectors.sitting_for(request.user, payload.sitting_id)
    return act_step(request, deliberation_id, services.put_on_agenda, sitting=sitting)


@router.post(
    "/deliberations/{deliberation_id}/position",
    response=DeliberationDetailOut,
    summary="Changer de rang à l'ordre du jour",
)
def move_item(request: HttpRequest, deliberation_id: int, payload: PositionIn) -> Any:
    return act_step(request, deliberation_id, services.move_item, position=payload.position)


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
            attendance=quorum_out(vote.members_in_office, vote.present_count, vote.represented_count),
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
    facts = selectors.item_facts(deliberation.sitting, noted.position)
    return _detail_out(noted, vote=None, transmission=None, attendance=attendance_out(facts.at(noted.position)))


@router.post(
    "/deliberations/{deliberation_id}/reopen",
    response=DeliberationDetailOut,
    summary="Annuler un vote saisi par erreur",
)
def reopen(request: HttpRequest, deliberation_id: int, payload: ReasonIn) -> Any:
    return act_step(request, deliberation_id, services.reopen_item, reason=payload.reason)


class ChairIn(StrictInput):
    person_id: int | None = None
    reason: str = Field("", max_length=200)


@router.post(
    "/deliberations/{deliberation_id}/chair",
    response=DeliberationDetailOut,
    summary="Indiquer qui préside la séance pour ce point (vide : le président de séance)",
)
def set_chair(request: HttpRequest, deliberation_id: int, payload: ChairIn) -> Any:
    deliberation = selectors.deliberation_for(request.user, deliberation_id)
    person = person_of(deliberation.assembly.organization_id, payload.person_id)
    return act_step(request, deliberation_id, services.set_item_chair, person=person, reason=payload.reason)


@router.post("/deliberations/{deliberation_id}/withdraw", response=DeliberationDetailOut, summary="Retirer")
def withdraw(request: HttpRequest, deliberation_id: int, payload: ReasonIn) -> Any:
    return act_step(request, deliberation_id, services.withdraw, reason=payload.reason)


@router.post("/deliberations/{deliberation_id}/postpone", response=DeliberationDetailOut, summary="Reporter")
def postpone(request: HttpRequest, deliberation_id: int, payload: ReasonIn) -> Any:
    return act_step(request, deliberation_id, services.postpone, reason=payload.reason)
