"""Every URL pattern of the site, and the path parameters that name a collectivité's objects."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db import models
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.canary.world import Tenant

# Views that only answer POST (a GET answers 405): walked with GET to prove it, and posted to
# with another collectivité's ids to prove they answer 404 before doing anything.
POST_ONLY = frozenset(
    {
        "logout",
        "core:revoke_token",
        "deliberations:action",
        "deliberations:sitting_action",
        "deliberations:convocation_action",
        "deliberations:mandate_paper",
        "deliberations:attendance_one",
        "deliberations:proxy_create",
        "deliberations:proxy_revoke",
        "deliberations:movement_create",
        "deliberations:member_answer",
        "deliberations:member_proxy",
        "deliberations:member_proxy_withdraw",
        "conventions:action",
        "conventions:amendment_action",
        "conventions:committee_action",
        "conventions:meeting_action",
        "conventions:programme_budget",
        "conventions:programme_budget_remove",
        "conventions:clause_deactivate",
        "conventions:clause_reactivate",
        "conventions:clause_import",
        "documents:sign",
        "documents:upload_scan",
        "documents:template_activate",
        "documents:certificate_add",
        "documents:certificate_deactivate",
        "documents:trust_anchor_add",
        "documents:trust_anchor_deactivate",
        "reminders:handle",
        "reminders:reopen",
        "reminders:mark_read",
        "reminders:regenerate_feed",
        "reminders:revoke_feed",
    }
)

# Pages that send the reader on: the login page of a logged-in user, the language switch
# asked with a GET, the indexes that open the collectivité's own page.
# An élu's sitting from « Mes séances » sends them on to its personal page.
REDIRECTS = frozenset(
    {"login", "set_language", "documents:certificates_index", "reminders:settings_index", "deliberations:my_sitting"}
)

# Reachable by anyone who has the address, by design: the published acts of a collectivité
# (public_list, public_extract), the open-data files of its acts and subsidies (SCDL), and a
# user's private calendar (its token is the credential).
# They are walked with the reader's own ids; another collectivité's are not a leak there.
# A member's page of a sitting (member_page, member_annex, member_document): its token is the
# credential too, scoped to one member and one sitting.
PUBLIC_BY_ADDRESS = frozenset(
    {
        "deliberations:public_list",
        "deliberations:public_extract",
        "deliberations:public_opendata_deliberations",
        "conventions:public_opendata_subventions",
        "reminders:feed",
        "deliberations:member_page",
        "deliberations:member_annex",
        "deliberations:member_document",
        "deliberations:member_answer",
        "deliberations:member_proxy",
        "deliberations:member_proxy_withdraw",
        "deliberations:member_proxy_document",
    }
)

# Namespaces walked by their own tests: the REST API (test_api, from its OpenAPI schema) and
# Django's admin, open to platform staff only (test_pages.test_django_admin_is_closed_to_collectivites).
OWN_TESTS = ("api:", "admin:")


def patterns(resolver: URLResolver | None = None, namespace: str = "") -> Iterator[tuple[str, Any]]:
    """(qualified name, pattern) of every URL of the site."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = namespace
            if entry.namespace:
                inner = f"{namespace}{entry.namespace}:"
            yield from patterns(entry, inner)
        elif isinstance(entry, URLPattern):
            yield f"{namespace}{entry.name or '?'}", entry


def _history(t: Tenant) -> list[dict[str, Any]]:
    """The history page of each of the collectivité's objects that has one."""
    instances = [t.organization, *t.people, *(v for v in t.objects.values() if isinstance(v, models.Model))]
    kwargs = []
    for obj in instances:
        model = type(obj)
        if hasattr(model.objects, "visible_to") or hasattr(model, "TENANT_FIELD"):
            kwargs.append({"app_label": model._meta.app_label, "model_name": model._meta.model_name, "pk": obj.pk})
    return kwargs


