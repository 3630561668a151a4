"""Assemblies, their numbering and wording, and their members' mandates."""

from datetime import date
from typing import Any, Literal

from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, File, Schema, Status
from ninja.files import UploadedFile

from core import tenancy
from core.api_inputs import StrictInput
from core.errors import DomainError
from deliberations import selectors, services
from deliberations.api._common import Router, person_of
from deliberations.ctes.classification import CLASSIFICATION_MAX_BYTES, RULE_CLASSIFICATION
from deliberations.models import Assembly, Mandate, NumberingRule
from parties.models import Organization, Person

router = Router()


class AssemblyOut(Schema):
    id: int
    organization_id: int
    kind: str
    name: str
    numbering_pattern: str = Field(..., alias="numbering_rule.pattern")
    president_title: str
    name_style: str
    list_separator: str = "comma"
    proxy_wording: str
    information_wording: str
    signature_city: str
    yearly_reset: bool = Field(..., alias="numbering_rule.yearly_reset")


class AssemblyIn(StrictInput):
    django_model = Assembly
    organization_id: int
    kind: str
    name: str = Field(..., min_length=1, max_length=200)
    numbering_pattern: str = Field("{year}-{seq:03}", min_length=1, max_length=60)
    yearly_reset: bool = True
    usual_place: str = ""
    signature_city: str = ""
    president_title: str = "Monsieur le Maire"
    name_style: Literal["first_last", "last_first"] = "first_last"
    list_separator: Literal["comma", "dash"] = "comma"
    proxy_wording: str = "ayant donné pouvoir à"
    information_wording: str = "prend acte"


class NewPersonIn(StrictInput):
    django_model = Person
    civility: Literal["", "M.", "Mme"] = ""
    first_name: str = Field(..., min_length=1, max_length=100)
    last_name: str = Field(..., min_length=1, max_length=100)


class MandateIn(StrictInput):
    django_model = Mandate
    person_id: int | None = None
    new_person: NewPersonIn | None = None
    role: Literal["head", "deputy", "delegate", "councillor"] = "councillor"
    function: str = ""
    start_date: date
    end_date: date | None = None


class NumberingIn(StrictInput):
    django_model = NumberingRule
    pattern: str = Field(..., min_length=1, max_length=60)
    yearly_reset: bool = True


class WordingPatch(StrictInput):
    django_model = Assembly
    president_title: str | None = Field(None, max_length=100)
    name_style: Literal["first_last", "last_first"] | None = None
    list_separator: Literal["comma", "dash"] | None = None
    proxy_wording: str | None = Field(None, max_length=100)
    information_wording: str | None = Field(None, max_length=200)
    signature_city: str | None = Field(None, max_length=100)


class EndMandateIn(StrictInput):
    django_model = Mandate
    end_date: date


class AssemblyMemberOut(Schema):
    mandate_id: int
    person_id: int
    name: str
    role: str
    function: str
    start_date: date
    end_date: date | None


@router.get("/assemblies", response=list[AssemblyOut], summary="Assemblées délibérantes")
def list_assemblies(request: HttpRequest) -> Any:
    return list(selectors.assemblies_for(request.user).select_related("numbering_rule"))


@router.post("/assemblies", response={201: AssemblyOut}, summary="Créer une assemblée")
def create_assembly(request: HttpRequest, payload: AssemblyIn) -> Any:
    # One of the user's own organizations (not a partner they only know of).
    organization = tenancy.get_scoped_or_404(
        Organization.objects.all(), request.user, org_field="pk", pk=payload.organization_id
    )
    data = payload.dict(exclude={"organization_id"})
    assembly = services.create_assembly(user=request.user, organization=organization, **data)
    return Status(201, Assembly.objects.select_related("numbering_rule").get(pk=assembly.pk))


@router.get(
    "/assemblies/{assembly_id}/members", response=list[AssemblyMemberOut], summary="Membres en exercice à une date"
)
def list_members(request: HttpRequest, assembly_id: int, on: date) -> Any:
    assembly = selectors.assembly_for(request.user, assembly_id)
    return [
        {
            "mandate_id": m.pk,
            "person_id": m.person_id,
            "name": m.person.full_name,
            "role": m.role,
            "function": m.function,
            "start_date": m.start_date,
            "end_date": m.end_date,
        }
        for m in selectors.members_in_office(assembly, on)
    ]


@router.put("/assemblies/{assembly_id}/numbering", response=AssemblyOut, summary="Modifier la numérotation")
def set_numbering(request: HttpRequest, assembly_id: int, payload: NumberingIn) -> Any:
    assembly = selectors.assembly_for(request.user, assembly_id)
    services.set_numbering_rule(
        user=request.user, assembly=assembly, pattern=payload.pattern, yearly_reset=payload.yearly_reset
    )
    return selectors.assembly_for(request.user, assembly_id)


