"""The Montpellier demo's convocations: members' addresses (one without, one on paper), the
26 March 2024 sitting convened by e-mail with its proof, and the sittings to come (one
convened, one ready to send). Called by ``deliberations.demo``."""

from __future__ import annotations

import unicodedata
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from core.models import User
from deliberations import services
from deliberations.models import Assembly, Mandate, Sitting, SittingState
from parties.models import Person

PARIS = ZoneInfo("Europe/Paris")


def _demo_email(first: str, last: str) -> str:
    """A made-up address on a reserved domain (RFC 2606): the demo never reaches anyone."""
    ascii_name = unicodedata.normalize("NFKD", f"{first}.{last}").encode("ascii", "ignore").decode()
    return ascii_name.lower().replace(" ", "-") + "@montpellier.example"


def montpellier_addresses(
    user: User,
    assembly: Assembly,
    people: dict[tuple[str, str], Person],
    *,
    no_address: tuple[str, str],
    on_paper: tuple[str, str],
) -> None:
    """Every member has an e-mail address but ``no_address``, and ``on_paper`` asked for paper
    (CGCT L2121-10): the convocation lists both before sending and prints their letters."""
    from deliberations.services import convocations

    for key, person in people.items():
        if key != no_address and not person.email:
            Person.objects.filter(pk=person.pk).update(email=_demo_email(*key))
    paper = Mandate.objects.filter(assembly=assembly, person=people[on_paper]).first()
    if paper is not None and not paper.prefers_paper:
        convocations.set_paper_preference(user=user, mandate=paper, prefers_paper=True)


def convene_by_email(user: User, sitting: Sitting, when: datetime) -> None:
    """The convocation e-mailed on ``when`` to each member, with its proof: replayed through
    the services, the e-mails kept in memory (locmem) so that loading the demo sends nothing."""
    from django.core.mail.backends.locmem import EmailBackend

    from deliberations.services import convocations

    with transaction.atomic():
        sending = convocations.send_convocation(user=user, sitting=sitting, now=when)
        convocations.deliver(sending_id=sending.pk, connection=EmailBackend(), now=when + timedelta(minutes=1))


def montpellier_next_sittings(user: User, assembly: Assembly, people: dict[tuple[str, str], Person]) -> None:
    """The sittings to come: the next one, in two weeks, convened by e-mail today (its proof
    on its page, the members' links ready); the one after, in five weeks, planned with its
    agenda and ready to send."""
    upcoming = Sitting.objects.filter(assembly=assembly, starts_at__gte=timezone.now())
    if not upcoming.exists():
        convened = _montpellier_sitting(user, assembly, people, days=14, agenda=CONVENED_AGENDA)
        convene_by_email(user, convened, timezone.now())
    if not upcoming.filter(state=SittingState.PLANNED).exists():
        _montpellier_sitting(user, assembly, people, days=35, agenda=NEXT_AGENDA)


def _montpellier_sitting(
    user: User,
    assembly: Assembly,
    people: dict[tuple[str, str], Person],
    *,
    days: int,
    agenda: list[tuple[str, tuple[str, str]]],
) -> Sitting:
    day = timezone.localdate() + timedelta(days=days)
    sitting = services.create_sitting(
        user=user,
        assembly=assembly,
        starts_at=datetime.combine(day, time(18, 0), tzinfo=PARIS),
        place="Salle du Conseil",
        president=people[("Michaël", "Delafosse")],
    )
    for title, rapporteur in agenda:
        services.create_deliberation(
            user=user,
            assembly=assembly,
            sitting=sitting,
            title=title,
            subject_code="7.5",
            rapporteur=people[rapporteur],
        )
    return sitting


CONVENED_AGENDA = [
    ("Attribution de subventions aux associations sportives", ("Sébastien", "Cote")),
    ("Convention de partenariat avec la médiathèque Émile Zola", ("Fatma", "Nakib")),
]
NEXT_AGENDA = [
    ("Attribution de subventions aux associations de solidarité", ("Sébastien", "Cote")),
    ("Convention de partenariat avec le Défenseur des droits pour l'égalité contre le racisme", ("Fatma", "Nakib")),
]
