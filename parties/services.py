"""Every write to organizations, people and signatories."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from core import tenancy
from core.errors import DomainError
from core.locking import lock
from core.roles import Capability
from parties import rules
from parties.models import Organization, OrganizationKind, Person, Signatory

_EDITABLE = (
    "kind",
    "name",
    "short_name",
    "siren",
    "siret",
    "rna",
    "departement_code",
    "insee_code",
    "population",
    "street",
    "postal_code",
    "city",
    "email",
    "website",
)


def _clean_identifiers(data: dict[str, Any], *, current: Organization | None = None) -> dict[str, Any]:
    cleaned = dict(data)
    if cleaned.get("siren"):
        cleaned["siren"] = rules.normalize_siren(cleaned["siren"])
    if cleaned.get("siret"):
        siren = cleaned.get("siren", current.siren if current is not None else "")
        cleaned["siret"] = rules.normalize_siret(cleaned["siret"], siren=siren or "")
    elif cleaned.get("siren") and current is not None and current.siret and "siret" not in cleaned:
        # A new SIREN must still be the one the recorded SIRET starts with.
        rules.normalize_siret(current.siret, siren=cleaned["siren"])
    if cleaned.get("rna"):
        cleaned["rna"] = rules.normalize_rna(cleaned["rna"])
    if cleaned.get("departement_code"):
        cleaned["departement_code"] = rules.normalize_departement(cleaned["departement_code"])
    if cleaned.get("insee_code"):
        cleaned["insee_code"] = rules.normalize_insee(cleaned["insee_code"])
    if cleaned.get("population") is not None and cleaned["population"] < 0:
        raise DomainError("La population ne peut pas être négative.", field="population")
    if "kind" in cleaned and cleaned["kind"] not in OrganizationKind.values:
        raise DomainError(f"Nature d'organisation inconnue : « {cleaned['kind']} ».", field="kind")
    if "name" in cleaned and not str(cleaned["name"]).strip():
        raise DomainError("Le nom de l'organisation est obligatoire.", field="name")
    return cleaned


@transaction.atomic
def create_partner(*, user: Any, tenant: Organization, **data: Any) -> Organization:
    """Register a partner organization (association, company, State authority…) for a tenant."""
    tenancy.require(user, tenant.pk, Capability.EDIT_PARTNERS)
    cleaned = _clean_identifiers({k: v for k, v in data.items() if k in _EDITABLE})
    return Organization.objects.create(tenant=tenant, **cleaned)


@transaction.atomic
def update_organization(*, user: Any, organization: Organization, **data: Any) -> Organization:
    """Change an organization's identity; a tenant needs an administrator, a partner legal staff."""
    capability = Capability.MANAGE_ORGANIZATION if organization.is_tenant else Capability.EDIT_PARTNERS
    tenancy.require(user, organization.tenant_id_or_self, capability)
    locked = lock(Organization, organization.pk)
    cleaned = _clean_identifiers({k: v for k, v in data.items() if k in _EDITABLE}, current=locked)
    for field, value in cleaned.items():
        setattr(locked, field, value)
    locked.save()
    return locked


@transaction.atomic
def create_person(*, user: Any, organization: Organization, **data: Any) -> Person:
    tenancy.require(user, organization.tenant_id_or_self, Capability.EDIT_PARTNERS)
    fields = {k: v for k, v in data.items() if k in {"civility", "first_name", "last_name", "email", "phone"}}
    if not str(fields.get("first_name", "")).strip() or not str(fields.get("last_name", "")).strip():
        raise DomainError("Le prénom et le nom sont obligatoires.", field="last_name")
    return Person.objects.create(organization=organization, **fields)


@transaction.atomic
def add_signatory(
    *, user: Any, organization: Organization, person: Person, function: str, is_default: bool = False
) -> Signatory:
    """Name who signs for an organization; the new default replaces the previous one."""
    tenancy.require(user, organization.tenant_id_or_self, Capability.EDIT_PARTNERS)
    if person.organization_id != organization.pk:
        raise DomainError(
            f"{person.full_name} n'appartient pas à {organization.name} et ne peut pas signer pour elle.",
            field="person",
        )
    if not function.strip():
        raise DomainError(
            "La qualité du signataire est obligatoire (par exemple « Monsieur le Maire »).", field="function"
        )
    if is_default:
        for previous in Signatory.objects.select_for_update().filter(organization=organization, is_default=True):
            previous.is_default = False
            previous.save(update_fields=["is_default", "updated_at"])
    return Signatory.objects.create(
        organization=organization, person=person, function=function.strip(), is_default=is_default
    )
