"""Assemblies, their members, sittings, deliberations, attendance, proxies, votes, transmission.

By subject: ``assemblies``, ``sittings``, ``acts`` (deliberations and annexes), ``attendance``
(attendance and proxies), ``votes`` (votes, ballots, transmission) and ``convocations`` (the
sending of convocations and notices, with their proof). Every name is importable
from here, as migrations and the other apps import them.
"""

from deliberations.models.acts import (
    AFTER_SIGNATURE_STATES,
    DECIDED_STATES,
    EXAMINED_STATES,
    Annex,
    Deliberation,
    DeliberationKind,
    DeliberationManager,
    DeliberationQuerySet,
    DeliberationState,
    annex_upload_to,
)
from deliberations.models.assemblies import (
    Assembly,
    AssemblyKind,
    ListSeparator,
    Mandate,
    MandateQuerySet,
    MandateRole,
    NameStyle,
    NumberingCounter,
    NumberingRule,
)
from deliberations.models.attendance import (
    Attendance,
    AttendanceChange,
    Presence,
    Proxy,
)
from deliberations.models.base import (
    ProtectedStateMixin,
)
from deliberations.models.classification import CtesClassification
from deliberations.models.convocations import (
    FINAL_STATES,
    ConvocationRecipient,
    ConvocationSending,
    RecipientState,
    SendingChannel,
    SendingKind,
)
from deliberations.models.members import (
    AttendanceIntent,
    Channel,
    Intent,
    MemberAccess,
    new_member_token,
)
from deliberations.models.sittings import (
    Sitting,
    SittingKind,
    SittingState,
)
from deliberations.models.votes import (
    ActNature,
    Ballot,
    Transmission,
    VoteChoice,
    VoteMethod,
    VoteOutcome,
    VoteResult,
)

__all__ = [
    "AFTER_SIGNATURE_STATES",
    "ActNature",
    "Annex",
    "Assembly",
    "AssemblyKind",
    "CtesClassification",
    "Attendance",
    "AttendanceChange",
    "AttendanceIntent",
    "Ballot",
    "Channel",
    "ConvocationRecipient",
    "ConvocationSending",
    "DECIDED_STATES",
    "Deliberation",
    "DeliberationKind",
    "DeliberationManager",
    "DeliberationQuerySet",
    "DeliberationState",
    "EXAMINED_STATES",
    "FINAL_STATES",
    "Intent",
    "Mandate",
    "MemberAccess",
    "MandateQuerySet",
    "MandateRole",
    "ListSeparator",
    "NameStyle",
    "NumberingCounter",
    "NumberingRule",
    "Presence",
    "ProtectedStateMixin",
    "Proxy",
    "RecipientState",
    "SendingChannel",
    "SendingKind",
    "Sitting",
    "SittingKind",
    "SittingState",
    "Transmission",
    "VoteChoice",
    "VoteMethod",
    "VoteOutcome",
    "VoteResult",
    "annex_upload_to",
    "new_member_token",
]
