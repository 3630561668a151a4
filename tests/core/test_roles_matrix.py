"""Every page action, tried by every role: 403 exactly when the role lacks the capability
the action needs, whatever is posted (a valid form, an invalid one, nothing), and never a
server error for the roles that may act."""

from __future__ import annotations

import inspect
import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client
from django.urls import reverse

from core import services as core_services
from core.roles import Role, role_allows
from tests.canary.urls import parameters, patterns
from tests.canary.world import ROLES, Tenant, build_tenant
from tests.core import roles_matrix as matrix
from tests.core.roles_matrix import PAGE_ACTS, Act
from tests.core.roles_matrix_api import WRITES, Write, path_values


@pytest.fixture(scope="module")
def built(django_db_setup: Any, django_db_blocker: Any) -> Iterator[Tenant]:
    """One collectivité with every kind of object and a user of each role, built once for
    the module inside a transaction rolled back at the end; each test runs in a savepoint."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            from reminders.models import Deadline

            built = build_tenant("ROLESA")
            deadlines = Deadline.objects.filter(organization=built.organization).order_by("due_date", "pk")
            built.objects["deadline"] = deadlines.first()
            yield built
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def tenant(built: Tenant, db: None) -> Tenant:
    return built


def client_of(user: Any) -> Client:
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def footprint() -> dict[str, int]:
    """How many rows each history table and the stored documents and batches hold: a refused
    request leaves them as they were (nothing changed, nothing produced)."""
    from django.apps import apps

    tracked = [
        model
        for model in apps.get_models()
        if model.__name__.startswith("Historical")
        or model._meta.label in {"documents.StoredDocument", "documents.DocumentBatch"}
    ]
    return {model._meta.label: model._default_manager.count() for model in tracked}


def expected_forbidden(act: Act, role: str) -> bool:
    """The act needs a capability the role lacks; or the role is the élu's, refused every page
    but its own convocations (``settings.MEMBER_PAGES``)."""
    if role == Role.MEMBER and act.name not in settings.MEMBER_PAGES:
        return True
    return act.capability is not None and not role_allows(role, act.capability)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("act", PAGE_ACTS, ids=lambda act: act.id)
def test_page_action_checks_its_capability(
    tenant: Tenant, act: Act, role: str, django_capture_on_commit_callbacks: Any
) -> None:
    url = reverse(act.name, kwargs=act.url_kwargs(tenant))
    client = client_of(tenant.users[role])
    before = footprint()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(url) if act.method == "get" else client.post(url, act.data)
    if expected_forbidden(act, role):
        assert response.status_code == 403, f"{role} {act.id}: {response.status_code}"
        assert footprint() == before, f"{role} {act.id} changed something before being refused"
    else:
        assert response.status_code not in (403, 405), f"{role} {act.id}: {response.status_code}"
        assert response.status_code < 500, f"{role} {act.id}: {response.status_code}"


@pytest.mark.parametrize("act", [a for a in PAGE_ACTS if a.method == "post" and a.capability], ids=lambda a: a.id)
def test_a_forbidden_role_gets_403_even_with_a_valid_looking_form(tenant: Tenant, act: Act) -> None:
    """The capability is checked before the form: a full form posted by a reader is refused
    the same way as an empty one, never answered with the form and its errors."""
    forbidden = [role for role in ROLES if expected_forbidden(act, role)]
    assert forbidden, act.id
    posted = {
        "title": "Titre",
        "name": "Nom",
        "reason": "Motif",
        "day": "2026-01-05",
        "signed_on": "2026-01-05",
        "sent_on": "2026-01-05",
        "received_on": "2026-01-06",
        "status": "present",
        "next_value": "12",
        "year": "2026",
        **act.data,
    }
    url = reverse(act.name, kwargs=act.url_kwargs(tenant))
    for role in forbidden:
        response = client_of(tenant.users[role]).post(url, posted)
        assert response.status_code == 403, f"{role} {act.id}: {response.status_code}"


def test_every_url_is_in_the_matrix() -> None:
    """A new URL must say what it needs: an action with its capability, the user's own, or a read page."""
    names = {name for name, _pattern in patterns() if not name.startswith(matrix.OWN_TESTS)}
    acted = {act.name for act in PAGE_ACTS}
    classified = acted | matrix.READ_PAGES | matrix.OUTSIDE
    assert names - classified == set(), "URLs missing from the roles matrix"
    assert classified - names == set(), "the roles matrix names URLs that no longer exist"
    assert acted & matrix.READ_PAGES == set()
    # A page both read by all and acted upon by some has its GET among the read pages' tests.
    assert acted >= matrix.READ_AND_ACT


@pytest.mark.parametrize("name", sorted(matrix.READ_PAGES))
def test_a_read_page_refuses_a_post(tenant: Tenant, name: str) -> None:
    """Pages that only read answer 405 to a POST: an action cannot hide behind one unlisted."""
    kwargs = parameters(tenant)[name][0]
    response = client_of(tenant.admin).post(reverse(name, kwargs=kwargs), {})
    assert response.status_code == 405, f"{name}: {response.status_code}"


