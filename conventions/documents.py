"""Documents of the conventions app: plain-data contexts and their generation (PDF and DOCX)
through the documents app. Templates: templates/documents/<kind>.html and .docx."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils import timezone

from conventions import rules
from conventions.models import (
    Amendment,
    CommitteeMeeting,
    Convention,
    ConventionParty,
    RenewalMode,
    StartEvent,
    TerminationMode,
)
from conventions.services.clauses import clause_variables
from core.formatting import french_amount, french_date
from core.roles import Capability
from core.tenancy import require
from documents.context import organization_context
from documents.models import DocumentKind
from documents.services import generate_document
from reminders.selectors import holiday_subdivision_for


def _party(party: ConventionParty) -> dict[str, Any]:
    organization = party.organization
    signatory = party.signatory
    return {
        "name": organization.name,
        "designation": party.designation,
        "side": party.get_side_display(),
        "address": organization.address,
        "signatory_name": signatory.person.formal_name if signatory else "",
        "signatory_function": signatory.function if signatory else "",
        "signed_on": party.signed_on,
    }


def _terms(convention: Convention) -> dict[str, str]:
    start = {
        StartEvent.SIGNATURE: "à compter de la date de sa signature par la dernière des parties",
        StartEvent.NOTIFICATION: "à compter de sa notification au partenaire",
        StartEvent.FIXED_DATE: (
            f"à compter du {french_date(convention.fixed_start_date)}" if convention.fixed_start_date else ""
        ),
    }[StartEvent(convention.start_event)]
    duration = f"La présente convention est conclue pour une durée de {convention.duration_text} {start}."
    if convention.effective_date and convention.end_date:
        duration += (
            f" Elle prend effet le {french_date(convention.effective_date)} et couvre la période "
            f"jusqu'au {french_date(convention.end_date)} inclus."
        )
    renewal = {
        RenewalMode.NONE: "Elle n'est pas renouvelable tacitement.",
        RenewalMode.EXPRESS: "Son renouvellement fera l'objet d'une nouvelle convention.",
        RenewalMode.TACIT: (
            f"Elle est reconduite tacitement {convention.tacit_renewals_allowed} fois au plus, sauf dénonciation "
            f"{convention.renewal_notice.describe()} au moins avant son terme."
        ),
    }[RenewalMode(convention.renewal)]
    letter = " par lettre recommandée avec accusé de réception" if convention.termination_by_registered_letter else ""
    if convention.termination_mode == TerminationMode.ANY_TIME:
        termination = f"Elle peut être dénoncée à tout moment par chacune des parties{letter}."
    else:
        termination = (
            f"Elle peut être dénoncée par chacune des parties, avec un préavis de "
            f"{convention.termination_notice.describe()}{letter}."
        )
    withdrawal = ""
    if convention.data_withdrawal_value:
        withdrawal = (
            f"En cas de résiliation, un délai qui ne peut être inférieur à {convention.data_withdrawal.describe()} "
            "est laissé pour le retrait des dispositifs et données du partenaire."
        )
    return {
        "duration": duration,
        "renewal": renewal,
        "termination": termination,
        "data_withdrawal": withdrawal,
        "after_termination": convention.after_termination,
        "evaluation": "Elle est soumise à une évaluation annuelle entre les parties."
        if convention.annual_evaluation
        else "",
        "committee": "Un comité de suivi est institué." if convention.has_committee else "",
    }


def _signatures(parties: list[ConventionParty], place: str, day: date | None) -> list[dict[str, Any]]:
    return [
        {
            "function": f"{p.signatory.function} — {p.organization.name}" if p.signatory else p.organization.name,
            "name": p.signatory.person.full_name if p.signatory else "",
            "place": place,
            "date": p.signed_on or day,
        }
        for p in parties
    ]


def convention_context(convention: Convention) -> dict[str, Any]:
    """Everything the convention's text shows, as plain data."""
    parties = list(convention.parties.select_related("organization", "signatory__person").order_by("position"))
    variables = clause_variables(convention)
    approvals = [
        f"la délibération n° {d.number} du {french_date(d.sitting.starts_at) if d.sitting else ''}".strip()
        for d in convention.approving_deliberations.select_related("sitting")
    ]
    if convention.delegated_decision_reference and convention.delegated_decision_date:
        approvals.append(
            f"la décision n° {convention.delegated_decision_reference} du {french_date(convention.delegated_decision_date)}"
        )
    by_party: dict[int, list[dict[str, Any]]] = {}
    for o in convention.obligations.order_by("id"):
        by_party.setdefault(o.party_id, []).append(
            {
                "description": o.description,
                "recurrence": o.get_recurrence_display(),
                "due": o.first_due_date,
                "amount": french_amount(o.amount) if o.amount is not None else "",
            }
        )
    obligations: list[dict[str, Any]] = []
    for party in parties:
        items = by_party.get(party.pk, [])
        if items:
            obligations.append({"party": party.designation or party.organization.name, "items": items})
    return {
        "organization": organization_context(convention.organization),
        "title": convention.title,
        "reference": convention.reference,
        "date": convention.signed_on or timezone.localdate(),
        "object": convention.object,
        "kind": convention.get_kind_display(),
        "amount": french_amount(convention.amount) if convention.amount is not None else "",
        "parties": [_party(p) for p in parties],
        "approvals": approvals,
        "clauses": [
            {"number": c.position, "title": c.title, "text": rules.render_clause(c.body, variables, strict=False)}
            for c in convention.clauses.all()
        ],
        "obligations": obligations,
        "terms": _terms(convention),
        "perimeter": {
            "communes": ", ".join(convention.perimeter_communes),
            "postal_codes": ", ".join(convention.perimeter_postal_codes),
            "urls": list(convention.perimeter_urls),
        },
        "signatures": _signatures(parties, convention.organization.city_or_name, convention.signed_on),
    }


