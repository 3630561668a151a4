"""Stage 2: assemblies, mandates over three terms, ten years of sittings with their agendas,
attendance (per sitting, plus arrivals and departures), proxies, vote results, per-member
ballots on 10 % of the votes, transmissions to the préfecture.

Invariants kept (the same as ``deliberations.services`` enforce): convocation sent within
the legal clear days; sitting and deliberation states consistent with their dates; numbers
unique and consecutive per assembly and year; quorum on every voted item; vote totals =
members present + members represented for that item (attendance replayed item by item,
proxies counting only when the giver is away and the holder present, one per holder);
outcome and wording from the majority rule; ballots matching the totals.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bench.generator import base
from bench.generator.base import Context
from bench.generator.bulk import Sink, search_vectors_on_insert
from bench.generator.parties import TenantInfo, term_index

PARIS = ZoneInfo("Europe/Paris")
PRESENT, EXCUSED, ABSENT = "present", "excused", "absent"

REPORT = (
    "Mesdames, Messieurs, par délibération du {d}, le conseil a approuvé le principe d'un partenariat "
    "destiné à {goal}. Il vous est proposé aujourd'hui d'en fixer les modalités, dans le respect du budget "
    "de l'exercice {year}, et d'autoriser l'exécutif à signer tout document s'y rapportant. La commission "
    "compétente a émis un avis favorable. Les crédits nécessaires sont inscrits au chapitre {chap}."
)
GOALS = [
    "renforcer l'accès au droit des habitants",
    "soutenir la vie associative et sportive",
    "améliorer la sécurité des espaces publics",
    "développer les mobilités douces",
    "accompagner les personnes victimes de discriminations",
    "préserver le patrimoine bâti",
    "favoriser l'insertion professionnelle des jeunes",
]
OPERATIVE = (
    "Article 1 : approuve {what}. Article 2 : autorise {who} à signer tout document nécessaire à l'exécution de "
    "la présente délibération. Article 3 : dit que les crédits sont inscrits au budget {year}."
)


def ready() -> bool:
    return base.model("deliberations.Ballot") is not None and base.model("deliberations.Attendance") is not None


def clear_days(tenant: TenantInfo) -> int:
    if tenant.kind != "commune" or tenant.population >= 3500:
        return 5
    return 3


def sitting_dates(ctx: Context, tenant: TenantInfo) -> list[date]:
    """Ordinary sittings spread over the years, on weekdays, plus two to come after the reference day."""
    rng = ctx.rng
    years = ctx.data["years"]
    first = base.REFERENCE_DAY - timedelta(days=365 * years) + timedelta(days=1)
    total = tenant.sittings_per_year * years
    span = (base.REFERENCE_DAY - first).days
    days: set[date] = set()
    for i in range(total):
        day = first + timedelta(days=int(span * (i + rng.random() * 0.8) / total))
        while day.weekday() >= 5 or day in days or day > base.REFERENCE_DAY:
            day -= timedelta(days=1)
        days.add(day)
    days.add(base.REFERENCE_DAY + timedelta(days=rng.randint(10, 20)))
    days.add(base.REFERENCE_DAY + timedelta(days=rng.randint(40, 60)))
    return sorted(d if d.weekday() < 5 else d + timedelta(days=7 - d.weekday()) for d in days)


def replay(
    members: list[int],
    defaults: dict[int, str],
    changes: dict[int, list[tuple[int, str]]],
    proxies: list[tuple],
    n: int,
) -> Iterator[tuple[int, list[int], dict[int, int]]]:
    """(position, present ids, {giver: holder}) for positions 1..n, as ``deliberations.attendance.replay`` derives them."""
    current = dict(defaults)
    for position in range(1, n + 1):
        for person, status in changes.get(position, ()):
            current[person] = status
        present = [m for m in members if current[m] == PRESENT]
        represented: dict[int, int] = {}
        holders: set[int] = set()
        for giver, holder, start, end in proxies:
            applies = (start is None or start <= position) and (end is None or position < end)
            if applies and holder not in holders and current[giver] != PRESENT and current[holder] == PRESENT:
                represented[giver] = holder
                holders.add(holder)
        yield position, present, represented


def run(ctx: Context) -> None:
    from deliberations import models as m

    assemblies = base.bulk(
        m.Assembly,
        [
            m.Assembly(
                organization_id=t.id,
                kind=t.assembly_kind,
                name=t.assembly_name,
                usual_place="Salle du conseil" if t.kind == "commune" else "Hôtel de Métropole",
                signature_city=t.city,
                president_title=t.president_title,
                name_style=m.NameStyle.LAST_FIRST if t.kind == "territory" else m.NameStyle.FIRST_LAST,
                proxy_wording="donne pouvoir à" if t.kind == "territory" else "ayant donné pouvoir à",
            )
            for t in ctx.tenants
        ],
    )
    for tenant, assembly in zip(ctx.tenants, assemblies, strict=True):
        tenant.data["assembly_id"] = assembly.pk
    ctx.count("assemblies", len(assemblies))
    patterns = ["v{year}-{seq:03}", "{year}_CT_{seq}", "DEL{year}{seq:04}", "{year}-{seq:03}"]
    rules = base.bulk(
        m.NumberingRule,
        [
            m.NumberingRule(
                assembly_id=t.data["assembly_id"],
                pattern=patterns[0]
                if t.kind == "epci"
                else patterns[1]
                if t.kind == "territory"
                else patterns[2 + (i % 2)],
                yearly_reset=True,
            )
            for i, t in enumerate(ctx.tenants)
        ],
    )
    for tenant, rule in zip(ctx.tenants, rules, strict=True):
        tenant.data["numbering_rule"] = rule

    mandates = []
    for tenant in ctx.tenants:
        for i, (start, end) in enumerate(base.TERMS):
            for rank, person in enumerate(tenant.term_members[i]):
                role = (
                    m.MandateRole.HEAD
                    if rank == 0
                    else m.MandateRole.DEPUTY
                    if rank <= max(2, tenant.members // 8)
                    else m.MandateRole.DELEGATE
                    if rank <= tenant.members // 5
                    else m.MandateRole.COUNCILLOR
                )
                mandates.append(
                    m.Mandate(
                        assembly_id=tenant.data["assembly_id"],
                        person_id=person,
                        role=role,
                        function=tenant.president_title.split()[-1].capitalize() if rank == 0 else "",
                        start_date=start,
                        end_date=end,
                    )
                )
    ctx.count("mandates", base.bulk_quiet(m.Mandate, mandates))

    counters: list[Any] = []
    search_vectors_on_insert(True)
    for tenant in ctx.tenants:
        build_tenant(ctx, m, tenant, counters)
    ctx.data.pop("sink").flush()
    search_vectors_on_insert(False)
    base.bulk_quiet(m.NumberingCounter, counters)
    ctx.count("numbering counters", len(counters))


def build_tenant(ctx: Context, m: Any, tenant: TenantInfo, counters: list[Any]) -> None:
    rng = ctx.rng
    assembly_id = tenant.data["assembly_id"]
    rule = tenant.data["numbering_rule"]
    days = sitting_dates(ctx, tenant)
    sittings = []
    for n, day in enumerate(days):
        term = term_index(day)
        members = tenant.term_members[term]
        hour = 18 if tenant.kind == "commune" else 9
        starts_at = datetime.combine(day, time(hour, 0), tzinfo=PARIS)
        convocation = day - timedelta(days=clear_days(tenant) + 1 + rng.randint(1, 4))
        past = day <= base.REFERENCE_DAY
        next_day = days[n + 1] if n + 1 < len(days) else None
        state = m.SittingState.PLANNED
        fields: dict[str, Any] = {}
        if past:
            fields["opened_at"] = starts_at + timedelta(minutes=rng.randint(0, 15))
            fields["closed_at"] = starts_at + timedelta(hours=1 + rng.random() * 5)
            fields["list_published_on"] = day + timedelta(days=rng.randint(1, 7))
            state = m.SittingState.CLOSED
            if next_day and next_day <= base.REFERENCE_DAY:
                fields["minutes_approved_on"] = next_day
                state = m.SittingState.MINUTES_APPROVED
                published = next_day + timedelta(days=rng.randint(1, 7))
                if published <= base.REFERENCE_DAY:
                    fields["minutes_published_on"] = published
                    state = m.SittingState.MINUTES_PUBLISHED
        elif n == len(days) - 2:
            state = m.SittingState.CONVENED
        sitting = m.Sitting(
            assembly_id=assembly_id,
            kind=m.SittingKind.ORDINARY if rng.random() > 0.05 else m.SittingKind.EXTRAORDINARY,
            starts_at=starts_at,
            place="Salle du conseil",
            president_id=members[0],
            secretary_id=members[-1],
            convocation_date=convocation if state != m.SittingState.PLANNED else None,
            notes="",
            **fields,
        )
        sitting.__dict__["state"] = state  # protected FSM field: set like the database would load it
        sittings.append(sitting)
    sittings = base.bulk(m.Sitting, sittings)
    ctx.count("sittings", len(sittings))

    # Agendas: the métropole's latest closed sitting has exactly 150 items (the benchmarked page).
    last_closed = max(
        (i for i, s in enumerate(sittings) if s.state != m.SittingState.PLANNED and s.opened_at), default=-1
    )
    low, high = tenant.items_range
    seq_by_year: dict[int, int] = {}
    deliberations = []
    plan = []  # (sitting, deliberations of the sitting)
    for i, sitting in enumerate(sittings):
        n_items = rng.randint(low, high)
        if tenant.key == "metropole" and i == last_closed and ctx.scale >= 0.5:
            n_items = 150
        day = sitting.starts_at.astimezone(PARIS).date()
        year = day.year
        items = []
        for position in range(1, n_items + 1):
            seq_by_year[year] = seq_by_year.get(year, 0) + 1
            seq = seq_by_year[year]
            theme, code = rng.choice(base.THEMES)
            partner = f"« {rng.choice(base.PARTNER_B)} »"
            title = rng.choice(base.TITLE_PATTERNS).format(
                partner=partner,
                n=rng.randint(1, 4),
                year=year,
                section=rng.choice("ABCDEHK") + rng.choice("ABCDEHK"),
                parcel=rng.randint(1, 999),
                street=rng.choice(base.STREETS),
            )
            information = rng.random() < 0.08
            d = m.Deliberation(
                assembly_id=assembly_id,
                sitting_id=sitting.pk,
                position=position,
                number=rule.pattern.format(year=year, seq=seq),
                year=year,
                sequence=seq,
                kind=m.DeliberationKind.INFORMATION if information else m.DeliberationKind.VOTE,
                title=title,
                theme=theme,
                subject_code=code,
                rapporteur_id=rng.choice(tenant.term_members[term_index(day)][: max(3, tenant.members // 8)]),
                report=REPORT.format(
                    d=f"{rng.randint(1, 28)}/{rng.randint(1, 12):02d}/{year - 1}",
                    goal=rng.choice(GOALS),
                    year=year,
                    chap=rng.choice(["65", "011", "204", "23"]),
                ),
                operative_part=OPERATIVE.format(
                    what=title[0].lower() + title[1:], who=tenant.president_title.split(" ", 1)[1], year=year
                ),
                requires_transmission=rng.random() < 0.85,
                signatory_id=None,
            )
            items.append(d)
        plan.append((sitting, items))
        deliberations.extend(items)
    for year, last in seq_by_year.items():
        counters.append(m.NumberingCounter(rule_id=rule.pk, year=year, last_value=last))

    # States and dates of each deliberation from its sitting's state.
    for sitting, items in plan:
        day = sitting.starts_at.astimezone(PARIS).date()
        done = sitting.opened_at is not None
        for d in items:
            if not done:
                d.__dict__["state"] = m.DeliberationState.ON_AGENDA
                continue
            r = rng.random()
            if r < 0.01:
                d.__dict__["state"] = m.DeliberationState.WITHDRAWN
                d.state_reason = "Retirée de l'ordre du jour en séance."
                continue
            if r < 0.02:
                d.__dict__["state"] = m.DeliberationState.POSTPONED
                d.state_reason = "Reportée à une séance ultérieure."
                continue
            age = (base.REFERENCE_DAY - day).days
            d.signed_on = day
            d.signatory_id = tenant.signatory_id if term_index(day) == len(base.TERMS) - 1 else None
            if age < 3:
                decided = m.DeliberationState.TAKEN_NOTE if d.kind == m.DeliberationKind.INFORMATION else None
                d.__dict__["state"] = decided or m.DeliberationState.ADOPTED
                d.signed_on = None
            elif age < 10:
                d.__dict__["state"] = m.DeliberationState.SIGNED
            else:
                d.published_on = day + timedelta(days=rng.randint(1, 7))
                d.__dict__["state"] = m.DeliberationState.ENFORCEABLE
    vote_outcome = outcome_rule()
    decided = [decide_sitting(ctx, m, tenant, sitting, items, vote_outcome) for sitting, items in plan]
    deliberations = base.bulk(m.Deliberation, deliberations, 1000)
    ctx.count("deliberations", len(deliberations))
    sink = ctx.data.setdefault("sink", Sink(ctx, m))
    for (_sitting, items), decision in zip(plan, decided, strict=True):
        if decision:
            sink.add(decision, items)


def decide_sitting(
    ctx: Context, m: Any, tenant: TenantInfo, sitting: Any, items: list[Any], vote_outcome: Any
) -> dict[str, Any] | None:
    """Attendance, movements, proxies and votes of one held sitting, before anything is inserted.

    Sets each deliberation's final state and enforceable date; returns what to insert once
    the deliberations have their ids (rows refer to agenda positions until then).
    """
    rng = ctx.rng
    if sitting.opened_at is None:
        return None
    day = sitting.starts_at.astimezone(PARIS).date()
    members = tenant.term_members[term_index(day)]
    n = len(items)
    defaults: dict[int, str] = {}
    for person in members:
        r = rng.random()
        defaults[person] = PRESENT if r < 0.8 else EXCUSED if r < 0.95 else ABSENT
    defaults[members[0]] = PRESENT  # the president chairs
    defaults[members[-1]] = PRESENT  # and the secretary
    # Arrivals (late members) and departures, about 2 % of the members, never the chair.
    changes: dict[int, list[tuple[int, str]]] = {}
    movers = rng.sample(members[1:-1], k=min(len(members) - 2, max(1, len(members) // 50)))
    # A sitting is held with its quorum (CGCT L2121-17), departures included: a council
    # that lacks it is convened again, and the generator makes only held sittings.
    needed = len(members) // 2 + 1 + len(movers)
    away = [p for p in members if defaults[p] != PRESENT]
    rng.shuffle(away)
    while sum(1 for s in defaults.values() if s == PRESENT) < needed and away:
        defaults[away.pop()] = PRESENT
    proxies: list[tuple[int, int, int | None, int | None]] = []
    holders: set[int] = set()
    present_pool = [p for p in members if defaults[p] == PRESENT and p not in movers]
    if n >= 2:
        for person in movers:
            position = rng.randint(2, n)
            if defaults[person] == PRESENT:
                changes.setdefault(position, []).append((person, EXCUSED))
                holder = next((h for h in present_pool if h not in holders), None)
                if holder is not None:  # leaving, they give a proxy from that item on
                    holders.add(holder)
                    proxies.append((person, holder, position, None))
            else:
                changes.setdefault(position, []).append((person, PRESENT))
    # Members away the whole sitting: about two thirds give a proxy (one per holder).
    for person in members:
        if defaults[person] != PRESENT and person not in movers and rng.random() < 0.66:
            pool = rng.sample(present_pool, k=min(8, len(present_pool)))
            holder = next((h for h in pool if h not in holders), None)
            if holder is not None:
                holders.add(holder)
                proxies.append((person, holder, None, None))
    votes: dict[int, tuple[dict[str, Any], list[tuple[int, str, int | None]] | None]] = {}
    transmissions: dict[int, dict[str, Any]] = {}
    by_position = {d.position: d for d in items}
    for position, present, represented in replay(members, defaults, changes, proxies, n):
        d = by_position[position]
        state = d.__dict__["state"]
        if d.kind == m.DeliberationKind.VOTE and state not in (
            m.DeliberationState.WITHDRAWN,
            m.DeliberationState.POSTPONED,
            m.DeliberationState.ON_AGENDA,
        ):
            if len(present) * 2 <= len(members):
                raise AssertionError("generated attendance lost the quorum")  # cannot happen at 80 % present
            voters = [(p, None) for p in present] + list(represented.items())
            with_ballots = rng.random() < 0.10
            method = m.VoteMethod.PUBLIC_BALLOT if with_ballots else m.VoteMethod.SHOW_OF_HANDS
            choices = vote_choices(rng, len(voters), reject=rng.random() < 0.01)
            if choices.count("for") == choices.count("against") and choices.count("for"):
                choices[choices.index("against")] = "abstain"  # no tie, so no casting vote to record
            totals = {c: choices.count(c) for c in ("for", "against", "abstain", "not_voting")}
            outcome = vote_outcome(
                votes_for=totals["for"],
                votes_against=totals["against"],
                abstentions=totals["abstain"],
                not_voting=totals["not_voting"],
                method=method,
            )
            if not outcome.adopted and state == m.DeliberationState.ADOPTED:
                d.__dict__["state"] = m.DeliberationState.REJECTED
            votes[position] = (
                {
                    "method": method,
                    "votes_for": totals["for"],
                    "votes_against": totals["against"],
                    "abstentions": totals["abstain"],
                    "not_voting": totals["not_voting"],
                    "members_in_office": len(members),
                    "present_count": len(present),
                    "represented_count": len(represented),
                    "outcome": m.VoteOutcome.ADOPTED if outcome.adopted else m.VoteOutcome.REJECTED,
                    "casting_vote": outcome.casting_vote,
                    "result_text": outcome.text,
                },
                [(p, c, h) for (p, h), c in zip(voters, choices, strict=True)] if with_ballots else None,
            )
        if d.published_on is not None:
            if d.requires_transmission:
                sent = day + timedelta(days=rng.randint(1, 5))
                internal = d.number.upper().replace("-", "_")[:15]
                transmissions[position] = {
                    "nature": m.ActNature.DE,
                    "internal_number": internal,
                    "sent_on": sent,
                    "received_on": sent,
                    "acknowledgement_id": f"{base.DEPARTEMENT}-{siren_of(tenant)}-{sent:%Y%m%d}-{internal}-DE",
                }
                d.enforceable_on = max(sent, d.published_on)
            else:
                d.enforceable_on = d.published_on
    return {
        "sitting": sitting,
        "defaults": defaults,
        "changes": changes,
        "proxies": proxies,
        "votes": votes,
        "transmissions": transmissions,
        "day": day,
    }


def outcome_rule() -> Any:
    """``deliberations.rules.vote_outcome`` once it is there; until then the same rule, without ties."""
    try:
        from deliberations.rules import vote_outcome

        return vote_outcome
    except ImportError:
        from types import SimpleNamespace

        def fallback(*, votes_for: int, votes_against: int, abstentions: int, not_voting: int, method: str) -> Any:
            if votes_for > votes_against:
                if votes_against == 0:
                    text = (
                        "adoptée à l'unanimité"
                        if abstentions == 0 and not_voting == 0
                        else ("adoptée à l'unanimité des suffrages exprimés")
                    )
                else:
                    text = "adoptée à la majorité des suffrages exprimés"
                return SimpleNamespace(adopted=True, casting_vote=False, text=text)
            return SimpleNamespace(adopted=False, casting_vote=False, text="rejetée")

        return fallback


def siren_of(tenant: TenantInfo) -> str:
    from parties.models import Organization

    cached = tenant.data.get("siren")
    if cached is None:
        cached = Organization.objects.values_list("siren", flat=True).get(pk=tenant.id)
        tenant.data["siren"] = cached
    return cached


def vote_choices(rng: Any, voters: int, *, reject: bool) -> list[str]:
    """Choices of ``voters`` members: mostly unanimous, sometimes an opposition."""
    if reject:
        against = voters // 2 + 1 + rng.randint(0, max(0, voters // 10))
        against = min(voters, against)
        return ["against"] * against + ["for"] * (voters - against)
    r = rng.random()
    if r < 0.7:
        return ["for"] * voters
    against = rng.randint(0, voters // 5)
    abstain = rng.randint(0, voters // 10)
    not_voting = rng.randint(0, 2) if voters > 10 else 0
    rest = max(0, voters - against - abstain - not_voting)
    out = ["for"] * rest + ["against"] * against + ["abstain"] * abstain + ["not_voting"] * not_voting
    rng.shuffle(out)
    return out[:voters]
