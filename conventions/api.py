"""API of the conventions app: same rules and messages as the pages (services raise DomainError)."""

import datetime as dt
from datetime import date, time
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, PatchDict, Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate

from conventions import selectors, services
from conventions.models import (
    Amendment,
    AmendmentSignature,
    CommitteeDecision,
    CommitteeMeeting,
    CommitteeMember,
    Convention,
    ConventionKind,
    ConventionParty,
    Evaluation,
    MonitoringCommittee,
    Obligation,
    Programme,
    ProgrammeKind,
    TerminationNotice,
)
from conventions.services.life import SIGNATURE_RULE
from core import tenancy
from core.errors import DomainError
from deliberations.models import Deliberation
from parties.models import Signatory
from parties.selectors import organization_for, organizations_for

router = Router(tags=["Conventions"])


# --- Schemas ---------------------------------------------------------------------------


class PartyOut(Schema):
    id: int
    organization_id: int
    organization_name: str = Field(..., alias="organization.name")
    side: str
    designation: str
    signatory_id: int | None
    signed_on: date | None


class ConventionSummaryOut(Schema):
    id: int
    reference: str
    title: str
    kind: str
    status: str
    status_label: str = Field(..., alias="get_status_display")
    organization_id: int
    manager_id: int | None
    programme_id: int | None
    effective_date: date | None
    end_date: date | None
    amount: Decimal | None
    partners: list[str]

    @staticmethod
    def resolve_partners(obj: Convention | dict[str, Any]) -> list[str]:
        # A convention's record (``selectors.convention_record``, the detail) carries its
        # partners' names; a listed convention has its parties prefetched.
        if isinstance(obj, dict):
            return list(obj["partners"])
        return [p.organization.name for p in obj.parties.all() if p.organization_id != obj.organization_id]


class ClauseOut(Schema):
    id: int
    position: int
    title: str
    body: str


class ObligationOut(Schema):
    id: int
    party_id: int
    description: str
    recurrence: str
    first_due_date: date | None
    amount: Decimal | None
    fulfilled_on: date | None


class EvaluationOut(Schema):
    id: int
    number: int
    due_date: date
    held_on: date | None
    outcome: str
    summary: str


class AmendmentOut(Schema):
    id: int
    convention_id: int
    number: int
    title: str
    object: str
    status: str
    new_duration_months: int | None
    new_end_date: date | None
    new_amount: Decimal | None
    clause_id: int | None
    new_clause_title: str
    new_clause_body: str
    approved_on: date | None
    signed_on: date | None
    effect_before: dict[str, Any]
    effect_after: dict[str, Any]


class AmendmentSignatureOut(Schema):
    id: int
    party_id: int
    organization_name: str = Field(..., alias="party.organization.name")
    signatory_id: int | None
    signed_on: date


class AmendmentDetailOut(AmendmentOut):
    signatures: list[AmendmentSignatureOut]

    @staticmethod
    def resolve_signatures(obj: Amendment) -> list[AmendmentSignature]:
        return list(obj.signatures.select_related("party__organization").order_by("party__position"))


class NoticeOut(Schema):
    id: int
    given_by_id: int | None
    committee_decision_id: int | None
    reason: str
    sent_on: date | None
    registered_letter_number: str
    received_on: date | None
    effective_date: date | None
    data_withdrawal_end: date | None


class ConventionOut(ConventionSummaryOut):
    service: str
    object: str
    start_event: str
    fixed_start_date: date | None
    notification_date: date | None
    duration_months: int
    duration_days: int
    renewal: str
    tacit_renewals_allowed: int
    tacit_renewals_done: int
    renewal_notice_value: int
    renewal_notice_unit: str
    termination_mode: str
    termination_notice_value: int
    termination_notice_unit: str
    termination_by_registered_letter: bool
    data_withdrawal_value: int
    data_withdrawal_unit: str
    after_termination: str
    annual_evaluation: bool
    has_committee: bool
    perimeter_communes: list[str]
    perimeter_postal_codes: list[str]
    perimeter_urls: list[str]
    approved_on: date | None
    delegated_decision_reference: str
    delegated_decision_date: date | None
    signed_on: date | None
    terminated_on: date | None
    predecessor_id: int | None
    parties: list[PartyOut]
    clauses: list[ClauseOut]
    obligations: list[ObligationOut]
    evaluations: list[EvaluationOut]
    amendments: list[AmendmentOut]
    approving_deliberation_ids: list[int]
    follower_ids: list[int]
    termination_notice: NoticeOut | None
    # Read from ``selectors.convention_record``: a dict whose keys are these fields (a
    # party's "organization.name" included), each collection a list of dicts.


