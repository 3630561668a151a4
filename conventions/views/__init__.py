"""Pages for legal staff and managers, split by subject. Thin: parse a form, call one
service or selector, render or redirect."""

from conventions.views.actions import convention_action
from conventions.views.amendments import amendment_action, amendment_detail
from conventions.views.committees import committee_action, committee_detail, meeting_action, meeting_detail
from conventions.views.conventions import convention_create, convention_detail, convention_edit, convention_list
from conventions.views.library import clause_create, clause_edit, clause_import, clause_list, clause_set_active
from conventions.views.programmes import (
    programme_budget,
    programme_budget_remove,
    programme_create,
    programme_detail,
    programme_edit,
    programme_list,
)
from conventions.views.public import public_opendata_subventions

__all__ = [
    "amendment_action",
    "amendment_detail",
    "clause_create",
    "clause_import",
    "clause_edit",
    "clause_list",
    "clause_set_active",
    "committee_action",
    "committee_detail",
    "convention_action",
    "convention_create",
    "convention_detail",
    "convention_edit",
    "convention_list",
    "meeting_action",
    "meeting_detail",
    "programme_budget",
    "programme_budget_remove",
    "programme_create",
    "programme_detail",
    "programme_edit",
    "programme_list",
    "public_opendata_subventions",
]
