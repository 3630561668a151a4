"""Councils of any size, ready to sit."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from core.roles import Role
from deliberations import services
from deliberations.models import Assembly, AssemblyKind, Sitting
from parties.models import Person
from tests.factories import member

PARIS = ZoneInfo("Europe/Paris")


def at(year: int, month: int, day: int, hour: int = 18) -> datetime:
    return datetime(year, month, day, hour, tzinfo=PARIS)


MARCH_26 = at(2024, 3, 26)


@dataclass
class Council:
    clerk: Any
    assembly: Assembly
    people: list[Person] = field(default_factory=list)

    def sitting(
        self,
        when: datetime = MARCH_26,
        *,
        convened_on: date | None = date(2024, 3, 20),
        open_: bool = True,
        president: Person | None = None,
    ) -> Sitting:
        sitting = services.create_sitting(
            user=self.clerk,
            assembly=self.assembly,
            starts_at=when,
            place="Salle du Conseil",
            president=president or self.people[0],
            secretary=self.people[1],
        )
        if convened_on:
            sitting = services.convene(user=self.clerk, sitting=sitting, convocation_date=convened_on)
            if open_:
                sitting = services.open_sitting(user=self.clerk, sitting=sitting, opened_at=when)
        return sitting

    def item(self, sitting: Sitting | None, title: str = "Subvention", **kwargs: Any):
        return services.create_deliberation(
            user=self.clerk, assembly=self.assembly, sitting=sitting, title=title, **kwargs
        )

    def attend(self, sitting: Sitting, present: int, excused: int = 0) -> None:
        """The first ``present`` members present, the next ``excused`` excused, the rest absent."""
        statuses = {}
        for index, person in enumerate(self.people):
            statuses[person.pk] = (
                "present" if index < present else ("excused" if index < present + excused else "absent")
            )
        services.set_attendances(user=self.clerk, sitting=sitting, statuses=statuses)


def make_council(
    organization: Any,
    size: int,
    *,
    pattern: str = "{year}-{seq:03}",
    clerk: Any = None,
    kind: str = AssemblyKind.MUNICIPAL_COUNCIL,
) -> Council:
    clerk = clerk or member(organization, Role.CLERK)
    assembly = services.create_assembly(
        user=clerk,
        organization=organization,
        kind=kind,
        name=f"Conseil {organization.pk}",
        numbering_pattern=pattern,
        usual_place="Salle du Conseil",
    )
    people = [
        Person.objects.create(organization=organization, first_name=f"Élu{n:03d}", last_name=f"Membre{n:03d}")
        for n in range(size)
    ]
    for index, person in enumerate(people):
        services.add_mandate(
            user=clerk,
            assembly=assembly,
            person=person,
            start_date=date(2020, 7, 3),
            role="head" if index == 0 else "councillor",
        )
    return Council(clerk=clerk, assembly=assembly, people=people)


@pytest.fixture
def council(organization) -> Council:
    return make_council(organization, 11)


@pytest.fixture
def council_factory():
    return make_council
