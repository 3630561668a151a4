"""The SCDL "Délibérations" open-data file of one of the user's collectivités, as CSV."""

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from core import tenancy
from core.errors import DomainError
from deliberations import opendata
from deliberations.api._common import Router

router = Router()

CSV_RESPONSE = {
    "responses": {
        200: {
            "description": "Le fichier CSV (UTF-8, virgule, en-tête : les champs du schéma dans leur ordre)",
            "content": {"text/csv": {"schema": {"type": "string"}}},
        }
    }
}


def opendata_organization(request: HttpRequest, organization_id: int | None) -> int:
    """The collectivité whose file is asked: the one named, or the user's only one."""
    own = tenancy.organization_ids(request.user)
    if organization_id is None:
        if len(own) == 1:
            return own[0]
        raise DomainError(
            _("Précisez organization_id : vous appartenez à plusieurs collectivités."),
            rule=opendata.RULE_SCDL,
            field="organization_id",
        )
    if organization_id not in own:
        raise Http404
    return organization_id


@router.get(
    "/opendata/deliberations",
    response={200: None},
    summary="Fichier SCDL des délibérations publiées (CSV)",
    description="Les délibérations publiées de la collectivité au format du schéma « scdl/deliberations » 2.1.5 "
    "(17 colonnes, dates AAAA-MM-JJ), de l'année de leur séance si year est donné. Sans SIRET de la "
    "collectivité, le fichier est refusé (409) en nommant ce qu'il faut renseigner.",
    url_name="opendata_deliberations",
    openapi_extra=CSV_RESPONSE,
)
def deliberations_csv(
    request: HttpRequest, year: int | None = None, organization_id: int | None = None
) -> HttpResponse:
    organization = opendata_organization(request, organization_id)
    built = opendata.build_rows(organization, year=year, absolute=request.build_absolute_uri)
    response = HttpResponse(opendata.write_csv(built.rows).encode("utf-8"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{opendata.file_name(organization, year)}"'
    return response
