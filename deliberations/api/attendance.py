"""A sitting's attendance: presence, arrivals and departures, proxies, and each item's quorum."""

from datetime import date
from typing import Any, Literal

from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Schema, Status
from pydantic import BaseModel

from core.api_inputs import StrictInput
from deliberations import selectors, services
from deliberations.api._common import (
    AgendaItemOut,
    ItemAttendanceOut,
    Router,
    agenda_item,
    attendance_out,
    facts_and_agenda,
    person_of,
)
from deliberations.models import AttendanceChange, Proxy, Sitting
from parties.models import Person

router = Router()


PresenceValue = Literal["present", "excused", "absent"]


class AttendanceIn(StrictInput):
    statuses: dict[int, PresenceValue] = Field(..., description="Identifiant de l'élu → present, excused ou absent")


class MemberAttendanceOut(BaseModel):
    person_id: int
    name: str
    status: str | None
    opening: str


class ProxyOut(BaseModel):
    id: int
    giver_id: int
    giver: str
    holder_id: int
    holder: str
    written_on: date
    illness: bool
    from_item_id: int | None
    revoked: bool
    revoked_from_item_id: int | None


class AttendanceOut(Schema):
    members_in_office: int
    opening: ItemAttendanceOut
    members: list[MemberAttendanceOut]
    proxies: list[ProxyOut]
    items: list[AgendaItemOut]


class MovementIn(StrictInput):
    django_model = AttendanceChange
    person_id: int
    deliberation_id: int
    status: PresenceValue
    only_this_item: bool = False


class ProxyIn(StrictInput):
    django_model = Proxy
    giver_id: int
    holder_id: int
    written_on: date
    illness: bool = False
    from_item_id: int | None = None


class RevokeIn(StrictInput):
    django_model = Proxy
    from_item_id: int | None = None


def _attendance(sitting: Sitting) -> dict[str, Any]:
    """The attendance grid: members, proxies and each item's quorum, read as plain values."""
    facts, agenda = facts_and_agenda(sitting, names=True)
    opening = facts.at(None)
    names = facts.names
    # A proxy's giver or holder whose mandate has ended since is no longer among the members.
    others = {p for proxy in facts.proxies for p in (proxy.giver_id, proxy.holder_id) if p not in names}
    if others:
        former = Person.objects.filter(pk__in=others, organization_id=sitting.assembly.organization_id)
        names = names | {person.pk: person.full_name for person in former}
    return {
        "members_in_office": len(facts.members),
        "opening": attendance_out(opening),
        "members": [
            {
                "person_id": person_id,
                "name": names[person_id],
                "status": facts.defaults.get(person_id),
                "opening": opening.state_of(person_id),
            }
            for person_id in facts.members
        ],
        "proxies": [
            {
                "id": p.id,
                "giver_id": p.giver_id,
                "giver": names[p.giver_id],
                "holder_id": p.holder_id,
                "holder": names[p.holder_id],
                "written_on": p.written_on,
                "illness": p.illness,
                "from_item_id": p.from_item_id,
                "revoked": p.revoked,
                "revoked_from_item_id": p.revoked_from_item_id,
            }
            for p in facts.proxies
        ],
        "items": agenda,
    }


@router.get(
    "/sittings/{sitting_id}/attendance", response=AttendanceOut, summary="Présences, pouvoirs et quorum point par point"
)
def get_attendance(request: HttpRequest, sitting_id: int) -> Any:
    return _attendance(selectors.sitting_for(request.user, sitting_id))


@router.put("/sittings/{sitting_id}/attendance", response=AttendanceOut, summary="Présence des élus pour la séance")
def set_attendance(request: HttpRequest, sitting_id: int, payload: AttendanceIn) -> Any:
    sitting = selectors.sitting_for(request.user, sitting_id)
    services.set_attendances(user=request.user, sitting=sitting, statuses=dict(payload.statuses))
    return _attendance(sitting)


@router.post(
    "/sittings/{sitting_id}/attendance/all-present", response=AttendanceOut, summary="Tous présents (élus non pointés)"
)
def all_present(request: HttpRequest, sitting_id: int) -> Any:
    sitting = selectors.sitting_for(request.user, sitting_id)
    services.mark_unrecorded_present(user=request.user, sitting=sitting)
    return _attendance(sitting)


@router.post(
    "/sittings/{sitting_id}/movements", response={201: AttendanceOut}, summary="Arrivée ou départ à partir d'un point"
)
def record_movement(request: HttpRequest, sitting_id: int, payload: MovementIn) -> Any:
    sitting = selectors.sitting_for(request.user, sitting_id)
    person = person_of(sitting.assembly.organization_id, payload.person_id)
    item = agenda_item(sitting, payload.deliberation_id)
    assert person is not None and item is not None
    services.record_movement(
        user=request.user,
        sitting=sitting,
        person=person,
        deliberation=item,
        status=payload.status,
        only_this_item=payload.only_this_item,
    )
    return Status(201, _attendance(sitting))


@router.post(
    "/sittings/{sitting_id}/proxies", response={201: ProxyOut}, summary="Enregistrer un pouvoir (CGCT L2121-20)"
)
def register_proxy(request: HttpRequest, sitting_id: int, payload: ProxyIn) -> Any:
    sitting = selectors.sitting_for(request.user, sitting_id)
    people = Person.objects.filter(
        pk__in=[payload.giver_id, payload.holder_id], organization_id=sitting.assembly.organization_id
    ).in_bulk()
    if payload.giver_id not in people or payload.holder_id not in people:
        raise Http404
    giver, holder = people[payload.giver_id], people[payload.holder_id]
    proxy = services.register_proxy(
        user=request.user,
        sitting=sitting,
        giver=giver,
        holder=holder,
        written_on=payload.written_on,
        illness=payload.illness,
        from_item=agenda_item(sitting, payload.from_item_id),
    )
    return Status(201, _proxy_out(proxy))


def _proxy_out(proxy: Proxy) -> dict[str, Any]:
    return {
        "id": proxy.pk,
        "giver_id": proxy.giver_id,
        "giver": proxy.giver.full_name,
        "holder_id": proxy.holder_id,
        "holder": proxy.holder.full_name,
        "written_on": proxy.written_on,
        "illness": proxy.illness,
        "from_item_id": proxy.from_item_id,
        "revoked": proxy.revoked,
        "revoked_from_item_id": proxy.revoked_from_item_id,
    }


@router.post("/sittings/{sitting_id}/proxies/{proxy_id}/revoke", response=ProxyOut, summary="Révoquer un pouvoir")
def revoke_proxy(request: HttpRequest, sitting_id: int, proxy_id: int, payload: RevokeIn) -> Any:
    sitting = selectors.sitting_for(request.user, sitting_id)
    proxy = get_object_or_404(Proxy.objects.select_related("giver", "holder"), pk=proxy_id, sitting=sitting)
    proxy = services.revoke_proxy(user=request.user, proxy=proxy, from_item=agenda_item(sitting, payload.from_item_id))
    return _proxy_out(proxy)
