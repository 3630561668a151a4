"""What each write of the REST API needs, as the roles matrix tests it: for each operation
of the OpenAPI schema (method, path), the capability (None: the user's own things), the
path parameters and a body that passes the schema, so that a role without the capability
meets the role check and nothing else."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from core.roles import Capability as C
from tests.canary.world import Tenant

Values = Callable[[Tenant], dict[str, Any]]


@dataclass(frozen=True)
class Write:
    capability: str | None
    body: Values | None = None
    path: Values | None = None
    multipart: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


def day(offset: int = 0) -> str:
    return (timezone.localdate() + timedelta(days=offset)).isoformat()


def moment(offset: int = 7) -> str:
    return (timezone.localtime() + timedelta(days=offset)).replace(microsecond=0).isoformat()


def path_values(t: Tenant) -> dict[str, Any]:
    """The tenant's object for each path parameter of the API."""
    o = t.objects
    sitting = o["sitting"]
    return {
        "token_id": o["api_token"].pk,
        "organization_id": t.organization.pk,
        "person_id": t.people[0].pk,
        "assembly_id": o["assembly"].pk,
        "mandate_id": o["assembly"].mandates.first().pk,
        "sitting_id": o["coming_sitting"].pk,
        "proxy_id": o["proxy"].pk,
        "deliberation_id": o["agenda_item"].pk,
        "annex_id": o["annex"].pk,
        "convention_id": o["convention"].pk,
        "party_id": o["convention"].parties.first().pk,
        "amendment_id": o["amendment"].pk,
        "evaluation_id": o["evaluation"].pk,
        "committee_id": o["committee"].pk,
        "meeting_id": o["meeting"].pk,
        "programme_id": o["programme"].pk,
        "year": o["programme"].budgets.first().year,
        "document_id": o["document"].pk,
        "certificate_id": o["certificate"].pk,
        "anchor_id": o["trust_anchor"].pk,
        "deadline_id": o["deadline"].pk,
        "name": "suspend",
        "step": "send_for_signature",
        "kind": "convocation",
        "_held_sitting": sitting.pk,
    }


def upload(name: str = "piece.pdf", content: bytes = b"%PDF-1.4\n%%EOF\n") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def _held(t: Tenant) -> dict[str, Any]:
    return {"sitting_id": t["sitting"].pk}


def _mailed(t: Tenant) -> dict[str, Any]:
    return {"sitting_id": t["mailed_sitting"].pk}


def _mailed_recipient(t: Tenant) -> dict[str, Any]:
    recipient = t["convocation_sending"].recipients.filter(state="accepted").first()
    return {"sitting_id": t["mailed_sitting"].pk, "recipient_id": recipient.pk}


def _voted(t: Tenant) -> dict[str, Any]:
    return {"deliberation_id": t["deliberation"].pk}


def _noticed(t: Tenant) -> dict[str, Any]:
    return {"convention_id": t["noticed_convention"].pk}


def _voted_annex(t: Tenant) -> dict[str, Any]:
    return {"deliberation_id": t["deliberation"].pk, "annex_id": t["annex"].pk}


