"""The API's input is strict and its OpenAPI complete: a bad value is a 4xx naming the
field, never a server error nor a silent guess; every error has the same documented body."""

from __future__ import annotations

import json
from typing import Any

import pytest
from ninja.params.models import ParamModel
from pydantic import BaseModel

from config.api import api as conventio_api
from core.api_inputs import operations
from parties.models import Organization

ERROR_KEYS = {"detail", "rule", "field"}


def refused(response: Any, field: str | None, status: int = 422) -> dict[str, Any]:
    """The response is a ``status`` with the error body naming ``field``."""
    body = response.json()
    assert response.status_code == status, body
    assert set(body) >= ERROR_KEYS and isinstance(body["detail"], str) and body["detail"]
    assert body["field"] == field, body
    return body


def send(api: Any, method: str, path: str, text: str) -> Any:
    """A raw JSON text (a number json.dumps would not write: 1e400, NaN)."""
    return getattr(api.client, method)(f"/api/v1{path}", text, content_type="application/json")


# --- the error body ----------------------------------------------------------------------


@pytest.mark.django_db
def test_a_validation_error_answers_the_documented_body(admin_user_of, organization, api_for):
    api = api_for(admin_user_of)
    response = api.post("/organizations", {"tenant_id": organization.pk, "kind": "association", "name": "A", "x": 1})
    body = refused(response, "x")
    assert body["rule"] is None
    assert body["errors"] == [{"field": "x", "detail": "Extra inputs are not permitted", "type": "extra_forbidden"}]
    assert body["detail"].startswith("x: ")


@pytest.mark.django_db
def test_not_found_and_unauthenticated_answer_the_same_body(admin_user_of, api_for, client):
    missing = api_for(admin_user_of).get("/organizations/999999")
    assert missing.status_code == 404 and set(missing.json()) == ERROR_KEYS
    anonymous = client.get("/api/v1/me")
    assert anonymous.status_code == 401 and set(anonymous.json()) == ERROR_KEYS


# --- text --------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["Ville\x00", "Ville \ud800", "x" * 201])
def test_text_postgresql_would_refuse_is_refused(name, admin_user_of, organization, api_for):
    api = api_for(admin_user_of)
    text = json.dumps({"tenant_id": organization.pk, "kind": "association", "name": name})
    refused(send(api, "post", "/organizations", text), "name")
    assert not Organization.objects.filter(tenant=organization).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(("field", "length"), [("short_name", 61), ("city", 101), ("email", 255), ("website", 201)])
def test_text_longer_than_its_column_is_refused(field, length, admin_user_of, organization, api_for):
    api = api_for(admin_user_of)
    payload = {"tenant_id": organization.pk, "kind": "association", "name": "Asso", field: "a" * length}
    refused(api.post("/organizations", payload), field)
    payload[field] = "a" * (length - 1)
    assert api.post("/organizations", payload).status_code == 201


@pytest.mark.django_db
def test_a_nul_character_in_a_search_is_refused(admin_user_of, api_for):
    refused(api_for(admin_user_of).get("/organizations?q=a%00b"), "q")


# --- numbers -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_integers_out_of_their_column_are_refused(admin_user_of, organization, api_for):
    api = api_for(admin_user_of)
    payload = {"tenant_id": organization.pk, "kind": "association", "name": "Asso", "population": 2**31}
    refused(api.post("/organizations", payload), "population")
    refused(api.post("/organizations", {**payload, "population": -1}), "population")
    payload["population"] = 2**31 - 1
    assert api.post("/organizations", payload).status_code == 201


@pytest.mark.django_db
@pytest.mark.parametrize("pk", [2**63, 10**20])
def test_ids_beyond_a_bigint_are_refused(pk, admin_user_of, api_for):
    refused(api_for(admin_user_of).get(f"/organizations/{pk}"), "organization_id")


@pytest.mark.django_db
def test_a_page_beyond_any_offset_is_refused(admin_user_of, api_for):
    refused(api_for(admin_user_of).get(f"/organizations?page={10**20}"), "page")


# --- PATCH -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_null_cannot_blank_a_required_field_in_a_patch(admin_user_of, organization, api_for):
    api = api_for(admin_user_of)
    refused(api.patch(f"/organizations/{organization.pk}", {"name": None}), "name")
    refused(api.patch(f"/organizations/{organization.pk}", {"kind": "made-up"}), "kind")
    organization.refresh_from_db()
    assert organization.name == "Ville de Testville"
    # Omitted fields are unchanged; a nullable one may be blanked.
    response = api.patch(f"/organizations/{organization.pk}", {"population": None})
    assert response.status_code == 200 and response.json()["population"] is None
    assert response.json()["name"] == "Ville de Testville"


