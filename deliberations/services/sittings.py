"""Assemblies, mandates and sittings: every write, one function per act."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.db.models import Q
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
    NameStyle,
    NumberingCounter,
    NumberingRule,
    Proxy,
    Sitting,
    SittingKind,
    SittingState,
)
from deliberations.services._common import lock_sitting, require, save, transition
from parties.models import Organization, Person

RULE_MEMBERS = "Membres en exercice"


# --- Assemblies and mandates ---------------------------------------------------------------


@transaction.atomic
def create_assembly(
    *,
    user: Any,
    organization: Organization,
    kind: str,
    name: str,
    numbering_pattern: str = "{year}-{seq:03}",
    yearly_reset: bool = True,
    **options: Any,
) -> Assembly:
    """Create an assembly of an organization with its numbering rule."""
    require(user, organization.pk, Capability.MANAGE_SITTINGS)
    if not organization.is_tenant:
        raise DomainError("Seule une collectivité utilisatrice peut avoir une assemblée.", field="organization")
    if not name.strip():
        raise DomainError("Le nom de l'assemblée est obligatoire.", field="name")
    rules.check_numbering_pattern(numbering_pattern)
    if Assembly.objects.filter(organization=organization, name=name.strip()).exists():
        raise DomainError(f"{organization.name} a déjà une assemblée « {name.strip()} ».", field="name")
    allowed = {
        "usual_place",
        "signature_city",
        "president_title",
        "name_style",
        "proxy_wording",
        "information_wording",
        "clear_days_override",
    }
    assembly = Assembly(
        organization=organization, kind=kind, name=name.strip(), **{k: v for k, v in options.items() if k in allowed}
    )
    save(assembly, user=user, reason="Création de l'assemblée")
    NumberingRule.objects.create(assembly=assembly, pattern=numbering_pattern, yearly_reset=yearly_reset)
    return assembly


@transaction.atomic
def set_numbering_rule(
    *, user: Any, assembly: Assembly, pattern: str, yearly_reset: bool = True, today: date | None = None
) -> NumberingRule:
    """Change how the next deliberations are numbered (those already numbered keep their
    number). Refused when the next numbers of the current year would repeat numbers given."""
    require(user, assembly.organization_id, Capability.MANAGE_SITTINGS)
    pattern = pattern.strip()
    rules.check_numbering_pattern(pattern)
    year = (today or timezone.localdate()).year
    Assembly.objects.select_for_update().filter(pk=assembly.pk).first()
    rule, _created = NumberingRule.objects.select_for_update().get_or_create(assembly=assembly)
    counter = NumberingCounter.objects.filter(rule=rule, year=year if yearly_reset else 0).first()
    if counter is not None:
        last = counter.last_value
    elif yearly_reset:
        last = 0
    else:
        # A rule that never resets continues from the highest rank given so far.
        last = max(Deliberation.objects.filter(assembly=assembly).values_list("sequence", flat=True), default=0)
    existing = Deliberation.objects.filter(assembly=assembly).values_list("number", flat=True)
    clashes = rules.colliding_numbers(pattern, year=year, after_seq=last, existing=existing)
    if clashes:
        shown = ", ".join(clashes[:5]) + (" …" if len(clashes) > 5 else "")
        raise DomainError(
            f"Le modèle « {pattern} » redonnerait en {year} des numéros déjà attribués ({shown}) : "
            "choisissez un modèle qui ne les reprend pas.",
            rule=rules.RULE_NUMBERING,
            field="pattern",
        )
    if yearly_reset and not rules.pattern_has_year(pattern):
        raise DomainError(
            f"Le modèle « {pattern} » ne contient pas {{year}} : repartir de 1 chaque année redonnerait "
            "les mêmes numéros d'une année à l'autre.",
            rule=rules.RULE_NUMBERING,
            field="pattern",
        )
    rule.pattern = pattern
    rule.yearly_reset = yearly_reset
    save(rule, user=user, reason=f"Règle de numérotation modifiée : {pattern}")
    return rule


WORDING_FIELDS = ("name_style", "proxy_wording", "information_wording", "president_title", "signature_city")


@transaction.atomic
def update_wording(*, user: Any, assembly: Assembly, **options: Any) -> Assembly:
    """Change how the assembly's documents are worded (only the fields given change)."""
    require(user, assembly.organization_id, Capability.MANAGE_SITTINGS)
    unknown = set(options) - set(WORDING_FIELDS)
    if unknown:
        raise DomainError(f"Option inconnue : {', '.join(sorted(unknown))}.", field=sorted(unknown)[0])
    locked = Assembly.objects.select_for_update().get(pk=assembly.pk)
    for field, value in options.items():
        value = str(value).strip()
        if field == "name_style" and value not in NameStyle.values:
            raise DomainError(f"Écriture des noms inconnue : « {value} ».", field=field)
        if field in ("proxy_wording", "information_wording", "president_title") and not value:
            label = str(Assembly._meta.get_field(field).verbose_name)  # type: ignore[union-attr]
            raise DomainError(f"Le champ « {label} » ne peut pas être vide.", field=field)
        setattr(locked, field, value)
    save(locked, user=user, reason="Formules des documents modifiées")
    return locked


