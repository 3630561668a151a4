"""Every API operation fuzzed from its OpenAPI: never a server error, always the documented answer.

Schemathesis generates requests from the schema the API serves, valid ones and invalid ones
(a wrong type, a value out of its bounds, a missing or unknown field), sends them in process
to Django's WSGI handler with an administrator's bearer token, and checks each answer: no
5xx, a status code the operation documents, a content type it declares, a body valid against
its documented schema. A test per operation, so a failure names its operation and the
smallest request found that breaks it.

The requests land on one collectivité built through the services (``build_tenant``): an
identifier a request carries (in its path, its query or its body) is, half the time, that of
a real row of that collectivité, chosen by the parameter's name, so the services run on real
objects and not only to a 404.

The budget:

- ``CONVENTIO_FUZZ_EXAMPLES``: requests generated per operation and per kind (valid,
  invalid); 3 by default, so that the suite stays fast.
- ``CONVENTIO_FUZZ_SEED``: unset, every run sends the same requests (a red CI reproduces);
  a number draws from that seed; ``random`` draws a new seed, written with the figures.
- ``CONVENTIO_FUZZ_COVERAGE=1`` adds schemathesis's coverage phase: the boundary values of
  every parameter and field, each wrong type, each missing field, the undocumented methods
  (some 6,000 requests).

A longer run, by hand::

    CONVENTIO_FUZZ_EXAMPLES=25 CONVENTIO_FUZZ_COVERAGE=1 CONVENTIO_FUZZ_SEED=random .venv/bin/python -m pytest -q tests/core/test_api_fuzz.py

ends with the number of requests sent, of server errors and of schema violations.
"""

from __future__ import annotations

import os
import random
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.apps import apps
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode, checks

from core import services as core_services
from tests.canary.world import build_tenant

EXAMPLES = int(os.environ.get("CONVENTIO_FUZZ_EXAMPLES", "3"))
COVERAGE = os.environ.get("CONVENTIO_FUZZ_COVERAGE", "") not in ("", "0")
SEED_SETTING = os.environ.get("CONVENTIO_FUZZ_SEED", "")
SEED = random.getrandbits(32) if SEED_SETTING == "random" else int(SEED_SETTING) if SEED_SETTING else None

# What every answer must be: no server error, and what the operation documents.
CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
]

# The rows a parameter or a body field names, by its name; any other ``*_id`` draws among all.
ID_SOURCES: dict[str, str] = {
    "token_id": "core.ApiToken",
    "organization_id": "parties.Organization",
    "tenant_id": "parties.Organization",
    "coordinator_id": "parties.Organization",
    "person_id": "parties.Person",
    "giver_id": "parties.Person",
    "holder_id": "parties.Person",
    "president_id": "parties.Person",
    "secretary_id": "parties.Person",
    "rapporteur_id": "parties.Person",
    "presided_by_id": "parties.Person",
    "signatory_id": "parties.Signatory",
    "assembly_id": "deliberations.Assembly",
    "mandate_id": "deliberations.Mandate",
    "sitting_id": "deliberations.Sitting",
    "deliberation_id": "deliberations.Deliberation",
    "deliberation_ids": "deliberations.Deliberation",
    "from_item_id": "deliberations.Deliberation",
    "proxy_id": "deliberations.Proxy",
    "annex_id": "deliberations.Annex",
    "convention_id": "conventions.Convention",
    "party_id": "conventions.ConventionParty",
    "given_by_party_id": "conventions.ConventionParty",
    "clause_id": "conventions.ConventionClause",
    "amendment_id": "conventions.Amendment",
    "evaluation_id": "conventions.Evaluation",
    "committee_id": "conventions.MonitoringCommittee",
    "present_member_ids": "conventions.CommitteeMember",
    "meeting_id": "conventions.CommitteeMeeting",
    "programme_id": "conventions.Programme",
    "document_id": "documents.StoredDocument",
    "template_id": "documents.DocumentTemplate",
    "certificate_id": "documents.SigningCertificate",
    "anchor_id": "documents.TrustAnchor",
    "batch_id": "documents.DocumentBatch",
    "deadline_id": "reminders.Deadline",
    "follower_ids": "core.User",
    "manager_id": "core.User",
    "owner_id": "core.User",
}

# Filled once the collectivité is built; the strategies read it when they draw.
KNOWN_IDS: dict[str, list[int]] = {}
TALLY: Counter[str] = Counter()


def with_real_ids(values: Any) -> st.SearchStrategy[Any]:
    """The generated values, each ``*_id`` (or ``*_ids``) replaced half the time by real rows'."""
    if not isinstance(values, dict) or not KNOWN_IDS:
        return st.just(values)
    fields: dict[Any, st.SearchStrategy[Any]] = {}
    for name, value in values.items():
        real = KNOWN_IDS.get(str(name)) or KNOWN_IDS["*"]
        if str(name).endswith("_id") and (value is None or isinstance(value, int)):
            fields[name] = st.one_of(st.just(value), st.sampled_from(real))
        elif str(name).endswith("_ids") and isinstance(value, list):
            fields[name] = st.one_of(st.just(value), st.lists(st.sampled_from(real), max_size=3, unique=True))
        else:
            fields[name] = st.just(value)
    return st.fixed_dictionaries(fields)


def api_schema(app: Any) -> Any:
    """The schema the API serves, read from ``app``, with the budget above."""
    loaded = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    loaded.config.generation.update(
        modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE], max_examples=EXAMPLES, deterministic=SEED is None
    )
    if SEED is not None:
        loaded.config.seed = SEED
    loaded.config.phases.coverage.enabled = COVERAGE
    return loaded


