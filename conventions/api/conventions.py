"""Conventions from draft to signature: listed and searched, written, their parties, articles
and obligations, their life-cycle transitions."""

from datetime import date
from decimal import Decimal
from typing import Any, Literal

from django.contrib.auth import get_user_model
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, PatchDict, Status
from ninja.pagination import PageNumberPagination, paginate

from conventions import selectors, services
from conventions.api._common import Router, approving_acts, party_of, programme_of
from conventions.api.schemas import ClauseOut, ConventionOut, ConventionSummaryOut, ObligationOut, PartyOut
from conventions.models import (
    Convention,
    ConventionClause,
    ConventionKind,
    ConventionParty,
    ConventionStatus,
    Obligation,
    PaymentTerms,
    SubsidyNature,
)
from core.api_inputs import StrictInput
from core.errors import DomainError
from parties.models import Signatory
from parties.selectors import organization_for

router = Router()


class TermsIn(StrictInput):
    django_model = Convention
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
    subsidy_nature: SubsidyNature = Field(
        SubsidyNature.CASH, description="Nature de l'aide (fichier SCDL des subventions)"
    )
    payment_terms: PaymentTerms = Field(PaymentTerms.SINGLE, description="Conditions de versement")
    payment_terms_detail: str = Field("", description="Description des modalités quand payment_terms vaut other")
    payment_start: date | None = Field(None, description="Date du versement unique ou début de la période")
    payment_end: date | None = Field(None, description="Fin de la période de versement")
    eu_notified: bool = Field(False, description="Aide d'État notifiée à la Commission européenne")
    rae_id: str = Field("", description="Identifiant au Répertoire des aides aux entreprises (5 chiffres au plus)")
    aid_scheme: str = Field("", description="Dispositif d'aide")


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


class PartyIn(StrictInput):
    django_model = ConventionParty
    organization_id: int
    signatory_id: int | None = None
    side: str = "other"
    designation: str = ""


class BeneficiaryIn(StrictInput):
    django_model = ConventionParty
    party_id: int
    is_beneficiary: bool = True
    share_percent: Decimal | None = None
    share_amount: Decimal | None = None


class BeneficiariesIn(StrictInput):
    beneficiaries: list[BeneficiaryIn] = Field(..., max_length=500)


class ClauseIn(StrictInput):
    django_model = ConventionClause
    title: str = ""
    body: str = ""
    template_id: int | None = None


class ObligationIn(StrictInput):
    django_model = Obligation
    party_id: int
    description: str
    recurrence: str = "once"
    first_due_date: date | None = None
    amount: Decimal | None = None


class TransitionIn(StrictInput):
    reason: str = ""
    deliberation_ids: list[int] = []
    delegated_reference: str = Field("", max_length=60)
    delegated_date: date | None = None
    sent_on: date | None = None


class SignatureIn(StrictInput):
    party_id: int
    signed_on: date


class NotificationIn(StrictInput):
    notified_on: date


def _detail(request: HttpRequest, pk: int) -> dict[str, Any]:
    return selectors.convention_record(request.user, pk)


def _members(organization_id: int, ids: list[int]) -> list[Any]:
    users = list(get_user_model().objects.filter(pk__in=ids, memberships__organization_id=organization_id))
    if len(users) != len(set(ids)):
        raise DomainError(
            _("Le responsable et les personnes qui suivent la convention doivent appartenir à l'organisation."),
            rule="Suivi de la convention",
            field="follower_ids",
        )
    return users


@router.get("/conventions", response=list[ConventionSummaryOut], summary="Conventions (filtres, pagination)")
@paginate(PageNumberPagination, page_size=50)
def list_conventions(
    request: HttpRequest,
    status: ConventionStatus | Literal[""] = "",
    kind: ConventionKind | Literal[""] = "",
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
        programme=programme_of(request, payload.programme_id),
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
        data["programme"] = programme_of(request, data.pop("programme_id"))
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
        raise DomainError(
            _("Ce signataire ne signe pas pour cette organisation."), rule="Parties", field="signatory_id"
        )
    party = services.add_party(
        user=request.user,
        convention=convention,
        organization=organization,
        signatory=signatory,
        side=payload.side,
        designation=payload.designation,
    )
    return Status(201, ConventionParty.objects.select_related("organization").get(pk=party.pk))


@router.post("/conventions/{convention_id}/beneficiaries", response=list[PartyOut])
def set_beneficiaries(request: HttpRequest, convention_id: int, payload: BeneficiariesIn) -> Any:
    """Who among the partners receives the subsidy, and each one's share (percentage or amount;
    none for equal shares): the open-data file of subsidies lists them."""
    convention = selectors.convention_for(request.user, convention_id)
    services.set_beneficiaries(
        user=request.user,
        convention=convention,
        shares=[services.BeneficiaryShare(**dict(item)) for item in payload.beneficiaries],
    )
    return ConventionParty.objects.filter(convention=convention).select_related("organization").order_by("position")


@router.post("/conventions/{convention_id}/clauses", response={201: ClauseOut})
def add_clause(request: HttpRequest, convention_id: int, payload: ClauseIn) -> Status[Any]:
    convention = selectors.convention_for(request.user, convention_id)
    if payload.template_id:
        template = convention.organization.clause_templates.filter(pk=payload.template_id).first()
        if template is None:
            raise DomainError(_("Clause inconnue de la bibliothèque."), rule="Articles", field="template_id")
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
            party=party_of(convention, payload.party_id),
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
            deliberations=approving_acts(user, payload.deliberation_ids),
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
            _("Transition inconnue : « %(name)s » (possibles : %(names)s).")
            % {"name": name, "names": ", ".join(sorted(TRANSITIONS))},
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
        party=party_of(convention, payload.party_id),
        signed_on=payload.signed_on,
    )
    return _detail(request, convention_id)


class SignatureCorrectionIn(StrictInput):
    django_model = ConventionParty
    signed_on: date
    reason: str = Field(..., max_length=500)


@router.post(
    "/conventions/{convention_id}/signatures/{party_id}/correction",
    response=ConventionOut,
    summary="Corriger la date de signature d'une partie (motif conservé dans l'historique)",
)
def correct_signature(
    request: HttpRequest, convention_id: int, party_id: int, payload: SignatureCorrectionIn
) -> dict[str, Any]:
    convention = selectors.convention_detail(request.user, convention_id)
    services.correct_signature_date(
        user=request.user,
        convention=convention,
        party=party_of(convention, party_id),
        signed_on=payload.signed_on,
        reason=payload.reason,
    )
    return _detail(request, convention_id)


@router.post("/conventions/{convention_id}/notification", response=ConventionOut)
def notify(request: HttpRequest, convention_id: int, payload: NotificationIn) -> dict[str, Any]:
    convention = selectors.convention_for(request.user, convention_id)
    services.record_notification(user=request.user, convention=convention, notified_on=payload.notified_on)
    return _detail(request, convention_id)
