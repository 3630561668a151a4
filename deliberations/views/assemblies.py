"""Pages of assemblies and their members' mandates."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from core import tenancy
from core.errors import DomainError
from core.formatting import french_date
from core.roles import Capability
from deliberations import forms, rules, selectors, services
from deliberations.views._common import (
    form_error,
    form_page,
)
from parties.models import Organization


@login_required
@require_safe
def assembly_list(request: HttpRequest) -> HttpResponse:
    assemblies = selectors.assemblies_for(request.user).select_related("numbering_rule")
    can_add = bool(tenancy.organizations_where(request.user, Capability.MANAGE_SITTINGS))
    return render(
        request,
        "pages/deliberations/assembly_list.jinja",
        {"assemblies": assemblies, "can_add": can_add},
        using="pages",
    )


@login_required
def assembly_create(request: HttpRequest) -> HttpResponse:
    org_ids = tenancy.organizations_where(request.user, Capability.MANAGE_SITTINGS)
    if not org_ids:
        raise PermissionDenied(_("Votre rôle ne permet pas de créer une assemblée."))
    organizations = [(o.pk, o.name) for o in Organization.objects.filter(pk__in=org_ids)]
    form = forms.AssemblyForm(request.POST or None, organizations=organizations)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        organization = Organization.objects.get(pk=data.pop("organization"))
        try:
            assembly = services.create_assembly(user=request.user, organization=organization, **data)
        except DomainError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("L'assemblée est créée."))
            return redirect(assembly)
    return form_page(request, form, _("Nouvelle assemblée"))


def _add_mandate(user: Any, assembly: Any, data: dict[str, Any]) -> Any:
    common = {k: data[k] for k in ("role", "function", "start_date", "end_date")}
    if data.get("person"):
        return services.add_mandate(user=user, assembly=assembly, person=data["person"], **common)
    return services.add_member(
        user=user,
        assembly=assembly,
        first_name=data["first_name"],
        last_name=data["last_name"],
        civility=data.get("civility") or "",
        **common,
    )


@login_required
def assembly_detail(request: HttpRequest, pk: int) -> HttpResponse:
    assembly = selectors.assembly_for(request.user, pk)
    can_manage = tenancy.can(request.user, assembly.organization_id, Capability.MANAGE_SITTINGS)
    form = forms.MandateForm(request.POST or None, assembly=assembly)
    if request.method == "POST":
        tenancy.require(request.user, assembly.organization_id, Capability.MANAGE_SITTINGS)
        if form.is_valid():
            try:
                _add_mandate(request.user, assembly, form.cleaned_data)
            except DomainError as exc:
                form_error(form, exc)
            else:
                messages.success(request, _("Le mandat est enregistré."))
                return redirect(assembly)
    today = timezone.localdate()
    on_form = forms.DateForm({"day": request.GET.get("au")} if request.GET.get("au") else None)
    on = on_form.cleaned_data["day"] if on_form.is_bound and on_form.is_valid() else today
    if not on_form.is_bound:
        on_form = forms.DateForm(initial={"day": today})
    page = Paginator(selectors.mandates_of(assembly), 100).get_page(request.GET.get("page"))
    return render(
        request,
        "pages/deliberations/assembly_detail.jinja",
        {
            "assembly": assembly,
            "page": page,
            "in_office": selectors.members_count(assembly, today),
            "today": today,
            "on": on,
            "on_form": on_form,
            "members": selectors.members_in_office(assembly, on),
            "form": form,
            "can_manage": can_manage,
            "next_number": selectors.next_number(assembly, today.year),
            "can_administer": tenancy.can(request.user, assembly.organization_id, Capability.MANAGE_ORGANIZATION),
        },
        using="pages",
    )


@login_required
def assembly_numbering(request: HttpRequest, pk: int) -> HttpResponse:
    """The numbering rule (clerks) and, for administrators, the rank of the next number: a
    collectivité starting with Conventio mid-year continues from its last number."""
    assembly = selectors.assembly_for(request.user, pk)
    tenancy.require(request.user, assembly.organization_id, Capability.MANAGE_SITTINGS)
    can_administer = tenancy.can(request.user, assembly.organization_id, Capability.MANAGE_ORGANIZATION)
    rule = getattr(assembly, "numbering_rule", None)
    initial = {
        "pattern": rule.pattern if rule else "{year}-{seq:03}",
        "yearly_reset": rule.yearly_reset if rule else True,
    }
    today = timezone.localdate()
    current = selectors.next_number(assembly, today.year)
    posted = request.POST if request.method == "POST" else None
    # The two forms post to this page; the next number's is told apart by its field.
    next_posted = posted is not None and "next_value" in posted
    if next_posted:
        tenancy.require(request.user, assembly.organization_id, Capability.MANAGE_ORGANIZATION)
    form = forms.NumberingForm(None if next_posted else posted, initial=initial)
    next_form = forms.NextNumberForm(
        posted if next_posted else None, initial={"year": today.year, "next_value": current.next_value}
    )
    if next_posted and next_form.is_valid():
        try:
            done = services.set_next_number(user=request.user, assembly=assembly, **next_form.cleaned_data)
        except DomainError as exc:
            form_error(next_form, exc)
        else:
            messages.success(request, _("Le prochain numéro sera %(n)s.") % {"n": done.next_number})
            return redirect(assembly)
    elif posted is not None and not next_posted and form.is_valid():
        try:
            services.set_numbering_rule(user=request.user, assembly=assembly, **form.cleaned_data)
        except DomainError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("La règle de numérotation est modifiée."))
            return redirect(assembly)
    return render(
        request,
        "pages/deliberations/numbering.jinja",
        {
            "assembly": assembly,
            "form": form,
            "next_form": next_form if can_administer else None,
            "current": current,
            "example": _numbering_example(rule, today.year, current),
        },
        using="pages",
    )


def _numbering_example(rule: Any, year: int, current: Any) -> dict[str, Any]:
    """What the rule gives, told by example on the numbering page: the next number, the one
    after it, and the first of next year (from 1 again, or continuing)."""
    pattern, yearly = (rule.pattern, rule.yearly_reset) if rule else ("{year}-{seq:03}", True)
    return {
        "pattern": pattern,
        "yearly": yearly,
        "year": year,
        "next": current.next_number,
        "following": rules.format_number(pattern, year=year, seq=current.next_value + 1),
        "next_year": year + 1,
        "first_next_year": rules.format_number(pattern, year=year + 1, seq=1 if yearly else current.next_value + 2),
    }


@login_required
def assembly_wording(request: HttpRequest, pk: int) -> HttpResponse:
    assembly = selectors.assembly_for(request.user, pk)
    tenancy.require(request.user, assembly.organization_id, Capability.MANAGE_SITTINGS)
    form = forms.WordingForm(request.POST or None, initial={f: getattr(assembly, f) for f in services.WORDING_FIELDS})
    if request.method == "POST" and form.is_valid():
        try:
            services.update_wording(user=request.user, assembly=assembly, **form.cleaned_data)
        except DomainError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("Les formules des documents sont modifiées."))
            return redirect(assembly)
    title = _("Formules des documents — %(name)s") % {"name": assembly.name}
    return form_page(request, form, title, back=assembly)


@login_required
def mandate_end(request: HttpRequest, pk: int, mandate_id: int) -> HttpResponse:
    assembly = selectors.assembly_for(request.user, pk)
    mandate = selectors.get_or_404(selectors.mandates_of(assembly), pk=mandate_id)
    tenancy.require(request.user, assembly.organization_id, Capability.MANAGE_SITTINGS)
    form = forms.EndMandateForm(request.POST or None, initial={"end_date": mandate.end_date or timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.end_mandate(user=request.user, mandate=mandate, end_date=form.cleaned_data["end_date"])
        except DomainError as exc:
            form_error(form, exc)
        else:
            messages.success(request, _("La fin du mandat est enregistrée."))
            return redirect(assembly)
    title = _("Fin du mandat de %(name)s") % {"name": mandate.person.full_name}
    return form_page(request, form, title, back=assembly)


CLASSIFICATION_UPLOAD_MAX_BYTES = 5 * 1024 * 1024


@login_required
def assembly_classification(request: HttpRequest, pk: int) -> HttpResponse:
    """The préfecture's classification of the assembly's collectivité (@CTES RetourClassification):
    shown to clerks, imported by administrators."""
    assembly = selectors.assembly_for(request.user, pk)
    organization_id = assembly.organization_id
    tenancy.require(request.user, organization_id, Capability.MANAGE_SITTINGS)
    can_administer = tenancy.can(request.user, organization_id, Capability.MANAGE_ORGANIZATION)
    form = forms.ClassificationForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        tenancy.require(request.user, organization_id, Capability.MANAGE_ORGANIZATION)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                if (upload.size or 0) > CLASSIFICATION_UPLOAD_MAX_BYTES:
                    raise DomainError(
                        _("Le fichier de classification est trop lourd (5 Mo au plus)."),
                        rule=_("@CTES : classification de la préfecture (RetourClassification)"),
                        field="file",
                    )
                done = services.import_classification(
                    user=request.user, organization=assembly.organization, data=upload.read(), filename=upload.name
                )
            except DomainError as exc:
                form_error(form, exc)
            else:
                messages.success(
                    request,
                    _("La classification du %(d)s est importée (%(n)s matières).")
                    % {"d": french_date(done.classified_on), "n": len(done.matieres)},
                )
                return redirect("deliberations:assembly_classification", assembly.pk)
    classification = selectors.ctes_classification(organization_id)
    return render(
        request,
        "pages/deliberations/classification.jinja",
        {
            "assembly": assembly,
            "classification": classification,
            "default_date": services.ctes.classification_date(),
            "form": form if can_administer else None,
        },
        using="pages",
    )
