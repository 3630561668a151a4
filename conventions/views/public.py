"""The public open-data file of a collectivité's subsidy conventions (no login)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from conventions import opendata
from core.api_inputs import FIRST_YEAR, LAST_YEAR
from deliberations.selectors import public_register
from deliberations.views.public import csv_response, public_error


@require_safe
def public_opendata_subventions(request: HttpRequest, organization_id: int) -> HttpResponse:
    """The SCDL "Subventions" file of the collectivité's signed subsidy conventions, ``?annee=``
    for those signed in one year (décret n° 2017-779)."""
    organization, _assembly_ids = public_register(organization_id)
    year_text = request.GET.get("annee", "").strip()
    if year_text and not (year_text.isdigit() and FIRST_YEAR <= int(year_text) <= LAST_YEAR):
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
        built = opendata.build_rows(organization.pk, year=year)
    except opendata.MissingSiret as exc:
        return public_error(request, exc.status_code, _("Fichier indisponible"), exc.message)
    return csv_response(opendata.write_csv(built.rows), opendata.file_name(organization.pk, year))
