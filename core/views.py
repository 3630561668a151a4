"""Pages of the core app: login, dashboard, account tokens, object history."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from core import services, tenancy
from core.errors import DomainError
from core.history import entries_for
from core.models import ApiToken
from core.pagination import WindowPage
from core.roles import Role


class LoginView(auth_views.LoginView):
    template_engine = "pages"
    template_name = "pages/registration/login.jinja"
    redirect_authenticated_user = True


def _dashboard_panels(request: HttpRequest) -> list[dict[str, Any]]:
    """Panels contributed by the apps listed in ``settings.DASHBOARD_PANELS``: each entry is a
    callable taking the request and returning the panel's context, or ``None`` to show nothing."""
    panels = []
    for dotted in getattr(settings, "DASHBOARD_PANELS", []):
        panel = import_string(dotted)(request)
        if panel:
            panels.append(panel)
    return panels


@login_required
@require_safe
def dashboard(request: HttpRequest) -> HttpResponse:
    panels = _dashboard_panels(request)
    organizations = tenancy.organizations_by_name(request.user)
    roles = tenancy.roles_by_organization(request.user)
    return render(
        request,
        "pages/core/dashboard.jinja",
        {
            "organizations": [(pk, name, Role(roles[pk]).label) for pk, name in organizations],
            "panels": panels,
        },
        using="pages",
    )


@login_required
def tokens(request: HttpRequest) -> HttpResponse:
    new_key = None
    if request.method == "POST":
        try:
            _token, new_key = services.create_api_token(user=request.user, name=request.POST.get("name", ""))
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Jeton créé. Copiez sa clé maintenant : elle ne sera plus affichée."))
    return render(
        request,
        "pages/core/tokens.jinja",
        {"tokens": ApiToken.objects.filter(user=tenancy.acting_user(request)), "new_key": new_key},
        using="pages",
    )


@login_required
@require_POST
def revoke_token(request: HttpRequest, token_id: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=token_id, user=request.user)
    services.revoke_api_token(user=request.user, token=token)
    messages.success(request, _("Le jeton « %(name)s » est révoqué.") % {"name": token.name})
    return redirect("core:tokens")


HISTORY_PAGE_SIZE = 100


@login_required
@require_safe
def history(request: HttpRequest, app_label: str, model_name: str, pk: int) -> HttpResponse:
    """The whole history of any domain object the user may see.

    A model says how it is scoped with ``TENANT_FIELD`` (the lookup to its organization);
    a model without it has no public history page.
    """
    try:
        model = apps.get_model(app_label, model_name)
    except LookupError as exc:
        raise Http404 from exc
    ids = tenancy.organization_ids(request.user)
    if hasattr(model.objects, "visible_to"):
        queryset = model.objects.visible_to(ids)
    elif hasattr(model, "TENANT_FIELD"):
        queryset = model.objects.filter(**{f"{model.TENANT_FIELD}__in": ids})
    else:
        raise Http404
    obj = get_object_or_404(queryset, pk=pk)
    # By pages of a hundred changes, not counted (see ``core.pagination``).
    page = request.GET.get("page")
    number = int(page) if page and page.isdigit() and int(page) >= 1 else 1
    entries = entries_for(obj, limit=HISTORY_PAGE_SIZE + 1, offset=(number - 1) * HISTORY_PAGE_SIZE)
    window = WindowPage(
        object_list=entries[:HISTORY_PAGE_SIZE],
        number=number,
        per_page=HISTORY_PAGE_SIZE,
        has_next=len(entries) > HISTORY_PAGE_SIZE,
    )
    return render(
        request,
        "pages/core/history.jinja",
        {"object": obj, "entries": window.object_list, "page": window, "model_label": model._meta.verbose_name},
        using="pages",
    )
