"""The public register of a collectivité's published deliberations (CGCT L2131-1): no login."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from core.pagination import window_page
from deliberations import selectors


@require_safe
def public_list(request: HttpRequest, organization_id: int) -> HttpResponse:
    """The published deliberations of a collectivité, for everyone (CGCT L2131-1)."""
    organization, assembly_ids = selectors.public_register(organization_id)
    q = request.GET.get("q", "").strip()
    year_text = request.GET.get("annee", "")
    subject = request.GET.get("matiere", "").strip()
    queryset = selectors.filter_deliberations(
        selectors.published_deliberations(organization, assembly_ids),
        q=q,
        year=int(year_text) if year_text.isdigit() else None,
        subject=subject,
    )
    # Not counted: see ``core.pagination``. Only the columns the table prints are read (an
    # act's report and operative part are long texts).
    page = window_page(
        queryset.select_related(None)
        .select_related("sitting")
        .only("pk", "number", "title", "subject_code", "published_on", "sitting__starts_at"),
        request.GET.get("page"),
        20,
    )
    from deliberations.documents import public_extract_urls

    with_pdf = public_extract_urls(list(page.object_list))
    rows = [
        {
            "number": d.number,
            "title": d.title,
            "sitting_date": d.sitting.date if d.sitting is not None else None,
            "subject_code": d.subject_code,
            "published_on": d.published_on,
            "id": d.pk,
            "has_pdf": d.pk in with_pdf,
        }
        for d in page
    ]
    return render(
        request,
        "pages/deliberations/public_list.jinja",
        {
            "organization": organization,
            "page": page,
            "rows": rows,
            "q": q,
            "year": year_text,
            "subject": subject,
        },
        using="pages",
    )


@require_safe
def public_extract(request: HttpRequest, organization_id: int, pk: int) -> HttpResponse:
    """The PDF extract of a published deliberation, without login."""
    from deliberations.documents import public_extract_response

    organization, assembly_ids = selectors.public_register(organization_id)
    deliberation = selectors.get_or_404(selectors.published_deliberations(organization, assembly_ids), pk=pk)
    return public_extract_response(deliberation)
