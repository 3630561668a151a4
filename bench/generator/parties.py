"""Stage 1: the collectivités (a métropole, its conseils de territoire, its communes), their
elected members over three terms, their staff, users with every role, and the partners
they register."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.contrib.auth.hashers import make_password
from stdnum import luhn

from bench.generator import base
from bench.generator.base import Context


@dataclass
class TenantInfo:
    id: int
    key: str
    name: str
    kind: str  # parties.OrganizationKind value
    assembly_kind: str
    assembly_name: str
    president_title: str
    city: str
    population: int
    members: int
    sittings_per_year: int
    items_range: tuple[int, int]
    conventions: int
    # Elected members, one list of person ids per term (base.TERMS), the head first.
    term_members: list[list[int]] = field(default_factory=list)
    staff: list[int] = field(default_factory=list)
    users: dict[str, int] = field(default_factory=dict)  # role → user id
    partners: list[int] = field(default_factory=list)
    partner_people: dict[int, int] = field(default_factory=dict)  # partner org id → representative
    signatory_id: int | None = None
    data: dict[str, Any] = field(default_factory=dict)


# Members of a municipal council by population (CGCT L2121-2).
_COUNCIL_SIZES = [
    (100, 7),
    (500, 11),
    (1500, 15),
    (2500, 19),
    (3500, 23),
    (5000, 27),
    (10000, 29),
    (20000, 33),
    (30000, 35),
    (40000, 39),
    (50000, 43),
    (60000, 45),
    (80000, 49),
    (100000, 53),
    (150000, 55),
    (200000, 59),
    (250000, 61),
    (300000, 65),
]


def council_size(population: int) -> int:
    for limit, size in _COUNCIL_SIZES:
        if population < limit:
            return size
    return 69


def siren(prefix: str, n: int) -> str:
    body = f"{prefix}{n:0{8 - len(prefix)}d}"[:8]
    return body + luhn.calc_check_digit(body)


def plan(ctx: Context) -> list[dict[str, Any]]:
    """How many organizations of each kind, and their sizes, at this scale."""
    s = ctx.scale
    rng = ctx.rng
    small = min(1.0, s * 20)  # below scale 0.05, shorter agendas and fewer sittings as well
    ctx.data["small_factor"] = small
    ctx.data["years"] = 10 if s >= 0.1 else max(1, round(100 * s))

    def sittings(per_year: int) -> int:
        return max(2, round(per_year * small))

    def items(low: int, high: int) -> tuple[int, int]:
        return (max(2, round(low * small)), max(3, round(high * small)))

    rows: list[dict[str, Any]] = [
        {
            "key": "metropole",
            "kind": "epci",
            "name": "Montpellier Méditerranée Métropole (jeu d'essai)",
            "assembly_kind": "metropolitan",
            "assembly_name": "Conseil de métropole",
            "president_title": "Monsieur le Président",
            "city": "Montpellier",
            "population": 500000,
            "members": 240,
            "sittings_per_year": sittings(10),
            "items_range": items(130, 170),
            "conventions": ctx.scaled(3000),
        }
    ]
    for i in range(round(6 * s)):
        rows.append(
            {
                "key": f"territoire-{i + 1}",
                "kind": "territory",
                "name": f"Conseil de territoire n° {i + 1} (jeu d'essai)",
                "assembly_kind": "territory",
                "assembly_name": "Conseil de territoire",
                "president_title": "Madame la Présidente" if i % 2 else "Monsieur le Président",
                "city": rng.choice(base.COMMUNE_ROOTS),
                "population": rng.randint(60000, 180000),
                "members": rng.randint(40, 90),
                "sittings_per_year": sittings(8),
                "items_range": items(40, 80),
                "conventions": max(1, round(500 * s)),
            }
        )
    n_communes = round(92 * s)
    used: set[str] = set()
    for i in range(n_communes):
        # The ville-centre (69 members), then communes from 600 to 45,000 inhabitants.
        population = 302000 if i == 0 else int(math.exp(rng.uniform(math.log(600), math.log(45000))))
        while True:
            name = rng.choice(base.COMMUNE_ROOTS) + rng.choice(base.COMMUNE_SUFFIXES)
            if name not in used:
                used.add(name)
                break
            name = f"{name}-{len(used)}"
            if name not in used:
                used.add(name)
                break
        members = max(15, council_size(population))
        rows.append(
            {
                "key": f"commune-{i + 1}",
                "kind": "commune",
                "name": f"Commune de {name}",
                "assembly_kind": "municipal",
                "assembly_name": "Conseil municipal",
                "president_title": "Madame la Maire" if i % 3 == 0 else "Monsieur le Maire",
                "city": name,
                "population": population,
                "members": members,
                "sittings_per_year": sittings(rng.randint(6, 10)),
                "items_range": items(10, 32) if i else items(40, 90),
                "conventions": max(1, round((1300 if i == 0 else 140) * s)),
            }
        )
    if s >= 0.5:
        rows.append(
            {
                "key": "syndicat",
                "kind": "epci",
                "name": "Syndicat mixte des mobilités (jeu d'essai)",
                "assembly_kind": "other",
                "assembly_name": "Comité syndical",
                "president_title": "Monsieur le Président",
                "city": "Montpellier",
                "population": 500000,
                "members": 30,
                "sittings_per_year": 4,
                "items_range": (12, 28),
                "conventions": round(100 * s),
            }
        )
    return rows


def run(ctx: Context) -> None:
    from core.models import Membership, User
    from core.roles import Role
    from parties.models import Civility, Organization, OrganizationKind, Person, Signatory

    rng = ctx.rng
    rows = plan(ctx)
    orgs = []
    for n, row in enumerate(rows):
        orgs.append(
            Organization(
                kind=row["kind"],
                name=row["name"],
                short_name=row["city"][:60],
                siren=siren("2000" if row["kind"] != "commune" else "21034", 1000 + n),
                departement_code=base.DEPARTEMENT,
                insee_code=f"34{100 + n:03d}" if row["kind"] == "commune" else "",
                population=row["population"],
                street="1 place de la Mairie" if row["kind"] == "commune" else "50 place Zeus",
                postal_code="34000",
                city=row["city"],
                email=f"contact@{row['key']}.bench.invalid",
                website=base.MARK_WEBSITE,
            )
        )
    orgs = base.bulk(Organization, orgs)
    ctx.count("organizations (collectivités)", len(orgs))
    for org, row in zip(orgs, rows, strict=True):
        ctx.tenants.append(
            TenantInfo(
                id=org.pk,
                **{k: row[k] for k in TenantInfo.__dataclass_fields__ if k in row and k != "id"},
            )
        )

    # Elected members: each term re-elects about 60 % of the previous council.
    def new_person(org_id: int) -> Person:
        female = rng.random() < 0.5
        return Person(
            organization_id=org_id,
            civility=Civility.MRS if female else Civility.MR,
            first_name=rng.choice(base.FIRST_NAMES_F if female else base.FIRST_NAMES_M),
            last_name=rng.choice(base.LAST_NAMES),
            email="",
        )

    for tenant in ctx.tenants:
        tenant.data["term_people"] = []
        previous: list[Person] = []
        for _term in base.TERMS:
            keep = rng.sample(previous, k=min(len(previous), round(tenant.members * 0.6))) if previous else []
            fresh = [new_person(tenant.id) for _ in range(tenant.members - len(keep))]
            tenant.data["term_people"].append((keep, fresh))
            previous = keep + fresh
        tenant.data["staff_people"] = [new_person(tenant.id) for _ in range(5)]
    all_new = [p for t in ctx.tenants for keep, fresh in t.data["term_people"] for p in fresh] + [
        p for t in ctx.tenants for p in t.data["staff_people"]
    ]
    base.bulk(Person, all_new)
    for tenant in ctx.tenants:
        for keep, fresh in tenant.data.pop("term_people"):
            members = [p.pk for p in keep + fresh]
            tenant.term_members.append(members)
        tenant.staff = [p.pk for p in tenant.data.pop("staff_people")]
    ctx.count("people (elected members and staff)", len(all_new))

    # Signatories: the head of each term; only the current one is the default.
    signatories = []
    for tenant in ctx.tenants:
        for i, (start, end) in enumerate(base.TERMS):
            signatories.append(
                Signatory(
                    organization_id=tenant.id,
                    person_id=tenant.term_members[i][0],
                    function=tenant.president_title,
                    is_default=end is None,
                    active_from=start,
                    active_until=end,
                )
            )
    signatories = base.bulk(Signatory, signatories)
    by_id = {t.id: t for t in ctx.tenants}
    for s in signatories:
        by_id[s.organization_id].data.setdefault("signatories", []).append(s.pk)  # one per term, in order
        if s.is_default:
            by_id[s.organization_id].signatory_id = s.pk
    ctx.count("signatories", len(signatories))

    # Users: one per role in each collectivité; one password hash for all (hashing is slow on purpose).
    password = make_password(base.PASSWORD)
    users = []
    for tenant in ctx.tenants:
        for role in Role.values:
            users.append(
                User(
                    username=f"{base.USER_PREFIX}{tenant.key}-{role}",
                    first_name=rng.choice(base.FIRST_NAMES_F + base.FIRST_NAMES_M),
                    last_name=rng.choice(base.LAST_NAMES),
                    email=f"{role}@{tenant.key}.bench.invalid",
                    password=password,
                    is_active=True,
                )
            )
    users = base.bulk(User, users)
    memberships = []
    by_name = {u.username: u for u in users}
    for tenant in ctx.tenants:
        for role in Role.values:
            user = by_name[f"{base.USER_PREFIX}{tenant.key}-{role}"]
            tenant.users[role] = user.pk
            memberships.append(Membership(user_id=user.pk, organization_id=tenant.id, role=role))
    base.bulk(Membership, memberships)
    ctx.count("users", len(users))
    ctx.count("memberships", len(memberships))

    # Partners registered by each collectivité, each with a representative.
    partners = []
    for tenant in ctx.tenants:
        n_partners = max(2, tenant.conventions // 3)
        for i in range(n_partners):
            kind, pattern = base.PARTNER_KINDS[i % len(base.PARTNER_KINDS)]
            name = pattern.format(a=rng.choice(base.PARTNER_A), b=rng.choice(base.PARTNER_B), city=tenant.city)
            partners.append(
                Organization(
                    kind=kind if kind in OrganizationKind.values else "other",
                    name=f"{name} ({i + 1})",
                    tenant_id=tenant.id,
                    departement_code=base.DEPARTEMENT,
                    city=tenant.city,
                    postal_code="34000",
                    street=f"{rng.randint(1, 99)} rue {rng.choice(base.STREETS)}",
                    website=base.MARK_WEBSITE,
                )
            )
    partners = base.bulk(Organization, partners)
    reps = [new_person(p.pk) for p in partners]
    reps = base.bulk(Person, reps)
    by_tenant: dict[int, TenantInfo] = {t.id: t for t in ctx.tenants}
    for partner, rep in zip(partners, reps, strict=True):
        tenant = by_tenant[partner.tenant_id]
        tenant.partners.append(partner.pk)
        tenant.partner_people[partner.pk] = rep.pk
    ctx.count("organizations (partners)", len(partners))
    ctx.count("people (partners' representatives)", len(reps))


def term_index(day: date) -> int:
    for i, (start, end) in enumerate(base.TERMS):
        if day >= start and (end is None or day <= end):
            return i
    return 0