def _amendment_signatures(amendment: Amendment) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The parties as the avenant names them and their signature blocks: each party signs the
    avenant on its own day, possibly through another signatory than for the convention."""
    convention = amendment.convention
    signed = {s.party_id: s for s in amendment.signatures.select_related("signatory__person")}
    parties, signatures = [], []
    for party in convention.parties.select_related("organization", "signatory__person").order_by("position"):
        signature = signed.get(party.pk)
        signatory = (signature.signatory if signature else None) or party.signatory
        parties.append(
            {
                **_party(party),
                "signatory_name": signatory.person.formal_name if signatory else "",
                "signatory_function": signatory.function if signatory else "",
                "signed_on": signature.signed_on if signature else None,
            }
        )
        signatures.append(
            {
                "function": f"{signatory.function} — {party.organization.name}"
                if signatory
                else party.organization.name,
                "name": signatory.person.full_name if signatory else "",
                "place": convention.organization.city_or_name,
                "date": signature.signed_on if signature else None,
            }
        )
    return parties, signatures


def amendment_context(amendment: Amendment) -> dict[str, Any]:
    convention = amendment.convention
    base = convention_context(convention)
    parties, signatures = _amendment_signatures(amendment)
    effects = []
    if amendment.new_duration_months:
        effects.append(f"La durée de la convention est portée à {amendment.new_duration_months} mois.")
    if amendment.new_end_date:
        effects.append(
            f"La convention couvre désormais la période jusqu'au {french_date(amendment.new_end_date)} inclus."
        )
    if amendment.new_amount is not None:
        effects.append(f"Le montant est fixé à {french_amount(amendment.new_amount)}.")
    if amendment.new_clause_body.strip():
        target = (
            f"L'article {amendment.clause.position} ({amendment.clause.title}) est remplacé par les dispositions suivantes :"
            if amendment.clause
            else f"Il est ajouté un article « {amendment.new_clause_title} » ainsi rédigé :"
        )
        effects.append(target)
        effects.append(rules.render_clause(amendment.new_clause_body, clause_variables(convention), strict=False))
    effects.append("Les autres stipulations de la convention demeurent inchangées.")
    return {
        **base,
        "title": f"Avenant n° {amendment.number} à la convention « {convention.title} »",
        "number": amendment.number,
        "amendment_title": amendment.title,
        "amendment_object": amendment.object,
        "convention_title": convention.title,
        "convention_reference": convention.reference,
        "convention_signed_on": convention.signed_on,
        "effects": effects,
        "date": amendment.signed_on or timezone.localdate(),
        "parties": parties,
        "signatures": signatures,
    }


def termination_context(convention: Convention) -> dict[str, Any]:
    notice = convention.termination_notice_record
    parties = list(convention.parties.select_related("organization", "signatory__person").order_by("position"))
    sender = notice.given_by or next(p for p in parties if p.organization_id == convention.organization_id)
    recipients = [_party(p) for p in parties if p.pk != sender.pk]
    notice_text = (
        "à tout moment"
        if convention.termination_mode == TerminationMode.ANY_TIME
        else f"avec un préavis de {convention.termination_notice.describe()}"
    )
    return {
        "organization": organization_context(convention.organization),
        "title": "Dénonciation de la convention",
        "reference": convention.reference,
        "date": notice.sent_on or timezone.localdate(),
        "sender": _party(sender),
        "recipients": recipients,
        "convention_title": convention.title,
        "convention_signed_on": convention.signed_on,
        "registered_letter_number": notice.registered_letter_number,
        "notice_text": notice_text,
        "reason": notice.reason,
        "received_on": notice.received_on,
        "effective_date": notice.effective_date,
        "data_withdrawal_end": notice.data_withdrawal_end,
        "committee": bool(notice.committee_decision_id),
        "signatures": _signatures([sender], convention.organization.city_or_name, notice.sent_on),
    }


def _meeting_base(meeting: CommitteeMeeting) -> dict[str, Any]:
    committee = meeting.committee
    deadline = rules.committee_convocation_deadline(
        meeting.date, committee.convocation_working_days, holiday_subdivision_for(committee.organization)
    )
    return {
        "organization": organization_context(committee.organization),
        "committee": committee.name,
        "reference": committee.convention.reference if committee.convention is not None else str(committee.programme),
        "meeting_date": meeting.date,
        "meeting_time": meeting.starts_at.strftime("%H h %M") if meeting.starts_at else "",
        "location": meeting.location,
        "agenda": [line.strip() for line in meeting.agenda.splitlines() if line.strip()],
        "members": [
            {"name": m.full_name, "role": m.role, "organization": m.organization.name if m.organization else ""}
            for m in committee.members.select_related("organization")
        ],
        "convocation_sent_on": meeting.convocation_sent_on,
        "convocation_deadline": deadline,
        "working_days": committee.convocation_working_days,
        "urgency": meeting.urgency,
        "urgency_reason": meeting.urgency_reason,
    }


def committee_convocation_context(meeting: CommitteeMeeting) -> dict[str, Any]:
    return {
        **_meeting_base(meeting),
        "title": f"Convocation du {meeting.committee.name}",
        "date": meeting.convocation_sent_on or timezone.localdate(),
        "signatures": [],
    }


def committee_minutes_context(meeting: CommitteeMeeting) -> dict[str, Any]:
    attendance = list(meeting.attendance.select_related("member"))
    return {
        **_meeting_base(meeting),
        "title": f"Compte rendu du {meeting.committee.name}",
        "date": meeting.date,
        "present": [a.member.full_name for a in attendance if a.present],
        "absent": [a.member.full_name for a in attendance if not a.present],
        "minutes": [p.strip() for p in meeting.minutes.split("\n\n") if p.strip()],
        "decisions": [
            {"text": d.text, "kind": d.get_kind_display(), "convention": d.convention.reference if d.convention else ""}
            for d in meeting.decisions.select_related("convention")
        ],
        "signatures": [],
    }


def generate_convention(*, convention: Convention, user: Any) -> list[Any]:
    require(user, convention.organization_id, Capability.GENERATE_DOCUMENTS)
    return generate_document(
        kind=DocumentKind.CONVENTION,
        organization=convention.organization,
        context=convention_context(convention),
        owner=convention,
        user=user,
        title=f"Convention {convention.reference}",
    )


def generate_termination_letter(*, convention: Convention, user: Any) -> list[Any]:
    require(user, convention.organization_id, Capability.GENERATE_DOCUMENTS)
    return generate_document(
        kind=DocumentKind.TERMINATION_LETTER,
        organization=convention.organization,
        context=termination_context(convention),
        owner=convention,
        user=user,
        title=f"Lettre de dénonciation {convention.reference}",
    )


def generate_amendment(*, amendment: Amendment, user: Any) -> list[Any]:
    require(user, amendment.convention.organization_id, Capability.GENERATE_DOCUMENTS)
    return generate_document(
        kind=DocumentKind.AMENDMENT,
        organization=amendment.convention.organization,
        context=amendment_context(amendment),
        owner=amendment,
        user=user,
        title=f"Avenant n° {amendment.number} — {amendment.convention.reference}",
    )


def generate_meeting(*, meeting: CommitteeMeeting, user: Any) -> list[Any]:
    require(user, meeting.committee.organization_id, Capability.GENERATE_DOCUMENTS)
    organization = meeting.committee.organization
    documents = generate_document(
        kind=DocumentKind.COMMITTEE_CONVOCATION,
        organization=organization,
        context=committee_convocation_context(meeting),
        owner=meeting,
        user=user,
        title=f"Convocation — {meeting.committee.name} — {french_date(meeting.date)}",
    )
    if meeting.minutes:
        documents += generate_document(
            kind=DocumentKind.COMMITTEE_MINUTES,
            organization=organization,
            context=committee_minutes_context(meeting),
            owner=meeting,
            user=user,
            title=f"Compte rendu — {meeting.committee.name} — {french_date(meeting.date)}",
        )
    return documents
