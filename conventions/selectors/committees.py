"""Comités de suivi and their meetings, scoped to the user's organizations."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from conventions.models import CommitteeMeeting, MonitoringCommittee
from conventions.selectors._common import not_found
from core import tenancy


def committees_for(user: Any) -> QuerySet[MonitoringCommittee]:
    return MonitoringCommittee.objects.visible_to(tenancy.organization_ids(user)).select_related(
        "organization", "convention", "programme"
    )


def committee_for(user: Any, pk: int) -> MonitoringCommittee:
    """A comité of the user's organizations with its members and meetings, or 404."""
    try:
        return committees_for(user).prefetch_related("members__organization", "meetings").get(pk=pk)
    except MonitoringCommittee.DoesNotExist as exc:
        raise not_found("comité") from exc


def meeting_for(user: Any, pk: int) -> CommitteeMeeting:
    """A meeting of a comité of the user's organizations, with its attendance, decisions and
    the comité's members, or 404."""
    try:
        return (
            CommitteeMeeting.objects.filter(committee__organization_id__in=tenancy.organization_ids(user))
            .select_related("committee__organization", "committee__convention", "committee__programme")
            .prefetch_related("attendance__member", "decisions__convention", "committee__members")
            .get(pk=pk)
        )
    except CommitteeMeeting.DoesNotExist as exc:
        raise not_found("réunion") from exc
