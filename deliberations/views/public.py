"""The public register of a collectivité's published deliberations (CGCT L2131-1): no login."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from core import tenancy
from core.api_inputs import FIRST_YEAR, LAST_YEAR
from core.errors import DomainError
from core.pagination import window_page
from deliberations import opendata, selectors


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
    # The collectivité's own staff see which published acts the open-data file leaves out, and why.
    left_out = None
    if request.user.is_authenticated and organization.pk in tenancy.organization_ids(request.user):
        try:
            left_out = opendata.build_rows(organization.pk, suspects_only=True).left_out
        except DomainError as exc:
            left_out = [opendata.LeftOut(0, "", "", exc.message)]
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
            "csv_year": int(year_text) if _year(year_text) else None,
            "left_out": left_out,
        },
        using="pages",
    )


def _year(text: str) -> bool:
    return text.isdigit() and FIRST_YEAR <= int(text) <= LAST_YEAR


def public_error(request: HttpRequest, status: int, title: str, message: str) -> HttpResponse:
    """A refused open-data file: the layout's error page, with what to do."""
    return render(
        request,
        "pages/errors/error.jinja",
        {"status": status, "title": title, "message": message},
        status=status,
        using="pages",
    )


def csv_response(text: str, filename: str) -> HttpResponse:
    response = HttpResponse(text.encode("utf-8"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@require_safe
def public_opendata_deliberations(request: HttpRequest, organization_id: int) -> HttpResponse:
    """The SCDL "Délibérations" file of the collectivité's published acts, ``?annee=`` for one year."""
    organization, _assembly_ids = selectors.public_register(organization_id)
    year_text = request.GET.get("annee", "").strip()
    if year_text and not _year(year_text):
        return public_error(
            request,
            400,
            _("Année invalide"),
            _("Le paramètre « annee » doit être une année de {first} à {last} (par exemple 2024).").format(
                first=FIRST_YEAR, last=LAST_YEAR
            ),
        )
    year = int(year_text) if year_text else None
    try:
        built = opendata.build_rows(organization.pk, year=year, absolute=request.build_absolute_uri)
    except opendata.MissingSiret as exc:
        return public_error(request, exc.status_code, _("Fichier indisponible"), exc.message)
    return csv_response(opendata.write_csv(built.rows), opendata.file_name(organization.pk, year))


@require_safe
def public_extract(request: HttpRequest, organization_id: int, pk: int) -> HttpResponse:
    """The PDF extract of a published deliberation, without login."""
    from deliberations.documents import public_extract_response

    organization, assembly_ids = selectors.public_register(organization_id)
    deliberation = selectors.get_or_404(selectors.published_deliberations(organization, assembly_ids), pk=pk)
    return public_extract_response(deliberation)
