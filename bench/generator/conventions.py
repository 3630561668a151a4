"""Stage 3: 20,000 conventions (scale 1) over ten years with their parties, clauses and
obligations, about 5,000 avenants, annual evaluations, comités de suivi with their
meetings, members and attendance, notices of termination; the approving deliberation of
each approved convention is an adopted deliberation of its own organization, dated before.

Invariants kept (those ``conventions.services`` enforce): status consistent with the dates
(signed → effective date and last day covered; past its end → expired, renewed or
terminated; in preparation → no signature); the last party signs on the convention's
signature day; avenants numbered 1, 2… and their effect (new end, amount) is the
convention's; evaluations due each year from the start; a comité convened at least 15
working days ahead; a notice received before its effective date.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from bench.generator import base
from bench.generator.base import Context
from bench.generator.parties import TenantInfo, term_index

CLAUSES = [
    (
        "Objet",
        "La présente convention a pour objet de définir les conditions dans lesquelles {partner} et {org} "
        "coopèrent pour {goal}.",
    ),
    (
        "Engagements de la collectivité",
        "{org} s'engage à mettre à disposition les moyens nécessaires, à relayer "
        "les actions du partenaire et à désigner un référent.",
    ),
    (
        "Engagements du partenaire",
        "{partner} s'engage à mener les actions prévues, à en rendre compte chaque année "
        "et à respecter la réglementation relative à la protection des données personnelles.",
    ),
    ("Dispositions financières", "Une contribution de {amount} est versée au partenaire, sur présentation d'un bilan."),
    (
        "Durée",
        "La présente convention est conclue pour une durée de {months} mois à compter de sa signature par la "
        "dernière des parties.",
    ),
    ("Évaluation", "Les parties se réunissent chaque année pour évaluer la mise en œuvre de la convention."),
    (
        "Comité de suivi",
        "Un comité de suivi, convoqué quinze jours ouvrés au moins avant sa réunion, veille à la "
        "bonne exécution de la présente convention.",
    ),
    ("Modification", "Toute modification de la présente convention fait l'objet d'un avenant."),
    (
        "Résiliation",
        "La présente convention peut être résiliée par l'une ou l'autre des parties, par lettre "
        "recommandée avec accusé de réception, moyennant un préavis de deux mois.",
    ),
    ("Litiges", "Les litiges relèvent de la compétence du tribunal administratif de Montpellier."),
]
PARIS = ZoneInfo("Europe/Paris")
GOALS = [
    "l'accès au droit et la lutte contre les discriminations",
    "l'accueil des personnes LGBT+ en lieu sûr",
    "le soutien aux associations sportives du territoire",
    "la mise à disposition de locaux municipaux",
    "l'animation culturelle des quartiers",
    "la prévention des violences faites aux femmes",
    "l'inclusion numérique des seniors",
]


def ready() -> bool:
    return base.model("conventions.Evaluation") is not None and base.model("conventions.CommitteeMeeting") is not None


def _end(start: date, months: int) -> date:
    from core.rules import add_months

    return add_months(start, months) - timedelta(days=1)


def run(ctx: Context) -> None:
    from conventions import models as m

    for tenant in ctx.tenants:
        _tenant(ctx, m, tenant)


def _approvals(tenant: TenantInfo) -> tuple[list[date], list[int]]:
    """Adopted (or later) vote deliberations of the tenant by date, to approve conventions with."""
    if base.model("deliberations.Deliberation") is None:
        return [], []
    from deliberations.models import Deliberation

    rows = list(
        Deliberation.objects.filter(
            assembly__organization_id=tenant.id,
            kind="vote",
            state__in=["adopted", "signed", "transmitted", "published", "enforceable"],
            signed_on__isnull=False,
        )
        .order_by("signed_on")
        .values_list("signed_on", "pk")
    )
    return [r[0] for r in rows], [r[1] for r in rows]


def _tenant(ctx: Context, m: Any, tenant: TenantInfo) -> None:
    rng = ctx.rng
    years = ctx.data["years"]
    first = base.REFERENCE_DAY - timedelta(days=365 * years)
    span = (base.REFERENCE_DAY - first).days
    approval_days, approval_ids = _approvals(tenant)
    manager, legal = tenant.users.get("manager"), tenant.users.get("legal")
    conventions: list[Any] = []
    extras: list[dict[str, Any]] = []
    for n in range(tenant.conventions):
        created = first + timedelta(days=rng.randint(0, span))
        months = rng.choice([12, 24, 36, 36, 36, 60])
        kind = rng.choice(["partnership", "partnership", "financial", "premises", "tools", "backoffice"])
        amount = Decimal(rng.randrange(500, 150_000, 500)) if kind == "financial" or rng.random() < 0.3 else None
        renewal = rng.choice(["none", "express", "tacit"])
        notice_mode = "notice" if rng.random() < 0.5 else "any_time"
        partner = rng.choice(tenant.partners)
        c = m.Convention(
            organization_id=tenant.id,
            service=rng.choice(
                ["Direction de la vie associative", "Direction juridique", "Mission égalité", "Culture"]
            ),
            reference=f"C{created.year}-{n + 1:05d}",
            title=f"Convention {('de partenariat', 'de mise à disposition', 'financière', 'd’objectifs')[n % 4]} "
            f"{rng.choice(base.PARTNER_B)} — {created.year}",
            object=f"Coopération pour {rng.choice(GOALS)}.",
            kind=kind,
            amount=amount,
            manager_id=manager,
            duration_months=months,
            renewal=renewal,
            tacit_renewals_allowed=2 if renewal == "tacit" else 0,
            renewal_notice_value=3 if renewal == "tacit" else 0,
            termination_mode=notice_mode,
            termination_notice_value=2 if notice_mode == "notice" else 0,
            data_withdrawal_value=1 if kind == "backoffice" else 0,
            annual_evaluation=rng.random() < 0.4,
            has_committee=rng.random() < 0.08,
            perimeter_postal_codes=["34000", "34070"] if kind == "backoffice" else [],
            created_by_id=legal,
        )
        extra: dict[str, Any] = {"partner": partner, "created": created, "amendments": []}
        _life(ctx, m, c, extra, created, months, approval_days, approval_ids, tenant)
        c.created_at = datetime.combine(created, time(9, 0), tzinfo=PARIS)
        conventions.append(c)
        extras.append(extra)
    with base.keep_given_dates(m.Convention, "created_at"):
        conventions = base.bulk(m.Convention, conventions, 1000)
    ctx.count("conventions", len(conventions))
    _children(ctx, m, tenant, conventions, extras)


def _life(
    ctx: Context,
    m: Any,
    c: Any,
    extra: dict[str, Any],
    created: date,
    months: int,
    approval_days: list[date],
    approval_ids: list[int],
    tenant: TenantInfo,
) -> None:
    """Status and dates, from the creation date: approval, signature, end, avenants, notice."""
    rng = ctx.rng
    ref = base.REFERENCE_DAY
    r = rng.random()
    if created > ref - timedelta(days=90) and r < 0.5 or r < 0.02:
        # Still in preparation, or abandoned.
        status = rng.choice(["draft", "legal_review", "approved", "out_for_signature"]) if r >= 0.02 else "cancelled"
        if status in ("approved", "out_for_signature"):
            _approve(ctx, c, created, approval_days, approval_ids, extra)
            if status == "out_for_signature":
                c.sent_for_signature_on = c.approved_on + timedelta(days=rng.randint(1, 10))
                if c.sent_for_signature_on > ref:
                    c.sent_for_signature_on = ref
        c.__dict__["status"] = status
        return
    _approve(ctx, c, created, approval_days, approval_ids, extra)
    c.sent_for_signature_on = c.approved_on + timedelta(days=rng.randint(1, 15))
    signed = c.sent_for_signature_on + timedelta(days=rng.randint(3, 40))
    if signed > ref:
        signed = ref
        c.sent_for_signature_on = min(c.sent_for_signature_on, signed)
    c.signed_on = signed
    c.effective_date = signed
    c.end_date = _end(signed, months)
    # Avenants: about a quarter of the signed conventions have one or two.
    if rng.random() < 0.18:
        for number in range(1, rng.choice([1, 1, 2, 3]) + 1):
            on = signed + timedelta(days=rng.randint(60, 400) * number)
            if on >= ref or on >= c.end_date:
                break
            before = {"end_date": c.end_date.isoformat(), "amount": str(c.amount) if c.amount is not None else None}
            a: dict[str, Any] = {"number": number, "signed_on": on, "before": before}
            if rng.random() < 0.4:
                a["new_end_date"] = _end(c.end_date + timedelta(days=1), 12)
                c.end_date = a["new_end_date"]
            elif c.amount is not None:
                a["new_amount"] = (c.amount * Decimal("1.1")).quantize(Decimal("0.01"))
                c.amount = a["new_amount"]
            else:
                a["new_clause"] = True
            a["after"] = {"end_date": c.end_date.isoformat(), "amount": str(c.amount) if c.amount is not None else None}
            extra["amendments"].append(a)
    if c.renewal == "tacit" and c.end_date < ref:
        done = 0
        while c.end_date < ref and done < c.tacit_renewals_allowed:
            c.end_date = _end(c.end_date + timedelta(days=1), months)
            done += 1
        c.tacit_renewals_done = done
    # Termination by notice: about 4 %.
    if rng.random() < 0.04 and signed + timedelta(days=60) < ref:
        sent = signed + timedelta(days=rng.randint(30, max(31, (min(ref, c.end_date) - signed).days)))
        if sent < min(ref, c.end_date):
            received = sent + timedelta(days=rng.randint(1, 5))
            from core.rules import add_months

            effective = add_months(received, 2) if c.termination_mode == "notice" else received
            withdrawal = add_months(effective, 1) if c.data_withdrawal_value else None
            extra["notice"] = {
                "sent_on": sent,
                "received_on": min(received, ref),
                "effective_date": effective if received <= ref else None,
                "data_withdrawal_end": withdrawal if received <= ref else None,
                "registered_letter_number": f"1A{rng.randint(10**10, 10**11 - 1)}",
            }
            if received <= ref and effective <= ref:
                c.__dict__["status"] = "terminated"
                c.terminated_on = effective
                c.ended_on = effective
            else:
                c.__dict__["status"] = "termination_notified"
            return
    if c.end_date < ref:
        if c.renewal == "express" and rng.random() < 0.5:
            c.__dict__["status"] = "renewed"
        else:
            c.__dict__["status"] = "expired"
        c.ended_on = c.end_date + timedelta(days=1)
    else:
        c.__dict__["status"] = "suspended" if rng.random() < 0.01 else "active"


def _approve(
    ctx: Context, c: Any, created: date, approval_days: list[date], approval_ids: list[int], extra: dict[str, Any]
) -> None:
    """An adopted deliberation of the organization after the draft, else a delegated decision."""
    rng = ctx.rng
    i = bisect.bisect_left(approval_days, created)
    if approval_days and i < len(approval_days) and rng.random() < 0.8:
        j = min(len(approval_days) - 1, i + rng.randint(0, 5))
        c.approved_on = approval_days[j]
        extra["deliberation"] = approval_ids[j]
    else:
        c.approved_on = min(base.REFERENCE_DAY, created + timedelta(days=rng.randint(5, 40)))
        c.delegated_decision_reference = f"DEC-{c.approved_on.year}-{rng.randint(1, 999):03d}"
        c.delegated_decision_date = c.approved_on


def _children(ctx: Context, m: Any, tenant: TenantInfo, conventions: list[Any], extras: list[dict[str, Any]]) -> None:
    rng = ctx.rng
    ref = base.REFERENCE_DAY
    signatories = tenant.data.get("signatories", [])
    parties, clauses, obligations, amendments, evaluations, notices, approvals, followers = (
        [],
        [],
        [],
        [],
        [],
        [],
        [],
        [],
    )
    committees: list[tuple[Any, Any]] = []
    approvals_model = m.Convention.approving_deliberations.through
    followers_model = m.Convention.followers.through
    for c, extra in zip(conventions, extras, strict=True):
        partner = extra["partner"]
        signed = c.signed_on
        term = term_index(signed or extra["created"])
        own_signatory = signatories[term] if term < len(signatories) else None
        parties.append(
            m.ConventionParty(
                convention_id=c.pk,
                organization_id=tenant.id,
                signatory_id=own_signatory,
                side="first",
                position=1,
                designation=f"{tenant.name}, représentée par {tenant.president_title.split(' ', 1)[1]}",
                signed_on=signed,
            )
        )
        parties.append(
            m.ConventionParty(
                convention_id=c.pk,
                organization_id=partner,
                side="other",
                position=2,
                designation="le partenaire",
                signed_on=(signed - timedelta(days=rng.randint(0, 10))) if signed else None,
            )
        )
        if "deliberation" in extra:
            approvals.append(approvals_model(convention_id=c.pk, deliberation_id=extra["deliberation"]))
        if rng.random() < 0.3 and tenant.users.get("legal"):
            followers.append(followers_model(convention_id=c.pk, user_id=tenant.users["legal"]))
        fill = {
            "partner": "le partenaire",
            "org": tenant.name,
            "goal": rng.choice(GOALS),
            "amount": f"{c.amount} €" if c.amount is not None else "0 €",
            "months": c.duration_months,
        }
        chosen = [cl for i, cl in enumerate(CLAUSES) if i < 5 or rng.random() < 0.6]
        for position, (title, body) in enumerate(chosen, start=1):
            clauses.append(
                m.ConventionClause(convention_id=c.pk, position=position, title=title, body=body.format(**fill))
            )
        extra["party_positions"] = (1, 2)
        for k in range(rng.randint(1, 3)):
            first_due = (c.effective_date or extra["created"]) + timedelta(days=rng.randint(30, 300))
            recurrence = rng.choice(["once", "yearly", "quarterly"])
            obligations.append(
                (
                    k % 2,  # 0: the collectivité, 1: the partner
                    m.Obligation(
                        convention_id=c.pk,
                        description=rng.choice(
                            [
                                "Verser la subvention annuelle",
                                "Remettre le bilan d'activité",
                                "Transmettre les comptes certifiés",
                                "Mettre les locaux à disposition",
                                "Former les agents d'accueil",
                            ]
                        ),
                        recurrence=recurrence,
                        first_due_date=first_due,
                        amount=c.amount if k == 0 and c.amount is not None else None,
                        fulfilled_on=first_due
                        if first_due < ref - timedelta(days=30) and recurrence == "once"
                        else None,
                    ),
                )
            )
        for a in extra["amendments"]:
            amendments.append(
                m.Amendment(
                    convention_id=c.pk,
                    number=a["number"],
                    title=f"Avenant n° {a['number']}",
                    object="Prolongation d'un an" if "new_end_date" in a else "Modification des engagements",
                    new_end_date=a.get("new_end_date"),
                    new_amount=a.get("new_amount"),
                    new_clause_title="Engagements du partenaire" if a.get("new_clause") else "",
                    new_clause_body="Le partenaire s'engage en outre à accueillir deux stagiaires par an."
                    if a.get("new_clause")
                    else "",
                    approved_on=a["signed_on"] - timedelta(days=20),
                    delegated_decision_reference=f"DEC-AV-{c.pk}-{a['number']}",
                    delegated_decision_date=a["signed_on"] - timedelta(days=20),
                    signed_on=a["signed_on"],
                    effect_before=a["before"],
                    effect_after=a["after"],
                    created_by_id=tenant.users.get("legal"),
                )
            )
            amendments[-1].__dict__["status"] = "signed"
        if c.annual_evaluation and c.effective_date:
            from conventions import rules

            for year, due in enumerate(rules.evaluation_due_dates(c.effective_date, c.end_date), start=1):
                held = due + timedelta(days=rng.randint(-20, 30)) if due < ref - timedelta(days=30) else None
                if held and rng.random() < 0.05:
                    held = None  # a late one, still to do
                evaluations.append(
                    m.Evaluation(
                        convention_id=c.pk,
                        number=year,
                        due_date=due,
                        held_on=held,
                        outcome=rng.choice(["positive", "positive", "mixed", "negative"]) if held else "",
                        summary="Bilan conforme aux engagements." if held else "",
                        recorded_by_id=tenant.users.get("manager") if held else None,
                    )
                )
        if "notice" in extra:
            notices.append(m.TerminationNotice(convention_id=c.pk, reason="Fin du partenariat.", **extra["notice"]))
        if c.has_committee and c.effective_date:
            committees.append((c, extra))
    parties = base.bulk(m.ConventionParty, parties, 5000)
    party_ids: dict[tuple[int, int], int] = {(p.convention_id, p.position): p.pk for p in parties}
    for side, obligation in obligations:
        obligation.party_id = party_ids[(obligation.convention_id, side + 1)]
    ctx.count("convention parties", len(parties))
    ctx.count("convention clauses", base.bulk_quiet(m.ConventionClause, clauses, 5000))
    ctx.count("obligations", base.bulk_quiet(m.Obligation, [o for _s, o in obligations], 5000))
    amendments = base.bulk(m.Amendment, amendments)
    ctx.count("amendments (avenants)", len(amendments))
    ctx.count(
        "amendment signatures", base.bulk_quiet(m.AmendmentSignature, _amendment_signatures(m, amendments, parties))
    )
    ctx.count("evaluations", base.bulk_quiet(m.Evaluation, evaluations))
    ctx.count("termination notices", base.bulk_quiet(m.TerminationNotice, notices))
    base.bulk_quiet(approvals_model, approvals, 5000)
    base.bulk_quiet(followers_model, followers, 5000)
    ctx.count("convention approvals (deliberations)", len(approvals))
    _committees(ctx, m, tenant, committees)


def _amendment_signatures(m: Any, amendments: list[Any], parties: list[Any]) -> Iterator[Any]:
    """Each party signs a signed avenant, the partner up to ten days before the collectivité;
    the avenant's date is the last signature. (No draw from the generator's random stream, so
    the rest of the data stays as it was.)"""
    by_position = {(p.convention_id, p.position): p for p in parties}
    for a in amendments:
        if a.signed_on is None:
            continue
        for position in (1, 2):
            party = by_position[(a.convention_id, position)]
            day = a.signed_on if position == 1 else a.signed_on - timedelta(days=(a.convention_id + a.number) % 11)
            yield m.AmendmentSignature(
                amendment_id=a.pk,
                party_id=party.pk,
                signatory_id=party.signatory_id,
                signed_on=max(day, a.approved_on),
            )


def _committees(ctx: Context, m: Any, tenant: TenantInfo, items: list[tuple[Any, dict[str, Any]]]) -> None:
    rng = ctx.rng
    ref = base.REFERENCE_DAY
    committees = base.bulk(
        m.MonitoringCommittee,
        [
            m.MonitoringCommittee(organization_id=tenant.id, name=f"Comité de suivi {c.reference}", convention_id=c.pk)
            for c, _e in items
        ],
    )
    members, meetings = [], []
    for committee, (c, extra) in zip(committees, items, strict=True):
        names: set[str] = set()
        for k in range(rng.randint(3, 6)):
            name = f"{rng.choice(base.FIRST_NAMES_F + base.FIRST_NAMES_M)} {rng.choice(base.LAST_NAMES).upper()}"
            if name in names:
                continue
            names.add(name)
            members.append(
                m.CommitteeMember(
                    committee_id=committee.pk,
                    full_name=name,
                    organization_id=tenant.id if k % 2 == 0 else extra["partner"],
                    role="Représentant" if k else "Président du comité",
                )
            )
        day = c.effective_date + timedelta(days=rng.randint(60, 200))
        while day <= min(c.end_date, ref + timedelta(days=120)):
            while day.weekday() >= 5:
                day += timedelta(days=1)
            # 30 calendar days hold at least 15 working days, holidays included.
            convened = day - timedelta(days=30)
            held = day <= ref
            status = "held" if held else ("convened" if convened <= ref else "planned")
            meetings.append(
                m.CommitteeMeeting(
                    committee_id=committee.pk,
                    date=day,
                    location="Salle des commissions",
                    status=status,
                    convocation_sent_on=convened if status != "planned" else None,
                    agenda="1. Bilan de l'année\n2. Perspectives",
                    minutes="Le comité constate la bonne exécution de la convention." if held else "",
                )
            )
            day += timedelta(days=rng.randint(330, 400))
    members = base.bulk(m.CommitteeMember, members, 5000)
    meetings = base.bulk(m.CommitteeMeeting, meetings, 5000)
    by_committee: dict[int, list[int]] = {}
    for member in members:
        by_committee.setdefault(member.committee_id, []).append(member.pk)
    attendance = [
        m.MeetingAttendance(meeting_id=meeting.pk, member_id=member, present=rng.random() < 0.85)
        for meeting in meetings
        if meeting.status == "held"
        for member in by_committee.get(meeting.committee_id, [])
    ]
    ctx.count("comités de suivi", len(committees))
    ctx.count("comité members", len(members))
    ctx.count("comité meetings", len(meetings))
    ctx.count("comité attendance", base.bulk_quiet(m.MeetingAttendance, attendance, 5000))
