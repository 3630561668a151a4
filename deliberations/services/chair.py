"""Who presides the sitting for one item: the president may hand the chair to another member
(CGCT L2121-14, the compte administratif); the member presiding has the casting vote
(L2121-20)."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from core.errors import DomainError
from core.roles import Capability
from deliberations import rules
from deliberations.models import Deliberation, DeliberationState, SittingState
from deliberations.selectors.assemblies import mandates_in_office
from deliberations.services._common import lock_deliberation, lock_sitting, require, save
from parties.models import Person


@transaction.atomic
def set_item_chair(*, user: Any, deliberation: Deliberation, person: Person | None, reason: str = "") -> Deliberation:
    """Record who presides the sitting for one item, before it is examined; ``None`` (or the
    sitting's president) gives the chair back to the sitting's president. The member must be
    in office at the sitting; whether they are present is checked when a tie needs their
    casting vote."""
    require(user, deliberation.assembly.organization_id, Capability.RECORD_VOTES)
    if deliberation.sitting_id is None:
        raise DomainError("Ce point n'est inscrit à aucune séance.", rule=rules.RULE_CHAIR, field="deliberation")
    sitting = lock_sitting(deliberation.sitting_id)
    locked = lock_deliberation(deliberation)
    if sitting.state not in (SittingState.CONVENED, SittingState.OPEN):
        raise DomainError(
            f"La séance est « {sitting.get_state_display()} » : la présidence des points ne se modifie plus.",
            rule="Cycle de vie",
        )
    if locked.state != DeliberationState.ON_AGENDA:
        raise DomainError(
            f"Le point est « {locked.get_state_display()} » : sa présidence se note avant son examen "
            "(annulez d'abord le vote).",
            rule=rules.RULE_CHAIR,
            field="presided_by",
        )
    if person is not None and person.pk == sitting.president_id:
        person = None
    if person is not None:
        in_office = mandates_in_office(sitting.assembly_id, sitting.date).filter(person=person).exists()
        rules.check_chair(in_office=in_office, name=person.full_name)
    if person is None and locked.presided_by_id is None:
        return locked
    locked.presided_by = person
    who = person.full_name if person else "le président de séance"
    text = f"Présidence du point : {who}" + (f" ({reason.strip()})" if reason.strip() else "")
    save(locked, user=user, reason=text, update_fields=["presided_by", "updated_at"])
    return locked
