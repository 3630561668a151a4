"""Pages: organizations, their people and signatories."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from core import tenancy
from core.errors import DomainError
from core.pagination import window_page
from core.roles import Capability
from parties import selectors, services
from parties.forms import OrganizationForm, PersonForm
from parties.models import Organization


@login_required
@require_safe
def organization_list(request: HttpRequest) -> HttpResponse:
    # The columns shown only: no tenant joined to each of a métropole's thousand partners
    # before they are sorted by name.
    queryset = (
        selectors.organizations_for(request.user).select_related(None).only("id", "name", "kind", "siren", "city")
    )
    q = request.GET.get("q", "").strip()
    if q:
        queryset = queryset.filter(name__icontains=q)
    page = Paginator(queryset, 50).get_page(request.GET.get("page"))
    can_add = bool(tenancy.organizations_where(request.user, Capability.EDIT_PARTNERS))
    return render(
        request, "pages/parties/organization_list.jinja", {"page": page, "q": q, "can_add": can_add}, using="pages"
    )


def edit_capability(organization: Organization) -> Capability:
    """The collectivité's own record is the administrators'; its partners are editable by
    whoever records partners (``services.update_organization`` applies the same split)."""
    return Capability.MANAGE_ORGANIZATION if organization.is_tenant else Capability.EDIT_PARTNERS


@login_required
@require_safe
def organization_detail(request: HttpRequest, pk: int) -> HttpResponse:
    organization = selectors.organization_for(request.user, pk)
    capability = edit_capability(organization)
    return render(
        request,
        "pages/parties/organization_detail.jinja",
        {
            "organization": organization,
            "signatories": selectors.signatories_of(organization),
            # Pages of 50 people, not counted (a métropole keeps its councillors of several terms).
            "people": window_page(
                organization.people.order_by("last_name", "first_name", "pk"), request.GET.get("page"), 50
            ),
            "can_edit": tenancy.can(request.user, organization.tenant_id_or_self, capability),
            "can_add_people": tenancy.can(request.user, organization.tenant_id_or_self, Capability.EDIT_PARTNERS),
            "person_form": PersonForm(),
        },
        using="pages",
    )


def _save(request: HttpRequest, form: OrganizationForm, save) -> HttpResponse | None:  # type: ignore[no-untyped-def]
    if not form.is_valid():
        return None
    try:
        organization = save(form.cleaned_data)
    except DomainError as exc:
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        return None
    messages.success(request, _("« %(name)s » est enregistrée.") % {"name": organization.name})
    return redirect("parties:organization_detail", organization.pk)


@login_required
def partner_create(request: HttpRequest) -> HttpResponse:
    tenants = tenancy.organizations_where(request.user, Capability.EDIT_PARTNERS)
    if not tenants:
        raise PermissionDenied(_("Votre rôle ne permet pas d'enregistrer des partenaires."))
    raw = str(request.POST.get("tenant", ""))
    tenant = selectors.organization_for(request.user, int(raw) if raw.isdigit() else tenants[0])
    tenancy.require(request.user, tenant.pk, Capability.EDIT_PARTNERS)
    form = OrganizationForm(request.POST or None)
    if request.method == "POST":
        response = _save(request, form, lambda data: services.create_partner(user=request.user, tenant=tenant, **data))
        if response:
            return response
    return render(
        request,
        "pages/parties/organization_form.jinja",
        {
            "form": form,
            "title": _("Nouveau partenaire"),
            "tenants": selectors.organizations_for(request.user).filter(pk__in=tenants),
        },
        using="pages",
    )


@login_required
def organization_edit(request: HttpRequest, pk: int) -> HttpResponse:
    organization = selectors.organization_for(request.user, pk)
    tenancy.require(request.user, organization.tenant_id_or_self, edit_capability(organization))
    form = OrganizationForm(request.POST or None, instance=organization)
    if request.method == "POST":
        response = _save(
            request,
            form,
            lambda data: services.update_organization(user=request.user, organization=organization, **data),
        )
        if response:
            return response
    return render(
        request,
        "pages/parties/organization_form.jinja",
        {"form": form, "title": _("Modifier « %(name)s »") % {"name": organization.name}},
        using="pages",
    )


@login_required
def person_create(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a person to an organization, and make them a signatory if a function is given."""
    organization = selectors.organization_for(request.user, pk)
    tenancy.require(request.user, organization.tenant_id_or_self, Capability.EDIT_PARTNERS)
    form = PersonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                person = services.create_person(
                    user=request.user,
                    organization=organization,
                    civility=data["civility"],
                    first_name=data["first_name"],
                    last_name=data["last_name"],
                    email=data["email"],
                )
                if data["function"]:
                    services.add_signatory(
                        user=request.user,
                        organization=organization,
                        person=person,
                        function=data["function"],
                        is_default=data["is_default"],
                    )
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("%(name)s est ajouté(e).") % {"name": person.full_name})
            return redirect("parties:organization_detail", organization.pk)
    return render(
        request,
        "pages/parties/organization_form.jinja",
        {"form": form, "title": _("Nouvelle personne — %(name)s") % {"name": organization.name}},
        using="pages",
    )
