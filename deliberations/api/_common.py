"""What the API's modules share: their router, the quorum and agenda rows of a sitting's
answers, and the people and items a payload names, scoped to the object it is about."""

from typing import Any

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from pydantic import BaseModel

from core.api_routers import ModuleRouter
from core.errors import DomainError
from deliberations import rules, selectors
from deliberations.attendance import ItemAttendance
from deliberations.models import Deliberation, DeliberationState, Sitting
from deliberations.selectors import AgendaItem, AttendanceFacts
from parties.models import Person


class Router(ModuleRouter):
    operation_prefix = "deliberations_api"  # the ids of the operations when the API was one module


# The rows of the attendance and agenda answers are plain pydantic models: they are always
# built as dicts, and ninja's ``Schema`` wraps every nested dict in a ``DjangoGetter`` to read
# it — some 800 wrappers per answer on a métropole's sitting (240 members, 150 items).
class ItemAttendanceOut(BaseModel):
    members_in_office: int
    present: int
    represented: int
    voters: int
    quorum_needed: int
    has_quorum: bool


class AgendaItemOut(BaseModel):
    id: int
    position: int | None
    number: str
    title: str
    kind: str
    state: str
    attendance: ItemAttendanceOut
    result: str | None


def attendance_out(item: ItemAttendance) -> dict[str, Any]:
    """An item's attendance as the answers give it (``ItemAttendanceOut``)."""
    return quorum_out(item.members_in_office, item.present_count, item.represented_count)


def quorum_out(members_in_office: int, present: int, represented: int) -> dict[str, Any]:
    """The counts of an item's attendance and its quorum (CGCT L2121-17), as ``ItemAttendanceOut``."""
    return {
        "members_in_office": members_in_office,
        "present": present,
        "represented": represented,
        "voters": present + represented,
        "quorum_needed": rules.quorum_needed(members_in_office),
        "has_quorum": rules.has_quorum(present=present, members_in_office=members_in_office),
    }


def facts_and_agenda(sitting: Sitting, *, names: bool = False) -> tuple[AttendanceFacts, list[dict[str, Any]]]:
    """The sitting's attendance facts, and each agenda item with its quorum and result: the
    agenda as the pages read it (``selectors.agenda_summary``), the attendance as plain values
    replayed in memory, a fixed number of queries whatever the sitting's size."""
    facts = selectors.attendance_facts(sitting, names=names)
    return facts, agenda_out(facts, selectors.agenda_summary(sitting))


def agenda_out(facts: AttendanceFacts, items: list[AgendaItem]) -> list[dict[str, Any]]:
    """The agenda's rows (``AgendaItemOut``), each with its attendance replayed from the facts."""
    by_position = facts.replay([item.position for item in items])
    return [
        {
            "id": item.pk,
            "position": item.position,
            "number": item.number,
            "title": item.title,
            "kind": item.kind,
            "state": item.state,
            "attendance": attendance_out(by_position[item.position]),
            "result": result_of(item),
        }
        for item in items
    ]


def result_of(item: AgendaItem) -> str | None:
    """What the item's examination said: its vote's result, or the prise d'acte."""
    if item.vote is not None:
        return item.vote.result_text
    return "prend acte" if item.state == DeliberationState.TAKEN_NOTE else None


def person_of(organization_id: int, person_id: int | None) -> Person | None:
    """The person a payload names (``None``: nobody), among those of the object's organization, or 404."""
    if person_id is None:
        return None
    return get_object_or_404(Person, pk=person_id, organization_id=organization_id)


def agenda_item(sitting: Sitting, deliberation_id: int | None) -> Deliberation | None:
    """The item a payload names (``None``: none) on the sitting's agenda, else a domain error."""
    if deliberation_id is None:
        return None
    try:
        return Deliberation.objects.get(pk=deliberation_id, sitting=sitting)
    except Deliberation.DoesNotExist:
        raise DomainError(_("Ce point n'est pas à l'ordre du jour de cette séance."), field="deliberation_id")