class TermsIn(Schema):
    service: str = ""
    object: str = ""
    kind: ConventionKind = ConventionKind.PARTNERSHIP
    amount: Decimal | None = None
    programme_id: int | None = None
    start_event: str = "signature"
    fixed_start_date: date | None = None
    duration_months: int = Field(36, ge=0)
    duration_days: int = Field(0, ge=0)
    renewal: str = "none"
    tacit_renewals_allowed: int = Field(0, ge=0)
    renewal_notice_value: int = Field(0, ge=0)
    renewal_notice_unit: str = "months"
    termination_mode: str = "any_time"
    termination_notice_value: int = Field(0, ge=0)
    termination_notice_unit: str = "months"
    termination_by_registered_letter: bool = True
    data_withdrawal_value: int = Field(0, ge=0)
    data_withdrawal_unit: str = "months"
    after_termination: str = ""
    annual_evaluation: bool = False
    has_committee: bool = False
    perimeter_communes: list[str] = []
    perimeter_postal_codes: list[str] = []
    perimeter_urls: list[str] = []


class ConventionIn(TermsIn):
    organization_id: int
    title: str = Field(..., min_length=1, max_length=250)
    reference: str = ""
    manager_id: int | None = None
    follower_ids: list[int] = []


class ConventionPatch(TermsIn):
    # Defaults only make each field optional: a PATCH changes the fields it sends, no others.
    title: str = ""
    reference: str = ""
    manager_id: int | None = None
    follower_ids: list[int] = []


class PartyIn(Schema):
    organization_id: int
    signatory_id: int | None = None
    side: str = "other"
    designation: str = ""


class ClauseIn(Schema):
    title: str = ""
    body: str = ""
    template_id: int | None = None


class ObligationIn(Schema):
    party_id: int
    description: str
    recurrence: str = "once"
    first_due_date: date | None = None
    amount: Decimal | None = None


class TransitionIn(Schema):
    reason: str = ""
    deliberation_ids: list[int] = []
    delegated_reference: str = ""
    delegated_date: date | None = None
    sent_on: date | None = None


class SignatureIn(Schema):
    party_id: int
    signed_on: date


class NotificationIn(Schema):
    notified_on: date


class AmendmentIn(Schema):
    title: str = Field(..., min_length=1)
    object: str = ""
    new_duration_months: int | None = None
    new_end_date: date | None = None
    new_amount: Decimal | None = None
    clause_id: int | None = None
    new_clause_title: str = ""
    new_clause_body: str = ""


class NoticeIn(Schema):
    given_by_party_id: int
    reason: str = ""
    sent_on: date | None = None
    registered_letter_number: str = ""
    received_on: date | None = None


class ReceiptIn(Schema):
    received_on: date
    sent_on: date | None = None
    registered_letter_number: str | None = None


class EvaluationIn(Schema):
    held_on: date
    outcome: str
    summary: str = ""


class CommitteeIn(Schema):
    name: str
    convention_id: int | None = None
    programme_id: int | None = None
    convocation_working_days: int = Field(15, ge=0)
    description: str = ""


class CommitteeOut(Schema):
    id: int
    name: str
    convention_id: int | None
    programme_id: int | None
    convocation_working_days: int


class MemberIn(Schema):
    full_name: str
    organization_id: int | None = None
    role: str = ""
    email: str = ""


class MemberOut(Schema):
    id: int
    full_name: str
    organization_id: int | None
    role: str


class MeetingIn(Schema):
    date: dt.date
    starts_at: time | None = None
    location: str = ""
    agenda: str = ""


