"""What the API answers about a convention: its summary in lists, its whole record, its parts."""

from datetime import date
from decimal import Decimal
from typing import Any

from ninja import Field, Schema

from conventions import selectors
from conventions.models import Convention


class PartyOut(Schema):
    id: int
    organization_id: int
    organization_name: str = Field(..., alias="organization.name")
    side: str
    designation: str
    signatory_id: int | None
    signed_on: date | None
    is_beneficiary: bool
    share_percent: Decimal | None
    share_amount: Decimal | None


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
        return selectors.partner_names(obj)


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
    subsidy_nature: str
    payment_terms: str
    payment_terms_detail: str
    payment_start: date | None
    payment_end: date | None
    eu_notified: bool
    rae_id: str
    aid_scheme: str
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
