"""Every write of the conventions app: one function per transition or change, each atomic,
row-locked, guarded by a rule, recorded in the history with its actor and reason."""

from conventions.services.amendments import (
    approve_amendment,
    cancel_amendment,
    create_amendment,
    send_amendment_for_signature,
    sign_amendment,
)
from conventions.services.approval import (
    approve_convention,
    cancel,
    record_notification,
    record_signature,
    resume,
    return_to_draft,
    send_for_signature,
    submit_for_review,
    suspend,
)
from conventions.services.clauses import (
    add_clause,
    add_clause_from_library,
    clause_variables,
    move_clause,
    remove_clause,
    update_clause,
)
from conventions.services.committees import (
    add_member,
    cancel_meeting,
    committee_conventions,
    convene_meeting,
    create_committee,
    plan_meeting,
    record_decision,
    record_meeting,
    save_clause_template,
)
from conventions.services.drafting import (
    BeneficiaryShare,
    add_party,
    create_convention,
    remove_party,
    set_beneficiaries,
    update_convention,
    update_party,
)
from conventions.services.evaluations import record_evaluation
from conventions.services.library import (
    LibraryImport,
    create_clause_template,
    import_standard_library,
    set_clause_template_active,
    update_clause_template,
)
from conventions.services.obligations import add_annex, add_obligation, fulfil_obligation
from conventions.services.programmes import create_programme, remove_budget, set_budget, update_programme
from conventions.services.renewal import apply_dates, renew_expressly
from conventions.services.signatures import correct_signature_date
from conventions.services.termination import give_notice, record_notice_receipt

__all__ = [
    "add_annex",
    "add_clause",
    "add_clause_from_library",
    "add_member",
    "add_obligation",
    "add_party",
    "apply_dates",
    "approve_amendment",
    "approve_convention",
    "cancel",
    "cancel_amendment",
    "cancel_meeting",
    "clause_variables",
    "committee_conventions",
    "correct_signature_date",
    "convene_meeting",
    "create_amendment",
    "create_clause_template",
    "import_standard_library",
    "LibraryImport",
    "create_committee",
    "create_convention",
    "create_programme",
    "fulfil_obligation",
    "give_notice",
    "move_clause",
    "plan_meeting",
    "record_decision",
    "record_evaluation",
    "record_meeting",
    "record_notice_receipt",
    "record_notification",
    "record_signature",
    "remove_budget",
    "remove_clause",
    "remove_party",
    "set_beneficiaries",
    "BeneficiaryShare",
    "renew_expressly",
    "resume",
    "return_to_draft",
    "save_clause_template",
    "send_amendment_for_signature",
    "send_for_signature",
    "set_budget",
    "set_clause_template_active",
    "sign_amendment",
    "submit_for_review",
    "suspend",
    "update_clause",
    "update_clause_template",
    "update_convention",
    "update_party",
    "update_programme",
]
