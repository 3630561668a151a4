"""An act's @CTES package: the panel on the act's page and the ZIP download."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_safe

from core.errors import DomainError
from deliberations import selectors, services
from deliberations.models import ActNature, Deliberation
from deliberations.rules import ctes as ctes_rules
from deliberations.views._common import (
    error_text,
)


def ctes_number(number: str) -> str:
    try:
        return ctes_rules.internal_number(number)
    except DomainError:
        return ""  # the form asks for one; its help says why


def ctes_panel(deliberation: Deliberation, *, nature: str = "") -> dict[str, Any]:
    """The act's @CTES package as its page shows it: the names and values it will hold, or why
    it cannot be made yet; and the types of piece its annexes may take. ``nature``: the one
    chosen on the page while no transmission records it (DE by default)."""
    nature = nature if nature in ctes_rules.NATURE_CODES else ""
    plan, refusal = None, ""
    # An act that goes to the préfecture once decided; before that, or never, no panel.
    if deliberation.state in services.ctes.PACKABLE_STATES and deliberation.requires_transmission:
        try:
            plan = services.package_plan(deliberation, nature=nature)
        except DomainError as exc:
            refusal = error_text(exc)
    nature = plan.nature if plan else getattr(getattr(deliberation, "transmission", None), "nature", "DE")
    try:
        matieres = ctes_rules.matiere_codes(deliberation.subject_code)
    except DomainError:
        matieres = None
    classification = selectors.classification_of(deliberation.assembly.organization)
    imported = classification.piece_types if classification is not None else None
    return {
        "ctes_plan": plan,
        "ctes_refusal": refusal,
        "ctes_classification": classification,
        "piece_types": [
            (t.code, f"{t.code} — {t.label}") for t in ctes_rules.piece_types_for(nature, matieres, imported)
        ],
        "piece_labels": ctes_rules.piece_type_labels(imported),
        "natures": ActNature.choices,
    }


@login_required
@require_safe
def ctes_package(request: HttpRequest, pk: int) -> HttpResponse:
    """The act's @CTES package (ZIP) for S2LOW, Pastell or another operator; a refusal goes
    back to the act's page with the rule not met."""
    deliberation = selectors.deliberation_for(request.user, pk)
    try:
        package = services.build_package(deliberation=deliberation, nature=request.GET.get("nature", ""))
    except DomainError as exc:
        messages.error(request, error_text(exc))
        return redirect(deliberation.get_absolute_url())
    response = HttpResponse(package.data, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{package.name}"'
    return response
