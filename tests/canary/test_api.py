"""Every GET operation of the REST API, as its OpenAPI schema lists them, read with a
personal token by each role of a collectivité: not one word of the other, whatever the
filters say, and the other's ids answer 404."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import pytest
from django.test import Client

from core import services as core_services
from core.roles import Role
from tests.canary.reading import response_text
from tests.canary.world import ROLES, Tenant, World, found

# GET operations whose answer names nothing by design (counts, a verification report, the
# address of the calendar feed): the reader's own canaries are not looked for there.
NAMES_NOTHING = frozenset(
    {
        "/api/v1/deadlines/counts",
        "/api/v1/calendar-feed",
        "/api/v1/documents/{document_id}/verify",
        # Empty for the sittings convened outside Conventio; the mailed sitting's answer must
        # name the reader's members (tests/canary/test_convocations.py).
        "/api/v1/sittings/{sitting_id}/convocation-sendings",
    }
)


# Operations that answer for some objects only, by design, walked with those: an act's @CTES
# package exists once the act is decided and goes to the préfecture (the others get a 400
# naming the rule, which tests/deliberations/test_ctes_package.py reads).
ONLY_FOR = {"/api/v1/deliberations/{deliberation_id}/ctes-package": {"deliberation_id": ("deliberation",)}}


def values_for(path: str, t: Tenant) -> dict[str, list[int]]:
    """The path parameters of ``path`` filled with ``t``'s objects."""
    values = path_values(t)
    for name, keys in ONLY_FOR.get(path, {}).items():
        values[name] = [t.objects[key].pk for key in keys]
    return values


def token_client(user: Any) -> Client:
    _token, key = core_services.create_api_token(user=user, name=f"script de {user.username}")
    return Client(headers={"Authorization": f"Bearer {key}"})


def path_values(t: Tenant) -> dict[str, list[int]]:
    """The reader's objects for each path parameter of the API."""
    o = t.objects
    return {
        "organization_id": [t.organization.pk, o["partner"].pk, o["coordinator"].pk],
        "person_id": [t.people[0].pk, o["partner_person"].pk],
        "assembly_id": [o["assembly"].pk],
        "sitting_id": [o[k].pk for k in ("sitting", "coming_sitting", "running_sitting", "mailed_sitting")],
        "deliberation_id": [
            o[k].pk for k in ("deliberation", "information", "agenda_item", "pending_deliberation", "roll_call")
        ],
        "convention_id": [o[k].pk for k in ("convention", "noticed_convention", "draft_convention")],
        "amendment_id": [o["amendment"].pk],
        "meeting_id": [o[k].pk for k in ("meeting", "coming_meeting", "programme_meeting")],
        "programme_id": [o["programme"].pk],
        "document_id": [o[k].pk for k in ("document", "signed_document", "docx_document", "extract")],
        "batch_id": [o["batch"].pk],
        "deadline_id": [o["deadline"].pk],
    }


def query_ids(t: Tenant) -> dict[str, int]:
    """Query parameters naming an object, filled with ``t``'s (a filter on another
    collectivité's object must not open it)."""
    o = t.objects
    return {
        "organization_id": t.organization.pk,
        "assembly_id": o["assembly"].pk,
        "sitting_id": o["sitting"].pk,
        "owner_id": o["convention"].pk,
        "partner": o["partner"].pk,
        "manager": t.users[Role.MANAGER].pk,
        "programme": o["programme"].pk,
    }


def get_operations(client: Client) -> dict[str, dict[str, Any]]:
    schema = client.get("/api/v1/openapi.json").json()
    return {path: operations["get"] for path, operations in schema["paths"].items() if "get" in operations}


def fill(path: str, values: dict[str, list[int]]) -> list[str]:
    """Every address of ``path`` with its parameters filled from ``values``."""
    urls = [path]
    for name, choices in values.items():
        if "{" + name + "}" in path:
            urls = [url.replace("{" + name + "}", str(choice)) for url in urls for choice in choices]
    assert "{" not in "".join(urls), f"no value for a parameter of {path}"
    return urls


def enum_values(parameter: dict[str, Any], schema: dict[str, Any]) -> list[Any]:
    spec = parameter.get("schema", {})
    options = [spec, *spec.get("anyOf", [])]
    for option in options:
        if "enum" in option:
            return list(option["enum"])
        if "$ref" in option:
            target = schema["components"]["schemas"][option["$ref"].rsplit("/", 1)[-1]]
            if "enum" in target:
                return list(target["enum"])
    if any(option.get("type") == "boolean" for option in options):
        return [True, False]
    return []