@router.patch("/assemblies/{assembly_id}", response=AssemblyOut, summary="Modifier les formules des documents")
def update_wording(request: HttpRequest, assembly_id: int, payload: WordingPatch) -> Any:
    assembly = selectors.assembly_for(request.user, assembly_id)
    services.update_wording(user=request.user, assembly=assembly, **payload.dict(exclude_none=True))
    return selectors.assembly_for(request.user, assembly_id)


def _member_out(mandate: Any) -> dict[str, Any]:
    return {
        "mandate_id": mandate.pk,
        "person_id": mandate.person_id,
        "name": mandate.person.full_name,
        "role": mandate.role,
        "function": mandate.function,
        "start_date": mandate.start_date,
        "end_date": mandate.end_date,
    }


@router.post("/assemblies/{assembly_id}/mandates", response={201: AssemblyMemberOut}, summary="Ajouter un mandat")
def add_mandate(request: HttpRequest, assembly_id: int, payload: MandateIn) -> Any:
    """Seat an existing person (``person_id``) or a new one (``new_person``)."""
    assembly = selectors.assembly_for(request.user, assembly_id)
    common: dict[str, Any] = {
        "role": payload.role,
        "function": payload.function,
        "start_date": payload.start_date,
        "end_date": payload.end_date,
    }
    if (payload.person_id is None) == (payload.new_person is None):
        raise DomainError(
            _("Indiquez soit person_id (élu déjà enregistré), soit new_person (nouvel élu)."),
            rule="Membres en exercice",
            field="person_id",
        )
    if payload.new_person is not None:
        mandate = services.add_member(user=request.user, assembly=assembly, **payload.new_person.dict(), **common)
    else:
        person = person_of(assembly.organization_id, payload.person_id)
        assert person is not None
        mandate = services.add_mandate(user=request.user, assembly=assembly, person=person, **common)
    return Status(201, _member_out(mandate))


@router.post(
    "/assemblies/{assembly_id}/mandates/{mandate_id}/end", response=AssemblyMemberOut, summary="Terminer un mandat"
)
def end_mandate(request: HttpRequest, assembly_id: int, mandate_id: int, payload: EndMandateIn) -> Any:
    assembly = selectors.assembly_for(request.user, assembly_id)
    mandate = get_object_or_404(selectors.mandates_of(assembly), pk=mandate_id)
    return _member_out(services.end_mandate(user=request.user, mandate=mandate, end_date=payload.end_date))


class NextNumberIn(StrictInput):
    next_value: int = Field(..., ge=1)
    year: int | None = Field(None, ge=2000, le=2100)


class NextNumberOut(Schema):
    year: int
    next_value: int
    next_number: str


@router.get(
    "/assemblies/{assembly_id}/numbering/next", response=NextNumberOut, summary="Prochain numéro de délibération"
)
def get_next_number(request: HttpRequest, assembly_id: int, year: int | None = None) -> Any:
    return selectors.next_number(selectors.assembly_for(request.user, assembly_id), year)


@router.put(
    "/assemblies/{assembly_id}/numbering/next",
    response=NextNumberOut,
    summary="Fixer le rang du prochain numéro (administrateurs ; jamais en deçà d'un rang attribué)",
)
def set_next_number(request: HttpRequest, assembly_id: int, payload: NextNumberIn) -> Any:
    assembly = selectors.assembly_for(request.user, assembly_id)
    return services.set_next_number(
        user=request.user, assembly=assembly, next_value=payload.next_value, year=payload.year
    )


class ClassificationOut(Schema):
    organization_id: int
    classified_on: date
    matieres: dict[str, str]
    piece_types: dict[str, list[list[str]]]
    file_name: str


@router.post(
    "/organizations/{organization_id}/ctes-classification",
    response=ClassificationOut,
    summary="Importer la classification @CTES de la préfecture (multipart : file = XML RetourClassification)",
    description="Sa date devient la ClassificationDateVersion des paquets @CTES de la collectivité, ses matières "
    "celles que ses actes peuvent prendre, ses types de pièces ceux de leurs annexes. Remplace la précédente.",
)
def import_classification(request: HttpRequest, organization_id: int, file: File[UploadedFile]) -> Any:
    if organization_id not in tenancy.organization_ids(request.user):
        raise Http404(_("Aucune organisation ne correspond à cette adresse."))
    if (file.size or 0) > CLASSIFICATION_MAX_BYTES:
        raise DomainError(
            _("Le fichier de classification est trop lourd (5 Mo au plus)."), rule=RULE_CLASSIFICATION, field="file"
        )
    return services.import_classification(
        user=request.user,
        organization=Organization.objects.get(pk=organization_id),
        data=file.read(),
        filename=file.name or "",
    )
