"""Models of the conventions app: conventions and their parties, clauses, obligations,
avenants, termination notices, evaluations, comités de suivi and programmes."""

from conventions.models.committees import (
    CommitteeDecision,
    CommitteeMeeting,
    CommitteeMember,
    DecisionKind,
    MeetingAttendance,
    MeetingStatus,
    MonitoringCommittee,
)
from conventions.models.contents import Annex, ClauseTemplate, ConventionClause, ConventionParty, Obligation, Recurrence
from conventions.models.conventions import (
    Convention,
    ConventionKind,
    ConventionStatus,
    DelayUnit,
    PaymentTerms,
    RenewalMode,
    Side,
    StartEvent,
    SubsidyNature,
    TerminationMode,
)
from conventions.models.life import (
    Amendment,
    AmendmentSignature,
    AmendmentStatus,
    Evaluation,
    EvaluationOutcome,
    TerminationNotice,
)
from conventions.models.programmes import Programme, ProgrammeBudget, ProgrammeKind

__all__ = [
    "Amendment",
    "AmendmentSignature",
    "AmendmentStatus",
    "Annex",
    "ClauseTemplate",
    "CommitteeDecision",
    "CommitteeMeeting",
    "CommitteeMember",
    "Convention",
    "ConventionClause",
    "ConventionKind",
    "ConventionParty",
    "ConventionStatus",
    "PaymentTerms",
    "SubsidyNature",
    "DecisionKind",
    "DelayUnit",
    "Evaluation",
    "EvaluationOutcome",
    "MeetingAttendance",
    "MeetingStatus",
    "MonitoringCommittee",
    "Obligation",
    "Programme",
    "ProgrammeBudget",
    "ProgrammeKind",
    "Recurrence",
    "RenewalMode",
    "Side",
    "StartEvent",
    "TerminationMode",
    "TerminationNotice",
]
