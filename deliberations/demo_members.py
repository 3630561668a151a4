"""Demo of the members' side: Montpellier's next sitting, convened, with the personal links of
two members and the élu account « elu » (fixtures/demo/parties.json) linked to one of them.

Idempotent: the next sitting is made once (the first Montpellier sitting to come is reused),
and the links stay the same from one load to the next.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.utils import timezone

from core.models import Membership, User
from deliberations import services
from deliberations.models import Assembly, Sitting, SittingState
from deliberations.services.member_access import member_link
from parties import demo as parties_demo
from parties.models import Person

# Two members of the demo council who receive their links, the first also the « elu » account.
MEMBERS = [("Tasnime", "Akbaraly"), ("Michel", "Aslanian")]


def _next_sitting(user: User, assembly: Assembly) -> Sitting:
    coming = (
        Sitting.objects.filter(
            assembly=assembly,
            starts_at__gte=timezone.now(),
            state__in=[SittingState.PLANNED, SittingState.CONVENED],
        )
        .order_by("starts_at")
        .first()
    )
    if coming is None:
        day = timezone.localdate() + timedelta(days=14)
        coming = services.create_sitting(
            user=user,
            assembly=assembly,
            starts_at=timezone.make_aware(datetime.combine(day, time(18, 0))),
            place="Salle du Conseil",
            president=Person.objects.filter(organization=assembly.organization, last_name="Delafosse").first(),
        )
        for title in (
            "Attribution de subventions aux associations sportives",
            "Convention de partenariat avec la médiathèque Émile Zola",
        ):
            services.create_deliberation(user=user, assembly=assembly, sitting=coming, title=title)
    if coming.state == SittingState.PLANNED:
        coming = services.convene(user=user, sitting=coming, convocation_date=timezone.localdate())
    return coming


def load() -> list[str]:
    montpellier = parties_demo.organization("montpellier")
    assembly = Assembly.objects.filter(organization=montpellier, name="Conseil municipal").first()
    if assembly is None:  # the deliberations demo did not run
        return []
    sitting = _next_sitting(User.objects.get(username="admin"), assembly)
    people = [Person.objects.get(organization=montpellier, first_name=first, last_name=last) for first, last in MEMBERS]
    Membership.objects.filter(user__username="elu", organization=montpellier).update(person=people[0])
    lines = [f"Liens personnels des élus pour la séance du {sitting.date:%d/%m/%Y} (Montpellier) :"]
    lines += [f"  {person.full_name:<22} {member_link(sitting=sitting, person=person)}" for person in people]
    return lines