def _action_literals(view: Any) -> set[str]:
    """The action slugs a view compares ``action`` with."""
    return set(re.findall(r'action == "([a-z_-]+)"', inspect.getsource(view)))


def test_every_button_of_every_action_view_is_in_the_matrix() -> None:
    from conventions.views import actions, amendments, committees
    from deliberations.views import acts, sittings

    assert set(matrix.CONVENTION_ACTIONS) == set(actions.ACTIONS)
    assert set(matrix.AMENDMENT_ACTIONS) == _action_literals(amendments.amendment_action)
    assert set(matrix.COMMITTEE_ACTIONS) == _action_literals(committees.committee_action)
    assert set(matrix.MEETING_ACTIONS) == _action_literals(committees.meeting_action)
    assert set(matrix.DELIBERATION_ACTIONS) == _action_literals(acts.deliberation_action)
    assert set(matrix.SITTING_ACTIONS) == _action_literals(sittings.sitting_action)
    # And each view checks every button it has (an unlisted one would go unchecked).
    assert set(actions.CAPABILITIES) == set(actions.ACTIONS)
    assert set(amendments.AMENDMENT_CAPABILITIES) == set(matrix.AMENDMENT_ACTIONS)
    assert set(committees.COMMITTEE_CAPABILITIES) == set(matrix.COMMITTEE_ACTIONS)
    assert set(committees.MEETING_CAPABILITIES) == set(matrix.MEETING_ACTIONS)
    assert set(acts.ACTION_CAPABILITIES) == set(matrix.DELIBERATION_ACTIONS)
    assert set(sittings.ACTION_CAPABILITIES) == set(matrix.SITTING_ACTIONS)


# --- The REST API: every write of the OpenAPI schema, with a token of each role ---------------


def api_writes() -> set[tuple[str, str]]:
    from config.api import api

    schema = api.get_openapi_schema()
    prefix = "/api/v1"
    return {
        (method, path.removeprefix(prefix))
        for path, operations in schema["paths"].items()
        for method in operations
        if method in {"post", "put", "patch", "delete"}
    }


def test_every_api_write_is_in_the_matrix() -> None:
    """A new write of the API must say what it needs."""
    writes = api_writes()
    assert writes - set(WRITES) == set(), "API writes missing from the roles matrix"
    assert set(WRITES) - writes == set(), "the roles matrix names API writes that no longer exist"


def api_request(tenant: Tenant, role: str, method: str, path: str, write: Write) -> Any:
    _token, key = core_services.create_api_token(user=tenant.users[role], name="matrice des rôles")
    client = Client(headers={"Authorization": f"Bearer {key}"})
    values = {**path_values(tenant), **(write.path(tenant) if write.path else {})}
    url = "/api/v1" + re.sub(r"\{(\w+)\}", lambda m: str(values[m.group(1)]), path)
    body = write.body(tenant) if write.body else None
    if write.multipart:
        return client.post(url, body)
    if body is None:
        return client.generic(method.upper(), url)
    return client.generic(method.upper(), url, json.dumps(body), content_type="application/json")


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("operation", sorted(WRITES), ids=lambda op: f"{op[0].upper()} {op[1]}")
def test_api_write_checks_its_capability(
    tenant: Tenant, operation: tuple[str, str], role: str, django_capture_on_commit_callbacks: Any
) -> None:
    method, path = operation
    write = WRITES[operation]
    before = footprint()
    with django_capture_on_commit_callbacks(execute=True):
        response = api_request(tenant, role, method, path, write)
    detail = f"{role} {method.upper()} {path}: {response.status_code} {response.content[:300]!r}"
    # An élu's account has no access to the API at all.
    if role == Role.MEMBER or (write.capability is not None and not role_allows(role, write.capability)):
        assert response.status_code == 403, detail
        assert footprint() == before, f"{detail}: changed something before being refused"
    else:
        assert response.status_code != 403, detail
        assert response.status_code < 500, detail


def test_a_reader_produces_no_document_from_the_pages(tenant: Tenant) -> None:
    """The convention, avenant, termination-letter and meeting documents: a reader's request
    is refused and stores nothing, a manager's (who may produce documents) stores them."""
    from documents.models import StoredDocument

    o = tenant.objects
    urls = [
        reverse("conventions:action", args=[o["convention"].pk, "documents"]),
        reverse("conventions:amendment_action", args=[o["convention"].pk, o["amendment"].number, "documents"]),
        reverse("conventions:action", args=[o["noticed_convention"].pk, "letter"]),
        reverse("conventions:meeting_action", args=[o["meeting"].pk, "documents"]),
    ]
    stored = StoredDocument.objects.filter(organization=tenant.organization)
    before = set(stored.values_list("pk", flat=True))
    reader = client_of(tenant.users["viewer"])
    assert [reader.post(url).status_code for url in urls] == [403] * 4
    assert set(stored.values_list("pk", flat=True)) == before
    manager = client_of(tenant.users["manager"])
    assert [manager.post(url).status_code for url in urls] == [302] * 4
    produced = set(stored.exclude(pk__in=before).values_list("kind", flat=True))
    assert {"convention", "amendment", "termination_letter", "committee_convocation"} <= produced
