"""An avenant's page and its actions."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from conventions import documents, forms, rules, selectors, services
from conventions.models import AmendmentStatus
from conventions.views._common import error_text, valid
from core import tenancy
from core.errors import DomainError
from core.roles import Capability
from deliberations.models import Deliberation


@login_required
@require_safe
def amendment_detail(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    amendment = selectors.amendment_for(request.user, pk, number)
    deliberations = Deliberation.objects.filter(
        assembly__organization_id=amendment.convention.organization_id
    ).order_by("-year", "-sequence")[:200]
    signatures = selectors.amendment_signatures(amendment)
    signature_form = forms.AmendmentSignatureForm(auto_id="amendment-signature-%s")
    signature_form.fields["party"].choices = [  # type: ignore[attr-defined]
        (row.party.pk, row.party.organization.name) for row in signatures if row.signature is None
    ]
    return render(
        request,
        "pages/conventions/amendment_detail.jinja",
        {
            "amendment": amendment,
            "convention": amendment.convention,
            "can_edit": tenancy.can(request.user, amendment.convention.organization_id, Capability.EDIT_CONVENTIONS),
            "approve_form": forms.ApproveForm(deliberations=deliberations),
            "signatures": signatures,
            "signature_form": signature_form,
            # The new article as the convention will read it: its variables filled in.
            "new_clause_text": rules.render_clause(
                amendment.new_clause_body, services.clause_variables(amendment.convention), strict=False
            )
            if amendment.new_clause_body
            else "",
        },
        using="pages",
    )


# What each action needs, checked before its form is read.
AMENDMENT_CAPABILITIES: dict[str, Capability] = {
    "approve": Capability.EDIT_CONVENTIONS,
    "send_for_signature": Capability.EDIT_CONVENTIONS,
    "sign": Capability.EDIT_CONVENTIONS,
    "cancel": Capability.EDIT_CONVENTIONS,
    "documents": Capability.GENERATE_DOCUMENTS,
}


@login_required
@require_POST
def amendment_action(request: HttpRequest, pk: int, number: int, action: str) -> HttpResponse:
    amendment = selectors.amendment_for(request.user, pk, number)
    user = request.user
    if action in AMENDMENT_CAPABILITIES:
        tenancy.require(user, amendment.convention.organization_id, AMENDMENT_CAPABILITIES[action])
    try:
        if action == "approve":
            acts = Deliberation.objects.filter(assembly__organization_id=amendment.convention.organization_id)
            data = valid(forms.ApproveForm(request.POST, deliberations=acts))
            services.approve_amendment(
                user=user,
                amendment=amendment,
                deliberations=list(data["deliberations"].select_related("assembly", "sitting")),
                delegated_reference=data["delegated_reference"],
                delegated_date=data["delegated_date"],
            )
        elif action == "send_for_signature":
            services.send_amendment_for_signature(user=user, amendment=amendment)
        elif action == "sign":
            form = forms.AmendmentSignatureForm(request.POST)
            parties = {p.pk: p for p in amendment.convention.parties.select_related("organization")}
            form.fields["party"].choices = [(k, p.organization.name) for k, p in parties.items()]  # type: ignore[attr-defined]
            data = valid(form)
            amendment = services.sign_amendment(
                user=user, amendment=amendment, party=parties[data["party"]], signed_on=data["signed_on"]
            )
            if amendment.status == AmendmentStatus.SIGNED:
                messages.success(request, _("L'avenant est signé par toutes les parties : son effet s'applique."))
            else:
                messages.success(request, _("La signature de l'avenant est enregistrée."))
            return redirect("conventions:amendment_detail", pk, number)
        elif action == "cancel":
            services.cancel_amendment(user=user, amendment=amendment, reason=request.POST.get("reason", ""))
        elif action == "documents":
            documents.generate_amendment(amendment=amendment, user=user)
        else:
            raise DomainError(_("Action inconnue."), rule=_("Saisie"))
    except DomainError as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("L'avenant est mis à jour."))
    return redirect("conventions:amendment_detail", pk, number)
