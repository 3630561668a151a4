"""Comités de suivi, and the clause library."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, time
from typing import Any

from django.db import transaction

from conventions import deadlines, rules
from conventions.models import (
    ClauseTemplate,
    CommitteeDecision,
    CommitteeMeeting,
    CommitteeMember,
    Convention,
    DecisionKind,
    MeetingAttendance,
    MeetingStatus,
    MonitoringCommittee,
    Programme,
)
from conventions.services._common import lock, save
from conventions.services.termination import give_notice
from core import tenancy
from core.errors import DomainError
from core.formatting import french_date
from core.roles import Capability
from parties.models import Organization
from reminders.selectors import holiday_subdivision_for

COMMITTEE = "Comité de suivi"


def _require_follow(user: Any, organization_id: int) -> None:
    tenancy.require(user, organization_id, Capability.FOLLOW_CONVENTIONS)


# --- Committees ------------------------------------------------------------------------


@transaction.atomic
def create_committee(
    *,
    user: Any,
    name: str,
    convention: Convention | None = None,
    programme: Programme | None = None,
    convocation_working_days: int = 15,
    description: str = "",
) -> MonitoringCommittee:
    """A comité attached to one convention, or to a programme gathering several conventions."""
    if (convention is None) == (programme is None):
        raise DomainError(
            "Un comité de suivi est rattaché soit à une convention, soit à un programme.",
            rule=COMMITTEE,
            field="convention",
        )
    owner = convention or programme
    organization_id = owner.organization_id  # type: ignore[union-attr]
    _require_follow(user, organization_id)
    if not name.strip():
        raise DomainError("Le nom du comité est obligatoire.", rule=COMMITTEE, field="name")
    if convocation_working_days < 0:
        raise DomainError("Le délai de convocation ne peut pas être négatif.", rule=COMMITTEE)
    committee = MonitoringCommittee(
        organization_id=organization_id,
        name=name.strip(),
        convention=convention,
        programme=programme,
        convocation_working_days=convocation_working_days,
        description=description,
    )
    save(committee, user=user, reason="Création du comité de suivi")
    return committee


@transaction.atomic
def add_member(
    *,
    user: Any,
    committee: MonitoringCommittee,
    full_name: str,
    organization: Organization | None = None,
    role: str = "",
    email: str = "",
) -> CommitteeMember:
    _require_follow(user, committee.organization_id)
    if not full_name.strip():
        raise DomainError("Le nom du membre est obligatoire.", rule=COMMITTEE, field="full_name")
    if committee.members.filter(full_name=full_name.strip()).exists():
        raise DomainError(f"{full_name} est déjà membre du comité.", rule=COMMITTEE, field="full_name")
    if (
        organization is not None
        and not Organization.objects.visible_to([committee.organization_id]).filter(pk=organization.pk).exists()
    ):
        raise DomainError("Organisation inconnue de votre collectivité.", rule=COMMITTEE, field="organization")
    member = CommitteeMember(
        committee=committee, full_name=full_name.strip(), organization=organization, role=role.strip(), email=email
    )
    save(member, user=user, reason="Nouveau membre du comité")
    return member


@transaction.atomic
def plan_meeting(
    *,
    user: Any,
    committee: MonitoringCommittee,
    meeting_date: date,
    starts_at: time | None = None,
    location: str = "",
    agenda: str = "",
) -> CommitteeMeeting:
    """Plan a meeting; its convocation deadline (N jours ouvrés before) becomes a deadline."""
    _require_follow(user, committee.organization_id)
    meeting = CommitteeMeeting(
        committee=committee, date=meeting_date, starts_at=starts_at, location=location.strip(), agenda=agenda
    )
    save(meeting, user=user, reason=f"Réunion prévue le {french_date(meeting_date)}")
    deadlines.sync_meeting(meeting)
    return meeting


@transaction.atomic
def convene_meeting(
    *,
    user: Any,
    meeting: CommitteeMeeting,
    sent_on: date,
    urgency: bool = False,
    urgency_reason: str = "",
    agenda: str | None = None,
) -> CommitteeMeeting:
    """Send the convocation, at least N jours ouvrés before the meeting (neither day counted,
    French public holidays excluded, Alsace-Moselle where relevant) unless urgency."""
    locked = lock(meeting)
    committee = locked.committee
    _require_follow(user, committee.organization_id)
    if locked.status not in (MeetingStatus.PLANNED, MeetingStatus.CONVENED):
        raise DomainError(
            f"La réunion est « {locked.get_status_display()} » : elle ne se convoque plus.", rule=COMMITTEE
        )
    if urgency and not urgency_reason.strip():
        raise DomainError("Indiquez le motif de l'urgence.", rule=rules.COMMITTEE_RULE, field="urgency_reason")
    rules.check_committee_convocation(
        sent_on=sent_on,
        meeting=locked.date,
        working_days=committee.convocation_working_days,
        urgency=urgency,
        subdivision=holiday_subdivision_for(committee.organization),
    )
    if agenda is not None:
        locked.agenda = agenda
    if not locked.agenda.strip():
        raise DomainError("La convocation porte un ordre du jour.", rule=COMMITTEE, field="agenda")
    locked.convocation_sent_on, locked.urgency, locked.urgency_reason = sent_on, urgency, urgency_reason.strip()
    locked.status = MeetingStatus.CONVENED
    save(
        locked,
        user=user,
        reason=f"Convocation envoyée le {french_date(sent_on)}" + (f" (urgence : {urgency_reason})" if urgency else ""),
    )
    deadlines.sync_meeting(locked)
    return locked


@transaction.atomic
def record_meeting(
    *, user: Any, meeting: CommitteeMeeting, present_member_ids: Iterable[int], minutes: str
) -> CommitteeMeeting:
    """The meeting was held: attendance and minutes."""
    locked = lock(meeting)
    committee = locked.committee
    _require_follow(user, committee.organization_id)
    if locked.status != MeetingStatus.CONVENED:
        raise DomainError(
            "Une réunion se tient après sa convocation.", rule=rules.COMMITTEE_RULE, field="convocation_sent_on"
        )
    present = set(present_member_ids)
    members = list(committee.members.all())
    unknown = present - {m.pk for m in members}
    if unknown:
        raise DomainError("Des personnes présentes ne sont pas membres du comité.", rule=COMMITTEE, field="present")
    MeetingAttendance.objects.filter(meeting=locked).delete()
    MeetingAttendance.objects.bulk_create(
        [MeetingAttendance(meeting=locked, member=m, present=m.pk in present) for m in members]
    )
    locked.minutes = minutes
    locked.status = MeetingStatus.HELD
    save(locked, user=user, reason="Réunion tenue, compte rendu enregistré")
    deadlines.sync_meeting(locked)
    return locked


@transaction.atomic
def cancel_meeting(*, user: Any, meeting: CommitteeMeeting, reason: str = "") -> CommitteeMeeting:
    locked = lock(meeting)
    _require_follow(user, locked.committee.organization_id)
    if locked.status == MeetingStatus.HELD:
        raise DomainError("Une réunion tenue ne s'annule pas.", rule=COMMITTEE)
    locked.status = MeetingStatus.CANCELLED
    save(locked, user=user, reason=f"Réunion annulée {reason}".strip())
    deadlines.sync_meeting(locked)
    return locked


def committee_conventions(committee: MonitoringCommittee) -> list[Convention]:
    """The conventions a comité follows: its own, or its programme's (its organization's only)."""
    if committee.convention_id:
        return [committee.convention]  # type: ignore[list-item]
    if committee.programme_id is None:
        return []
    return list(
        Convention.objects.filter(programme=committee.programme, organization_id=committee.organization_id).order_by(
            "-created_at", "-id"
        )
    )


@transaction.atomic
def record_decision(
    *,
    user: Any,
    meeting: CommitteeMeeting,
    text: str,
    kind: str = DecisionKind.GENERAL,
    convention: Convention | None = None,
    today: date | None = None,
) -> CommitteeDecision:
    """A decision of a held meeting. Deciding a partner's withdrawal starts the termination of
    its convention (DDD art. 4.2: "est mise en œuvre la procédure de résiliation prévue à l'article 6")."""
    locked = lock(meeting)
    committee = locked.committee
    _require_follow(user, committee.organization_id)
    if locked.status != MeetingStatus.HELD:
        raise DomainError("Les décisions se consignent une fois la réunion tenue.", rule=COMMITTEE)
    if not text.strip():
        raise DomainError("Rédigez la décision.", rule=COMMITTEE, field="text")
    if kind not in DecisionKind.values:
        raise DomainError(f"Nature de décision inconnue : « {kind} ».", rule=COMMITTEE, field="kind")
    if convention is not None and convention.pk not in {c.pk for c in committee_conventions(committee)}:
        raise DomainError("Cette convention ne relève pas de ce comité de suivi.", rule=COMMITTEE, field="convention")
    if kind == DecisionKind.WITHDRAW_PARTNER and convention is None:
        raise DomainError("Le retrait d'un partenaire désigne sa convention.", rule=COMMITTEE, field="convention")
    decision = CommitteeDecision(meeting=locked, kind=kind, text=text.strip(), convention=convention)
    save(decision, user=user, reason="Décision du comité")
    if kind == DecisionKind.WITHDRAW_PARTNER and convention is not None:
        give_notice(
            user=user,
            convention=convention,
            committee_decision=decision,
            reason=f"Décision du {committee.name} du {french_date(locked.date)} : {text.strip()}",
            today=today,
        )
    return decision


# --- Clause library ----------------------------------------------------------------------


@transaction.atomic
def save_clause_template(
    *,
    user: Any,
    organization: Organization,
    key: str,
    title: str,
    body: str,
    category: str = "",
    is_active: bool = True,
) -> ClauseTemplate:
    """Create or update a clause of the library; its variables must be plain names."""
    tenancy.require(user, organization.pk, Capability.EDIT_CONVENTIONS)
    rules.check_library_clause(body)
    if not key.strip() or not title.strip() or not body.strip():
        raise DomainError("Une clause a un code, un titre et un texte.", rule=rules.CLAUSE_RULE, field="body")
    template = ClauseTemplate.objects.select_for_update().filter(organization=organization, key=key.strip()).first()
    if template is None:
        template = ClauseTemplate(organization=organization, key=key.strip())
    template.title, template.body, template.category, template.is_active = title.strip(), body, category, is_active
    save(template, user=user, reason="Clause de la bibliothèque enregistrée")
    return template
