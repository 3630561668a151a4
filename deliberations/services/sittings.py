"""Sittings and their legal life (convened, open, closed, minutes, reconvened): every write,
one function per act."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from core.errors import DomainError
from core.roles import Capability
from deliberations import deadlines, rules
from deliberations.models import (
    Assembly,
    AttendanceChange,
    Deliberation,
    DeliberationState,
    Mandate,
    Proxy,
    Sitting,
    SittingKind,
    SittingState,
)
from deliberations.selectors.attendance import attendance_facts
from deliberations.services._common import lock_sitting, require, save, transition
from deliberations.services.assemblies import RULE_MEMBERS
from parties.models import Person


def _check_member(assembly: Assembly, person: Person | None, on: date, label: str, field: str) -> None:
    if person is None:
        return
    if not Mandate.objects.in_office(on).filter(assembly=assembly, person=person).exists():
        raise DomainError(
            f"Le {label} doit être un membre en exercice : {person.full_name} ne l'est pas le {on:%d/%m/%Y}.",
            rule=RULE_MEMBERS,
            field=field,
        )


@transaction.atomic
def create_sitting(
    *,
    user: Any,
    assembly: Assembly,
    starts_at: datetime,
    kind: str = SittingKind.ORDINARY,
    place: str = "",
    president: Person | None = None,
    secretary: Person | None = None,
    notes: str = "",
) -> Sitting:
    """Plan a sitting of an assembly."""
    require(user, assembly.organization_id, Capability.MANAGE_SITTINGS)
    if kind not in SittingKind.values:
        raise DomainError(f"Nature de séance inconnue : « {kind} ».", field="kind")
    day = timezone.localtime(starts_at).date()
    _check_member(assembly, president, day, "président de séance", "president")
    _check_member(assembly, secretary, day, "secrétaire de séance", "secretary")
    sitting = Sitting(
        assembly=assembly,
        starts_at=starts_at,
        kind=kind,
        place=place or assembly.usual_place,
        president=president,
        secretary=secretary,
        notes=notes,
    )
    save(sitting, user=user, reason="Séance prévue")
    deadlines.sync_sitting(sitting)
    return sitting


@transaction.atomic
def update_sitting(
    *,
    user: Any,
    sitting: Sitting,
    starts_at: datetime | None = None,
    place: str | None = None,
    president: Person | None = None,
    secretary: Person | None = None,
    kind: str | None = None,
    notes: str | None = None,
) -> Sitting:
    """Change a sitting's details. Its date can only move before it is convened; its
    president and secretary can be named until it is closed."""
    require(user, sitting.assembly.organization_id, Capability.MANAGE_SITTINGS)
    locked = lock_sitting(sitting)
    if locked.state in (SittingState.CLOSED, SittingState.MINUTES_APPROVED, SittingState.MINUTES_PUBLISHED):
        raise DomainError("Une séance close ne se modifie plus.", rule="Cycle de vie")
    if starts_at is not None and starts_at != locked.starts_at:
        if locked.state != SittingState.PLANNED:
            raise DomainError(
                "La séance est déjà convoquée : pour changer sa date, convoquez une nouvelle séance.",
                rule=rules.RULE_CONVOCATION,
                field="starts_at",
            )
        if locked.reconvened_from_id:
            first = locked.reconvened_from.date  # type: ignore[union-attr]
            rules.check_reconvened_date(first_sitting=first, new_sitting=timezone.localtime(starts_at).date())
        locked.starts_at = starts_at
    day = locked.date
    if president is not None:
        _check_member(locked.assembly, president, day, "président de séance", "president")
        locked.president = president
    if secretary is not None:
        _check_member(locked.assembly, secretary, day, "secrétaire de séance", "secretary")
        locked.secretary = secretary
    if place is not None:
        locked.place = place
    if kind is not None:
        if kind not in SittingKind.values:
            raise DomainError(f"Nature de séance inconnue : « {kind} ».", field="kind")
        locked.kind = kind
    if notes is not None:
        locked.notes = notes
    save(locked, user=user, reason="Séance modifiée")
    deadlines.sync_sitting(locked)
    return locked


@transaction.atomic
def convene(
    *, user: Any, sitting: Sitting, convocation_date: date, urgency: bool = False, urgency_reason: str = ""
) -> Sitting:
    """Record the sending of the convocation; a late one is refused unless urgency is stated
    (CGCT L2121-11, L2121-12). A sitting re-convened for lack of quorum follows L2121-17."""
    require(user, sitting.assembly.organization_id, Capability.MANAGE_SITTINGS)
    locked = lock_sitting(sitting)
    organization = locked.assembly.organization
    if locked.reconvened_from_id:
        first = locked.reconvened_from.date  # type: ignore[union-attr]
        if convocation_date < first or convocation_date > locked.date:
            raise DomainError(
                "La nouvelle convocation part après la séance sans quorum et avant la nouvelle séance.",
                rule=rules.RULE_QUORUM,
                field="convocation_date",
            )
    else:
        rules.check_convocation(
            sitting_date=locked.date,
            convocation_date=convocation_date,
            population=organization.population,
            is_epci=organization.is_epci,
            urgency=urgency,
            urgency_reason=urgency_reason,
            clear_days_override=locked.assembly.clear_days_override,
        )
    transition(locked, "convene", label="Convoquer")
    locked.convocation_date = convocation_date
    locked.urgency = urgency
    locked.urgency_reason = urgency_reason.strip() if urgency else ""
    save(locked, user=user, reason="Convocation envoyée" + (" (urgence)" if urgency else ""))
    deadlines.sync_sitting(locked)
    return locked


@transaction.atomic
def open_sitting(*, user: Any, sitting: Sitting, opened_at: datetime | None = None) -> Sitting:
    """Open a convened sitting."""
    require(user, sitting.assembly.organization_id, Capability.RECORD_VOTES)
    locked = lock_sitting(sitting)
    transition(locked, "open", label="Ouvrir la séance")
    locked.opened_at = opened_at or timezone.now()
    save(locked, user=user, reason="Séance ouverte", update_fields=["state", "opened_at", "updated_at"])
    deadlines.sync_sitting(locked)
    return locked


@transaction.atomic
def close_sitting(*, user: Any, sitting: Sitting, closed_at: datetime | None = None) -> Sitting:
    """Close a sitting once every item is examined, withdrawn or postponed."""
    require(user, sitting.assembly.organization_id, Capability.RECORD_VOTES)
    locked = lock_sitting(sitting)
    pending = list(
        locked.deliberations.filter(state=DeliberationState.ON_AGENDA)
        .order_by("position")
        .values_list("number", flat=True)
    )
    if pending:
        raise DomainError(
            "Des points restent à examiner : "
            + ", ".join(pending)
            + ". Votez-les, retirez-les ou reportez-les avant de clore.",
            rule="Cycle de vie",
        )
    transition(locked, "close", label="Clore la séance")
    locked.closed_at = closed_at or timezone.now()
    save(locked, user=user, reason="Séance close", update_fields=["state", "closed_at", "updated_at"])
    deadlines.sync_sitting(locked)
    return locked


@transaction.atomic
def publish_list(*, user: Any, sitting: Sitting, published_on: date) -> Sitting:
    """Record the publication of the list of deliberations examined (CGCT L2121-25)."""
    require(user, sitting.assembly.organization_id, Capability.MANAGE_SITTINGS)
    locked = lock_sitting(sitting)
    if locked.state in (SittingState.PLANNED, SittingState.CONVENED, SittingState.OPEN):
        raise DomainError("La liste des délibérations se publie après la séance.", rule="CGCT L2121-25")
    if published_on < locked.date:
        raise DomainError(
            "La liste ne peut pas être publiée avant la séance.", rule="CGCT L2121-25", field="published_on"
        )
    locked.list_published_on = published_on
    save(locked, user=user, reason="Liste des délibérations publiée")
    deadlines.sync_sitting(locked)
    return locked


@transaction.atomic
def approve_minutes(*, user: Any, sitting: Sitting, approved_on: date) -> Sitting:
    """The procès-verbal is approved at a later sitting (CGCT L2121-15)."""
    require(user, sitting.assembly.organization_id, Capability.MANAGE_SITTINGS)
    locked = lock_sitting(sitting)
    if approved_on < locked.date:
        raise DomainError(
            "Le procès-verbal est approuvé lors d'une séance ultérieure, pas avant la séance.",
            rule="CGCT L2121-15",
            field="approved_on",
        )
    transition(locked, "approve_minutes", label="Approuver le procès-verbal")
    locked.minutes_approved_on = approved_on
    save(locked, user=user, reason="Procès-verbal approuvé")
    deadlines.sync_sitting(locked)
    return locked


@transaction.atomic
def publish_minutes(*, user: Any, sitting: Sitting, published_on: date) -> Sitting:
    """Publish the approved procès-verbal (within one week, CGCT L2121-15)."""
    require(user, sitting.assembly.organization_id, Capability.MANAGE_SITTINGS)
    locked = lock_sitting(sitting)
    if locked.minutes_approved_on and published_on < locked.minutes_approved_on:
        raise DomainError(
            "Le procès-verbal ne peut pas être publié avant son approbation.",
            rule="CGCT L2121-15",
            field="published_on",
        )
    transition(locked, "publish_minutes", label="Publier le procès-verbal")
    locked.minutes_published_on = published_on
    save(locked, user=user, reason="Procès-verbal publié")
    deadlines.sync_sitting(locked)
    return locked


@transaction.atomic
def reconvene(
    *,
    user: Any,
    sitting: Sitting,
    starts_at: datetime,
    convocation_date: date,
    place: str = "",
) -> Sitting:
    """Convene the assembly again after a failed quorum (CGCT L2121-17): at least three days
    later, on the same agenda. Only after the quorum was found lacking in the recorded
    attendance; the items not examined move to the new sitting, in the same order, and
    those left without quorum are voted there without quorum condition (the others, and any
    item added later, still need it)."""
    require(user, sitting.assembly.organization_id, Capability.MANAGE_SITTINGS)
    first = lock_sitting(sitting)
    if first.state not in (SittingState.CONVENED, SittingState.OPEN, SittingState.CLOSED):
        raise DomainError("Seule une séance convoquée peut être reconvoquée faute de quorum.", rule=rules.RULE_QUORUM)
    new_day = timezone.localtime(starts_at).date()
    rules.check_reconvened_date(first_sitting=first.date, new_sitting=new_day)
    items = list(
        Deliberation.objects.select_for_update()
        .filter(sitting=first, state__in=[DeliberationState.ON_AGENDA, DeliberationState.POSTPONED])
        .order_by("position")
    )
    if not items:
        raise DomainError("Aucun point ne reste à examiner : il n'y a rien à reconvoquer.", rule=rules.RULE_QUORUM)
    facts = attendance_facts(first)
    by_position = facts.replay([item.position or 0 for item in items])
    lacking = {item.pk for item in items if not by_position[item.position or 0].has_quorum}
    rules.check_quorum_failure_recorded(
        attendance_recorded=bool(facts.defaults or facts.changes), items_without_quorum=len(lacking)
    )
    second = Sitting(
        assembly=first.assembly,
        starts_at=starts_at,
        kind=first.kind,
        place=place or first.place,
        president=first.president,
        secretary=first.secretary,
        reconvened_from=first,
    )
    save(second, user=user, reason="Séance reconvoquée faute de quorum")
    _detach_items(first, [d.pk for d in items])
    for position, item in enumerate(items, start=1):
        if item.state == DeliberationState.ON_AGENDA:
            transition(item, "postpone", label="Reporter")
            item.state_reason = "Quorum non atteint" if item.pk in lacking else "Non examiné"
            save(item, user=user, reason="Reporté faute de quorum" if item.pk in lacking else "Reporté")
        transition(item, "put_on_agenda", label="Inscrire à l'ordre du jour")
        item.sitting = second
        item.position = position
        item.quorum_waived_in = second if item.pk in lacking else None
        save(item, user=user, reason=f"Inscrit à la séance reconvoquée du {new_day:%d/%m/%Y}")
    convene(user=user, sitting=second, convocation_date=convocation_date)
    second.refresh_from_db()
    return second


def _detach_items(sitting: Sitting, moved_ids: list[int]) -> None:
    """Keep the first sitting's attendance meaning once items leave it: arrivals, departures
    and proxies recorded from a moved item now start from the next item that stays."""
    remaining = list(
        Deliberation.objects.filter(sitting=sitting, position__isnull=False)
        .exclude(pk__in=moved_ids)
        .order_by("position")
        .values_list("pk", "position")
    )
    moved_positions = dict(Deliberation.objects.filter(pk__in=moved_ids).values_list("pk", "position"))

    def next_remaining(deliberation_id: int) -> int | None:
        position = moved_positions[deliberation_id] or 0
        return next((pk for pk, pos in remaining if (pos or 0) > position), None)

    for change in AttendanceChange.objects.filter(sitting=sitting, deliberation_id__in=moved_ids):
        target = next_remaining(change.deliberation_id)
        if target is None or AttendanceChange.objects.filter(person=change.person_id, deliberation_id=target).exists():
            change.delete()
        else:
            change.deliberation_id = target
            change.save(update_fields=["deliberation"])
    for proxy in Proxy.objects.filter(sitting=sitting).filter(from_item__in=moved_ids) | Proxy.objects.filter(
        sitting=sitting, revoked_from_item__in=moved_ids
    ):
        if proxy.from_item_id in moved_ids:
            target = next_remaining(proxy.from_item_id)
            if target is None:
                proxy.from_item = None
                proxy.revoked = True
                proxy.revoked_from_item = None
            else:
                proxy.from_item_id = target
        if proxy.revoked_from_item_id in moved_ids:
            proxy.revoked_from_item_id = next_remaining(proxy.revoked_from_item_id)
            if proxy.revoked_from_item_id is None:
                proxy.revoked = False
        proxy.save()
