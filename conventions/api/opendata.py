"""The SCDL "Subventions" open-data file of one of the user's collectivités, as CSV."""

from django.http import HttpRequest, HttpResponse

from conventions import opendata
from conventions.api._common import Router
from deliberations.api.opendata import CSV_RESPONSE, opendata_organization

router = Router()


@router.get(
    "/opendata/subventions",
    response={200: None},
    summary="Fichier SCDL des conventions de subvention (CSV)",
    description="Les conventions de soutien financier signées de la collectivité au format du schéma "
    "« scdl/subventions » 2.1.1 (une ligne par bénéficiaire), signées l'année year si elle est donnée. "
    "Sans SIRET de la collectivité, le fichier est refusé (409) en nommant ce qu'il faut renseigner.",
    url_name="opendata_subventions",
    openapi_extra=CSV_RESPONSE,
)
def subventions_csv(request: HttpRequest, year: int | None = None, organization_id: int | None = None) -> HttpResponse:
    organization = opendata_organization(request, organization_id)
    built = opendata.build_rows(organization, year=year)
    response = HttpResponse(opendata.write_csv(built.rows).encode("utf-8"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{opendata.file_name(organization, year)}"'
    return response