class MeetingOut(Schema):
    id: int
    committee_id: int
    date: dt.date
    starts_at: time | None
    location: str
    status: str
    convocation_sent_on: dt.date | None
    convocation_deadline: dt.date
    urgency: bool
    agenda: str
    minutes: str

    @staticmethod
    def resolve_convocation_deadline(obj: CommitteeMeeting) -> dt.date:
        from conventions import rules
        from reminders.selectors import holiday_subdivision_for

        return rules.committee_convocation_deadline(
            obj.date, obj.committee.convocation_working_days, holiday_subdivision_for(obj.committee.organization)
        )


class ConvocationIn(Schema):
    sent_on: date
    urgency: bool = False
    urgency_reason: str = ""
    agenda: str | None = None


class MinutesIn(Schema):
    present_member_ids: list[int] = []
    minutes: str = ""


class DecisionIn(Schema):
    text: str
    kind: str = "general"
    convention_id: int | None = None


class DecisionOut(Schema):
    id: int
    kind: str
    text: str
    convention_id: int | None


class ProgrammeOut(Schema):
    id: int
    name: str
    kind: str
    organization_id: int
    coordinator_id: int | None
    description: str
    start_date: date | None
    end_date: date | None


class ProgrammePatch(Schema):
    # Only the fields sent change; a nullable one needs a default to be optional in PatchDict.
    name: str
    kind: str
    coordinator_id: int | None = None
    description: str
    start_date: date | None = None
    end_date: date | None = None


class ProgrammeIn(Schema):
    organization_id: int
    name: str
    kind: str = ProgrammeKind.OTHER.value
    coordinator_id: int | None = None
    description: str = ""
    start_date: date | None = None
    end_date: date | None = None


class BudgetIn(Schema):
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


# --- Helpers -----------------------------------------------------------------------------


def _detail(request: HttpRequest, pk: int) -> dict[str, Any]:
    return selectors.convention_record(request.user, pk)


def _members(organization_id: int, ids: list[int]) -> list[Any]:
    users = list(get_user_model().objects.filter(pk__in=ids, memberships__organization_id=organization_id))
    if len(users) != len(set(ids)):
        raise DomainError(
            "Le responsable et les personnes qui suivent la convention doivent appartenir à l'organisation.",
            rule="Suivi de la convention",
            field="follower_ids",
        )
    return users


def _programme(request: HttpRequest, pk: int | None) -> Programme | None:
    return selectors.programme_for(request.user, pk) if pk else None


def _deliberations(organization_id: int, ids: list[int], user: Any) -> list[Deliberation]:
    found = list(
        Deliberation.objects.filter(
            pk__in=ids, assembly__organization_id__in=tenancy.organization_ids(user)
        ).select_related("assembly", "sitting", "vote")
    )
    if len(found) != len(set(ids)):
        raise DomainError("Délibération inconnue.", rule="Approbation de la convention", field="deliberation_ids")
    return found


def _party(convention: Convention, party_id: int) -> ConventionParty:
    party = next((p for p in convention.parties.all() if p.pk == party_id), None)
    if party is None:
        raise DomainError("Cette partie n'est pas partie à la convention.", rule="Parties", field="party_id")
    return party


# --- Conventions -------------------------------------------------------------------------


@router.get("/conventions", response=list[ConventionSummaryOut], summary="Conventions (filtres, pagination)")
@paginate(PageNumberPagination, page_size=50)
def list_conventions(
    request: HttpRequest,
    status: str = "",
    kind: str = "",
    partner: int | None = None,
    partner_name: str = "",
    manager: int | None = None,
    programme: int | None = None,
    end_after: date | None = None,
    end_before: date | None = None,
    q: str = "",
) -> Any:
    filters = selectors.ConventionFilters(
        status=status,
        kind=kind,
        partner=partner,
        partner_name=partner_name,
        manager=manager,
        programme=programme,
        end_after=end_after,
        end_before=end_before,
        q=q,
    )
    # A page of model instances with only the listed columns, their parties and the
    # partners' names prefetched: the same queries whatever the page's length.
    return selectors.filter_conventions(selectors.convention_summaries(request.user), filters)