schema = api_schema(WSGIHandler())


@schema.hook
def flatmap_case(context: Any, case: Any) -> st.SearchStrategy[Any]:
    """A valid request names real rows; an invalid one is left as drawn (a real id there
    would make it valid, and its acceptance a false alarm)."""
    if case.meta is None or case.meta.generation.mode != GenerationMode.POSITIVE:
        return st.just(case)
    return st.tuples(with_real_ids(case.path_parameters), with_real_ids(case.query), with_real_ids(case.body)).map(
        lambda parts: with_parts(case, *parts)
    )


def with_parts(case: Any, path_parameters: Any, query: Any, body: Any) -> Any:
    case.path_parameters, case.query, case.body = path_parameters, query, body
    return case


@pytest.fixture(scope="module")
def bearer(django_db_setup: Any, django_db_blocker: Any) -> Iterator[dict[str, str]]:
    """The collectivité, built once for the module (rolled back after it), and its
    administrator's bearer token; each operation's test runs in a savepoint within."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            tenant = build_tenant("FUZZ")
            for name, label in ID_SOURCES.items():
                KNOWN_IDS[name] = list(apps.get_model(label).objects.order_by("pk").values_list("pk", flat=True))
            KNOWN_IDS["*"] = sorted({pk for ids in KNOWN_IDS.values() for pk in ids})
            _token, key = core_services.create_api_token(user=tenant.admin, name="fuzz")
            yield {"Authorization": f"Bearer {key}"}
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture(scope="module")
def in_transaction() -> Iterator[None]:
    """Django closes the connection at each request's start and end (the test client turns
    this off, as here): each request's writes stay in the transaction the test rolls back."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture(scope="module", autouse=True)
def figures(request: pytest.FixtureRequest) -> Iterator[None]:
    """The run's figures, written at its end whatever the output capture."""
    TALLY.clear()
    yield
    statuses = ", ".join(f"{key[7:]}: {count}" for key, count in sorted(TALLY.items()) if key.startswith("status "))
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if reporter is not None and capture is not None and TALLY["requests"]:
        with capture.global_and_fixture_disabled():
            reporter.write_line(
                f"\nAPI fuzz ({EXAMPLES} examples per operation and mode{', coverage phase' if COVERAGE else ''}, "
                f"seed {SEED if SEED is not None else 'fixed'}): "
                f"{TALLY['requests']} requests, {TALLY['server errors']} server errors, "
                f"{TALLY['schema violations']} schema violations ({statuses})"
            )


def answer_as_documented(case: Any, headers: dict[str, str], tally: Counter[str]) -> None:
    """Send ``case`` and check its answer; ``tally`` counts what was seen."""
    response = case.call(headers=headers)
    tally["requests"] += 1
    tally[f"status {response.status_code}"] += 1
    if response.status_code >= 500:
        tally["server errors"] += 1
    try:
        case.validate_response(response, checks=CHECKS, headers=headers)
    except (AssertionError, BaseExceptionGroup):
        if response.status_code < 500:
            tally["schema violations"] += 1
        raise


@schema.parametrize()
@settings(suppress_health_check=list(HealthCheck), deadline=None)
def test_every_operation_answers_as_documented(case: Any, bearer: dict[str, str], in_transaction: None, db: None):
    answer_as_documented(case, bearer, TALLY)


# --- the harness itself ------------------------------------------------------------------


class Broken:
    """The real app, except that GET /api/v1/me answers ``status`` with ``body``."""

    def __init__(self, status: str, body: bytes) -> None:
        self.app, self.status, self.body = WSGIHandler(), status, body

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        if environ["PATH_INFO"] != "/api/v1/me":
            return self.app(environ, start_response)
        start_response(self.status, [("Content-Type", "application/json")])
        return [self.body]


@pytest.mark.parametrize(
    ("status", "body", "failure"),
    [
        ("500 Internal Server Error", b'{"detail": "boom", "rule": null, "field": null}', "ServerError"),
        ("200 OK", b'{"username": 3}', "JsonSchemaError"),
        ("418 I'm a teapot", b'{"detail": "tea", "rule": null, "field": null}', "UndefinedStatusCode"),
    ],
    ids=["server error", "body off its schema", "undocumented status"],
)
def test_the_harness_fails_on_what_the_api_must_never_answer(status, body, failure, db, in_transaction):
    tally: Counter[str] = Counter()
    case = api_schema(Broken(status, body))["/api/v1/me"]["GET"].Case()
    with pytest.raises((AssertionError, BaseExceptionGroup)) as raised:
        answer_as_documented(case, {}, tally)
    found = raised.value.exceptions if isinstance(raised.value, BaseExceptionGroup) else [raised.value]
    assert failure in {type(exc).__name__ for exc in found}
    assert tally["requests"] == 1 and tally["server errors"] + tally["schema violations"] == 1


# --- what the fuzzer found ---------------------------------------------------------------


@pytest.mark.django_db
def test_a_boolean_is_not_read_as_a_number(admin_user_of, organization, api_for):
    """``[false]`` was read as the notification ids ``[0]``, ``true`` as a population of 1."""
    api = api_for(admin_user_of)
    refused = api.post("/notifications/read", {"ids": [False]})
    assert refused.status_code == 422 and refused.json()["field"] == "ids.0", refused.json()
    payload = {"tenant_id": organization.pk, "kind": "association", "name": "Asso", "population": True}
    refused = api.post("/organizations", payload)
    assert refused.status_code == 422 and refused.json()["field"] == "population", refused.json()
    assert api.post("/organizations", {**payload, "population": 1}).status_code == 201
