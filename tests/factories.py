"""factory_boy factories shared by the whole suite. Each app's tests may add their own."""

from __future__ import annotations

import factory
from stdnum import luhn

from core.models import Membership, User
from core.roles import Role
from parties.models import Organization, OrganizationKind, Person, Signatory


def _valid_siren(n: int) -> str:
    base = f"{21_000_000 + n:08d}"
    return base + luhn.calc_check_digit(base)


def valid_siret(siren: str, establishment: int = 1) -> str:
    """A SIRET of ``siren`` (its NIC: 4 digits and the Luhn key of the 14) that python-stdnum accepts."""
    base = f"{siren}{establishment:04d}"
    return base + luhn.calc_check_digit(base)


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    kind = OrganizationKind.COMMUNE
    name = factory.Sequence(lambda n: f"Commune n° {n}")
    siren = factory.Sequence(_valid_siren)
    departement_code = "034"
    population = 12000


class PartnerFactory(OrganizationFactory):
    kind = OrganizationKind.ASSOCIATION
    name = factory.Sequence(lambda n: f"Association n° {n}")
    siren = ""
    tenant = factory.SubFactory(OrganizationFactory)


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    organization = factory.SubFactory(OrganizationFactory)
    civility = "Mme"
    first_name = factory.Faker("first_name", locale="fr_FR")
    last_name = factory.Faker("last_name", locale="fr_FR")


class SignatoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Signatory

    organization = factory.SelfAttribute("person.organization")
    person = factory.SubFactory(PersonFactory)
    function = "Madame la Maire"
    is_default = True


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Camille"
    last_name = factory.Sequence(lambda n: f"Agent{n}")
    password = factory.PostGenerationMethodCall("set_password", "secret-pass-123")

    @factory.post_generation
    def _save(self, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            self.save()


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organization = factory.SubFactory(OrganizationFactory)
    role = Role.VIEWER


def member(organization: Organization, role: str = Role.VIEWER, **user_fields: object) -> User:
    """A user holding ``role`` in ``organization``."""
    user = UserFactory(**user_fields)
    Membership.objects.create(user=user, organization=organization, role=role)
    return user
