"""API: my deadlines, marking them handled, my notifications, my calendar feed."""

from datetime import date, datetime
from typing import Literal

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from ninja import Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate

from core.api_inputs import StrictInput
from reminders import selectors, services
from reminders.models import Deadline, DeadlineKind, Reminder

router = Router(tags=["Échéances et rappels"])

# The filters' closed lists: an unknown value is refused (422), not read as "no filter".
Scope = Literal["mine", "all"]
Period = Literal["", "overdue", "today", "week", "month", "upcoming"]


class DeadlineOut(Schema):
    id: int
    organization_id: int
    kind: str
    kind_label: str
    key: str
    due_date: date
    title: str
    url: str
    action: str
    starts_at: datetime | None
    ends_at: datetime | None
    location: str
    handled_at: datetime | None
    handled_by_id: int | None

    @staticmethod
    def resolve_kind_label(obj: Deadline) -> str:
        return str(obj.get_kind_display())


class NotificationOut(Schema):
    id: int
    deadline: DeadlineOut
    due_date: date
    occurrence: str
    when: str
    run_date: date
    email_status: str
    read_at: datetime | None

    @staticmethod
    def resolve_when(obj: Reminder) -> str:
        return obj.when_label


class CountsOut(Schema):
    overdue: int
    week: int
    month: int


class FeedOut(Schema):
    url: str | None
    created_at: datetime | None


class ReadIn(StrictInput):
    ids: list[int] | None = None


class ReadOut(Schema):
    marked: int


@router.get("/deadlines", response=list[DeadlineOut], summary="Mes échéances (ou celles de mes organisations)")
@paginate(PageNumberPagination, page_size=50)
def list_deadlines(
    request: HttpRequest,
    scope: Scope = "mine",
    period: Period = "",
    kind: DeadlineKind | None = None,
    status: Literal["open", "handled", "all"] = "open",
    organization_id: int | None = None,
    due_after: date | None = None,
    due_before: date | None = None,
    q: str = "",
) -> object:
    """``scope``: mine | all; ``period``: overdue | today | week | month | upcoming; ``status``: open | handled | all."""
    base = selectors.my_deadlines(request.user) if scope != "all" else selectors.deadlines_for(request.user)
    deadlines = selectors.filter_deadlines(
        base,
        today=timezone.localdate(),
        period=period,
        kind=kind or "",
        status=status,
        organization_id=organization_id,
        q=q,
        due_after=due_after,
        due_before=due_before,
    )
    # The API gives ids: no organization or user row is joined to each deadline.
    return deadlines.order_by("due_date", "pk").select_related(None)


@router.get("/deadlines/counts", response=CountsOut, summary="Mes échéances en retard, cette semaine, ce mois-ci")
def deadline_counts(request: HttpRequest, scope: Scope = "mine") -> dict[str, int]:
    base = selectors.my_deadlines(request.user) if scope != "all" else selectors.deadlines_for(request.user)
    return selectors.counts(base, timezone.localdate())


@router.get("/deadlines/{deadline_id}", response=DeadlineOut)
def get_deadline(request: HttpRequest, deadline_id: int) -> Deadline:
    return selectors.deadline_for(request.user, deadline_id)


@router.post("/deadlines/{deadline_id}/handle", response=DeadlineOut, summary="Marquer l'échéance traitée")
def handle_deadline(request: HttpRequest, deadline_id: int) -> Deadline:
    return services.mark_handled(user=request.user, deadline=selectors.deadline_for(request.user, deadline_id))


@router.post("/deadlines/{deadline_id}/reopen", response=DeadlineOut, summary="Rouvrir l'échéance")
def reopen_deadline(request: HttpRequest, deadline_id: int) -> Deadline:
    return services.reopen(user=request.user, deadline=selectors.deadline_for(request.user, deadline_id))


@router.get("/notifications", response=list[NotificationOut], summary="Mes notifications")
@paginate(PageNumberPagination, page_size=50)
def list_notifications(request: HttpRequest, unread: bool = False) -> object:
    queryset = selectors.notifications_for(request.user).select_related("deadline__handled_by")
    return queryset.filter(read_at__isnull=True) if unread else queryset


@router.post("/notifications/read", response=ReadOut, summary="Marquer des notifications comme lues (toutes sans ids)")
def read_notifications(request: HttpRequest, payload: ReadIn) -> dict[str, int]:
    return {"marked": services.mark_read(user=request.user, reminder_ids=payload.ids)}


def _feed(request: HttpRequest, token: str | None, created_at: datetime | None) -> dict[str, object]:
    url = request.build_absolute_uri(reverse("reminders:feed", args=[token])) if token else None
    return {"url": url, "created_at": created_at}


@router.get("/calendar-feed", response=FeedOut, summary="L'adresse privée de mon agenda")
def get_feed(request: HttpRequest) -> dict[str, object]:
    preference = selectors.preference_of(request.user)
    return _feed(request, preference.feed_token, preference.feed_token_created_at)


@router.post("/calendar-feed", response=FeedOut, summary="Créer une nouvelle adresse (l'ancienne cesse de fonctionner)")
def regenerate_feed(request: HttpRequest) -> dict[str, object]:
    preference = services.regenerate_feed_token(user=request.user)
    return _feed(request, preference.feed_token, preference.feed_token_created_at)


@router.delete("/calendar-feed", response={204: None}, summary="Révoquer l'adresse de mon agenda")
def revoke_feed(request: HttpRequest) -> Status[None]:
    services.revoke_feed_token(user=request.user)
    return Status(204, None)