@router.get("/conventions/{convention_id}", response=ConventionOut)
def get_convention(request: HttpRequest, convention_id: int) -> dict[str, Any]:
    return _detail(request, convention_id)


@router.post("/conventions", response={201: ConventionOut}, summary="Rédiger une convention")
def create_convention(request: HttpRequest, payload: ConventionIn) -> Status[dict[str, Any]]:
    organization = organization_for(request.user, payload.organization_id)
    data = payload.dict(exclude={"organization_id", "manager_id", "follower_ids", "programme_id"})
    manager = _members(organization.pk, [payload.manager_id])[0] if payload.manager_id else None
    convention = services.create_convention(
        user=request.user,
        organization=organization,
        manager=manager,
        followers=_members(organization.pk, payload.follower_ids),
        programme=_programme(request, payload.programme_id),
        **data,
    )
    return Status(201, _detail(request, convention.pk))


@router.patch("/conventions/{convention_id}", response=ConventionOut)
def update_convention(request: HttpRequest, convention_id: int, payload: PatchDict[ConventionPatch]) -> dict[str, Any]:
    convention = selectors.convention_for(request.user, convention_id)
    data = dict(payload)
    followers = _members(convention.organization_id, data.pop("follower_ids")) if "follower_ids" in data else None
    if "manager_id" in data:
        manager_id = data.pop("manager_id")
        data["manager"] = _members(convention.organization_id, [manager_id])[0] if manager_id else None
    if "programme_id" in data:
        data["programme"] = _programme(request, data.pop("programme_id"))
    services.update_convention(user=request.user, convention=convention, followers=followers, **data)
    return _detail(request, convention_id)


@router.post("/conventions/{convention_id}/parties", response={201: PartyOut})
def add_party(request: HttpRequest, convention_id: int, payload: PartyIn) -> Status[ConventionParty]:
    convention = selectors.convention_for(request.user, convention_id)
    organization = organization_for(request.user, payload.organization_id)
    signatory = (
        Signatory.objects.filter(pk=payload.signatory_id, organization=organization).first()
        if payload.signatory_id
        else None
    )
    if payload.signatory_id and signatory is None:
        raise DomainError("Ce signataire ne signe pas pour cette organisation.", rule="Parties", field="signatory_id")
    party = services.add_party(
        user=request.user,
        convention=convention,
        organization=organization,
        signatory=signatory,
        side=payload.side,
        designation=payload.designation,
    )
    return Status(201, ConventionParty.objects.select_related("organization").get(pk=party.pk))


@router.post("/conventions/{convention_id}/clauses", response={201: ClauseOut})
def add_clause(request: HttpRequest, convention_id: int, payload: ClauseIn) -> Status[Any]:
    convention = selectors.convention_for(request.user, convention_id)
    if payload.template_id:
        template = convention.organization.clause_templates.filter(pk=payload.template_id).first()
        if template is None:
            raise DomainError("Clause inconnue de la bibliothèque.", rule="Articles", field="template_id")
        return Status(
            201, services.add_clause_from_library(user=request.user, convention=convention, template=template)
        )
    return Status(
        201, services.add_clause(user=request.user, convention=convention, title=payload.title, body=payload.body)
    )


@router.post("/conventions/{convention_id}/obligations", response={201: ObligationOut})
def add_obligation(request: HttpRequest, convention_id: int, payload: ObligationIn) -> Status[Obligation]:
    convention = selectors.convention_detail(request.user, convention_id)
    return Status(
        201,
        services.add_obligation(
            user=request.user,
            convention=convention,
            party=_party(convention, payload.party_id),
            description=payload.description,
            recurrence=payload.recurrence,
            first_due_date=payload.first_due_date,
            amount=payload.amount,
        ),
    )


TRANSITIONS = {"submit", "return_to_draft", "approve", "send_for_signature", "suspend", "resume", "cancel", "renew"}


