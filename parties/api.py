"""API: organizations, people and signatories, scoped like the pages."""

from django.http import HttpRequest
from ninja import Field, PatchDict, Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate

from core.api_inputs import StrictInput
from parties import selectors, services
from parties.models import Organization, OrganizationKind, Person, Signatory

router = Router(tags=["Organisations et personnes"])


class OrganizationOut(Schema):
    id: int
    kind: str
    name: str
    short_name: str
    tenant_id: int | None
    siren: str
    siret: str
    rna: str
    departement_code: str
    insee_code: str
    population: int | None
    street: str
    postal_code: str
    city: str
    email: str
    website: str


class OrganizationIn(StrictInput):
    django_model = Organization
    tenant_id: int = Field(..., description="La collectivité qui enregistre ce partenaire")
    kind: OrganizationKind
    name: str = Field(..., min_length=1, max_length=200)
    short_name: str = ""
    siren: str = ""
    siret: str = Field("", description="SIRET de l'établissement principal (14 chiffres, commence par le SIREN)")
    rna: str = Field("", description="Numéro RNA d'une association (W suivi de 9 chiffres)")
    departement_code: str = ""
    insee_code: str = ""
    population: int | None = Field(None, ge=0)
    street: str = ""
    postal_code: str = ""
    city: str = ""
    email: str = ""
    website: str = ""


class OrganizationPatch(StrictInput):
    django_model = Organization
    kind: OrganizationKind
    name: str = Field(..., min_length=1, max_length=200)
    short_name: str
    siren: str
    siret: str
    rna: str
    departement_code: str
    insee_code: str
    population: int | None = Field(None, ge=0)
    street: str
    postal_code: str
    city: str
    email: str
    website: str


class PersonOut(Schema):
    id: int
    organization_id: int
    civility: str
    first_name: str
    last_name: str
    full_name: str
    email: str
    phone: str


class PersonIn(StrictInput):
    django_model = Person
    organization_id: int
    civility: str = ""
    first_name: str = Field(..., min_length=1, max_length=100)
    last_name: str = Field(..., min_length=1, max_length=100)
    email: str = ""
    phone: str = ""


class SignatoryOut(Schema):
    id: int
    person: PersonOut
    function: str
    is_default: bool


class SignatoryIn(StrictInput):
    django_model = Signatory
    person_id: int
    function: str = Field(..., min_length=1, max_length=200)
    is_default: bool = False


@router.get("/organizations", response=list[OrganizationOut], summary="Organisations visibles")
@paginate(PageNumberPagination, page_size=50)
def list_organizations(request: HttpRequest, q: str = "") -> object:
    # The API gives the tenant's id: no tenant row joined to each organization before the sort.
    queryset = selectors.organizations_for(request.user).select_related(None)
    if q:
        queryset = queryset.filter(name__icontains=q)
    return queryset


@router.get("/organizations/{organization_id}", response=OrganizationOut)
def get_organization(request: HttpRequest, organization_id: int) -> Organization:
    return selectors.organization_for(request.user, organization_id)


@router.post("/organizations", response={201: OrganizationOut}, summary="Enregistrer un partenaire")
def create_organization(request: HttpRequest, payload: OrganizationIn) -> Status[Organization]:
    tenant = selectors.organization_for(request.user, payload.tenant_id)
    data = payload.dict(exclude={"tenant_id"})
    return Status(201, services.create_partner(user=request.user, tenant=tenant, **data))


@router.patch("/organizations/{organization_id}", response=OrganizationOut)
def update_organization(
    request: HttpRequest, organization_id: int, payload: PatchDict[OrganizationPatch]
) -> Organization:
    organization = selectors.organization_for(request.user, organization_id)
    return services.update_organization(user=request.user, organization=organization, **payload)


@router.get("/people", response=list[PersonOut], summary="Personnes visibles")
@paginate(PageNumberPagination, page_size=50)
def list_people(request: HttpRequest, organization_id: int | None = None, q: str = "") -> object:
    queryset = selectors.people_for(request.user)
    if organization_id:
        queryset = queryset.filter(organization_id=organization_id)
    if q:
        queryset = queryset.filter(last_name__icontains=q)
    return queryset


@router.get("/people/{person_id}", response=PersonOut)
def get_person(request: HttpRequest, person_id: int) -> Person:
    return selectors.person_for(request.user, person_id)


@router.post("/people", response={201: PersonOut})
def create_person(request: HttpRequest, payload: PersonIn) -> Status[Person]:
    organization = selectors.organization_for(request.user, payload.organization_id)
    return Status(
        201,
        services.create_person(
            user=request.user, organization=organization, **payload.dict(exclude={"organization_id"})
        ),
    )


@router.get("/organizations/{organization_id}/signatories", response=list[SignatoryOut])
def list_signatories(request: HttpRequest, organization_id: int) -> list[Signatory]:
    organization = selectors.organization_for(request.user, organization_id)
    return list(selectors.signatories_of(organization))


@router.post("/organizations/{organization_id}/signatories", response={201: SignatoryOut})
def add_signatory(request: HttpRequest, organization_id: int, payload: SignatoryIn) -> Status[Signatory]:
    organization = selectors.organization_for(request.user, organization_id)
    person = selectors.person_for(request.user, payload.person_id)
    return Status(
        201,
        services.add_signatory(
            user=request.user,
            organization=organization,
            person=person,
            function=payload.function,
            is_default=payload.is_default,
        ),
    )