def parameters(t: Tenant) -> dict[str, list[dict[str, Any]]]:
    """For each URL name, the path parameters naming ``t``'s objects (``{}`` when it has none)."""
    o = t.objects
    org = t.organization.pk
    convention, amendment = o["convention"], o["amendment"]
    documents = [o["document"], o["signed_document"], o["docx_document"], o["extract"]]
    return {
        "home": [{}],
        "login": [{}],
        "logout": [{}],
        "set_language": [{}],
        "core:dashboard": [{}],
        "core:tokens": [{}],
        "core:revoke_token": [{"token_id": o["api_token"].pk}],
        "core:history": _history(t),
        "parties:organization_list": [{}],
        "parties:partner_create": [{}],
        "parties:organization_detail": [{"pk": org}, {"pk": o["partner"].pk}, {"pk": o["coordinator"].pk}],
        "parties:organization_edit": [{"pk": org}, {"pk": o["partner"].pk}],
        "parties:person_create": [{"pk": org}, {"pk": o["partner"].pk}],
        "deliberations:list": [{}],
        "deliberations:create": [{}],
        "deliberations:detail": [
            {"pk": o[key].pk}
            for key in (
                "deliberation",
                "information",
                "agenda_item",
                "pending_deliberation",
                "postponed_deliberation",
                "roll_call",
            )
        ],
        "deliberations:edit": [{"pk": o["pending_deliberation"].pk}, {"pk": o["agenda_item"].pk}],
        "deliberations:vote": [{"pk": o[key].pk} for key in ("deliberation", "agenda_item", "roll_call")],
        "deliberations:ctes_package": [{"pk": o["deliberation"].pk}],
        "deliberations:action": [{"pk": o["deliberation"].pk, "action": "extrait"}],
        "deliberations:assembly_list": [{}],
        "deliberations:assembly_create": [{}],
        "deliberations:assembly_detail": [{"pk": o["assembly"].pk}],
        "deliberations:assembly_numbering": [{"pk": o["assembly"].pk}],
        "deliberations:assembly_wording": [{"pk": o["assembly"].pk}],
        "deliberations:assembly_classification": [{"pk": o["assembly"].pk}],
        "deliberations:mandate_end": [{"pk": o["assembly"].pk, "mandate_id": o["assembly"].mandates.first().pk}],
        "deliberations:mandate_paper": [{"pk": o["assembly"].pk, "mandate_id": o["assembly"].mandates.first().pk}],
        "deliberations:sitting_list": [{}],
        "deliberations:sitting_create": [{}],
        "deliberations:sitting_detail": [
            {"pk": o[key].pk} for key in ("sitting", "coming_sitting", "running_sitting", "mailed_sitting")
        ],
        "deliberations:sitting_edit": [{"pk": o["coming_sitting"].pk}],
        "deliberations:sitting_action": [{"pk": o["sitting"].pk, "action": "document"}],
        "deliberations:convocation_send": [{"pk": o["coming_sitting"].pk}, {"pk": o["mailed_sitting"].pk}],
        "deliberations:convocation_action": [{"pk": o["mailed_sitting"].pk, "action": "etat"}],
        "deliberations:attendance": [{"pk": o[key].pk} for key in ("sitting", "coming_sitting", "running_sitting")],
        "deliberations:attendance_one": [{"pk": o["running_sitting"].pk, "person_id": t.people[0].pk}],
        "deliberations:proxy_create": [{"pk": o["running_sitting"].pk}],
        "deliberations:proxy_revoke": [{"pk": o["sitting"].pk, "proxy_id": o["proxy"].pk}],
        "deliberations:movement_create": [{"pk": o["sitting"].pk}],
        "deliberations:public_list": [{"organization_id": org}],
        "deliberations:public_extract": [{"organization_id": org, "pk": o["deliberation"].pk}],
        "deliberations:public_opendata_deliberations": [{"organization_id": org}],
        "conventions:public_opendata_subventions": [{"organization_id": org}],
        "deliberations:member_page": [{"token": o["member_access"].token}],
        "deliberations:member_annex": [{"token": o["member_access"].token, "annex_id": o["coming_annex"].pk}],
        "deliberations:member_document": [{"token": o["member_access"].token, "document_id": o["convocation"].pk}],
        "deliberations:member_answer": [{"token": o["member_access"].token}],
        "deliberations:member_proxy": [{"token": o["member_access"].token}],
        "deliberations:member_proxy_withdraw": [{"token": o["member_access"].token}],
        "deliberations:member_proxy_document": [{"token": o["member_access"].token}],
        "deliberations:my_sittings": [{}],
        "deliberations:my_sitting": [{"pk": o["coming_sitting"].pk}],
        "conventions:list": [{}],
        "conventions:create": [{}],
        "conventions:detail": [{"pk": o[key].pk} for key in ("convention", "noticed_convention", "draft_convention")],
        "conventions:edit": [{"pk": o["draft_convention"].pk}, {"pk": convention.pk}],
        "conventions:action": [{"pk": convention.pk, "action": "documents"}],
        "conventions:amendment_detail": [{"pk": convention.pk, "number": amendment.number}],
        "conventions:amendment_action": [{"pk": convention.pk, "number": amendment.number, "action": "documents"}],
        "conventions:committee_detail": [{"pk": o["committee"].pk}, {"pk": o["programme_committee"].pk}],
        "conventions:committee_action": [{"pk": o["committee"].pk, "action": "member"}],
        "conventions:meeting_detail": [{"pk": o[key].pk} for key in ("meeting", "coming_meeting", "programme_meeting")],
        "conventions:meeting_action": [{"pk": o["meeting"].pk, "action": "documents"}],
        "conventions:programme_list": [{}],
        "conventions:programme_create": [{}],
        "conventions:programme_detail": [{"pk": o["programme"].pk}],
        "conventions:programme_edit": [{"pk": o["programme"].pk}],
        "conventions:programme_budget": [{"pk": o["programme"].pk}],
        "conventions:programme_budget_remove": [{"pk": o["programme"].pk, "year": o["programme"].budgets.first().year}],
        "conventions:clause_list": [{}],
        "conventions:clause_create": [{}],
        "conventions:clause_import": [{}],
        "conventions:clause_edit": [{"pk": o["clause_template"].pk}],
        "conventions:clause_deactivate": [{"pk": o["clause_template"].pk}],
        "conventions:clause_reactivate": [{"pk": o["clause_template"].pk}],
        "documents:list": [{}],
        "documents:detail": [{"pk": d.pk} for d in documents],
        "documents:download": [{"pk": d.pk} for d in documents],
        "documents:sign": [{"pk": o["document"].pk}],
        "documents:upload_scan": [{"pk": o["document"].pk}],
        "documents:verify_stored": [{"pk": o["signed_document"].pk}, {"pk": o["document"].pk}],
        "documents:verify": [{}],
        "documents:template_list": [{}],
        "documents:template_history": [
            {"organization_id": org, "kind": "committee_convocation", "template_format": "html"},
            {"organization_id": org, "kind": "convention", "template_format": "docx"},
        ],
        "documents:template_activate": [{"pk": o["uploaded_template"].pk}],
        "documents:template_download": [{"pk": o["uploaded_template"].pk}],
        "documents:certificates_index": [{}],
        "documents:certificates": [{"organization_id": org}],
        "documents:certificate_add": [{"organization_id": org}],
        "documents:certificate_deactivate": [{"pk": o["certificate"].pk}],
        "documents:trust_anchor_add": [{"organization_id": org}],
        "documents:trust_anchor_deactivate": [{"pk": o["trust_anchor"].pk}],
        "documents:batch_detail": [{"pk": o["batch"].pk}],
        "documents:batch_progress": [{"pk": o["batch"].pk}],
        "documents:batch_download": [{"pk": o["batch"].pk}],
        "reminders:list": [{}],
        "reminders:handle": [{"pk": o["deadline"].pk}],
        "reminders:reopen": [{"pk": o["deadline"].pk}],
        "reminders:notifications": [{}],
        "reminders:mark_read": [{}],
        "reminders:preferences": [{}],
        "reminders:regenerate_feed": [{}],
        "reminders:revoke_feed": [{}],
        "reminders:feed": [{"token": t.admin.reminder_preference.feed_token}],
        "reminders:settings_index": [{}],
        "reminders:settings": [{"organization_id": org}],
    }


def addresses(t: Tenant) -> Iterator[tuple[str, dict[str, Any], str]]:
    """(name, parameters, URL) of every page filled with ``t``'s objects."""
    for name, kwargs_list in parameters(t).items():
        for kwargs in kwargs_list:
            yield name, kwargs, reverse(name, kwargs=kwargs)