@router.post("/conventions/{convention_id}/transitions/{name}", response=ConventionOut, summary="Changer d'état")
def transition(request: HttpRequest, convention_id: int, name: str, payload: TransitionIn) -> dict[str, Any]:
    """``name``: submit, return_to_draft, approve, send_for_signature, suspend, resume, cancel, renew."""
    convention = selectors.convention_for(request.user, convention_id)
    user = request.user
    if name == "submit":
        services.submit_for_review(user=user, convention=convention, reason=payload.reason)
    elif name == "return_to_draft":
        services.return_to_draft(user=user, convention=convention, reason=payload.reason)
    elif name == "approve":
        services.approve_convention(
            user=user,
            convention=convention,
            deliberations=_deliberations(convention.organization_id, payload.deliberation_ids, user),
            delegated_reference=payload.delegated_reference,
            delegated_date=payload.delegated_date,
            reason=payload.reason,
        )
    elif name == "send_for_signature":
        services.send_for_signature(
            user=user, convention=convention, sent_on=payload.sent_on or timezone.localdate(), reason=payload.reason
        )
    elif name == "suspend":
        services.suspend(user=user, convention=convention, reason=payload.reason)
    elif name == "resume":
        services.resume(user=user, convention=convention, reason=payload.reason)
    elif name == "cancel":
        services.cancel(user=user, convention=convention, reason=payload.reason)
    elif name == "renew":
        successor = services.renew_expressly(user=user, convention=convention)
        return _detail(request, successor.pk)
    else:
        raise DomainError(
            f"Transition inconnue : « {name} » (possibles : {', '.join(sorted(TRANSITIONS))}).",
            rule="Cycle de vie",
            field="name",
        )
    return _detail(request, convention_id)


@router.post("/conventions/{convention_id}/signatures", response=ConventionOut, summary="Enregistrer une signature")
def sign(request: HttpRequest, convention_id: int, payload: SignatureIn) -> dict[str, Any]:
    convention = selectors.convention_detail(request.user, convention_id)
    services.record_signature(
        user=request.user,
        convention=convention,
        party=_party(convention, payload.party_id),
        signed_on=payload.signed_on,
    )
    return _detail(request, convention_id)


@router.post("/conventions/{convention_id}/notification", response=ConventionOut)
def notify(request: HttpRequest, convention_id: int, payload: NotificationIn) -> dict[str, Any]:
    convention = selectors.convention_for(request.user, convention_id)
    services.record_notification(user=request.user, convention=convention, notified_on=payload.notified_on)
    return _detail(request, convention_id)


# --- Avenants, notice, evaluations ---------------------------------------------------------


@router.post("/conventions/{convention_id}/amendments", response={201: AmendmentOut}, summary="Rédiger un avenant")
def create_amendment(request: HttpRequest, convention_id: int, payload: AmendmentIn) -> Status[Amendment]:
    convention = selectors.convention_detail(request.user, convention_id)
    clause = next((c for c in convention.clauses.all() if c.pk == payload.clause_id), None)
    if payload.clause_id and clause is None:
        raise DomainError("Cet article n'est pas celui de la convention.", rule="Avenants", field="clause_id")
    return Status(
        201,
        services.create_amendment(
            user=request.user,
            convention=convention,
            title=payload.title,
            object=payload.object,
            new_duration_months=payload.new_duration_months,
            new_end_date=payload.new_end_date,
            new_amount=payload.new_amount,
            clause=clause,
            new_clause_title=payload.new_clause_title,
            new_clause_body=payload.new_clause_body,
        ),
    )


class AmendmentStepIn(Schema):
    deliberation_ids: list[int] = []
    delegated_reference: str = ""
    delegated_date: date | None = None
    signed_on: date | None = None
    party_id: int | None = None
    reason: str = ""


class AmendmentSignatureIn(Schema):
    party_id: int
    signed_on: date
    signatory_id: int | None = None


def _amendment_party(amendment: Amendment, party_id: int) -> ConventionParty:
    party = amendment.convention.parties.select_related("organization").filter(pk=party_id).first()
    if party is None:
        raise DomainError(
            "Cette partie n'est pas partie à la convention que l'avenant modifie.",
            rule=SIGNATURE_RULE,
            field="party_id",
        )
    return party


