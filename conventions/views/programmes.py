"""The programmes' list, forms and page (with its budget)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from conventions import forms, selectors, services
from conventions.views._common import PAGE_SIZE, error_text, form_error
from core import confirmation, tenancy
from core.confirmation import Confirmation
from core.errors import DomainError
from core.roles import Capability
from parties.models import Organization


@login_required
@require_safe
def programme_list(request: HttpRequest) -> HttpResponse:
    programmes = selectors.programmes_for(request.user).order_by("name", "pk")
    page = Paginator(programmes, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "pages/conventions/programme_list.jinja",
        {"page": page, "can_add": bool(tenancy.organizations_where(request.user, Capability.EDIT_CONVENTIONS))},
        using="pages",
    )


def _programme_form_page(
    request: HttpRequest, form: forms.ProgrammeForm, save: Callable[[dict[str, Any]], Any], context: dict[str, Any]
) -> HttpResponse:
    """Validate, save through the service, or show the form again with each error by its field."""
    if request.method == "POST" and form.is_valid():
        try:
            programme = save(dict(form.cleaned_data))
        except DomainError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("Le programme « %(name)s » est enregistré.") % {"name": programme.name})
            return redirect(programme)
    return render(request, "pages/conventions/programme_form.jinja", {**context, "form": form}, using="pages")


@login_required
def programme_create(request: HttpRequest) -> HttpResponse:
    allowed = tenancy.organizations_where(request.user, Capability.EDIT_CONVENTIONS)
    if not allowed:
        raise PermissionDenied(_("Votre rôle ne permet pas de créer des programmes."))
    raw = request.POST.get("organization") or request.GET.get("organization") or ""
    organization_id = int(raw) if raw.isdigit() else allowed[0]
    if organization_id not in allowed:
        raise PermissionDenied(_("Votre rôle ne permet pas de créer des programmes pour cette organisation."))
    organization = Organization.objects.get(pk=organization_id)
    form = forms.ProgrammeForm(request.POST or None, organization_id=organization.pk)

    def save(data: dict[str, Any]) -> Any:
        return services.create_programme(user=request.user, organization=organization, **data)

    return _programme_form_page(
        request,
        form,
        save,
        {
            "title": _("Nouveau programme"),
            "organization": organization,
            "organizations": Organization.objects.filter(pk__in=allowed),
        },
    )


@login_required
def programme_edit(request: HttpRequest, pk: int) -> HttpResponse:
    programme = selectors.programme_for(request.user, pk)
    tenancy.require(request.user, programme.organization_id, Capability.EDIT_CONVENTIONS)
    form = forms.ProgrammeForm(request.POST or None, instance=programme, organization_id=programme.organization_id)

    def save(data: dict[str, Any]) -> Any:
        return services.update_programme(user=request.user, programme=programme, **data)

    return _programme_form_page(
        request,
        form,
        save,
        {"title": _("Modifier le programme « %(name)s »") % {"name": programme.name}, "programme": programme},
    )


def _programme_page(request: HttpRequest, programme: Any, budget_form: forms.BudgetForm | None = None) -> HttpResponse:
    raw_day = request.GET.get("date", "")
    day = date.fromisoformat(raw_day) if raw_day[:4].isdigit() else timezone.localdate()
    can_edit = tenancy.can(request.user, programme.organization_id, Capability.EDIT_CONVENTIONS)
    if budget_form is None and can_edit:
        budget_form = forms.BudgetForm(auto_id="budget-%s", initial={"year": day.year})
    return render(
        request,
        "pages/conventions/programme_detail.jinja",
        {
            "summary": selectors.programme_summary(programme, today=day),
            "programme": programme,
            "committees": list(programme.committees.all()),
            "can_edit": can_edit,
            "budget_form": budget_form if budget_form else None,
            "budget_removal": budget_removal,
        },
        using="pages",
    )


@login_required
@require_safe
def programme_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _programme_page(request, selectors.programme_for(request.user, pk))


@login_required
@require_POST
def programme_budget(request: HttpRequest, pk: int) -> HttpResponse:
    """Set a year's budget; a refusal shows the programme's page again, the error by its field."""
    programme = selectors.programme_for(request.user, pk)
    tenancy.require(request.user, programme.organization_id, Capability.EDIT_CONVENTIONS)
    form = forms.BudgetForm(request.POST, auto_id="budget-%s")
    if form.is_valid():
        try:
            budget = services.set_budget(user=request.user, programme=programme, **form.cleaned_data)
        except DomainError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("Le budget %(year)s est enregistré.") % {"year": budget.year})
            return redirect(programme)
    return _programme_page(request, programme, budget_form=form)


def budget_removal(year: int) -> Confirmation:
    """What removing a year's budget does, asked before it is done."""
    return Confirmation(
        title=_("Supprimer le budget %(year)s ?") % {"year": year},
        consequence=_(
            "Le budget et le fonds d'initiatives de %(year)s seront supprimés du programme ; le suivi des "
            "engagements de cette année n'aura plus de montant de référence."
        )
        % {"year": year},
        button=_("Supprimer le budget %(year)s") % {"year": year},
    )


@login_required
@require_POST
def programme_budget_remove(request: HttpRequest, pk: int, year: int) -> HttpResponse:
    programme = selectors.programme_for(request.user, pk)
    tenancy.require(request.user, programme.organization_id, Capability.EDIT_CONVENTIONS)
    if not confirmation.is_confirmed(request):
        return confirmation.refusal(request, budget_removal(year), back=programme.get_absolute_url())
    try:
        services.remove_budget(user=request.user, programme=programme, year=year)
    except DomainError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("Le budget %(year)s est supprimé.") % {"year": year})
    return redirect(programme)
