"""The REST API root, /api/v1/: routers of every app, authentication, errors."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI

from conventions.api import router as conventions_router
from core.api import router as core_router
from core.api_auth import api_auth
from core.errors import DomainError
from deliberations.api import router as deliberations_router
from documents.api import router as documents_router
from parties.api import router as parties_router
from reminders.api import router as reminders_router

api = NinjaAPI(
    title="Conventio API",
    version="1",
    description="Conventions de partenariat et délibérations des collectivités. "
    "Toutes les réponses sont limitées aux organisations de l'utilisateur.",
    auth=api_auth,
    urls_namespace="api",
)


@api.exception_handler(DomainError)
def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    body = {"detail": exc.message, "rule": exc.rule or None, "field": exc.field}
    return api.create_response(request, body, status=exc.status_code)


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc) or "Introuvable."}, status=404)


@api.exception_handler(PermissionDenied)
def forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc) or "Action non autorisée."}, status=403)


@api.exception_handler(ValidationError)
def invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    detail = (
        "; ".join(f"{field}: {' '.join(messages)}" for field, messages in exc.message_dict.items())
        if hasattr(exc, "error_dict")
        else " ".join(exc.messages)
    )
    return api.create_response(request, {"detail": detail}, status=400)


api.add_router("/", core_router)
api.add_router("/", parties_router)
api.add_router("/", deliberations_router)
api.add_router("/", conventions_router)
api.add_router("/", documents_router)
api.add_router("/", reminders_router)
