"""Monitoring committees: their members, meetings, convocations, minutes and decisions."""

import datetime as dt
from datetime import date, time

from django.http import HttpRequest
from ninja import Field, Schema, Status

from conventions import rules, selectors, services
from conventions.api._common import Router, programme_of
from conventions.models import CommitteeDecision, CommitteeMeeting, CommitteeMember, MonitoringCommittee
from core.api_inputs import LocalTime, StrictInput
from parties.selectors import organization_for
from reminders.selectors import holiday_subdivision_for

router = Router()


class CommitteeIn(StrictInput):
    django_model = MonitoringCommittee
    name: str
    convention_id: int | None = None
    programme_id: int | None = None
    convocation_working_days: int = Field(15, ge=0)
    description: str = ""


class CommitteeOut(Schema):
    id: int
    name: str
    convention_id: int | None
    programme_id: int | None
    convocation_working_days: int


class CommitteeMemberIn(StrictInput):
    django_model = CommitteeMember
    full_name: str
    organization_id: int | None = None
    role: str = ""
    email: str = ""


class CommitteeMemberOut(Schema):
    id: int
    full_name: str
    organization_id: int | None
    role: str


class MeetingIn(StrictInput):
    django_model = CommitteeMeeting
    date: dt.date
    starts_at: time | None = None
    location: str = ""
    agenda: str = ""


class MeetingOut(Schema):
    id: int
    committee_id: int
    date: dt.date
    starts_at: LocalTime | None
    location: str
    status: str
    convocation_sent_on: dt.date | None
    convocation_deadline: dt.date
    urgency: bool
    agenda: str
    minutes: str

    @staticmethod
    def resolve_convocation_deadline(obj: CommitteeMeeting) -> dt.date:
        return rules.committee_convocation_deadline(
            obj.date, obj.committee.convocation_working_days, holiday_subdivision_for(obj.committee.organization)
        )


class ConvocationIn(StrictInput):
    django_model = CommitteeMeeting
    sent_on: date
    urgency: bool = False
    urgency_reason: str = ""
    agenda: str | None = None


class MinutesIn(StrictInput):
    django_model = CommitteeMeeting
    present_member_ids: list[int] = []
    minutes: str = ""


class DecisionIn(StrictInput):
    django_model = CommitteeDecision
    text: str
    kind: str = "general"
    convention_id: int | None = None


class DecisionOut(Schema):
    id: int
    kind: str
    text: str
    convention_id: int | None


@router.post("/committees", response={201: CommitteeOut}, summary="Créer un comité de suivi")
def create_committee(request: HttpRequest, payload: CommitteeIn) -> Status[MonitoringCommittee]:
    convention = selectors.convention_for(request.user, payload.convention_id) if payload.convention_id else None
    programme = programme_of(request, payload.programme_id)
    return Status(
        201,
        services.create_committee(
            user=request.user,
            name=payload.name,
            convention=convention,
            programme=programme,
            convocation_working_days=payload.convocation_working_days,
            description=payload.description,
        ),
    )


@router.post("/committees/{committee_id}/members", response={201: CommitteeMemberOut})
def add_member(request: HttpRequest, committee_id: int, payload: CommitteeMemberIn) -> Status[CommitteeMember]:
    committee = selectors.committee_for(request.user, committee_id)
    organization = organization_for(request.user, payload.organization_id) if payload.organization_id else None
    return Status(
        201,
        services.add_member(
            user=request.user,
            committee=committee,
            full_name=payload.full_name,
            organization=organization,
            role=payload.role,
            email=payload.email,
        ),
    )


@router.post("/committees/{committee_id}/meetings", response={201: MeetingOut})
def plan_meeting(request: HttpRequest, committee_id: int, payload: MeetingIn) -> Status[CommitteeMeeting]:
    committee = selectors.committee_for(request.user, committee_id)
    meeting = services.plan_meeting(
        user=request.user,
        committee=committee,
        meeting_date=payload.date,
        starts_at=payload.starts_at,
        location=payload.location,
        agenda=payload.agenda,
    )
    return Status(201, selectors.meeting_for(request.user, meeting.pk))


@router.get("/meetings/{meeting_id}", response=MeetingOut)
def get_meeting(request: HttpRequest, meeting_id: int) -> CommitteeMeeting:
    return selectors.meeting_for(request.user, meeting_id)


@router.post("/meetings/{meeting_id}/convocation", response=MeetingOut, summary="Convoquer le comité")
def convene(request: HttpRequest, meeting_id: int, payload: ConvocationIn) -> CommitteeMeeting:
    meeting = selectors.meeting_for(request.user, meeting_id)
    services.convene_meeting(
        user=request.user,
        meeting=meeting,
        sent_on=payload.sent_on,
        urgency=payload.urgency,
        urgency_reason=payload.urgency_reason,
        agenda=payload.agenda,
    )
    return selectors.meeting_for(request.user, meeting_id)


@router.post("/meetings/{meeting_id}/minutes", response=MeetingOut, summary="Présences et compte rendu")
def minutes(request: HttpRequest, meeting_id: int, payload: MinutesIn) -> CommitteeMeeting:
    meeting = selectors.meeting_for(request.user, meeting_id)
    services.record_meeting(
        user=request.user, meeting=meeting, present_member_ids=payload.present_member_ids, minutes=payload.minutes
    )
    return selectors.meeting_for(request.user, meeting_id)


@router.post("/meetings/{meeting_id}/decisions", response={201: DecisionOut})
def decide(request: HttpRequest, meeting_id: int, payload: DecisionIn) -> Status[CommitteeDecision]:
    meeting = selectors.meeting_for(request.user, meeting_id)
    convention = selectors.convention_for(request.user, payload.convention_id) if payload.convention_id else None
    return Status(
        201,
        services.record_decision(
            user=request.user, meeting=meeting, text=payload.text, kind=payload.kind, convention=convention
        ),
    )
