"""Assemblies and their members, scoped to the user's organizations."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from core import tenancy
from deliberations import rules
from deliberations.models import Assembly, Mandate, MandateRole, NumberingCounter, NumberingRule
from parties.models import full_name as person_full_name

NOT_FOUND = "Aucun objet ne correspond à cette adresse."


def get_or_404(queryset: QuerySet[Any], **lookup: Any) -> Any:
    """The one row of an already scoped ``queryset`` matching ``lookup``, or 404."""
    try:
        return queryset.get(**lookup)
    except queryset.model.DoesNotExist as exc:
        raise Http404(_(NOT_FOUND)) from exc


def assemblies_for(user: Any) -> QuerySet[Assembly]:
    return Assembly.objects.filter(organization__in=tenancy.organization_ids(user)).select_related("organization")


def assembly_for(user: Any, pk: int) -> Assembly:
    return get_or_404(assemblies_for(user).select_related("numbering_rule"), pk=pk)  # type: ignore[no-any-return]


def assembly_ids_of(organization_ids: Any) -> list[int]:
    """The organizations' assemblies: lists filtered on them walk the (assembly, …) indexes
    in order instead of joining and sorting every deliberation of the organizations."""
    # Unordered: the model's ordering (by organization name) would join every organization.
    return list(Assembly.objects.filter(organization_id__in=organization_ids).order_by().values_list("pk", flat=True))


def user_assembly_ids(user: Any) -> list[int]:
    """The assemblies of the user's organizations."""
    return assembly_ids_of(tenancy.organization_ids(user))


@dataclass(frozen=True, slots=True)
class MemberName:
    """The name of a member as pages and documents print it."""

    pk: int
    civility: str
    first_name: str
    last_name: str

    @property
    def full_name(self) -> str:
        return person_full_name(self.first_name, self.last_name)


@dataclass(frozen=True, slots=True)
class Member:
    """A running mandate as plain values: a sitting of a métropole reads 240 of them on every
    page, vote and document."""

    pk: int  # the mandate's
    person_id: int
    role: str
    function: str
    start_date: date
    end_date: date | None
    person: MemberName

    def get_role_display(self) -> str:
        return str(MandateRole(self.role).label)


# The columns of a running mandate that ``Member`` holds, in its order.
MEMBER_COLUMNS = (
    "pk",
    "person_id",
    "role",
    "function",
    "start_date",
    "end_date",
    "person__civility",
    "person__first_name",
    "person__last_name",
)


def mandates_in_office(assembly_id: int, on: date) -> QuerySet[Mandate]:
    """The mandates of the assembly running on ``on`` in name order, a member's latest first
    (a member who changed role holds two)."""
    return (
        Mandate.objects.in_office(on)
        .filter(assembly_id=assembly_id)
        .order_by("person__last_name", "person__first_name", "person_id", "-start_date")
    )


def member_of(row: tuple[Any, ...]) -> Member:
    """A ``Member`` from the ``MEMBER_COLUMNS`` of a mandate."""
    pk, person_id, role, function, start, end, civility, first, last = row[: len(MEMBER_COLUMNS)]
    return Member(pk, person_id, role, function, start, end, MemberName(person_id, civility, first, last))


def members_in_office(assembly: Assembly | int, on: date) -> list[Member]:
    """The mandates running on ``on``, one per member (the latest when a member changed role),
    in name order."""
    assembly_id = assembly if isinstance(assembly, int) else assembly.pk
    seen: set[int] = set()
    result = []
    for row in mandates_in_office(assembly_id, on).values_list(*MEMBER_COLUMNS):
        member = member_of(row)
        if member.person_id not in seen:
            seen.add(member.person_id)
            result.append(member)
    return result


def members_count(assembly: Assembly | int, on: date) -> int:
    assembly_id = assembly if isinstance(assembly, int) else assembly.pk
    return Mandate.objects.in_office(on).filter(assembly_id=assembly_id).values("person").distinct().count()


def mandates_of(assembly: Assembly) -> QuerySet[Mandate]:
    return assembly.mandates.select_related("person").order_by("person__last_name", "person__first_name", "-start_date")


@dataclass(frozen=True)
class NextNumber:
    """Where a series of numbers stands: its year (0 for a series that never resets), the rank
    and the number the next deliberation will get."""

    year: int
    next_value: int
    next_number: str


def next_number(assembly: Assembly, year: int | None = None) -> NextNumber:
    """The number the next deliberation of ``assembly`` created for ``year`` (this year by
    default) will get."""
    year = year or timezone.localdate().year
    rule = NumberingRule.objects.filter(assembly=assembly).first()
    pattern, yearly = (rule.pattern, rule.yearly_reset) if rule else ("{year}-{seq:03}", True)
    counter_year = year if yearly else 0
    last = (
        NumberingCounter.objects.filter(rule=rule, year=counter_year).values_list("last_value", flat=True).first()
        if rule
        else None
    ) or 0
    return NextNumber(counter_year, last + 1, rules.format_number(pattern, year=year, seq=last + 1))