@router.get("/amendments/{amendment_id}", response=AmendmentDetailOut, summary="Un avenant et ses signatures")
def get_amendment(request: HttpRequest, amendment_id: int) -> Amendment:
    return selectors.amendment_by_id(request.user, amendment_id)


@router.post(
    "/amendments/{amendment_id}/signatures",
    response=AmendmentDetailOut,
    summary="Enregistrer la signature d'une partie",
)
def sign_amendment(request: HttpRequest, amendment_id: int, payload: AmendmentSignatureIn) -> Amendment:
    """One party signs; once every party has signed, the avenant's effect applies to the convention."""
    amendment = selectors.amendment_by_id(request.user, amendment_id)
    party = _amendment_party(amendment, payload.party_id)
    signatory = None
    if payload.signatory_id:
        signatory = Signatory.objects.filter(pk=payload.signatory_id, organization_id=party.organization_id).first()
        if signatory is None:
            raise DomainError(
                f"Ce signataire ne signe pas pour {party.organization.name}.",
                rule=SIGNATURE_RULE,
                field="signatory_id",
            )
    services.sign_amendment(
        user=request.user, amendment=amendment, party=party, signatory=signatory, signed_on=payload.signed_on
    )
    return selectors.amendment_by_id(request.user, amendment_id)


@router.post(
    "/amendments/{amendment_id}/{step}", response=AmendmentDetailOut, summary="Approuver, envoyer, signer un avenant"
)
def amendment_step(request: HttpRequest, amendment_id: int, step: str, payload: AmendmentStepIn) -> Amendment:
    """``step``: approve, send_for_signature, sign (``party_id`` may be left out when a single
    party has yet to sign), cancel."""
    amendment = selectors.amendment_by_id(request.user, amendment_id)
    user = request.user
    if step == "approve":
        services.approve_amendment(
            user=user,
            amendment=amendment,
            deliberations=_deliberations(amendment.convention.organization_id, payload.deliberation_ids, user),
            delegated_reference=payload.delegated_reference,
            delegated_date=payload.delegated_date,
        )
    elif step == "send_for_signature":
        services.send_amendment_for_signature(user=user, amendment=amendment)
    elif step == "sign":
        if payload.signed_on is None:
            raise DomainError("Indiquez la date de signature.", rule="Signature", field="signed_on")
        party = _amendment_party(amendment, payload.party_id) if payload.party_id else None
        services.sign_amendment(user=user, amendment=amendment, party=party, signed_on=payload.signed_on)
    elif step == "cancel":
        services.cancel_amendment(user=user, amendment=amendment, reason=payload.reason)
    else:
        raise DomainError(f"Étape inconnue : « {step} ».", rule="Avenants", field="step")
    return Amendment.objects.get(pk=amendment.pk)


@router.post("/conventions/{convention_id}/termination", response={201: NoticeOut}, summary="Dénoncer la convention")
def give_notice(request: HttpRequest, convention_id: int, payload: NoticeIn) -> Status[TerminationNotice]:
    convention = selectors.convention_detail(request.user, convention_id)
    return Status(
        201,
        services.give_notice(
            user=request.user,
            convention=convention,
            given_by=_party(convention, payload.given_by_party_id),
            reason=payload.reason,
            sent_on=payload.sent_on,
            registered_letter_number=payload.registered_letter_number,
            received_on=payload.received_on,
        ),
    )


@router.post("/conventions/{convention_id}/termination/receipt", response=NoticeOut)
def notice_receipt(request: HttpRequest, convention_id: int, payload: ReceiptIn) -> TerminationNotice:
    convention = selectors.convention_detail(request.user, convention_id)
    notice = getattr(convention, "termination_notice_record", None)
    if notice is None:
        raise DomainError("Cette convention n'a pas été dénoncée.", rule="Résiliation", field="convention")
    return services.record_notice_receipt(
        user=request.user,
        notice=notice,
        received_on=payload.received_on,
        sent_on=payload.sent_on,
        registered_letter_number=payload.registered_letter_number,
    )


