"""Two collectivités built through the services, every text of each carrying its own canary.

``build_tenant("CANARYB")`` gives a collectivité whose names, short names, references,
people, addresses, e-mails, clauses, titles, obligations, places, programmes, committees and
uploaded files all contain ``CANARYB`` followed by a counter: any output of another
collectivité that shows one of these words shows a leak. Both collectivités of the canary
tests are built by the same function, so each is as richly linked as the other (conventions
with parties, approving deliberations, avenants, obligations, signatories, a notice,
committees with meetings, sittings with agenda, attendance, proxies, votes, published acts,
stored and signed documents, a batch, deadlines, reminders and their e-mails).

Dates are relative to today, so the dashboard, the notifications and the calendar feed show
the deadlines as a user would see them this week.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import TestCase
from django.utils import timezone

from core import services as core_services
from core.roles import Role
from parties.models import Organization, OrganizationKind, Person
from reminders.models import DeadlineKind
from tests.factories import OrganizationFactory, member

PARIS = ZoneInfo("Europe/Paris")
PASSPHRASE = "phrase-secrète-canari"
ROLES = (Role.ADMINISTRATOR, Role.LEGAL, Role.CLERK, Role.MANAGER, Role.VIEWER)


# Identifiers of a collectivité that cannot carry a canary word (its SIREN), by tag.
IDENTIFIERS: dict[str, tuple[str, ...]] = {}


def found(tag: str, text: str) -> list[str]:
    """Every word of ``text`` that carries the canary ``tag`` (any case: slugs, e-mail
    addresses and file names lower-case what they copy), and the collectivité's SIREN."""
    words = set(re.findall(rf"\w*{tag}\w*", text, flags=re.IGNORECASE))
    for identifier in IDENTIFIERS.get(tag, ()):
        words.update(re.findall(rf"(?<!\w){re.escape(identifier)}(?!\w)", text))
    return sorted(words)


class Canary:
    """Unique words of one collectivité: ``CANARYB1``, ``CANARYB2``…"""

    def __init__(self, tag: str) -> None:
        self.tag = tag
        self.count = 0

    def __call__(self, text: str = "") -> str:
        self.count += 1
        word = f"{self.tag}{self.count}"
        return f"{text} {word}".strip() if text else word

    def email(self) -> str:
        self.count += 1
        return f"{self.tag.lower()}{self.count}@{self.tag.lower()}.example.org"


@dataclass
class Tenant:
    """One collectivité and what was built for it."""

    tag: str
    organization: Organization
    users: dict[str, Any]
    people: list[Person]
    objects: dict[str, Any] = field(default_factory=dict)
    outbox: list[Any] = field(default_factory=list)

    @property
    def admin(self) -> Any:
        return self.users[Role.ADMINISTRATOR]

    def __getitem__(self, name: str) -> Any:
        return self.objects[name]


def at(day: date, hour: int = 18) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=PARIS)


def docx_bytes(title: str) -> bytes:
    from docx import Document

    document = Document()
    document.add_heading(title, level=1)
    document.add_paragraph(title)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


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
    _council(tenant, c, today)
    _conventions(tenant, c, today)
    _documents(tenant, c)
    _reminders(tenant, c, today)
    organization.refresh_from_db()
    return tenant


