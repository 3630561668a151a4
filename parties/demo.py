"""Demo organizations, people, signatories and users, from fixtures/demo/parties.json.

Idempotent: each row is found by its natural key and updated, never duplicated.
"""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings

from core.models import Membership, User
from core.roles import Role
from parties import rules
from parties.models import Organization, Person, Signatory

DEMO_PASSWORD = "conventio-demo"


def _fixture() -> dict[str, Any]:
    path = settings.BASE_DIR / "fixtures" / "demo" / "parties.json"
    return json.loads(path.read_text(encoding="utf-8"))


def organization(key: str) -> Organization:
    """The demo organization with this fixture key (used by the other apps' demo loaders)."""
    data = next(o for o in _fixture()["organizations"] if o["key"] == key)
    return Organization.objects.get(name=data["name"])


def person(key: str) -> Person:
    data = next(p for p in _fixture()["people"] if p["key"] == key)
    return Person.objects.get(
        organization=organization(data["organization"]), last_name=data["last_name"], first_name=data["first_name"]
    )


def load() -> list[str]:
    data = _fixture()
    orgs: dict[str, Organization] = {}
    for row in data["organizations"]:
        fields = {k: v for k, v in row.items() if k not in {"key", "tenant", "name"}}
        if fields.get("siren"):
            fields["siren"] = rules.normalize_siren(fields["siren"])
        if fields.get("siret"):
            fields["siret"] = rules.normalize_siret(fields["siret"], siren=fields.get("siren", ""))
        tenant = orgs[row["tenant"]] if row.get("tenant") else None
        orgs[row["key"]], _ = Organization.objects.update_or_create(name=row["name"], tenant=tenant, defaults=fields)
    people: dict[str, Person] = {}
    for row in data["people"]:
        people[row["key"]], _ = Person.objects.update_or_create(
            organization=orgs[row["organization"]],
            first_name=row["first_name"],
            last_name=row["last_name"],
            defaults={"civility": row["civility"]},
        )
    for row in data["signatories"]:
        Signatory.objects.update_or_create(
            organization=orgs[row["organization"]],
            person=people[row["person"]],
            defaults={"function": row["function"], "is_default": row["is_default"]},
        )
    logins = []
    for row in data["users"]:
        user, created = User.objects.get_or_create(
            username=row["username"],
            defaults={
                "first_name": row["first_name"],
                "last_name": row["last_name"],
                "email": f"{row['username']}@conventio.invalid",
                "is_staff": row.get("is_staff", False),
                "is_superuser": row.get("is_superuser", False),
            },
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        for key, role in row["memberships"].items():
            Membership.objects.update_or_create(user=user, organization=orgs[key], defaults={"role": role})
        roles = ", ".join(
            f"{orgs[k].short_name or orgs[k].name} : {Role(r).label}" for k, r in row["memberships"].items()
        )
        logins.append(f"{row['username']:<18} {DEMO_PASSWORD}   ({roles})")
    return logins