@transaction.atomic
def add_mandate(
    *,
    user: Any,
    assembly: Assembly,
    person: Person,
    start_date: date,
    role: str = "councillor",
    function: str = "",
    end_date: date | None = None,
) -> Mandate:
    """Seat a member; a member holds one mandate at a time in an assembly."""
    require(user, assembly.organization_id, Capability.MANAGE_SITTINGS)
    if person.organization_id != assembly.organization_id:
        raise DomainError(
            f"{person.full_name} n'est pas enregistré(e) comme personne de {assembly.organization.name}.",
            rule=RULE_MEMBERS,
            field="person",
        )
    if end_date and end_date < start_date:
        raise DomainError("La fin du mandat ne peut pas précéder son début.", rule=RULE_MEMBERS, field="end_date")
    # Lock the member's mandates so that two overlapping ones cannot be created at once.
    existing = list(Mandate.objects.select_for_update().filter(assembly=assembly, person=person))
    for other in existing:
        if (other.end_date is None or other.end_date >= start_date) and (
            end_date is None or end_date >= other.start_date
        ):
            raise DomainError(
                f"{person.full_name} a déjà un mandat dans cette assemblée sur cette période "
                f"(depuis le {other.start_date:%d/%m/%Y}) : terminez-le d'abord.",
                rule=RULE_MEMBERS,
                field="start_date",
            )
    mandate = Mandate(
        assembly=assembly, person=person, role=role, function=function, start_date=start_date, end_date=end_date
    )
    save(mandate, user=user, reason="Nouveau mandat")
    return mandate


@transaction.atomic
def add_member(
    *,
    user: Any,
    assembly: Assembly,
    first_name: str,
    last_name: str,
    start_date: date,
    civility: str = "",
    role: str = "councillor",
    function: str = "",
    end_date: date | None = None,
) -> Mandate:
    """Register a new elected member of the organization and seat them, in one step."""
    require(user, assembly.organization_id, Capability.MANAGE_SITTINGS)
    if not first_name.strip() or not last_name.strip():
        raise DomainError("Le prénom et le nom du nouvel élu sont obligatoires.", rule=RULE_MEMBERS, field="last_name")
    if civility not in ("", "M.", "Mme"):
        raise DomainError(f"Civilité inconnue : « {civility} ».", field="civility")
    person = Person.objects.create(
        organization_id=assembly.organization_id,
        civility=civility,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
    )
    return add_mandate(
        user=user,
        assembly=assembly,
        person=person,
        start_date=start_date,
        role=role,
        function=function,
        end_date=end_date,
    )


def last_sitting_attended(mandate: Mandate, *, before: date | None = None) -> date | None:
    """The date of the latest sitting of the mandate's assembly, from the mandate's start on,
    where the member took part: attendance recorded, arrival or departure, proxy given or
    held, ballot, or presidency or secretariat of the sitting."""
    from deliberations.models import Attendance, Ballot

    person_id = mandate.person_id
    since = Sitting.objects.filter(assembly_id=mandate.assembly_id, starts_at__date__gte=mandate.start_date)
    if before is not None:
        since = since.filter(starts_at__date__lt=before)
    took_part = (
        Q(pk__in=Attendance.objects.filter(person_id=person_id).values("sitting"))
        | Q(pk__in=AttendanceChange.objects.filter(person_id=person_id).values("sitting"))
        | Q(pk__in=Proxy.objects.filter(Q(giver_id=person_id) | Q(holder_id=person_id)).values("sitting"))
        | Q(
            pk__in=Ballot.objects.filter(Q(person_id=person_id) | Q(cast_by_id=person_id)).values(
                "vote__deliberation__sitting"
            )
        )
        | Q(president_id=person_id)
        | Q(secretary_id=person_id)
    )
    latest = since.filter(took_part).order_by("-starts_at").first()
    return latest.date if latest else None


@transaction.atomic
def end_mandate(*, user: Any, mandate: Mandate, end_date: date) -> Mandate:
    """End a member's mandate. It cannot end before a sitting where the member took part:
    their attendance, proxies and votes there would lose the mandate they rest on."""
    require(user, mandate.assembly.organization_id, Capability.MANAGE_SITTINGS)
    locked = Mandate.objects.select_for_update().select_related("person").get(pk=mandate.pk)
    if end_date < locked.start_date:
        raise DomainError(
            f"La fin du mandat ne peut pas précéder son début ({locked.start_date:%d/%m/%Y}).",
            rule=RULE_MEMBERS,
            field="end_date",
        )
    later = Mandate.objects.filter(
        assembly_id=locked.assembly_id, person_id=locked.person_id, start_date__gt=locked.start_date
    ).order_by("start_date")
    following = later.first()
    if following is not None and end_date >= following.start_date:
        raise DomainError(
            f"{locked.person.full_name} a un mandat suivant depuis le {following.start_date:%d/%m/%Y} : "
            "ce mandat doit finir avant.",
            rule=RULE_MEMBERS,
            field="end_date",
        )
    attended = last_sitting_attended(locked, before=following.start_date if following else None)
    if attended is not None and end_date < attended:
        raise DomainError(
            f"{locked.person.full_name} a siégé à la séance du {attended:%d/%m/%Y} : "
            f"son mandat ne peut pas finir avant cette date.",
            rule=RULE_MEMBERS,
            field="end_date",
        )
    locked.end_date = end_date
    save(locked, user=user, reason=f"Fin de mandat au {end_date:%d/%m/%Y}")
    return locked


# --- Sittings -------------------------------------------------------------------------------


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
    later, on the same agenda, without quorum condition. The items not examined move to
    the new sitting, in the same order."""
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
            item.state_reason = "Quorum non atteint"
            save(item, user=user, reason="Reporté faute de quorum")
        transition(item, "put_on_agenda", label="Inscrire à l'ordre du jour")
        item.sitting = second
        item.position = position
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
