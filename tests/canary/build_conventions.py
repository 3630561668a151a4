"""The conventions of a canary collectivité: signed ones (with an avenant, an evaluation, a
notice), a draft, a programme, comités with their meetings and decisions."""

from __future__ import annotations

from datetime import date, time, timedelta
from decimal import Decimal
from typing import Any

from core.roles import Role
from tests.canary.canary import Canary, Tenant, docx_bytes


def build_conventions(t: Tenant, c: Canary, today: date) -> None:
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
            kind=terms.pop("kind", "partnership"),
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

    # A subsidy (for the open-data file of subsidies), paid in one go.
    ended = signed(
        t["coordinator"],
        30,
        programme=programme,
        kind="financial",
        amount=Decimal("30000"),
        payment_start=today - timedelta(days=20),
    )
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