def _parties(t: Tenant, c: Canary) -> None:
    from parties import services

    admin, organization = t.admin, t.organization
    t.objects["signatory"] = services.add_signatory(
        user=admin, organization=organization, person=t.people[0], function=c("Maire"), is_default=True
    )
    for key, kind in (("partner", OrganizationKind.ASSOCIATION), ("coordinator", OrganizationKind.COMPANY)):
        partner = services.create_partner(
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


def _council(t: Tenant, c: Canary, today: date) -> None:
    """A held sitting (vote, information, proxy, published acts and minutes) and a convened one."""
    from deliberations import services

    admin, people = t.admin, t.people
    assembly = services.create_assembly(
        user=admin,
        organization=t.organization,
        kind="municipal",
        name=c("Conseil"),
        numbering_pattern=c() + "-{year}-{seq:03}",
        usual_place=c("Salle"),
        signature_city=c(),
        president_title=c("Maire"),
        proxy_wording=c("donne pouvoir à"),
    )
    for index, person in enumerate(people):
        services.add_mandate(
            user=admin,
            assembly=assembly,
            person=person,
            start_date=date(2020, 7, 3),
            role="head" if index == 0 else ("deputy" if index == 1 else "councillor"),
            function=c("Adjoint") if index == 1 else "",
        )
    held_day = today - timedelta(days=60)
    sitting = services.create_sitting(
        user=admin,
        assembly=assembly,
        starts_at=at(held_day),
        place=c("Salle"),
        president=people[0],
        secretary=people[1],
        notes=c("Notes"),
    )
    sitting = services.convene(user=admin, sitting=sitting, convocation_date=held_day - timedelta(days=7))
    voted = services.create_deliberation(
        user=admin,
        assembly=assembly,
        sitting=sitting,
        title=c("Convention de partenariat"),
        rapporteur=people[1],
        theme=c("Thème"),
        subject_code="1.4",
        report=c("Exposé"),
        operative_part=c("Article 1"),
    )
    noted = services.create_deliberation(
        user=admin,
        assembly=assembly,
        sitting=sitting,
        title=c("Rapport d'activité"),
        rapporteur=people[2],
        kind="information",
        requires_transmission=False,
        report=c("Exposé"),
    )
    sitting = services.open_sitting(user=admin, sitting=sitting, opened_at=at(held_day))
    statuses = {p.pk: "present" for p in people[:5]}
    statuses.update({people[5].pk: "excused", people[6].pk: "absent"})
    services.set_attendances(user=admin, sitting=sitting, statuses=statuses)
    services.register_proxy(
        user=admin, sitting=sitting, giver=people[6], holder=people[0], written_on=held_day - timedelta(days=1)
    )
    services.record_vote(user=admin, deliberation=voted, votes_for=5, votes_against=1, abstentions=0, not_voting=0)
    services.take_note(user=admin, deliberation=noted)
    services.close_sitting(user=admin, sitting=sitting, closed_at=at(held_day, 21))
    services.publish_list(user=admin, sitting=sitting, published_on=held_day + timedelta(days=1))
    services.add_annex(
        user=admin,
        deliberation=voted,
        upload=SimpleUploadedFile(f"{c()}.docx", docx_bytes(c("Annexe"))),
        title=c("Annexe"),
    )
    for item in (voted, noted):
        services.sign(user=admin, deliberation=item, signed_on=held_day + timedelta(days=1))
    internal_number = c()
    organization = t.organization
    services.record_transmission(
        user=admin,
        deliberation=voted,
        sent_on=held_day + timedelta(days=1),
        nature="CC",
        internal_number=internal_number,
        received_on=held_day + timedelta(days=1),
        acknowledgement_id=f"{organization.departement_code}-{organization.siren}-{held_day:%Y%m%d}-{internal_number}-CC-1-1",
    )
    for item in (voted, noted):
        services.publish(user=admin, deliberation=item, published_on=held_day + timedelta(days=2))
    sitting.refresh_from_db()
    sitting = services.approve_minutes(user=admin, sitting=sitting, approved_on=today - timedelta(days=3))
    services.publish_minutes(user=admin, sitting=sitting, published_on=today - timedelta(days=2))

    coming_day = today + timedelta(days=10)
    coming = services.create_sitting(
        user=admin, assembly=assembly, starts_at=at(coming_day), place=c("Salle"), president=people[0]
    )
    agenda_item = services.create_deliberation(
        user=admin, assembly=assembly, sitting=coming, title=c("Subvention"), rapporteur=people[3]
    )
    second_item = services.create_deliberation(
        user=admin, assembly=assembly, sitting=coming, title=c("Acquisition"), rapporteur=people[4]
    )
    coming = services.convene(user=admin, sitting=coming, convocation_date=today)

    # A sitting under way since yesterday evening: attendance taken, one item postponed.
    running_day = today - timedelta(days=1)
    running = services.create_sitting(
        user=admin, assembly=assembly, starts_at=at(running_day), place=c("Salle"), president=people[0]
    )
    postponed = services.create_deliberation(
        user=admin, assembly=assembly, sitting=running, title=c("Report"), rapporteur=people[4]
    )
    roll_call = services.create_deliberation(user=admin, assembly=assembly, sitting=running, title=c("Voirie"))
    running = services.convene(user=admin, sitting=running, convocation_date=running_day - timedelta(days=8))
    running = services.open_sitting(user=admin, sitting=running, opened_at=at(running_day))
    services.set_attendances(user=admin, sitting=running, statuses={p.pk: "present" for p in people})
    # A public ballot: each member's vote is named in the minutes and on the vote's page.
    choices = ["for", "for", "for", "for", "against", "abstain", "not_voting"]
    services.record_vote(
        user=admin,
        deliberation=roll_call,
        method="public_ballot",
        ballots=[
            services.BallotInput(person_id=p.pk, choice=choice) for p, choice in zip(people, choices, strict=True)
        ],
    )
    postponed = services.postpone(user=admin, deliberation=postponed, reason=c("Motif du report"))
    pending = services.create_deliberation(user=admin, assembly=assembly, title=c("Projet"))
    for sitting_ in (sitting, coming, running):
        sitting_.refresh_from_db()
    voted.refresh_from_db()
    t.objects.update(
        assembly=assembly,
        sitting=sitting,
        coming_sitting=coming,
        running_sitting=running,
        second_item=second_item,
        roll_call=roll_call,
        deliberation=voted,
        information=noted,
        agenda_item=agenda_item,
        pending_deliberation=pending,
        postponed_deliberation=postponed,
        proxy=sitting.proxies.get(),
        annex=voted.annexes.get(),
    )


def _conventions(t: Tenant, c: Canary, today: date) -> None:
    from conventions import services

    admin = t.admin
    manager = t.users[Role.MANAGER]
    template = services.save_clause_template(
        user=admin,
        organization=t.organization,
        key=c().lower(),
        title=c("Durée"),
        category=c(),
        body=c("La convention dure") + " {{ duree }}.",
    )
    programme = services.create_programme(
        user=admin,
        organization=t.organization,
        name=c("Plan"),
        kind="plan",
        coordinator=t["coordinator"],
        description=c("Description"),
        start_date=date(today.year - 1, 1, 1),
    )
    services.set_budget(
        user=admin, programme=programme, year=today.year, amount=Decimal("60000"), initiative_fund=Decimal("15000")
    )

    def signed(partner: Any, days_ago: int, **terms: Any) -> Any:
        convention = services.create_convention(
            user=admin,
            organization=t.organization,
            reference=c(),
            title=c("Convention"),
            object=c("Objet"),
            service=c("Service"),
            kind="partnership",
            manager=manager,
            followers=[t.users[Role.LEGAL]],
            duration_months=12,
            termination_mode="notice",
            termination_notice_value=1,
            termination_by_registered_letter=True,
            perimeter_communes=[c()],
            perimeter_urls=[f"https://{c().lower()}.example.org/"],
            after_termination=c("Après"),
            today=today - timedelta(days=40),
            **terms,
        )
        party = services.add_party(
            user=admin, convention=convention, organization=partner, designation=c("l'association")
        )
        services.add_clause_from_library(user=admin, convention=convention, template=template)
        services.add_clause(user=admin, convention=convention, title=c("Article"), body=c("Texte"))
        first = convention.parties.get(position=1)
        services.add_obligation(
            user=admin,
            convention=convention,
            party=first,
            description=c("Engagement"),
            first_due_date=today + timedelta(days=7),
        )
        services.add_obligation(
            user=admin,
            convention=convention,
            party=party,
            description=c("Engagement"),
            recurrence="yearly",
            first_due_date=today + timedelta(days=30),
            amount=Decimal("1200"),
        )
        services.submit_for_review(user=admin, convention=convention)
        services.approve_convention(user=admin, convention=convention, deliberations=[t["deliberation"]])
        services.send_for_signature(user=admin, convention=convention, sent_on=today - timedelta(days=days_ago + 2))
        for position, signer in enumerate(convention.parties.order_by("position")):
            services.record_signature(
                user=admin,
                convention=convention,
                party=signer,
                signed_on=today - timedelta(days=days_ago - position),
                today=today,
            )
        convention.refresh_from_db()
        return convention

    convention = signed(t["partner"], 15, programme=programme, annual_evaluation=True, has_committee=True)
    services.add_annex(
        user=admin, convention=convention, title=c("Annexe"), name=f"{c()}.docx", content=docx_bytes(c("Annexe"))
    )
    evaluation = services.record_evaluation(
        user=admin,
        evaluation=convention.evaluations.order_by("due_date").first(),
        held_on=today,
        outcome="mixed",
        summary=c("Synthèse"),
        today=today,
    )
    services.add_annex(
        user=admin,
        convention=convention,
        title=c("Bilan"),
        name=f"{c()}.docx",
        content=docx_bytes(c("Bilan")),
        evaluation=evaluation,
    )
    amendment = services.create_amendment(
        user=admin,
        convention=convention,
        title=c("Avenant"),
        object=c("Objet"),
        new_clause_title=c("Article"),
        new_clause_body=c("Texte"),
    )
    amendment = services.approve_amendment(
        user=admin, amendment=amendment, delegated_reference=c(), delegated_date=today - timedelta(days=8)
    )
    amendment = services.send_amendment_for_signature(user=admin, amendment=amendment)
    for party in convention.parties.order_by("position"):
        amendment = services.sign_amendment(
            user=admin, amendment=amendment, party=party, signed_on=today - timedelta(days=5), today=today
        )

    committee = services.create_committee(
        user=admin, name=c("Comité"), convention=convention, convocation_working_days=0, description=c("Rôle")
    )
    members = [
        services.add_member(
            user=admin, committee=committee, full_name=c("Membre"), organization=org, role=c(), email=c.email()
        )
        for org in (t.organization, t["partner"])
    ]
    held = services.plan_meeting(
        user=admin,
        committee=committee,
        meeting_date=today - timedelta(days=4),
        starts_at=time(10),
        location=c("Salle"),
        agenda=c("Ordre du jour"),
    )
    held = services.convene_meeting(user=admin, meeting=held, sent_on=today - timedelta(days=10))
    held = services.record_meeting(
        user=admin, meeting=held, present_member_ids=[m.pk for m in members], minutes=c("Compte rendu")
    )
    decision = services.record_decision(user=admin, meeting=held, text=c("Décision"), today=today)
    coming = services.plan_meeting(
        user=admin,
        committee=committee,
        meeting_date=today + timedelta(days=12),
        starts_at=time(14),
        location=c("Salle"),
        agenda=c("Ordre du jour"),
    )
    coming = services.convene_meeting(user=admin, meeting=coming, sent_on=today)

    # A comité of the programme: it follows every convention of the programme.
    programme_committee = services.create_committee(
        user=admin, name=c("Comité du programme"), programme=programme, convocation_working_days=0
    )
    services.add_member(user=admin, committee=programme_committee, full_name=c("Membre"), organization=t["coordinator"])
    programme_meeting = services.plan_meeting(
        user=admin,
        committee=programme_committee,
        meeting_date=today + timedelta(days=15),
        location=c("Salle"),
        agenda=c("Ordre du jour"),
    )

    ended = signed(t["coordinator"], 30, programme=programme)
    notice = services.give_notice(
        user=admin,
        convention=ended,
        given_by=ended.parties.get(position=2),
        reason=c("Motif"),
        sent_on=today - timedelta(days=3),
        registered_letter_number=c()[:40],
        received_on=today - timedelta(days=2),
        today=today,
    )
    draft = services.create_convention(
        user=admin, organization=t.organization, reference=c(), title=c("Projet"), object=c("Objet"), today=today
    )
    convention.refresh_from_db()
    ended.refresh_from_db()
    t.objects.update(
        clause_template=template,
        programme=programme,
        convention=convention,
        amendment=amendment,
        committee=committee,
        programme_committee=programme_committee,
        programme_meeting=programme_meeting,
        meeting=held,
        coming_meeting=coming,
        decision=decision,
        noticed_convention=ended,
        notice=notice,
        draft_convention=draft,
        convention_annex=convention.annexes.filter(evaluation__isnull=True).get(),
        evaluation=evaluation,
    )


def _documents(t: Tenant, c: Canary) -> None:
    """Stored documents (a signed one among them), a certificate, a trust anchor, an uploaded
    template that prints a canary of its own, and a finished batch."""
    from conventions import documents as convention_documents
    from deliberations import documents as deliberation_documents
    from documents import services
    from documents.models import TemplateFormat

    admin = t.admin
    marker = c("Modèle")
    # A template of the collectivité's own (it prints the marker): another's documents of the
    # same kind must never be rendered with it.
    template_html = (
        '{% extends "documents/base.html" %}{% block title %}{{ title }}{% endblock %}{% block body %}'
        '<p>{{ committee|default("") }} — {{ location|default("") }}</p>'
        "{% for line in agenda|default([]) %}<p>{{ line }}</p>{% endfor %}"
        "{% for m in members|default([]) %}<p>{{ m.name }}, {{ m.role }}, {{ m.organization }}</p>{% endfor %}"
        f"<p>{marker}</p>{{% endblock %}}"
    )
    uploaded = services.upload_template(
        organization=t.organization,
        user=admin,
        kind="committee_convocation",
        template_format=TemplateFormat.HTML,
        data=template_html.encode(),
        filename=f"{c()}.html",
        comment=c("Version"),
    )
    generated = convention_documents.generate_convention(convention=t["convention"], user=admin)
    generated += deliberation_documents.generate_extract(user=admin, deliberation=t["deliberation"])
    certificate = services.create_test_certificate(
        organization=t.organization, signatory=t["signatory"], passphrase=PASSPHRASE
    )
    pdf = next(d for d in generated if d.kind == "convention" and d.format == "pdf")
    signed = services.sign_document(
        document=pdf, certificate=certificate, user=admin, passphrase=PASSPHRASE, reason=c("Motif"), location=c()
    )
    with TestCase.captureOnCommitCallbacks(execute=True):
        batch = deliberation_documents.start_sitting_bundle(user=admin, sitting=t["sitting"])
    batch = type(batch).objects.get(pk=batch.pk)
    t.objects.update(
        uploaded_template=uploaded,
        certificate=certificate,
        trust_anchor=t.organization.trust_anchors.get(),
        document=pdf,
        signed_document=signed,
        docx_document=next(d for d in generated if d.kind == "convention" and d.format == "docx"),
        extract=next(d for d in generated if d.kind == "extract" and d.format == "pdf"),
        batch=batch,
        template_marker=marker,
    )


def _reminders(t: Tenant, c: Canary, today: date) -> None:
    """Everyone of every role is reminded of everything; each user has a calendar feed."""
    from reminders import services
    from reminders.models import Deadline

    every_role = [str(role) for role in ROLES]
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
