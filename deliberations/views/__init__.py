"""Pages of assemblies, sittings and deliberations, by subject. Thin: a form, one service or
selector, a template. Every view ``urls.py`` names is importable from here."""

from deliberations.views.acts import (
    deliberation_action,
    deliberation_create,
    deliberation_detail,
    deliberation_edit,
    deliberation_list,
)
from deliberations.views.assemblies import (
    assembly_classification,
    assembly_create,
    assembly_detail,
    assembly_list,
    assembly_numbering,
    assembly_wording,
    mandate_end,
)
from deliberations.views.attendance import attendance, attendance_one, movement_create, proxy_create, proxy_revoke
from deliberations.views.convocations import convocation_action, convocation_send, mandate_paper
from deliberations.views.ctes import ctes_package
from deliberations.views.public import public_extract, public_list, public_opendata_deliberations
from deliberations.views.sittings import sitting_action, sitting_create, sitting_detail, sitting_edit, sitting_list
from deliberations.views.votes import vote

__all__ = [
    "assembly_create",
    "assembly_detail",
    "assembly_list",
    "assembly_classification",
    "assembly_numbering",
    "assembly_wording",
    "attendance",
    "ctes_package",
    "attendance_one",
    "convocation_action",
    "convocation_send",
    "deliberation_action",
    "deliberation_create",
    "deliberation_detail",
    "deliberation_edit",
    "deliberation_list",
    "mandate_end",
    "mandate_paper",
    "movement_create",
    "proxy_create",
    "proxy_revoke",
    "public_extract",
    "public_list",
    "public_opendata_deliberations",
    "sitting_action",
    "sitting_create",
    "sitting_detail",
    "sitting_edit",
    "sitting_list",
    "vote",
]
