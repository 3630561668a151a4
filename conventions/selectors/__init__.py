"""Reads of conventions, committees and programmes, scoped to the user's organizations:
QuerySets and frozen dataclasses built from them, split by subject."""

from conventions.selectors._common import not_found
from conventions.selectors.amendments import (
    PartySignature,
    amendment_by_id,
    amendment_effect,
    amendment_for,
    amendment_signatures,
    evaluation_for,
)
from conventions.selectors.committees import committee_for, committees_for, meeting_for
from conventions.selectors.conventions import (
    SUMMARY_FIELDS,
    ConventionFilters,
    convention_for,
    convention_summaries,
    conventions_for,
    filter_conventions,
    managers_for,
    partner_names,
)
from conventions.selectors.detail import (
    convention_deadlines,
    convention_detail,
    convention_details,
    convention_record,
    evaluation_attachments,
)
from conventions.selectors.library import clause_template_for, clause_templates_for
from conventions.selectors.programmes import DueItem, ProgrammeSummary, programme_for, programme_summary, programmes_for

__all__ = [
    "SUMMARY_FIELDS",
    "ConventionFilters",
    "DueItem",
    "PartySignature",
    "ProgrammeSummary",
    "amendment_by_id",
    "amendment_effect",
    "amendment_for",
    "amendment_signatures",
    "clause_template_for",
    "clause_templates_for",
    "committee_for",
    "committees_for",
    "convention_deadlines",
    "convention_detail",
    "convention_details",
    "convention_for",
    "convention_record",
    "convention_summaries",
    "conventions_for",
    "evaluation_attachments",
    "evaluation_for",
    "filter_conventions",
    "managers_for",
    "meeting_for",
    "not_found",
    "partner_names",
    "programme_for",
    "programme_summary",
    "programmes_for",
]
