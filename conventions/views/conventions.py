"""The conventions' list, forms and page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from conventions import forms, opendata, rules, selectors, services
from conventions.models import Convention, ConventionKind, ConventionStatus
from conventions.models.conventions import EDITABLE_STATES, LIVE_STATES
from conventions.rules import subsidies
from conventions.services.drafting import SUBSIDY_FIELDS
from conventions.services.signatures import CORRECTABLE_STATES
from conventions.views import actions
from conventions.views._common import PAGE_SIZE, form_error, party_choices, querystring_without_page
from core import tenancy
from core.errors import DomainError
from core.roles import Capability
from deliberations.models import Deliberation
from parties.models import Organization


def _list_rows(conventions: list[Convention], managers: dict[int, str]) -> list[dict[str, Any]]:
    """Each convention of the page with its partners' and manager's names. A manager is named
    from the filter's menu (the members of the organizations), one who has left it by a query
    of their own."""
    missing = {c.manager_id for c in conventions if c.manager_id and c.manager_id not in managers}
    if missing:
        managers = {**managers, **{u.pk: str(u) for u in get_user_model().objects.filter(pk__in=missing)}}
    return [
        {
            "convention": convention,
            "partners": ", ".join(selectors.partner_names(convention)),
            "manager": managers.get(convention.manager_id, "") if convention.manager_id else "",
        }
        for convention in conventions
    ]


@login_required
@require_safe
def convention_list(request: HttpRequest) -> HttpResponse:
    managers = selectors.managers_for(request.user)
    form = forms.FilterForm(request.GET or None, managers=managers)
    filters = selectors.ConventionFilters()
    if form.is_valid():
        data = form.cleaned_data
        filters = selectors.ConventionFilters(
            status=data["status"] or "",
            kind=data["kind"] or "",
            partner=data["partner"],
            partner_name=data["partner_name"] or "",
            manager=data["manager"],
            end_after=data["end_after"],
            end_before=data["end_before"],
            q=data["q"] or "",
        )
    queryset = selectors.filter_conventions(selectors.convention_summaries(request.user), filters).order_by(
        "end_date", "reference", "pk"
    )
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "pages/conventions/convention_list.jinja",
        {
            "form": form,
            "page": page,
            "rows": _list_rows(list(page), dict(managers)),
            # Not ``querystring``: that name is the pages engine's global.
            "query": querystring_without_page(request),
            "can_add": bool(tenancy.organizations_where(request.user, Capability.EDIT_CONVENTIONS)),
        },
        using="pages",
    )


def _programmes(user: Any, organization_id: int) -> Any:
    return selectors.programmes_for(user).filter(organization_id=organization_id)


def _save_form(request: HttpRequest, form: forms.ConventionForm, save: Callable[[dict[str, Any]], Convention]) -> Any:
    if not form.is_valid():
        return None
    data = dict(form.cleaned_data)
    try:
        convention = save(data)
    except DomainError as exc:
        form_error(form, exc)
        return None
    messages.success(request, _("La convention « %(ref)s » est enregistrée.") % {"ref": convention.reference})
    return redirect(convention)


@login_required
def convention_create(request: HttpRequest) -> HttpResponse:
    allowed = tenancy.organizations_where(request.user, Capability.EDIT_CONVENTIONS)
    if not allowed:
        raise PermissionDenied(_("Votre rôle ne permet pas de rédiger des conventions."))
    raw = request.POST.get("organization") or request.GET.get("organization") or ""
    organization_id = int(raw) if raw.isdigit() else allowed[0]
    if organization_id not in allowed:
        raise PermissionDenied(_("Votre rôle ne permet pas de rédiger des conventions pour cette organisation."))
    organization = Organization.objects.get(pk=organization_id)
    form = forms.ConventionForm(
        request.POST or None, organization_id=organization.pk, programmes=_programmes(request.user, organization.pk)
    )
    if request.method == "POST":

        def save(data: dict[str, Any]) -> Convention:
            followers = list(data.pop("followers") or [])
            return services.create_convention(user=request.user, organization=organization, followers=followers, **data)

        response = _save_form(request, form, save)
        if response:
            return response
    organizations = Organization.objects.filter(pk__in=allowed)
    return render(
        request,
        "pages/conventions/convention_form.jinja",
        {"form": form, "title": _("Nouvelle convention"), "organizations": organizations, "organization": organization},
        using="pages",
    )


def edit_capability(convention: Convention) -> Capability:
    """What the convention's form needs: its terms while they may change, afterwards only
    who manages and follows it (``services.update_convention`` applies the same split)."""
    return Capability.EDIT_CONVENTIONS if convention.status in EDITABLE_STATES else Capability.FOLLOW_CONVENTIONS


@login_required
def convention_edit(request: HttpRequest, pk: int) -> HttpResponse:
    convention = selectors.convention_for(request.user, pk)
    tenancy.require(request.user, convention.organization_id, edit_capability(convention))
    form = forms.ConventionForm(
        request.POST or None,
        instance=convention,
        organization_id=convention.organization_id,
        programmes=_programmes(request.user, convention.organization_id),
    )
    # Once the terms are fixed, who follows it still changes; and legal staff may complete what
    # the open-data file of subsidies publishes (payment dates, EU notification…).
    still_open = {"manager", "followers", "service"}
    if convention.kind == ConventionKind.FINANCIAL and tenancy.can(
        request.user, convention.organization_id, Capability.EDIT_CONVENTIONS
    ):
        still_open |= set(SUBSIDY_FIELDS)
    if convention.status not in EDITABLE_STATES:
        for name, field in form.fields.items():
            if name not in still_open:
                field.disabled = True
    if request.method == "POST":

        def save(data: dict[str, Any]) -> Convention:
            followers = list(data.pop("followers") or [])
            if convention.status not in EDITABLE_STATES:
                data = {k: v for k, v in data.items() if k in still_open - {"followers"}}
            return services.update_convention(user=request.user, convention=convention, followers=followers, **data)

        response = _save_form(request, form, save)
        if response:
            return response
    return render(
        request,
        "pages/conventions/convention_form.jinja",
        {"form": form, "title": _("Modifier « %(ref)s »") % {"ref": convention.reference}, "convention": convention},
        using="pages",
    )


def _action_forms(request: HttpRequest, convention: Convention) -> dict[str, Any]:
    """The forms the detail page offers, according to the state and the user's role."""
    can_edit = tenancy.can(request.user, convention.organization_id, Capability.EDIT_CONVENTIONS)
    can_follow = tenancy.can(request.user, convention.organization_id, Capability.FOLLOW_CONVENTIONS)
    status = convention.status
    parties = party_choices(convention)
    result: dict[str, Any] = {"can_edit": can_edit, "can_follow": can_follow}
    if can_edit and status in EDITABLE_STATES:
        party_form = forms.PartyForm(auto_id="party-%s")
        taken = {p.organization_id for p in convention.parties.all()}
        party_form.fields["organization"].choices = [  # type: ignore[attr-defined]
            (o.pk, o.name) for o in Organization.objects.visible_to([convention.organization_id]).exclude(pk__in=taken)
        ]
        result["party_form"] = party_form
        clause_form = forms.ClauseForm(auto_id="clause-%s")
        clause_form.fields["template"].choices = [("", _("— texte libre —"))] + [  # type: ignore[attr-defined]
            (t.pk, t.title) for t in convention.organization.clause_templates.filter(is_active=True)
        ]
        result["clause_form"] = clause_form
        # Each article of a draft can be changed, moved or removed from its place on the page.
        result["edit_articles"] = True
        result["variables"] = sorted(services.clause_variables(convention))
    if can_edit and status not in (ConventionStatus.TERMINATED, ConventionStatus.EXPIRED, ConventionStatus.CANCELLED):
        obligation_form = forms.ObligationForm(auto_id="obligation-%s")
        obligation_form.fields["party"].choices = parties  # type: ignore[attr-defined]
        result["obligation_form"] = obligation_form
        result["annex_form"] = forms.AnnexForm(auto_id="annex-%s")
    partners = [p for p in convention.parties.all() if p.organization_id != convention.organization_id]
    if can_edit and convention.kind == ConventionKind.FINANCIAL and partners and status != ConventionStatus.CANCELLED:
        result["beneficiaries_form"] = forms.BeneficiariesForm(auto_id="beneficiaries-%s", partners=partners)
    if can_edit and status == ConventionStatus.LEGAL_REVIEW:
        result["approve_form"] = forms.ApproveForm(
            auto_id="approve-%s",
            deliberations=Deliberation.objects.filter(assembly__organization_id=convention.organization_id).order_by(
                "-year", "-sequence"
            )[:200],
        )
    if can_edit and status == ConventionStatus.OUT_FOR_SIGNATURE:
        signature_form = forms.SignatureForm(auto_id="signature-%s")
        signature_form.fields["party"].choices = [  # type: ignore[attr-defined]
            (p.pk, p.organization.name) for p in convention.parties.all() if not p.signed_on
        ]
        result["signature_form"] = signature_form
    signed_parties = [(p.pk, p.organization.name) for p in convention.parties.all() if p.signed_on]
    if can_edit and signed_parties and status in CORRECTABLE_STATES:
        correction_form = forms.SignatureCorrectionForm(auto_id="correction-%s")
        correction_form.fields["party"].choices = signed_parties  # type: ignore[attr-defined]
        result["correction_form"] = correction_form
    if can_edit and status in LIVE_STATES and status != ConventionStatus.TERMINATION_NOTIFIED:
        notice_form = forms.NoticeForm(auto_id="notice-%s")
        notice_form.fields["given_by"].choices = parties  # type: ignore[attr-defined]
        result["notice_form"] = notice_form
    if can_edit and status in LIVE_STATES:
        amendment_form = forms.AmendmentForm(auto_id="amend-%s")
        amendment_form.fields["clause"].choices = [("", _("— nouvel article —"))] + [  # type: ignore[attr-defined]
            (c.pk, str(c)) for c in convention.clauses.all()
        ]
        result["amendment_form"] = amendment_form
    if can_edit and status == ConventionStatus.TERMINATION_NOTIFIED:
        result["receipt_form"] = forms.ReceiptForm(auto_id="receipt-%s")
    if can_follow and status in LIVE_STATES:
        result["evaluation_form"] = forms.EvaluationForm()
    if can_follow and convention.has_committee:
        result["committee_form"] = forms.CommitteeForm(auto_id="committee-%s")
    for action in ("submit", "return", "suspend", "resume", "cancel"):
        result[f"reason_{action}"] = forms.ReasonForm(auto_id=f"{action}-%s")
    for action in ("send", "notify"):
        result[f"date_{action}"] = forms.DateForm(auto_id=f"{action}-%s")
    return result


@login_required
@require_safe
def convention_detail(request: HttpRequest, pk: int) -> HttpResponse:
    convention = selectors.convention_detail(request.user, pk)
    notice = getattr(convention, "termination_notice_record", None)
    partners = list(convention.parties.all())
    variables = services.clause_variables(convention)
    attachments = selectors.evaluation_attachments(convention)
    context = {
        "convention": convention,
        "partners": partners,
        "notice": notice,
        # The party that gave notice is one of the parties read with the convention.
        "notice_by": next((p.organization.name for p in partners if notice and p.pk == notice.given_by_id), ""),
        "deadlines": selectors.convention_deadlines(convention),
        "clauses": [(c, rules.render_clause(c.body, variables, strict=False)) for c in convention.clauses.all()],
        "evaluations": [(e, attachments.get(e.pk, [])) for e in convention.evaluations.all()],
        "today": timezone.localdate(),
        "subsidy_publication_required": convention.kind == ConventionKind.FINANCIAL
        and subsidies.publication_required(convention.amount),
        "subsidy_left_out": opendata.left_out_reason(convention),
        "confirmations": actions.confirmations(),
        **_action_forms(request, convention),
    }
    return render(request, "pages/conventions/convention_detail.jinja", context, using="pages")
