"""The deliberative side of a canary collectivité: its council, a held sitting (vote,
information, proxy, published acts and minutes), a sitting under way and a convened one."""

from __future__ import annotations

from datetime import date, timedelta

from django.core.files.uploadedfile import SimpleUploadedFile

from tests.canary.canary import Canary, Tenant, at, docx_bytes, pdf_bytes


def build_council(t: Tenant, c: Canary, today: date) -> None:
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
        transmitted=False,
    )
    # The annex sent to the préfecture in the act's @CTES package (PDF only).
    services.add_annex(
        user=admin,
        deliberation=voted,
        upload=SimpleUploadedFile(f"{c()}.pdf", pdf_bytes(c("Annexe transmise"))),
        title=c("Annexe transmise"),
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
    # A member's personal link to the convened sitting, and an annex it offers.
    from deliberations.services.member_access import get_or_create_access

    member_access = get_or_create_access(sitting=coming, person=people[5])
    # That member's élu account, and the administrator's (also a member, the mayor): « Mes
    # séances ». The member gives a proxy online; another says they will come.
    from core.models import Membership
    from core.roles import Role
    from deliberations.services import members as member_services

    Membership.objects.filter(user=t.users[Role.MEMBER], organization=t.organization).update(person=people[5])
    Membership.objects.filter(user=admin, organization=t.organization).update(person=people[0])
    online_proxy = member_services.give_proxy(sitting=coming, giver=people[5], holder=people[6], channel="link")
    member_services.answer_convocation(sitting=coming, person=people[3], intent="present", channel="account")
    coming_annex = services.add_annex(
        user=admin,
        deliberation=agenda_item,
        upload=SimpleUploadedFile(f"{c()}.docx", docx_bytes(c("Annexe du projet"))),
        title=c("Annexe du projet"),
    )

    # A sitting convened by e-mail from Conventio: one member on paper, the others' e-mails
    # delivered (to the test outbox), the état des envois kept with the sitting.
    from django.core import mail

    from deliberations.models import Mandate
    from deliberations.services import convocations

    mailed = services.create_sitting(
        user=admin, assembly=assembly, starts_at=at(today + timedelta(days=12)), place=c("Salle"), president=people[0]
    )
    services.create_deliberation(
        user=admin, assembly=assembly, sitting=mailed, title=c("Travaux"), rapporteur=people[2]
    )
    Mandate.objects.filter(assembly=assembly, person=people[6]).update(prefers_paper=True)
    before = len(mail.outbox)
    sending = convocations.send_convocation(user=admin, sitting=mailed)
    convocations.deliver(sending_id=sending.pk)
    t.objects["convocation_emails"] = list(mail.outbox[before:])
    t.objects["convocation_sending"] = sending

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
    for sitting_ in (sitting, coming, running, mailed):
        sitting_.refresh_from_db()
    voted.refresh_from_db()
    t.objects.update(
        assembly=assembly,
        sitting=sitting,
        coming_sitting=coming,
        mailed_sitting=mailed,
        running_sitting=running,
        second_item=second_item,
        roll_call=roll_call,
        deliberation=voted,
        information=noted,
        agenda_item=agenda_item,
        pending_deliberation=pending,
        postponed_deliberation=postponed,
        proxy=sitting.proxies.get(),
        annex=voted.annexes.filter(transmitted=False).get(),
        pdf_annex=voted.annexes.filter(transmitted=True).get(),
        member_access=member_access,
        online_proxy=online_proxy,
        coming_annex=coming_annex,
    )
