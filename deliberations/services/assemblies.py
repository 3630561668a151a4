"""Assemblies and their members' mandates: every write, one function per act."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from core.errors import DomainError
from core.roles import Capability
from deliberations import rules
from deliberations.models import (
    Assembly,
    AttendanceChange,
    Deliberation,
    ListSeparator,
    Mandate,
    NameStyle,
    NumberingCounter,
    NumberingRule,
    Proxy,
    Sitting,
)
from deliberations.selectors.assemblies import NextNumber
from deliberations.services._common import require, save
from parties.models import Organization, Person

RULE_MEMBERS = "Membres en exercice"


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
        "list_separator",
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


@transaction.atomic
def set_next_number(
    *, user: Any, assembly: Assembly, next_value: int, year: int | None = None, today: date | None = None
) -> NextNumber:
    """Set the rank the next deliberation of the series will get (administrators only): a
    collectivité that starts using Conventio in October continues from its last number.
    Refused below a rank already given in the series or onto a number already given; the
    counter row is locked, so the numbers then handed out stay unique and consecutive."""
    require(user, assembly.organization_id, Capability.MANAGE_ORGANIZATION)
    year = year or (today or timezone.localdate()).year
    Assembly.objects.select_for_update().filter(pk=assembly.pk).first()
    rule, _created = NumberingRule.objects.select_for_update().get_or_create(assembly=assembly)
    counter_year = year if rule.yearly_reset else 0
    given = Deliberation.objects.filter(assembly=assembly)
    if rule.yearly_reset:
        given = given.filter(year=year)
    highest = max(given.values_list("sequence", flat=True), default=0)
    rules.check_next_number(next_value=next_value, highest_used=highest)
    existing = Deliberation.objects.filter(assembly=assembly).values_list("number", flat=True)
    clashes = rules.colliding_numbers(rule.pattern, year=year, after_seq=next_value - 1, existing=existing)
    if clashes:
        raise DomainError(
            f"Le numéro {clashes[0]} est déjà attribué : choisissez un rang qui ne le redonne pas.",
            rule=rules.RULE_NUMBERING,
            field="next_value",
        )
    counter = NumberingCounter.objects.select_for_update().filter(rule=rule, year=counter_year).first()
    if counter is None:
        counter = NumberingCounter(rule=rule, year=counter_year)
    previous = counter.last_value + 1 if counter.pk else 1
    counter.last_value = next_value - 1
    counter.save()
    upcoming = rules.format_number(rule.pattern, year=year, seq=next_value)
    save(
        rule,
        user=user,
        reason=f"Prochain numéro ({year if rule.yearly_reset else 'toutes années'}) : "
        f"rang {previous} → {next_value} ({upcoming})",
    )
    return NextNumber(counter_year, next_value, upcoming)


WORDING_FIELDS = (
    "name_style",
    "list_separator",
    "proxy_wording",
    "information_wording",
    "president_title",
    "signature_city",
)


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
        if field == "list_separator" and value not in ListSeparator.values:
            raise DomainError(f"Séparateur inconnu : « {value} » (possibles : comma, dash).", field=field)
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