def required(operation: dict[str, Any], reader: Tenant, today: Any) -> dict[str, Any]:
    """The query parameters an operation cannot go without, filled for the reader."""
    own = {**query_ids(reader), "on": today.isoformat()}
    return {
        p["name"]: own[p["name"]] for p in operation.get("parameters", []) if p["in"] == "query" and p.get("required")
    }


def queries(operation: dict[str, Any], schema: dict[str, Any], reader: Tenant, other: Tenant) -> list[dict[str, Any]]:
    """No filter; each filter naming the other's object or searching the other's words; each
    value of each closed list."""
    variants: list[dict[str, Any]] = [{}]
    own, foreign = query_ids(reader), query_ids(other)
    for parameter in operation.get("parameters", []):
        if parameter["in"] != "query":
            continue
        name = parameter["name"]
        if name in foreign:
            variants += [{name: foreign[name]}, {name: own[name]}]
        elif name in {"q", "partner_name"}:
            variants += [{name: other.tag}, {name: other["convention"].title}, {name: reader.tag}]
        elif name == "page_size":
            variants.append({name: 500})
        else:
            variants += [{name: value} for value in enum_values(parameter, schema)]
    return variants


def read_api(reader: Tenant, other: Tenant, role: str, today: Any) -> list[str]:
    client = token_client(reader.users[role])
    schema = client.get("/api/v1/openapi.json").json()
    operations = get_operations(client)
    assert len(operations) >= 30, "the schema lists the API's GET operations"
    problems = []
    for path, operation in operations.items():
        for url in fill(path, values_for(path, reader)):
            base = required(operation, reader, today)
            for query in queries(operation, schema, reader, other):
                address = f"{url}?{urlencode({**base, **query})}"
                response = client.get(address)
                text = response_text(response)
                leaked = found(other.tag, text)
                if leaked:
                    problems.append(f"LEAK {role} GET {address} {response.status_code}: {leaked[:10]}")
                if query:
                    continue
                if response.status_code != 200 and (role == Role.ADMINISTRATOR or response.status_code != 403):
                    problems.append(f"{role} GET {address}: {response.status_code} {text[-200:]}")
                elif response.status_code == 200 and path not in NAMES_NOTHING and not found(reader.tag, text):
                    problems.append(f"{role} GET {address}: none of the reader's own names")
    return problems


@pytest.mark.parametrize("role", ROLES)
def test_no_api_answer_to_a_shows_anything_of_b(world: World, role: str) -> None:
    problems = read_api(world.a, world.b, role, world.today)
    assert not problems, "\n".join(problems)


def test_no_api_answer_to_b_shows_anything_of_a(world: World) -> None:
    """The mirror reading, by B's administrator: it also proves B's canaries do show to B."""
    problems = read_api(world.b, world.a, Role.ADMINISTRATOR, world.today)
    assert not problems, "\n".join(problems)


def test_the_other_collectivites_ids_answer_404_in_the_api(world: World) -> None:
    client = token_client(world.a.admin)
    problems = []
    for path in get_operations(client):
        if "{" not in path:
            continue
        operation = get_operations(client)[path]
        for url in fill(path, values_for(path, world.b)):
            response = client.get(f"{url}?{urlencode(required(operation, world.a, world.today))}")
            if response.status_code != 404 or found(world.b.tag, response_text(response)):
                problems.append(f"GET {url}: {response.status_code} {found(world.b.tag, response_text(response))}")
    assert not problems, "\n".join(problems)


def test_api_answers_about_as_objects_show_nothing_of_b_to_someone_of_both(world: World) -> None:
    """An answer about one of A's objects is about A, even for an administrator of both."""
    from core.models import Membership
    from tests.factories import UserFactory

    both = UserFactory(username="both", first_name="Dominique", last_name="Double", email="both@example.org")
    for tenant in (world.a, world.b):
        Membership.objects.create(user=both, organization=tenant.organization, role=Role.ADMINISTRATOR)
    client = token_client(both)
    problems = []
    for path, operation in get_operations(client).items():
        if "{" not in path:
            continue
        for url in fill(path, values_for(path, world.a)):
            response = client.get(f"{url}?{urlencode(required(operation, world.a, world.today))}")
            leaked = found(world.b.tag, response_text(response))
            if response.status_code != 200 or leaked:
                problems.append(f"GET {url}: {response.status_code} {leaked}")
    assert not problems, "\n".join(problems)
