"""The dates of a convention and of its comité meetings, handed to the reminders app.

Each service that changes one of these dates calls :func:`sync_convention` or
:func:`sync_meeting` in its own transaction, so deadlines move at once.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from django.utils import timezone

from conventions import rules
from conventions.models import CommitteeMeeting, Convention, ConventionStatus, MeetingStatus, RenewalMode
from conventions.models.conventions import LIVE_STATES, PREPARATION_STATES
from core.formatting import french_date
from reminders.deadlines import DeadlineSpec
from reminders.models import DeadlineKind
from reminders.selectors import holiday_subdivision_for, settings_for
from reminders.services import clear_deadlines, sync_deadlines


def _main_partner(convention: Convention) -> str:
    """The first party after the convention's owner, by its short name: "FLAG !", "HeHop"."""
    for party in convention.parties.all():  # in their order (ConventionParty.Meta.ordering)
        if party.organization_id != convention.organization_id:
            return party.organization.short_name or party.organization.name
    return ""


def _label(convention: Convention) -> str:
    """What a deadline is about, so that two conventions' deadlines never read the same:
    "convention FLAG-2024 avec FLAG !"."""
    partner = _main_partner(convention)
    return f"convention {convention.reference}" + (f" avec {partner}" if partner else "")


def _excerpt(text: str, limit: int = 120) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def convention_specs(convention: Convention, *, lead_months: int, subdivision: str | None) -> list[DeadlineSpec]:
    """Every dated thing to watch on a convention, as deadline specifications."""
    recipients = tuple(
        sorted({u for u in [convention.manager_id, *(f.pk for f in convention.followers.all())] if u is not None})
    )
    url = convention.get_absolute_url()
    label = _label(convention)
    specs: list[DeadlineSpec] = []

    def add(key: str, kind: str, due: date, title: str, action: str = "") -> None:
        specs.append(
            DeadlineSpec(
                key=key, kind=kind, due_date=due, title=title, url=url, action=action, recipient_ids=recipients
            )
        )

    status = convention.status
    notice = getattr(convention, "termination_notice_record", None)
    live = status in LIVE_STATES
    if live and convention.end_date:
        add("end", DeadlineKind.CONVENTION_END, convention.end_date, f"Fin de la {label}")
        if status != ConventionStatus.TERMINATION_NOTIFIED:
            if convention.renewal != RenewalMode.TACIT or (
                convention.tacit_renewals_done >= convention.tacit_renewals_allowed
            ):
                add(
                    "renewal-decision",
                    DeadlineKind.RENEWAL_DECISION,
                    rules.renewal_decision_date(convention.end_date, lead_months),
                    f"Décider du renouvellement de la {label}",
                    "Préparer une nouvelle délibération et une nouvelle convention, ou laisser la convention expirer.",
                )
            else:
                add(
                    "notice-last-day",
                    DeadlineKind.NOTICE_LAST_DAY,
                    rules.tacit_renewal_notice_last_day(convention.end_date, convention.renewal_notice, subdivision),
                    f"Dernier jour pour dénoncer avant la reconduction tacite de la {label}",
                    f"Sans dénonciation (préavis de {convention.renewal_notice.describe()}), la convention sera "
                    f"reconduite le {french_date(convention.end_date + timedelta(days=1))}.",
                )
    if live and status != ConventionStatus.TERMINATION_NOTIFIED:
        for evaluation in convention.evaluations.all():
            if evaluation.held_on is None:
                add(
                    f"evaluation-{evaluation.number}",
                    DeadlineKind.EVALUATION,
                    evaluation.due_date,
                    f"Évaluation annuelle n° {evaluation.number} de la {label}",
                    "Réunir les partenaires et consigner le bilan de l'année.",
                )
    if live or status in PREPARATION_STATES:
        for obligation in convention.obligations.all():
            occurrences = rules.obligation_due_dates(
                obligation.first_due_date, obligation.recurrence, convention.end_date
            )
            for index, due in enumerate(occurrences, start=1):
                if obligation.fulfilled_on and due <= obligation.fulfilled_on:
                    continue
                if obligation.fulfilled_on and obligation.recurrence == "once":
                    continue
                add(
                    f"obligation-{obligation.pk}-{index}",
                    DeadlineKind.OBLIGATION_DUE,
                    due,
                    f"Engagement de {obligation.party.organization.short_name or obligation.party.organization.name} "
                    f"({label}) : {_excerpt(obligation.description)}",
                )
    if notice is not None and status in (ConventionStatus.TERMINATION_NOTIFIED, ConventionStatus.TERMINATED):
        if notice.effective_date and status == ConventionStatus.TERMINATION_NOTIFIED:
            add(
                "termination-effective",
                DeadlineKind.TERMINATION_EFFECTIVE,
                notice.effective_date,
                f"Résiliation effective de la {label}",
            )
        if notice.data_withdrawal_end:
            add(
                "data-withdrawal-end",
                DeadlineKind.DATA_WITHDRAWAL_END,
                notice.data_withdrawal_end,
                f"Fin du délai de retrait des données du partenaire ({label})",
                "Vérifier que le partenaire a retiré ses dispositifs et données.",
            )
    return specs


