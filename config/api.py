"""The REST API root, /api/v1/: routers of every app, authentication, errors.

Every error answers the same body, ``ErrorOut`` (``{detail, rule, field}``, plus ``errors``
for a refused input), and every operation documents it for 400, 401, 403, 404, 409 and 422.
Inputs are strict (``core.api_inputs.harden_api``): a value the database would refuse, an
unknown field or a naive date-time is a 422 naming the field, never a server error.
"""

import logging
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DataError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as InputError

from conventions.api import router as conventions_router
from core.api import router as core_router
from core.api_auth import api_auth
from core.api_inputs import ErrorOut, harden_api
from core.errors import DomainError
from deliberations.api import router as deliberations_router
from documents.api import router as documents_router
from parties.api import router as parties_router
from reminders.api import router as reminders_router

ERROR_RESPONSES = {
    "400": "Règle métier enfreinte",
    "401": "Non authentifié",
    "403": "Action non autorisée pour votre rôle",
    "404": "Introuvable (ou d'une autre organisation)",
    "409": "Conflit avec l'état de l'objet",
    "422": "Entrée refusée (champ inconnu, valeur hors limites ou mal formée)",
}


class ConventioAPI(NinjaAPI):
    def get_openapi_schema(self, **kwargs: Any) -> Any:
        """The generated schema, with the error body documented on every operation."""
        schema = super().get_openapi_schema(**kwargs)
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        components.update(ErrorOut.model_json_schema(ref_template="#/components/schemas/{model}")["$defs"])
        error = ErrorOut.model_json_schema(ref_template="#/components/schemas/{model}")
        error.pop("$defs", None)
        components["ErrorOut"] = error
        content = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}}
        for methods in schema["paths"].values():
            for operation in methods.values():
                responses = operation.setdefault("responses", {})
                for status, description in ERROR_RESPONSES.items():
                    responses.setdefault(status, {"description": description, "content": content})
        return schema


api = ConventioAPI(
    title="Conventio API",
    version="1",
    description="Conventions de partenariat et délibérations des collectivités. "
    "Toutes les réponses sont limitées aux organisations de l'utilisateur. "
    "Toute erreur répond {detail, rule, field} ; les dates-heures portent leur décalage horaire "
    "(une date-heure sans décalage est refusée), les heures de réunion sont locales (18:30).",
    auth=api_auth,
    urls_namespace="api",
)


def error(
    request: HttpRequest,
    status: int,
    detail: str,
    *,
    rule: str | None = None,
    field: str | None = None,
    errors: list[dict[str, Any]] | None = None,
) -> HttpResponse:
    body: dict[str, Any] = {"detail": detail, "rule": rule, "field": field}
    if errors:
        # Only a refused input lists each field: the three keys above are the whole body otherwise.
        body["errors"] = errors
    return api.create_response(request, body, status=status)


@api.exception_handler(DomainError)
def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return error(request, exc.status_code, exc.message, rule=exc.rule or None, field=exc.field)


logger = logging.getLogger(__name__)


@api.exception_handler(DataError)
def refused_by_the_database(request: HttpRequest, exc: DataError) -> HttpResponse:
    # A value the input checks let through and PostgreSQL refused (a text longer than its
    # column, a number out of range): the checks missed a field. Logged as an error so the
    # field gets its bound, answered 422 because it is still the caller's value at fault.
    logger.error("Value refused by the database on %s %s: %s", request.method, request.path, exc)
    return error(request, 422, _("Valeur refusée par la base de données (trop longue ou hors limites)."))


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return error(request, 404, str(exc) or _("Introuvable."))


@api.exception_handler(PermissionDenied)
def forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return error(request, 403, str(exc) or _("Action non autorisée."))


@api.exception_handler(AuthenticationError)
def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return error(request, 401, _("Authentification requise (jeton ou session)."))


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return error(request, exc.status_code, str(exc))


def _refusal(request: HttpRequest, status: int, errors: list[tuple[str | None, str, str]]) -> HttpResponse:
    """Each refused field as (field, message, type): the first names the error's field."""
    if not errors:
        return error(request, status, _("Entrée invalide."))
    field, message, _type = errors[0]
    detail = f"{field}: {message}" if field else message
    if len(errors) > 1:
        detail += _(" (et {count} autre(s) erreur(s))").format(count=len(errors) - 1)
    listed = [{"field": name, "detail": text, "type": kind} for name, text, kind in errors]
    return error(request, status, detail, field=field, errors=listed)


@api.exception_handler(ValidationError)
def invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    if hasattr(exc, "error_dict"):
        return _refusal(
            request,
            400,
            [
                (None if name == "__all__" else name, " ".join(messages), "invalid")
                for name, messages in exc.message_dict.items()
            ],
        )
    return error(request, 400, " ".join(exc.messages))


# The names pydantic gives the members of a union in an error's location (``str-enum[Kind]``,
# ``literal['']``, ``int``): not fields, so not in the field's dotted path.
UNION_MEMBERS = frozenset({"int", "str", "float", "bool", "decimal", "date", "datetime", "time", "list", "dict"})


def _field(location: tuple[Any, ...] | list[Any]) -> str | None:
    """``end_date`` for ("body", "payload", "end_date"), ``year`` for ("query", "year")."""
    parts = [str(part) for part in location]
    if parts[:1] == ["body"]:
        parts = parts[2:]
    elif parts[:1] in (["query"], ["path"], ["header"], ["cookie"], ["form"], ["file"]):
        parts = parts[1:]
    parts = [part for part in parts if part not in UNION_MEMBERS and not any(c in part for c in "[]-'")]
    return ".".join(parts) or None


@api.exception_handler(InputError)
def refused_input(request: HttpRequest, exc: InputError) -> HttpResponse:
    # A value refused by each member of a union is one error of its field, its messages joined.
    by_field: dict[str | None, tuple[list[str], str]] = {}
    for item in exc.errors:
        messages, kind = by_field.setdefault(_field(item.get("loc", ())), ([], str(item.get("type", ""))))
        messages.append(str(item.get("msg", "")))
    return _refusal(
        request, 422, [(field, _(" ; ou ").join(messages), kind) for field, (messages, kind) in by_field.items()]
    )


api.add_router("/", core_router)
api.add_router("/", parties_router)
api.add_router("/", deliberations_router)
api.add_router("/", conventions_router)
api.add_router("/", documents_router)
api.add_router("/", reminders_router)
harden_api(api)