# --- the OpenAPI -------------------------------------------------------------------------


def _models(annotation: Any, found: set[type[BaseModel]]) -> None:
    """Every pydantic model an annotation names, with those its fields name."""
    from typing import get_args

    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        if annotation in found:
            return
        found.add(annotation)
        for info in annotation.model_fields.values():
            _models(info.annotation, found)
        return
    wrapped = getattr(annotation, "_wrapped_model", None)
    if wrapped is not None:
        _models(wrapped, found)
    for argument in get_args(annotation):
        _models(argument, found)


def test_schema_names_are_unique():
    """Two different classes under one name would have the OpenAPI document one with the other's schema."""
    found: set[type[BaseModel]] = set()
    for operation in operations(conventio_api):
        for model in operation.models:
            _models(model, found)
        for model in operation.response_models.values():
            _models(model, found)
    by_name: dict[str, set[str]] = {}
    for model in found:
        if issubclass(model, ParamModel) or model.__name__ == "NinjaResponseSchema":
            # ninja's own wrappers: flattened into parameters, never a named schema.
            continue
        by_name.setdefault(model.__name__, set()).add(json.dumps(model.model_json_schema(), sort_keys=True))
    assert {name: len(schemas) for name, schemas in by_name.items() if len(schemas) > 1} == {}
    assert len(by_name) > 60


def test_every_operation_documents_its_errors(client):
    schema = client.get("/api/v1/openapi.json").json()
    error = schema["components"]["schemas"]["ErrorOut"]
    assert {"detail", "rule", "field"} <= set(error["properties"]) and error["required"] == ["detail"]
    count = 0
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            for status in ("400", "401", "403", "404", "409", "422"):
                content = operation["responses"][status]["content"]["application/json"]["schema"]
                assert content == {"$ref": "#/components/schemas/ErrorOut"}, (method, path, status)
            count += 1
    assert count > 80


def test_each_signing_is_documented_with_its_own_body(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]

    def body(path: str) -> str:
        return paths[path]["post"]["requestBody"]["content"]["application/json"]["schema"]["$ref"]

    assert body("/api/v1/deliberations/{deliberation_id}/sign").endswith("/DeliberationSignIn")
    assert body("/api/v1/documents/{document_id}/sign").endswith("/DocumentSignIn")


def test_input_schemas_forbid_unknown_fields_and_say_their_limits(client):
    components = client.get("/api/v1/openapi.json").json()["components"]["schemas"]
    organization = components["OrganizationIn"]
    assert organization["additionalProperties"] is False
    assert organization["properties"]["short_name"]["maxLength"] == 60
    assert organization["properties"]["population"]["anyOf"][0]["maximum"] == 2**31 - 1
    convention = components["ConventionIn"]
    assert convention["properties"]["renewal"]["enum"] == ["none", "express", "tacit"]
    assert "décalage" in components["SittingIn"]["properties"]["starts_at"]["description"]


# --- filters -----------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("/conventions?status=bogus", "status"),
        ("/conventions?kind=bogus", "kind"),
        ("/deliberations?state=bogus", "state"),
        ("/sittings?state=bogus", "state"),
        ("/documents?kind=bogus", "kind"),
        ("/deadlines?scope=everyone", "scope"),
        ("/deadlines?period=decade", "period"),
        ("/deadlines?status=maybe", "status"),
    ],
)
def test_a_filter_outside_its_closed_list_is_refused(query, field, admin_user_of, api_for):
    refused(api_for(admin_user_of).get(query), field)


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["/conventions?status=", "/conventions?status=active", "/deadlines?period=week"])
def test_a_filter_in_its_list_or_empty_is_read(query, admin_user_of, api_for):
    assert api_for(admin_user_of).get(query).status_code == 200


def test_every_text_written_into_a_column_says_its_length():
    """On PostgreSQL a text past its column is an error: each is bounded where it comes in."""
    from django.db import models

    from core.api_inputs import column_of

    found: set[type[BaseModel]] = set()
    for operation in operations(conventio_api):
        for model in operation.models:
            _models(model, found)
    checked = 0
    for model in found:
        django_model = getattr(model, "django_model", None)
        if django_model is None:
            continue
        properties = model.model_json_schema()["properties"]
        for name in model.model_fields:
            column = column_of(django_model, name)
            if isinstance(column, models.CharField) and not column.is_relation:
                options = [properties[name], *properties[name].get("anyOf", [])]
                assert any({"maxLength", "enum", "$ref"} & set(o) for o in options), (model.__name__, name)
                checked += 1
    assert checked > 50
