"""What each page action of the site needs, as the roles matrix tests it.

Every URL of the site is in exactly one place here: an action (a POST, or a GET that shows a
form or produces something) with the capability it needs, an action on the user's own
account (open to every role), or a read page (which answers 405 to a POST). A new URL
that is in none of them fails ``test_every_url_is_in_the_matrix``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from core.roles import Capability as C
from tests.canary.urls import parameters
from tests.canary.world import Tenant

Kwargs = Callable[[Tenant], dict[str, Any]]


@dataclass(frozen=True)
class Act:
    """One request of a page action: ``capability`` None means open to every role."""

    name: str
    method: str
    capability: str | None
    kwargs: Kwargs | None = None
    data: dict[str, Any] = field(default_factory=dict)
    label: str = ""

    def url_kwargs(self, t: Tenant) -> dict[str, Any]:
        if self.kwargs is not None:
            return self.kwargs(t)
        return parameters(t)[self.name][0]

    @property
    def id(self) -> str:
        return f"{self.method} {self.name}{' ' + self.label if self.label else ''}"


def _on(key: str, action: str) -> Kwargs:
    return lambda t: {"pk": t[key].pk, "action": action}


def _pk(key: str) -> Kwargs:
    return lambda t: {"pk": t[key].pk}


# The buttons of a convention's page (``conventions.views.actions.ACTIONS``).
CONVENTION_ACTIONS: dict[str, str] = {
    **dict.fromkeys(
        (
            "submit",
            "return_to_draft",
            "approve",
            "send_for_signature",
            "sign",
            "correct_signature",
            "notify",
            "suspend",
            "resume",
            "cancel",
            "renew",
            "add_party",
            "beneficiaries",
            "add_clause",
            "edit_clause",
            "move_clause",
            "remove_clause",
            "add_obligation",
            "amend",
            "notice",
            "receipt",
            "annex",
        ),
        C.EDIT_CONVENTIONS,
    ),
    "evaluation": C.FOLLOW_CONVENTIONS,
    "fulfil": C.FOLLOW_CONVENTIONS,
    "committee": C.FOLLOW_CONVENTIONS,
    "documents": C.GENERATE_DOCUMENTS,
    "letter": C.GENERATE_DOCUMENTS,
}
# On which convention each button is tried: the draft for drafting, the noticed one for the
# notice's letter and receipt, the signed one otherwise.
CONVENTION_OF = {
    "submit": "draft_convention",
    "add_party": "draft_convention",
    "add_clause": "draft_convention",
    "edit_clause": "draft_convention",
    "move_clause": "draft_convention",
    "remove_clause": "draft_convention",
    "receipt": "noticed_convention",
    "letter": "noticed_convention",
}
# Forms posted whole where an empty one would stop at its validation: an avenant that
# replaces no article, an obligation that cannot exist (both answered server errors).
CONVENTION_DATA: dict[str, dict[str, Any]] = {
    "amend": {"title": "Avenant", "new_duration_months": "24"},
    "fulfil": {"obligation": "99999999999999999999", "day": "2026-01-05"},
}
AMENDMENT_ACTIONS = {
    "approve": C.EDIT_CONVENTIONS,
    "send_for_signature": C.EDIT_CONVENTIONS,
    "sign": C.EDIT_CONVENTIONS,
    "cancel": C.EDIT_CONVENTIONS,
    "documents": C.GENERATE_DOCUMENTS,
}
COMMITTEE_ACTIONS = {"member": C.FOLLOW_CONVENTIONS, "meeting": C.FOLLOW_CONVENTIONS}
MEETING_ACTIONS = {
    "convene": C.FOLLOW_CONVENTIONS,
    "minutes": C.FOLLOW_CONVENTIONS,
    "decision": C.FOLLOW_CONVENTIONS,
    "cancel": C.FOLLOW_CONVENTIONS,
    "documents": C.GENERATE_DOCUMENTS,
}
DELIBERATION_ACTIONS = {
    "retirer": C.MANAGE_SITTINGS,
    "reporter": C.MANAGE_SITTINGS,
    "retirer-odj": C.MANAGE_SITTINGS,
    "monter": C.MANAGE_SITTINGS,
    "descendre": C.MANAGE_SITTINGS,
    "presidence": C.RECORD_VOTES,
    "prendre-acte": C.RECORD_VOTES,
    "annuler-vote": C.RECORD_VOTES,
    "signer": C.SIGN_DOCUMENTS,
    "transmettre": C.MANAGE_SITTINGS,
    "accuse": C.MANAGE_SITTINGS,
    "publier": C.MANAGE_SITTINGS,
    "annexe": C.MANAGE_SITTINGS,
    "retirer-annexe": C.MANAGE_SITTINGS,
    "annexe-modifier": C.MANAGE_SITTINGS,
    "accuse-fichier": C.MANAGE_SITTINGS,
    "extrait": C.GENERATE_DOCUMENTS,
}
SITTING_ACTIONS = {
    "convoquer": C.MANAGE_SITTINGS,
    "ouvrir": C.RECORD_VOTES,
    "clore": C.RECORD_VOTES,
    "publier-liste": C.MANAGE_SITTINGS,
    "approuver-pv": C.MANAGE_SITTINGS,
    "publier-pv": C.MANAGE_SITTINGS,
    "reconvoquer": C.MANAGE_SITTINGS,
    "inscrire": C.MANAGE_SITTINGS,
    "tous-presents": C.RECORD_VOTES,
    "document": C.GENERATE_DOCUMENTS,
    "documents": C.GENERATE_DOCUMENTS,
}


def _amendment(action: str) -> Kwargs:
    return lambda t: {"pk": t["convention"].pk, "number": t["amendment"].number, "action": action}


def _slugged() -> list[Act]:
    acts = [
        Act(
            "conventions:action",
            "post",
            capability,
            _on(CONVENTION_OF.get(action, "convention"), action),
            data=CONVENTION_DATA.get(action, {}),
            label=action,
        )
        for action, capability in CONVENTION_ACTIONS.items()
    ]
    acts += [
        Act("conventions:amendment_action", "post", cap, _amendment(action), label=action)
        for action, cap in AMENDMENT_ACTIONS.items()
    ]
    acts += [
        Act("conventions:committee_action", "post", cap, _on("committee", action), label=action)
        for action, cap in COMMITTEE_ACTIONS.items()
    ]
    acts += [
        Act("conventions:meeting_action", "post", cap, _on("meeting", action), label=action)
        for action, cap in MEETING_ACTIONS.items()
    ]
    acts += [
        Act("deliberations:action", "post", cap, _on("agenda_item", action), label=action)
        for action, cap in DELIBERATION_ACTIONS.items()
    ]
    acts += [
        Act("deliberations:sitting_action", "post", cap, _on("sitting", action), label=action)
        for action, cap in SITTING_ACTIONS.items()
    ]
    return acts


def _both(name: str, capability: str | None, kwargs: Kwargs | None = None, label: str = "") -> list[Act]:
    """A form page: opening the form and posting it need the same capability."""
    return [Act(name, "get", capability, kwargs, label=label), Act(name, "post", capability, kwargs, label=label)]


PAGE_ACTS: list[Act] = [
    *_slugged(),
    # Conventions: the forms and the library.
    *_both("conventions:create", C.EDIT_CONVENTIONS),
    *_both("conventions:edit", C.EDIT_CONVENTIONS, _pk("draft_convention"), "draft"),
    *_both("conventions:edit", C.FOLLOW_CONVENTIONS, _pk("convention"), "signed"),
    *_both("conventions:programme_create", C.EDIT_CONVENTIONS),
    *_both("conventions:programme_edit", C.EDIT_CONVENTIONS),
    Act("conventions:programme_budget", "post", C.EDIT_CONVENTIONS),
    Act("conventions:programme_budget_remove", "post", C.EDIT_CONVENTIONS),
    *_both("conventions:clause_create", C.EDIT_CONVENTIONS),
    *_both("conventions:clause_edit", C.EDIT_CONVENTIONS),
    Act("conventions:clause_deactivate", "post", C.EDIT_CONVENTIONS),
    Act("conventions:clause_reactivate", "post", C.EDIT_CONVENTIONS),
    Act("conventions:clause_import", "post", C.EDIT_CONVENTIONS),
    # The library's list is the clause editors' tool.
    Act("conventions:clause_list", "get", C.EDIT_CONVENTIONS),
    # Deliberations, assemblies, sittings, attendance.
    *_both("deliberations:create", C.MANAGE_SITTINGS),
    *_both("deliberations:edit", C.MANAGE_SITTINGS),
    *_both("deliberations:vote", C.RECORD_VOTES),
    *_both("deliberations:assembly_create", C.MANAGE_SITTINGS),
    Act("deliberations:assembly_detail", "post", C.MANAGE_SITTINGS),
    *_both("deliberations:assembly_numbering", C.MANAGE_SITTINGS),
    Act("deliberations:assembly_numbering", "post", C.MANAGE_ORGANIZATION, data={"next_value": ""}, label="next"),
    *_both("deliberations:assembly_wording", C.MANAGE_SITTINGS),
    Act("deliberations:assembly_classification", "get", C.MANAGE_SITTINGS),
    Act("deliberations:assembly_classification", "post", C.MANAGE_ORGANIZATION),
    *_both("deliberations:mandate_end", C.MANAGE_SITTINGS),
    *_both("deliberations:sitting_create", C.MANAGE_SITTINGS),
    *_both("deliberations:sitting_edit", C.MANAGE_SITTINGS),
    *_both("deliberations:convocation_send", C.MANAGE_SITTINGS, _pk("coming_sitting")),
    Act(
        "deliberations:mandate_paper",
        "post",
        C.MANAGE_SITTINGS,
        lambda t: {"pk": t["assembly"].pk, "mandate_id": t["assembly"].mandates.first().pk},
    ),
    *[
        Act("deliberations:convocation_action", "post", C.MANAGE_SITTINGS, _on("mailed_sitting", action), label=action)
        for action in ("avis", "renvoyer", "rebond", "relancer", "etat")
    ],
    Act("deliberations:attendance", "post", C.RECORD_VOTES),
    Act("deliberations:attendance_one", "post", C.RECORD_VOTES),
    Act("deliberations:proxy_create", "post", C.RECORD_VOTES),
    Act("deliberations:proxy_revoke", "post", C.RECORD_VOTES),
    Act("deliberations:movement_create", "post", C.RECORD_VOTES),
    # Documents.
    Act("documents:sign", "post", C.SIGN_DOCUMENTS),
    Act("documents:upload_scan", "post", C.GENERATE_DOCUMENTS),
    Act("documents:template_history", "post", C.MANAGE_TEMPLATES),
    Act("documents:template_activate", "post", C.MANAGE_TEMPLATES),
    Act("documents:certificate_add", "post", C.SIGN_DOCUMENTS),
    Act("documents:certificate_deactivate", "post", C.SIGN_DOCUMENTS),
    Act("documents:trust_anchor_add", "post", C.MANAGE_TEMPLATES),
    Act("documents:trust_anchor_deactivate", "post", C.MANAGE_TEMPLATES),
    # Partners and people: the collectivité's own record is the administrators'.
    *_both("parties:partner_create", C.EDIT_PARTNERS),
    *_both("parties:organization_edit", C.MANAGE_ORGANIZATION, lambda t: {"pk": t.organization.pk}, "tenant"),
    *_both("parties:organization_edit", C.EDIT_PARTNERS, _pk("partner"), "partner"),
    *_both("parties:person_create", C.EDIT_PARTNERS),
    # Deadlines and the collectivité's reminder settings.
    Act("reminders:handle", "post", C.HANDLE_DEADLINES),
    Act("reminders:reopen", "post", C.HANDLE_DEADLINES),
    *_both("reminders:settings", C.MANAGE_ORGANIZATION),
    # Each user's own account: open to every role, acting on the user's own things only.
    *_both("core:tokens", None),
    Act("core:revoke_token", "post", None, lambda t: {"token_id": t["api_token"].pk}),
    Act("reminders:mark_read", "post", None),
    *_both("reminders:preferences", None),
    Act("reminders:regenerate_feed", "post", None),
    Act("reminders:revoke_feed", "post", None),
    # A PDF's verification reads the file sent and changes nothing.
    *_both("documents:verify", None),
    # A member's answers on their personal page: the link's token is the credential, whoever
    # posts (tried with the collectivité's own member link).
    Act("deliberations:member_answer", "post", None, data={"intent": "present"}),
    Act("deliberations:member_proxy", "post", None),
    Act("deliberations:member_proxy_withdraw", "post", None),
]

# Pages that only read (a POST answers 405), besides the login, logout and language switch
# (Django's own, open to anyone) and the API and admin (tested apart).
READ_PAGES = frozenset(
    {
        "home",
        "core:dashboard",
        "core:history",
        "parties:organization_list",
        "parties:organization_detail",
        "deliberations:list",
        "deliberations:detail",
        # The act's @CTES package: its extract and annexes, readable by whoever reads the act.
        "deliberations:ctes_package",
        "deliberations:assembly_list",
        "deliberations:sitting_list",
        "deliberations:sitting_detail",
        "deliberations:public_list",
        "deliberations:public_extract",
        "deliberations:public_opendata_deliberations",
        "conventions:public_opendata_subventions",
        "deliberations:member_page",
        "deliberations:member_annex",
        "deliberations:member_document",
        "deliberations:member_proxy_document",
        "deliberations:my_sittings",
        "deliberations:my_sitting",
        "conventions:list",
        "conventions:detail",
        "conventions:amendment_detail",
        "conventions:committee_detail",
        "conventions:meeting_detail",
        "conventions:programme_list",
        "conventions:programme_detail",
        "documents:list",
        "documents:detail",
        "documents:download",
        "documents:verify_stored",
        "documents:template_list",
        "documents:template_download",
        "documents:certificates_index",
        "documents:certificates",
        "documents:batch_detail",
        "documents:batch_progress",
        "documents:batch_download",
        "reminders:list",
        "reminders:notifications",
        "reminders:feed",
        "reminders:settings_index",
    }
)
# Read pages whose POST is an action listed above (the GET only reads).
READ_AND_ACT = frozenset(
    {
        "deliberations:assembly_detail",
        "deliberations:attendance",
        "documents:template_history",
    }
)
OUTSIDE = frozenset({"login", "logout", "set_language"})
OWN_TESTS = ("api:", "admin:")