WRITES: dict[tuple[str, str], Write] = {
    # The user's own tokens, notifications and calendar feed.
    ("post", "/tokens"): Write(None, lambda t: {"name": "script"}),
    ("delete", "/tokens/{token_id}"): Write(None),
    ("post", "/notifications/read"): Write(None, lambda t: {}),
    ("post", "/calendar-feed"): Write(None),
    ("delete", "/calendar-feed"): Write(None),
    ("post", "/pdf-verifications"): Write(None, lambda t: {"file": upload()}, multipart=True),
    # Partners and people.
    ("post", "/organizations"): Write(
        C.EDIT_PARTNERS, lambda t: {"tenant_id": t.organization.pk, "kind": "association", "name": "Partenaire"}
    ),
    ("patch", "/organizations/{organization_id}"): Write(C.MANAGE_ORGANIZATION, lambda t: {"city": "Sète"}),
    ("post", "/people"): Write(
        C.EDIT_PARTNERS, lambda t: {"organization_id": t.organization.pk, "first_name": "Ana", "last_name": "Lys"}
    ),
    ("post", "/organizations/{organization_id}/signatories"): Write(
        C.EDIT_PARTNERS, lambda t: {"person_id": t.people[1].pk, "function": "Adjointe"}
    ),
    # Assemblies.
    ("post", "/assemblies"): Write(
        C.MANAGE_SITTINGS, lambda t: {"organization_id": t.organization.pk, "kind": "other", "name": "Bureau"}
    ),
    ("put", "/assemblies/{assembly_id}/numbering"): Write(C.MANAGE_SITTINGS, lambda t: {"pattern": "{year}-{seq:03}"}),
    ("patch", "/assemblies/{assembly_id}"): Write(C.MANAGE_SITTINGS, lambda t: {"signature_city": "Sète"}),
    ("post", "/assemblies/{assembly_id}/mandates"): Write(
        C.MANAGE_SITTINGS, lambda t: {"person_id": t.people[1].pk, "start_date": day()}
    ),
    ("post", "/assemblies/{assembly_id}/mandates/{mandate_id}/end"): Write(
        C.MANAGE_SITTINGS, lambda t: {"end_date": day()}
    ),
    ("put", "/assemblies/{assembly_id}/numbering/next"): Write(C.MANAGE_ORGANIZATION, lambda t: {"next_value": 90}),
    # Sittings, attendance, proxies.
    ("post", "/sittings"): Write(C.MANAGE_SITTINGS, lambda t: {"assembly_id": t["assembly"].pk, "starts_at": moment()}),
    ("patch", "/sittings/{sitting_id}"): Write(C.MANAGE_SITTINGS, lambda t: {"place": "Salle"}),
    ("post", "/sittings/{sitting_id}/convene"): Write(C.MANAGE_SITTINGS, lambda t: {"convocation_date": day()}),
    ("post", "/sittings/{sitting_id}/open"): Write(C.RECORD_VOTES),
    ("post", "/sittings/{sitting_id}/close"): Write(C.RECORD_VOTES),
    ("post", "/sittings/{sitting_id}/list-publication"): Write(C.MANAGE_SITTINGS, lambda t: {"day": day()}, _held),
    ("post", "/sittings/{sitting_id}/minutes-approval"): Write(C.MANAGE_SITTINGS, lambda t: {"day": day()}, _held),
    ("post", "/sittings/{sitting_id}/minutes-publication"): Write(C.MANAGE_SITTINGS, lambda t: {"day": day()}, _held),
    ("post", "/sittings/{sitting_id}/reconvene"): Write(
        C.MANAGE_SITTINGS, lambda t: {"starts_at": moment(10), "convocation_date": day()}, _held
    ),
    ("post", "/sittings/{sitting_id}/convocation-sendings"): Write(
        C.MANAGE_SITTINGS, lambda t: {"kind": "additive", "message": "Point ajouté"}, _mailed
    ),
    ("post", "/sittings/{sitting_id}/convocation-sendings/report"): Write(C.MANAGE_SITTINGS, path=_mailed),
    ("post", "/sittings/{sitting_id}/convocation-recipients/{recipient_id}/resend"): Write(
        C.MANAGE_SITTINGS, path=_mailed_recipient
    ),
    ("post", "/sittings/{sitting_id}/convocation-recipients/{recipient_id}/bounce"): Write(
        C.MANAGE_SITTINGS, lambda t: {"bounce_reason": "550 Boîte pleine"}, _mailed_recipient
    ),
    ("post", "/sittings/{sitting_id}/documents"): Write(C.GENERATE_DOCUMENTS, path=_held),
    ("post", "/sittings/{sitting_id}/documents/{kind}"): Write(C.GENERATE_DOCUMENTS, path=_held),
    ("put", "/sittings/{sitting_id}/attendance"): Write(
        C.RECORD_VOTES, lambda t: {"statuses": {str(t.people[0].pk): "present"}}
    ),
    ("post", "/sittings/{sitting_id}/attendance/all-present"): Write(C.RECORD_VOTES),
    ("post", "/sittings/{sitting_id}/movements"): Write(
        C.RECORD_VOTES,
        lambda t: {"person_id": t.people[0].pk, "deliberation_id": t["deliberation"].pk, "status": "absent"},
        _held,
    ),
    ("post", "/sittings/{sitting_id}/proxies"): Write(
        C.RECORD_VOTES, lambda t: {"giver_id": t.people[1].pk, "holder_id": t.people[2].pk, "written_on": day()}
    ),
    ("post", "/sittings/{sitting_id}/proxies/{proxy_id}/revoke"): Write(C.RECORD_VOTES, lambda t: {}, _held),
    # Deliberations.
    ("post", "/deliberations"): Write(C.MANAGE_SITTINGS, lambda t: {"assembly_id": t["assembly"].pk, "title": "Acte"}),
    ("patch", "/deliberations/{deliberation_id}"): Write(C.MANAGE_SITTINGS, lambda t: {"title": "Acte"}),
    ("post", "/deliberations/{deliberation_id}/agenda"): Write(
        C.MANAGE_SITTINGS, lambda t: {"sitting_id": t["coming_sitting"].pk}
    ),
    ("post", "/deliberations/{deliberation_id}/position"): Write(C.MANAGE_SITTINGS, lambda t: {"position": 1}),
    ("post", "/deliberations/{deliberation_id}/vote"): Write(
        C.RECORD_VOTES, lambda t: {"votes_for": 3, "votes_against": 0, "abstentions": 0, "not_voting": 0}
    ),
    ("post", "/deliberations/{deliberation_id}/take-note"): Write(C.RECORD_VOTES),
    ("post", "/deliberations/{deliberation_id}/reopen"): Write(C.RECORD_VOTES, lambda t: {"reason": "Erreur"}, _voted),
    ("post", "/deliberations/{deliberation_id}/chair"): Write(C.RECORD_VOTES, lambda t: {"reason": "Absent"}),
    ("post", "/deliberations/{deliberation_id}/withdraw"): Write(C.MANAGE_SITTINGS, lambda t: {"reason": "Retrait"}),
    ("post", "/deliberations/{deliberation_id}/postpone"): Write(C.MANAGE_SITTINGS, lambda t: {"reason": "Report"}),
    ("post", "/deliberations/{deliberation_id}/sign"): Write(C.SIGN_DOCUMENTS, lambda t: {"signed_on": day()}, _voted),
    ("post", "/deliberations/{deliberation_id}/transmission"): Write(
        C.MANAGE_SITTINGS, lambda t: {"sent_on": day()}, _voted
    ),
    ("post", "/deliberations/{deliberation_id}/acknowledgement"): Write(
        C.MANAGE_SITTINGS, lambda t: {"received_on": day(), "acknowledgement_id": "034-1"}, _voted
    ),
    ("post", "/organizations/{organization_id}/ctes-classification"): Write(
        C.MANAGE_ORGANIZATION,
        lambda t: {"file": upload("classification.xml", b"<RetourClassification/>")},
        multipart=True,
    ),
    ("post", "/deliberations/{deliberation_id}/acknowledgement/file"): Write(
        C.MANAGE_SITTINGS, lambda t: {"file": upload("ar.xml", b"<ARActe/>")}, _voted, multipart=True
    ),
    ("post", "/deliberations/{deliberation_id}/publication"): Write(
        C.MANAGE_SITTINGS, lambda t: {"published_on": day()}, _voted
    ),
    ("post", "/deliberations/{deliberation_id}/extract"): Write(C.GENERATE_DOCUMENTS, path=_voted),
    ("post", "/deliberations/{deliberation_id}/annexes"): Write(
        C.MANAGE_SITTINGS, lambda t: {"file": upload(), "title": "Plan"}, _voted, multipart=True
    ),
    ("delete", "/deliberations/{deliberation_id}/annexes/{annex_id}"): Write(C.MANAGE_SITTINGS, path=_voted_annex),
    ("patch", "/deliberations/{deliberation_id}/annexes/{annex_id}"): Write(
        C.MANAGE_SITTINGS, lambda t: {"type_code": "99_AU"}, _voted_annex
    ),
    # Conventions' documents.
    ("post", "/conventions/{convention_id}/documents"): Write(C.GENERATE_DOCUMENTS),
    ("post", "/conventions/{convention_id}/termination/letter"): Write(C.GENERATE_DOCUMENTS, path=_noticed),
    ("post", "/amendments/{amendment_id}/documents"): Write(C.GENERATE_DOCUMENTS),
    ("post", "/meetings/{meeting_id}/documents"): Write(C.GENERATE_DOCUMENTS),
    # Conventions.
    ("post", "/conventions"): Write(
        C.EDIT_CONVENTIONS, lambda t: {"organization_id": t.organization.pk, "title": "Convention"}
    ),
    ("patch", "/conventions/{convention_id}"): Write(
        C.EDIT_CONVENTIONS, lambda t: {"title": "Convention"}, lambda t: {"convention_id": t["draft_convention"].pk}
    ),
    ("post", "/conventions/{convention_id}/parties"): Write(
        C.EDIT_CONVENTIONS,
        lambda t: {"organization_id": t["coordinator"].pk},
        lambda t: {"convention_id": t["draft_convention"].pk},
    ),
    ("post", "/conventions/{convention_id}/beneficiaries"): Write(C.EDIT_CONVENTIONS, lambda t: {"beneficiaries": []}),
    ("post", "/conventions/{convention_id}/clauses"): Write(
        C.EDIT_CONVENTIONS,
        lambda t: {"title": "Article", "body": "Texte."},
        lambda t: {"convention_id": t["draft_convention"].pk},
    ),
    ("post", "/conventions/{convention_id}/obligations"): Write(
        C.EDIT_CONVENTIONS,
        lambda t: {"party_id": t["convention"].parties.first().pk, "description": "Rapport"},
    ),
    ("post", "/conventions/{convention_id}/transitions/{name}"): Write(C.EDIT_CONVENTIONS, lambda t: {"reason": "x"}),
    ("post", "/conventions/{convention_id}/signatures"): Write(
        C.EDIT_CONVENTIONS, lambda t: {"party_id": t["convention"].parties.first().pk, "signed_on": day()}
    ),
    ("post", "/conventions/{convention_id}/signatures/{party_id}/correction"): Write(
        C.EDIT_CONVENTIONS, lambda t: {"signed_on": day(-1), "reason": "Erreur"}
    ),
    ("post", "/conventions/{convention_id}/notification"): Write(C.EDIT_CONVENTIONS, lambda t: {"notified_on": day()}),
    ("post", "/conventions/{convention_id}/amendments"): Write(C.EDIT_CONVENTIONS, lambda t: {"title": "Avenant"}),
    ("post", "/amendments/{amendment_id}/signatures"): Write(
        C.EDIT_CONVENTIONS, lambda t: {"party_id": t["convention"].parties.first().pk, "signed_on": day()}
    ),
    ("post", "/amendments/{amendment_id}/{step}"): Write(C.EDIT_CONVENTIONS, lambda t: {}),
    ("post", "/conventions/{convention_id}/termination"): Write(
        C.EDIT_CONVENTIONS, lambda t: {"given_by_party_id": t["convention"].parties.first().pk}
    ),
    ("post", "/conventions/{convention_id}/termination/receipt"): Write(
        C.EDIT_CONVENTIONS, lambda t: {"received_on": day()}, _noticed
    ),
    ("post", "/evaluations/{evaluation_id}"): Write(
        C.FOLLOW_CONVENTIONS, lambda t: {"held_on": day(), "outcome": "positive"}
    ),
    # Comités and their meetings.
    ("post", "/committees"): Write(
        C.FOLLOW_CONVENTIONS, lambda t: {"name": "Comité", "convention_id": t["convention"].pk}
    ),
    ("post", "/committees/{committee_id}/members"): Write(C.FOLLOW_CONVENTIONS, lambda t: {"full_name": "Léa Roux"}),
    ("post", "/committees/{committee_id}/meetings"): Write(C.FOLLOW_CONVENTIONS, lambda t: {"date": day(30)}),
    ("post", "/meetings/{meeting_id}/convocation"): Write(
        C.FOLLOW_CONVENTIONS, lambda t: {"sent_on": day()}, lambda t: {"meeting_id": t["coming_meeting"].pk}
    ),
    ("post", "/meetings/{meeting_id}/minutes"): Write(C.FOLLOW_CONVENTIONS, lambda t: {"minutes": "Compte rendu"}),
    ("post", "/meetings/{meeting_id}/decisions"): Write(C.FOLLOW_CONVENTIONS, lambda t: {"text": "Décision"}),
    # Programmes.
    ("post", "/programmes"): Write(
        C.EDIT_CONVENTIONS, lambda t: {"organization_id": t.organization.pk, "name": "Programme"}
    ),
    ("patch", "/programmes/{programme_id}"): Write(C.EDIT_CONVENTIONS, lambda t: {"name": "Programme"}),
    ("put", "/programmes/{programme_id}/budgets/{year}"): Write(C.EDIT_CONVENTIONS, lambda t: {"amount": "1000"}),
    ("delete", "/programmes/{programme_id}/budgets/{year}"): Write(C.EDIT_CONVENTIONS),
    # Documents, templates, certificates.
    ("post", "/documents/{document_id}/sign"): Write(
        C.SIGN_DOCUMENTS, lambda t: {"certificate_id": t["certificate"].pk, "passphrase": "faux"}
    ),
    ("post", "/documents/{document_id}/scan"): Write(
        C.GENERATE_DOCUMENTS, lambda t: {"file": upload()}, multipart=True
    ),
    ("post", "/document-templates"): Write(
        C.MANAGE_TEMPLATES,
        lambda t: {
            "organization_id": t.organization.pk,
            "kind": "convention",
            "format": "html",
            "file": upload("modele.html", b"<p>{{ convention.title }}</p>"),
        },
        multipart=True,
    ),
    ("post", "/signing-certificates"): Write(
        C.SIGN_DOCUMENTS,
        lambda t: {"organization_id": t.organization.pk, "passphrase": "faux", "file": upload("c.p12", b"x")},
        multipart=True,
    ),
    ("post", "/signing-certificates/{certificate_id}/deactivate"): Write(C.SIGN_DOCUMENTS),
    ("post", "/trust-anchors"): Write(
        C.MANAGE_TEMPLATES,
        lambda t: {"organization_id": t.organization.pk, "file": upload("ca.pem", b"x")},
        multipart=True,
    ),
    ("post", "/trust-anchors/{anchor_id}/deactivate"): Write(C.MANAGE_TEMPLATES),
    # Deadlines.
    ("post", "/deadlines/{deadline_id}/handle"): Write(C.HANDLE_DEADLINES),
    ("post", "/deadlines/{deadline_id}/reopen"): Write(C.HANDLE_DEADLINES),
}
