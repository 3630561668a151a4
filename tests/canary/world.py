"""Two collectivités built through the services, every text of each carrying its own canary.

``build_tenant("CANARYB")`` gives a collectivité whose names, short names, references,
people, addresses, e-mails, clauses, titles, obligations, places, programmes, committees and
uploaded files all contain ``CANARYB`` followed by a counter: any output of another
collectivité that shows one of these words shows a leak. Both collectivités of the canary
tests are built by the same function, so each is as richly linked as the other (conventions
with parties, approving deliberations, avenants, obligations, signatories, a notice,
committees with meetings, sittings with agenda, attendance, proxies, votes, published acts,
stored and signed documents, a batch, deadlines, reminders and their e-mails).

The council, the conventions and the documents are built by ``build_council``,
``build_conventions`` and ``build_documents``; the words themselves come from ``canary``.
Dates are relative to today, so the dashboard, the notifications and the calendar feed show
the deadlines as a user would see them this week.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date

from django.core import mail
from django.core.management import call_command
from django.test import TestCase
from django.utils import timezone
from stdnum import luhn

from core import services as core_services
from core.roles import Role
from parties.models import OrganizationKind, Person
from reminders.models import DeadlineKind
from tests.canary.build_conventions import build_conventions
from tests.canary.build_council import build_council
from tests.canary.build_documents import build_documents
from tests.canary.canary import IDENTIFIERS, PASSPHRASE, ROLES, Canary, Tenant, found
from tests.factories import OrganizationFactory, member, valid_siret

__all__ = ["PASSPHRASE", "ROLES", "Canary", "Tenant", "World", "build_tenant", "build_world", "found"]


def build_tenant(tag: str, *, today: date | None = None) -> Tenant:
    """A collectivité with every kind of object, each text carrying ``tag``."""
    today = today or timezone.localdate()
    c = Canary(tag)
    organization = OrganizationFactory(
        kind=OrganizationKind.COMMUNE,
        name=c("Ville de"),
        short_name=c(),
        street=c("1 place"),
        postal_code="34000",
        city=c(),
        email=c.email(),
        website=f"https://www.{tag.lower()}.example.org/",
        population=40000,
    )
    # Its SIRET is in every row of its open-data files (SCDL); the SIREN it starts with is searched.
    organization.siret = valid_siret(organization.siren)
    organization.save(update_fields=["siret"])
    IDENTIFIERS[tag] = (organization.siren,)
    users = {
        role: member(
            organization,
            role,
            username=f"{tag.lower()}-{role}",
            first_name=c(),
            last_name=c(),
            email=c.email(),
        )
        for role in ROLES
    }
    admin = users[Role.ADMINISTRATOR]
    people = [
        Person.objects.create(
            organization=organization,
            civility="Mme" if n % 2 else "M.",
            first_name=c(),
            last_name=c(),
            email=c.email(),
            phone="04 67 00 00 00",
        )
        for n in range(7)
    ]
    tenant = Tenant(tag=tag, organization=organization, users=users, people=people)
    tenant.objects["api_token"], _key = core_services.create_api_token(user=admin, name=c("Jeton"))
    _parties(tenant, c)
    build_council(tenant, c, today)
    build_conventions(tenant, c, today)
    build_documents(tenant, c)
    _reminders(tenant, c, today)
    organization.refresh_from_db()
    return tenant


def _parties(t: Tenant, c: Canary) -> None:
    from parties import services

    admin, organization = t.admin, t.organization
    t.objects["signatory"] = services.add_signatory(
        user=admin, organization=organization, person=t.people[0], function=c("Maire"), is_default=True
    )
    # Their numbers, for the open-data file of subsidies: the association's RNA, the company's SIRET.
    base = f"{80_000_000 + organization.pk:08d}"
    numbers = {
        "partner": {"rna": f"W{340_000_000 + organization.pk:09d}"},
        "coordinator": {"siret": valid_siret(base + luhn.calc_check_digit(base))},
    }
    for key, kind in (("partner", OrganizationKind.ASSOCIATION), ("coordinator", OrganizationKind.COMPANY)):
        partner = services.create_partner(
            **numbers[key],
            user=admin,
            tenant=organization,
            kind=kind,
            name=c("Association"),
            short_name=c(),
            street=c("2 rue"),
            postal_code="34070",
            city=c(),
            email=c.email(),
        )
        person = services.create_person(
            user=admin, organization=partner, civility="Mme", first_name=c(), last_name=c(), email=c.email()
        )
        services.add_signatory(
            user=admin, organization=partner, person=person, function=c("Présidente"), is_default=True
        )
        t.objects[key] = partner
        t.objects[f"{key}_person"] = person


def _reminders(t: Tenant, c: Canary, today: date) -> None:
    """Everyone of every role is reminded of everything; each user has a calendar feed."""
    from reminders import services
    from reminders.models import Deadline

    # Every staff role (an élu's account is reminded of nothing: it reads only its convocations).
    every_role = [str(role) for role in ROLES if role != Role.MEMBER]
    services.update_settings(
        user=t.admin,
        organization_id=t.organization.pk,
        renewal_lead_months=3,
        offsets_days=list(range(0, 61)),
        roles_by_kind={kind: every_role for kind in DeadlineKind.values},
    )
    for user in t.users.values():
        services.regenerate_feed_token(user=user)
    # A deadline handled by someone: its page names who handled it.
    latest = Deadline.objects.filter(organization=t.organization).order_by("-due_date", "-pk").first()
    services.mark_handled(user=t.users[Role.LEGAL], deadline=latest)
    # One reader takes a daily digest: a digest gathers reminders, it must gather only theirs.
    services.set_email_mode(user=t.users[Role.VIEWER], email_mode="digest")


@dataclass
class World:
    a: Tenant
    b: Tenant
    today: date

    def pairs(self) -> list[tuple[Tenant, Tenant]]:
        """(reader, other): each collectivité in turn reads, the other is the canary."""
        return [(self.a, self.b), (self.b, self.a)]


def build_world(today: date | None = None) -> World:
    """Collectivités A and B, then today's reminders of both sent (one run, as at night)."""
    from reminders.models import Deadline

    today = today or timezone.localdate()
    world = World(a=build_tenant("CANARYA", today=today), b=build_tenant("CANARYB", today=today), today=today)
    before = len(mail.outbox)
    with TestCase.captureOnCommitCallbacks(execute=True):
        call_command("send_reminders", date=today.isoformat(), stdout=io.StringIO())
    sent = list(mail.outbox[before:])
    for tenant in (world.a, world.b):
        addresses = {user.email for user in tenant.users.values()}
        tenant.outbox = [message for message in sent if set(message.to) & addresses]
        deadlines = Deadline.objects.filter(organization=tenant.organization).order_by("due_date", "pk")
        tenant.objects["deadline"] = deadlines.first()
    return world
