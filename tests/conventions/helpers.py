"""Builders for the conventions tests: conventions taken through their life by the services."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from conventions import services
from conventions.models import Convention
from deliberations.models import Assembly, AssemblyKind, Deliberation, DeliberationState, Sitting
from tests.factories import PartnerFactory, PersonFactory, SignatoryFactory

PARIS = ZoneInfo("Europe/Paris")


def partner_of(organization: Any, name: str = "Association FLAG !") -> Any:
    partner = PartnerFactory(tenant=organization, name=name)
    SignatoryFactory(person=PersonFactory(organization=partner), function="la Présidente")
    return partner


def signatory_for(organization: Any) -> Any:
    if not organization.signatories.exists():
        SignatoryFactory(person=PersonFactory(organization=organization), function="Monsieur le Maire")
    return organization.signatories.first()


def adopted_deliberation(
    organization: Any, number: str = "V2024-067", day: date = date(2024, 3, 26), state: str = DeliberationState.ADOPTED
) -> Deliberation:
    assembly, _ = Assembly.objects.get_or_create(
        organization=organization, kind=AssemblyKind.MUNICIPAL_COUNCIL, defaults={"name": "Conseil municipal"}
    )
    sitting = Sitting.objects.create(
        assembly=assembly, starts_at=datetime(day.year, day.month, day.day, 18, tzinfo=PARIS)
    )
    sequence = Deliberation.objects.filter(assembly=assembly).count() + 1
    return Deliberation.objects.create(
        assembly=assembly,
        sitting=sitting,
        number=number,
        year=day.year,
        sequence=sequence,
        title="Convention de partenariat",
        state=state,
    )


def draft(user: Any, organization: Any, partner: Any | None = None, **terms: Any) -> Convention:
    signatory_for(organization)
    terms.setdefault("duration_months", 36)
    convention = services.create_convention(
        user=user,
        organization=organization,
        title=terms.pop("title", "Application FLAG !"),
        today=date(2024, 3, 1),
        **terms,
    )
    partner = partner or partner_of(organization)
    services.add_party(user=user, convention=convention, organization=partner, designation="l'association")
    return Convention.objects.get(pk=convention.pk)


def approved(user: Any, organization: Any, **terms: Any) -> Convention:
    convention = draft(user, organization, **terms)
    services.submit_for_review(user=user, convention=convention)
    services.approve_convention(
        user=user, convention=convention, delegated_reference="DEC-2024-12", delegated_date=date(2024, 3, 26)
    )
    return Convention.objects.get(pk=convention.pk)


def signed(
    user: Any,
    organization: Any,
    signatures: tuple[date, ...] = (date(2024, 4, 29), date(2024, 5, 2)),
    today: date = date(2024, 5, 2),
    **terms: Any,
) -> Convention:
    convention = approved(user, organization, **terms)
    services.send_for_signature(user=user, convention=convention, sent_on=date(2024, 4, 15))
    for party, day in zip(convention.parties.order_by("position"), signatures, strict=True):
        services.record_signature(user=user, convention=convention, party=party, signed_on=day, today=today)
    return Convention.objects.get(pk=convention.pk)


def sign_by_every_party(user: Any, amendment: Any, signed_on: date, today: date | None = None) -> Any:
    """Every party of the convention signs the avenant on the same day."""
    for party in amendment.convention.parties.order_by("position"):
        amendment = services.sign_amendment(
            user=user, amendment=amendment, party=party, signed_on=signed_on, today=today or signed_on
        )
    return amendment


def copies_of(convention: Convention, count: int) -> list[Convention]:
    """``count`` copies of a convention with its parties, inserted in bulk (each with its own
    reference): a list of a thousand conventions without running the services a thousand
    times. Only for reading lists; the copies have no clauses, deadlines or history."""
    from conventions.models import ConventionParty

    parties = list(ConventionParty.objects.filter(convention=convention).order_by("position"))
    copies = []
    for n in range(count):
        copy = Convention.objects.get(pk=convention.pk)
        copy.pk = None
        copy.reference = f"{convention.reference}-{n:04d}"
        copy.title = f"{convention.title} ({n})"
        copies.append(copy)
    copies = Convention.objects.bulk_create(copies)
    clones = []
    for copy in copies:
        for party in parties:
            party.pk = None
            party.convention_id = copy.pk
            clones.append(
                ConventionParty(**{f.attname: getattr(party, f.attname) for f in ConventionParty._meta.concrete_fields})
            )
    ConventionParty.objects.bulk_create(clones)
    return copies
