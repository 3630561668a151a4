"""The clause library's pages."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from conventions import forms, rules, selectors, services
from conventions.standard_clauses import STANDARD_CLAUSES
from conventions.views._common import PAGE_SIZE, error_text, form_error
from core import tenancy
from core.errors import DomainError
from core.roles import Capability
from parties.models import Organization


def _library_organizations(request: HttpRequest) -> list[int]:
    allowed = tenancy.organizations_where(request.user, Capability.EDIT_CONVENTIONS)
    if not allowed:
        raise PermissionDenied(_("Votre rôle ne permet pas de tenir la bibliothèque de clauses."))
    return allowed


def _variables_of(body: str) -> tuple[list[str], DomainError | None]:
    try:
        return rules.check_library_clause(body), None
    except DomainError as exc:
        return [], exc


@login_required
def clause_list(request: HttpRequest) -> HttpResponse:
    allowed = _library_organizations(request)
    search = forms.ClauseSearchForm(request.GET or None)
    q = search.cleaned_data["q"] if search.is_valid() else ""
    queryset = selectors.clause_templates_for(request.user, q=q, organization_ids=allowed)
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    # Each clause with the variables its text uses (none when its text does not parse).
    rows = [(template, _variables_of(template.body)[0]) for template in page]
    return render(
        request,
        "pages/conventions/clause_list.jinja",
        {
            "search": search,
            "page": page,
            "rows": rows,
            "q": q,
            "standard_count": len(STANDARD_CLAUSES),
            "organizations": Organization.objects.filter(pk__in=allowed).order_by("name"),
            "organization": Organization.objects.filter(pk=allowed[0]).first(),
        },
        using="pages",
    )


def _clause_form_page(
    request: HttpRequest, form: forms.ClauseTemplateForm, save: Callable[[dict[str, Any]], Any], context: dict[str, Any]
) -> HttpResponse:
    """Validate, then either only show the variables found ("Vérifier") or save through the service."""
    body = (request.POST.get("body") if request.method == "POST" else context.get("initial_body")) or ""
    variables, error = _variables_of(body)
    if request.method == "POST" and form.is_valid():
        if "check" in request.POST:
            if error:
                form_error(form, error)
        else:
            try:
                template = save(form.cleaned_data)
            except DomainError as exc:
                form_error(form, exc)
            else:
                messages.success(request, _("La clause « %(title)s » est enregistrée.") % {"title": template.title})
                return redirect("conventions:clause_list")
    previews = []
    if body.strip() and not error:
        previews = [
            (_("Avec des valeurs d'exemple"), rules.render_clause(body, rules.EXAMPLE_VALUES, strict=False)),
            (
                _("Sans aucune valeur (parties facultatives omises)"),
                rules.render_clause(body, rules.EMPTY_VALUES, strict=False),
            ),
        ]
    return render(
        request,
        "pages/conventions/clause_form.jinja",
        {
            **context,
            "form": form,
            "variables": variables,
            "variables_error": error,
            "available": rules.VARIABLES,
            "previews": previews,
        },
        using="pages",
    )


@login_required
def clause_create(request: HttpRequest) -> HttpResponse:
    allowed = _library_organizations(request)
    raw = request.POST.get("organization") or request.GET.get("organization") or ""
    organization_id = int(raw) if raw.isdigit() else allowed[0]
    if organization_id not in allowed:
        raise PermissionDenied(_("Votre rôle ne permet pas de tenir la bibliothèque de clauses de cette organisation."))
    organization = Organization.objects.get(pk=organization_id)
    form = forms.ClauseTemplateForm(request.POST or None)

    def save(data: dict[str, Any]) -> Any:
        return services.create_clause_template(user=request.user, organization=organization, **data)

    return _clause_form_page(
        request,
        form,
        save,
        {
            "title": _("Nouvelle clause"),
            "organization": organization,
            "organizations": Organization.objects.filter(pk__in=allowed),
        },
    )


@login_required
def clause_edit(request: HttpRequest, pk: int) -> HttpResponse:
    template = selectors.clause_template_for(request.user, pk)
    tenancy.require(request.user, template.organization_id, Capability.EDIT_CONVENTIONS)
    form = forms.ClauseTemplateForm(
        request.POST or None,
        editing=True,
        initial={"title": template.title, "category": template.category, "body": template.body},
    )

    def save(data: dict[str, Any]) -> Any:
        return services.update_clause_template(user=request.user, template=template, **data)

    return _clause_form_page(
        request,
        form,
        save,
        {
            "title": _("Modifier la clause « %(title)s »") % {"title": template.title},
            "clause": template,
            "initial_body": template.body,
        },
    )


@login_required
@require_POST
def clause_set_active(request: HttpRequest, pk: int, active: bool) -> HttpResponse:
    template = selectors.clause_template_for(request.user, pk)
    tenancy.require(request.user, template.organization_id, Capability.EDIT_CONVENTIONS)
    try:
        services.set_clause_template_active(user=request.user, template=template, active=active)
    except DomainError as exc:
        messages.error(request, error_text(exc))
    else:
        done = _("La clause « %(title)s » est réactivée.") if active else _("La clause « %(title)s » est désactivée.")
        messages.success(request, done % {"title": template.title})
    return redirect("conventions:clause_list")


@login_required
@require_POST
def clause_import(request: HttpRequest) -> HttpResponse:
    """Import the standard library into one of the user's organizations (idempotent)."""
    allowed = _library_organizations(request)
    raw = request.POST.get("organization", "")
    organization_id = int(raw) if raw.isdigit() else allowed[0]
    if organization_id not in allowed:
        raise PermissionDenied(_("Votre rôle ne permet pas de tenir la bibliothèque de clauses de cette organisation."))
    organization = Organization.objects.get(pk=organization_id)
    result = services.import_standard_library(user=request.user, organization=organization)
    if result.added:
        messages.success(
            request,
            _("Bibliothèque type importée pour %(org)s : %(added)s clause(s) ajoutée(s), %(kept)s déjà présente(s).")
            % {"org": organization.name, "added": len(result.added), "kept": len(result.kept)},
        )
    else:
        messages.info(
            request,
            _("%(org)s a déjà toutes les clauses de la bibliothèque type : rien n'a été modifié.")
            % {"org": organization.name},
        )
    return redirect("conventions:clause_list")
