"""A signed convention's life: avenants and their signatures, notice of termination, evaluations."""

from datetime import date
from decimal import Decimal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Schema, Status

from conventions import selectors, services
from conventions.api._common import Router, approving_acts, party_of
from conventions.api.schemas import AmendmentOut, EvaluationOut, NoticeOut
from conventions.models import Amendment, AmendmentSignature, ConventionParty, Evaluation, TerminationNotice
from conventions.services.life import SIGNATURE_RULE
from core.api_inputs import StrictInput
from core.errors import DomainError
from parties.models import Signatory

router = Router()


class AmendmentIn(StrictInput):
    django_model = Amendment
    title: str = Field(..., min_length=1)
    object: str = ""
    new_duration_months: int | None = None
    new_end_date: date | None = None
    new_amount: Decimal | None = None
    clause_id: int | None = None
    new_clause_title: str = ""
    new_clause_body: str = ""


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


class AmendmentStepIn(StrictInput):
    deliberation_ids: list[int] = []
    delegated_reference: str = Field("", max_length=60)
    delegated_date: date | None = None
    signed_on: date | None = None
    party_id: int | None = None
    reason: str = ""


class AmendmentSignatureIn(StrictInput):
    django_model = AmendmentSignature
    party_id: int
    signed_on: date
    signatory_id: int | None = None


class NoticeIn(StrictInput):
    django_model = TerminationNotice
    given_by_party_id: int
    reason: str = ""
    sent_on: date | None = None
    registered_letter_number: str = ""
    received_on: date | None = None


class ReceiptIn(StrictInput):
    django_model = TerminationNotice
    received_on: date
    sent_on: date | None = None
    registered_letter_number: str | None = None


class EvaluationIn(StrictInput):
    django_model = Evaluation
    held_on: date
    outcome: str
    summary: str = ""


@router.post("/conventions/{convention_id}/amendments", response={201: AmendmentOut}, summary="Rédiger un avenant")
def create_amendment(request: HttpRequest, convention_id: int, payload: AmendmentIn) -> Status[Amendment]:
    convention = selectors.convention_detail(request.user, convention_id)
    clause = next((c for c in convention.clauses.all() if c.pk == payload.clause_id), None)
    if payload.clause_id and clause is None:
        raise DomainError(_("Cet article n'est pas celui de la convention."), rule="Avenants", field="clause_id")
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


def _amendment_party(amendment: Amendment, party_id: int) -> ConventionParty:
    party = amendment.convention.parties.select_related("organization").filter(pk=party_id).first()
    if party is None:
        raise DomainError(
            _("Cette partie n'est pas partie à la convention que l'avenant modifie."),
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
                _("Ce signataire ne signe pas pour %(organization)s.") % {"organization": party.organization.name},
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
            deliberations=approving_acts(user, payload.deliberation_ids),
            delegated_reference=payload.delegated_reference,
            delegated_date=payload.delegated_date,
        )
    elif step == "send_for_signature":
        services.send_amendment_for_signature(user=user, amendment=amendment)
    elif step == "sign":
        if payload.signed_on is None:
            raise DomainError(_("Indiquez la date de signature."), rule="Signature", field="signed_on")
        party = _amendment_party(amendment, payload.party_id) if payload.party_id else None
        services.sign_amendment(user=user, amendment=amendment, party=party, signed_on=payload.signed_on)
    elif step == "cancel":
        services.cancel_amendment(user=user, amendment=amendment, reason=payload.reason)
    else:
        raise DomainError(_("Étape inconnue : « %(step)s ».") % {"step": step}, rule="Avenants", field="step")
    return selectors.amendment_by_id(request.user, amendment_id)


@router.post("/conventions/{convention_id}/termination", response={201: NoticeOut}, summary="Dénoncer la convention")
def give_notice(request: HttpRequest, convention_id: int, payload: NoticeIn) -> Status[TerminationNotice]:
    convention = selectors.convention_detail(request.user, convention_id)
    return Status(
        201,
        services.give_notice(
            user=request.user,
            convention=convention,
            given_by=party_of(convention, payload.given_by_party_id),
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
        raise DomainError(_("Cette convention n'a pas été dénoncée."), rule="Résiliation", field="convention")
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