def sync_convention(convention: Convention) -> None:
    """Replace the convention's deadlines by those its current dates call for."""
    specs = convention_specs(
        convention,
        lead_months=settings_for(convention.organization_id).renewal_lead_months,
        subdivision=holiday_subdivision_for(convention.organization),
    )
    if specs:
        sync_deadlines(source=convention, organization_id=convention.organization_id, specs=specs)
    else:
        clear_deadlines(source=convention)


def meeting_specs(meeting: CommitteeMeeting, *, subdivision: str | None, recipient_ids: tuple[int, ...]) -> list[Any]:
    committee = meeting.committee
    if meeting.status in (MeetingStatus.CANCELLED, MeetingStatus.HELD):
        return []
    url = meeting.get_absolute_url()
    starts_at = None
    if meeting.starts_at:
        starts_at = timezone.make_aware(datetime.combine(meeting.date, meeting.starts_at))
    specs = [
        DeadlineSpec(
            key="meeting",
            kind=DeadlineKind.COMMITTEE_MEETING,
            due_date=meeting.date,
            title=f"Réunion du {committee.name}",
            url=url,
            recipient_ids=recipient_ids,
            starts_at=starts_at,
            location=meeting.location,
        )
    ]
    if meeting.status == MeetingStatus.PLANNED:
        latest = rules.committee_convocation_deadline(meeting.date, committee.convocation_working_days, subdivision)
        specs.append(
            DeadlineSpec(
                key="convocation",
                kind=DeadlineKind.COMMITTEE_CONVOCATION,
                due_date=latest,
                title=f"Convoquer le {committee.name} (réunion du {french_date(meeting.date)})",
                url=url,
                action=f"{committee.convocation_working_days} jours ouvrés au moins avant la réunion, sauf urgence.",
                recipient_ids=recipient_ids,
            )
        )
    return specs


def committee_recipients(meeting: CommitteeMeeting) -> tuple[int, ...]:
    committee = meeting.committee
    conventions = (
        [committee.convention] if committee.convention_id else list(committee.programme.conventions.all())  # type: ignore[union-attr, misc]
    )
    ids: set[int] = set()
    for convention in conventions:
        if convention is None:
            continue
        if convention.manager_id:
            ids.add(convention.manager_id)
        ids.update(convention.followers.values_list("pk", flat=True))
    return tuple(sorted(ids))


def sync_meeting(meeting: CommitteeMeeting) -> None:
    committee = meeting.committee
    specs = meeting_specs(
        meeting,
        subdivision=holiday_subdivision_for(committee.organization),
        recipient_ids=committee_recipients(meeting),
    )
    if specs:
        sync_deadlines(source=meeting, organization_id=committee.organization_id, specs=specs)
    else:
        clear_deadlines(source=meeting)