@router.post("/evaluations/{evaluation_id}", response=EvaluationOut, summary="Consigner une évaluation")
def record_evaluation(request: HttpRequest, evaluation_id: int, payload: EvaluationIn) -> Evaluation:
    evaluation = selectors.evaluation_for(request.user, evaluation_id)
    return services.record_evaluation(
        user=request.user,
        evaluation=evaluation,
        held_on=payload.held_on,
        outcome=payload.outcome,
        summary=payload.summary,
    )


# --- Committees ----------------------------------------------------------------------------


@router.post("/committees", response={201: CommitteeOut}, summary="Créer un comité de suivi")
def create_committee(request: HttpRequest, payload: CommitteeIn) -> Status[MonitoringCommittee]:
    convention = selectors.convention_for(request.user, payload.convention_id) if payload.convention_id else None
    programme = _programme(request, payload.programme_id)
    return Status(
        201,
        services.create_committee(
            user=request.user,
            name=payload.name,
            convention=convention,
            programme=programme,
            convocation_working_days=payload.convocation_working_days,
            description=payload.description,
        ),
    )


@router.post("/committees/{committee_id}/members", response={201: MemberOut})
def add_member(request: HttpRequest, committee_id: int, payload: MemberIn) -> Status[CommitteeMember]:
    committee = selectors.committee_for(request.user, committee_id)
    organization = organization_for(request.user, payload.organization_id) if payload.organization_id else None
    return Status(
        201,
        services.add_member(
            user=request.user,
            committee=committee,
            full_name=payload.full_name,
            organization=organization,
            role=payload.role,
            email=payload.email,
        ),
    )


@router.post("/committees/{committee_id}/meetings", response={201: MeetingOut})
def plan_meeting(request: HttpRequest, committee_id: int, payload: MeetingIn) -> Status[CommitteeMeeting]:
    committee = selectors.committee_for(request.user, committee_id)
    meeting = services.plan_meeting(
        user=request.user,
        committee=committee,
        meeting_date=payload.date,
        starts_at=payload.starts_at,
        location=payload.location,
        agenda=payload.agenda,
    )
    return Status(201, selectors.meeting_for(request.user, meeting.pk))


@router.get("/meetings/{meeting_id}", response=MeetingOut)
def get_meeting(request: HttpRequest, meeting_id: int) -> CommitteeMeeting:
    return selectors.meeting_for(request.user, meeting_id)


@router.post("/meetings/{meeting_id}/convocation", response=MeetingOut, summary="Convoquer le comité")
def convene(request: HttpRequest, meeting_id: int, payload: ConvocationIn) -> CommitteeMeeting:
    meeting = selectors.meeting_for(request.user, meeting_id)
    services.convene_meeting(
        user=request.user,
        meeting=meeting,
        sent_on=payload.sent_on,
        urgency=payload.urgency,
        urgency_reason=payload.urgency_reason,
        agenda=payload.agenda,
    )
    return selectors.meeting_for(request.user, meeting_id)


@router.post("/meetings/{meeting_id}/minutes", response=MeetingOut, summary="Présences et compte rendu")
def minutes(request: HttpRequest, meeting_id: int, payload: MinutesIn) -> CommitteeMeeting:
    meeting = selectors.meeting_for(request.user, meeting_id)
    services.record_meeting(
        user=request.user, meeting=meeting, present_member_ids=payload.present_member_ids, minutes=payload.minutes
    )
    return selectors.meeting_for(request.user, meeting_id)


@router.post("/meetings/{meeting_id}/decisions", response={201: DecisionOut})
def decide(request: HttpRequest, meeting_id: int, payload: DecisionIn) -> Status[CommitteeDecision]:
    meeting = selectors.meeting_for(request.user, meeting_id)
    convention = selectors.convention_for(request.user, payload.convention_id) if payload.convention_id else None
    return Status(
        201,
        services.record_decision(
            user=request.user, meeting=meeting, text=payload.text, kind=payload.kind, convention=convention
        ),
    )


# --- Programmes ---------------------------------------------------------------------------


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
            "Le coordinateur n'est pas une organisation ou un partenaire enregistré par votre collectivité.",
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
