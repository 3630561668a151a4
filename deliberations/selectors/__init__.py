"""Reads of assemblies, sittings and deliberations, scoped to the user's organizations.

By subject: ``assemblies`` (assemblies and their members), ``sittings`` (sittings and their
agenda), ``attendance`` (who is present, represented or absent at each item) and ``acts``
(deliberations, the public register). Every name other modules use is importable from here.
"""

from deliberations.selectors.acts import (
    acts_to_follow_up,
    ballots_of,
    classification_of,
    ctes_classification,
    deliberation_detail_for,
    deliberation_for,
    deliberations_for,
    filter_deliberations,
    public_register,
    published_deliberations,
)
from deliberations.selectors.assemblies import (
    NOT_FOUND,
    Member,
    MemberName,
    NextNumber,
    assemblies_for,
    assembly_for,
    assembly_ids_of,
    get_or_404,
    mandates_in_office,
    mandates_of,
    members_count,
    members_in_office,
    next_number,
    user_assembly_ids,
)
from deliberations.selectors.attendance import (
    AttendanceFacts,
    SittingAttendance,
    agenda_and_facts,
    attendance_facts,
    item_facts,
    sitting_attendance,
)
from deliberations.selectors.sittings import (
    AgendaItem,
    AgendaVote,
    agenda,
    agenda_summary,
    agenda_with_documents,
    sitting_for,
    sittings_for,
    upcoming_sittings,
)

__all__ = [
    "NOT_FOUND",
    "AgendaItem",
    "AgendaVote",
    "AttendanceFacts",
    "Member",
    "MemberName",
    "NextNumber",
    "SittingAttendance",
    "acts_to_follow_up",
    "agenda",
    "agenda_and_facts",
    "agenda_summary",
    "agenda_with_documents",
    "assemblies_for",
    "assembly_for",
    "assembly_ids_of",
    "attendance_facts",
    "ballots_of",
    "classification_of",
    "ctes_classification",
    "deliberation_detail_for",
    "deliberation_for",
    "deliberations_for",
    "filter_deliberations",
    "get_or_404",
    "item_facts",
    "mandates_in_office",
    "mandates_of",
    "members_count",
    "members_in_office",
    "next_number",
    "public_register",
    "published_deliberations",
    "sitting_attendance",
    "sitting_for",
    "sittings_for",
    "upcoming_sittings",
    "user_assembly_ids",
]
