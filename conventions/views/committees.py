"""The pages of the comités de suivi and their meetings."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from conventions import documents, forms, rules, selectors, services
from conventions.models import MeetingStatus
from conventions.views._common import error_text, valid
from core import tenancy
from core.errors import DomainError
from core.roles import Capability
from reminders.selectors import holiday_subdivision_for


@login_required
@require_safe
def committee_detail(request: HttpRequest, pk: int) -> HttpResponse:
    committee = selectors.committee_for(request.user, pk)
    return render(
        request,
        "pages/conventions/committee_detail.jinja",
        {
            "committee": committee,
            "can_follow": tenancy.can(request.user, committee.organization_id, Capability.FOLLOW_CONVENTIONS),
            "member_form": forms.MemberForm(),
            "meeting_form": forms.MeetingForm(),
        },
        using="pages",
    )


# What each action needs, checked before its form is read.
COMMITTEE_CAPABILITIES: dict[str, Capability] = {
    "member": Capability.FOLLOW_CONVENTIONS,
    "meeting": Capability.FOLLOW_CONVENTIONS,
}
MEETING_CAPABILITIES: dict[str, Capability] = {
    "convene": Capability.FOLLOW_CONVENTIONS,
    "minutes": Capability.FOLLOW_CONVENTIONS,
    "decision": Capability.FOLLOW_CONVENTIONS,
    "cancel": Capability.FOLLOW_CONVENTIONS,
    "documents": Capability.GENERATE_DOCUMENTS,
}


@login_required
@require_POST
def committee_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    committee = selectors.committee_for(request.user, pk)
    if action in COMMITTEE_CAPABILITIES:
        tenancy.require(request.user, committee.organization_id, COMMITTEE_CAPABILITIES[action])
    try:
        if action == "member":
            data = valid(forms.MemberForm(request.POST))
            services.add_member(user=request.user, committee=committee, **data)
        elif action == "meeting":
            data = valid(forms.MeetingForm(request.POST))
            meeting = services.plan_meeting(
                user=request.user,
                committee=committee,
                meeting_date=data["date"],
                starts_at=data["starts_at"],
                location=data["location"],
                agenda=data["agenda"],
            )
            messages.success(request, _("La réunion est prévue."))
            return redirect(meeting)
        else:
            raise DomainError(_("Action inconnue."), rule=_("Saisie"))
    except DomainError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("Le comité est mis à jour."))
    return redirect(committee)


@login_required
@require_safe
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = selectors.meeting_for(request.user, pk)
    committee = meeting.committee
    minutes_form = forms.MinutesForm()
    minutes_form.fields["present"].choices = [(m.pk, m.full_name) for m in committee.members.all()]  # type: ignore[attr-defined]
    decision_form = forms.DecisionForm()
    decision_form.fields["convention"].choices = [("", "—")] + [  # type: ignore[attr-defined]
        (c.pk, str(c)) for c in services.committee_conventions(committee)
    ]
    deadline = rules.committee_convocation_deadline(
        meeting.date, committee.convocation_working_days, holiday_subdivision_for(committee.organization)
    )
    return render(
        request,
        "pages/conventions/meeting_detail.jinja",
        {
            "meeting": meeting,
            "committee": committee,
            "convocation_deadline": deadline,
            "can_follow": tenancy.can(request.user, committee.organization_id, Capability.FOLLOW_CONVENTIONS),
            "convocation_form": forms.ConvocationForm(initial={"sent_on": min(deadline, timezone.localdate())}),
            "minutes_form": minutes_form,
            "decision_form": decision_form,
            "MeetingStatus": MeetingStatus,
        },
        using="pages",
    )


@login_required
@require_POST
def meeting_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    meeting = selectors.meeting_for(request.user, pk)
    committee = meeting.committee
    user = request.user
    if action in MEETING_CAPABILITIES:
        tenancy.require(user, committee.organization_id, MEETING_CAPABILITIES[action])
    try:
        if action == "convene":
            data = valid(forms.ConvocationForm(request.POST))
            services.convene_meeting(user=user, meeting=meeting, **data)
        elif action == "minutes":
            form: Any = forms.MinutesForm(request.POST)
            form.fields["present"].choices = [(m.pk, m.full_name) for m in committee.members.all()]
            data = valid(form)
            services.record_meeting(
                user=user, meeting=meeting, present_member_ids=data["present"], minutes=data["minutes"]
            )
        elif action == "decision":
            form = forms.DecisionForm(request.POST)
            conventions = {c.pk: c for c in services.committee_conventions(committee)}
            form.fields["convention"].choices = [("", "—")] + [(k, str(c)) for k, c in conventions.items()]
            data = valid(form)
            services.record_decision(
                user=user,
                meeting=meeting,
                text=data["text"],
                kind=data["kind"],
                convention=conventions.get(data["convention"]) if data["convention"] else None,
            )
        elif action == "cancel":
            services.cancel_meeting(user=user, meeting=meeting, reason=request.POST.get("reason", ""))
        elif action == "documents":
            documents.generate_meeting(meeting=meeting, user=user)
        else:
            raise DomainError(_("Action inconnue."), rule=_("Saisie"))
    except DomainError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("La réunion est mise à jour."))
    return redirect(meeting)
