"""Organizations (collectivités and their partners), people and signatories."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.errors import DomainError
from core.models import TimeStampedModel
from parties import rules


def validate_siren(value: str) -> None:
    try:
        rules.normalize_siren(value)
    except DomainError as exc:
        raise ValidationError(exc.message, code="invalid_siren") from exc


def validate_siret(value: str) -> None:
    try:
        rules.normalize_siret(value)
    except DomainError as exc:
        raise ValidationError(exc.message, code="invalid_siret") from exc


def validate_rna(value: str) -> None:
    try:
        rules.normalize_rna(value)
    except DomainError as exc:
        raise ValidationError(exc.message, code="invalid_rna") from exc


def validate_departement(value: str) -> None:
    try:
        rules.normalize_departement(value)
    except DomainError as exc:
        raise ValidationError(exc.message, code="invalid_departement") from exc


def validate_insee(value: str) -> None:
    try:
        rules.normalize_insee(value)
    except DomainError as exc:
        raise ValidationError(exc.message, code="invalid_insee") from exc


class OrganizationKind(models.TextChoices):
    COMMUNE = "commune", _("Commune")
    EPCI = "epci", _("EPCI / métropole")
    TERRITORY_COUNCIL = "territory", _("Conseil de territoire")
    STATE = "state", _("État / autorité administrative indépendante")
    ASSOCIATION = "association", _("Association")
    COMPANY = "company", _("Entreprise")
    OTHER = "other", _("Autre")


class OrganizationQuerySet(models.QuerySet["Organization"]):
    def visible_to(self, organization_ids: list[int]) -> OrganizationQuerySet:
        """Tenants the user belongs to, and the partners those tenants registered."""
        return self.filter(Q(id__in=organization_ids) | Q(tenant_id__in=organization_ids))

    def tenants(self) -> OrganizationQuerySet:
        return self.filter(tenant__isnull=True)


class Organization(TimeStampedModel):
    """A collectivité using Conventio (a tenant), or a partner registered by one.

    A partner record belongs to the tenant that registered it (``tenant``); tenants have
    none. Users of a tenant see it and its partners, never another tenant's.
    """

    kind = models.CharField(_("nature"), max_length=16, choices=OrganizationKind.choices)
    name = models.CharField(_("nom"), max_length=200)
    short_name = models.CharField(_("nom court"), max_length=60, blank=True)
    tenant = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="partners",
        verbose_name=_("enregistrée par"),
        help_text=_("Vide pour une collectivité utilisatrice ; sinon celle qui a enregistré ce partenaire."),
    )
    siren = models.CharField(_("SIREN"), max_length=9, blank=True, validators=[validate_siren])
    siret = models.CharField(
        _("SIRET"),
        max_length=14,
        blank=True,
        validators=[validate_siret],
        help_text=_(
            "SIRET de l'établissement principal (14 chiffres, commence par le SIREN) : "
            "il identifie l'organisation dans les fichiers de données ouvertes (SCDL)."
        ),
    )
    rna = models.CharField(
        _("numéro RNA"),
        max_length=10,
        blank=True,
        validators=[validate_rna],
        help_text=_("Pour une association : numéro du Répertoire national des associations, W suivi de 9 chiffres."),
    )
    departement_code = models.CharField(_("département"), max_length=3, blank=True, validators=[validate_departement])
    insee_code = models.CharField(_("code INSEE"), max_length=5, blank=True, validators=[validate_insee])
    population = models.PositiveIntegerField(
        _("population"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text=_("Population municipale : elle fixe le délai de convocation (3 ou 5 jours francs)."),
    )
    street = models.CharField(_("adresse"), max_length=200, blank=True)
    postal_code = models.CharField(_("code postal"), max_length=10, blank=True)
    city = models.CharField(_("ville"), max_length=100, blank=True)
    email = models.EmailField(_("courriel"), blank=True)
    website = models.URLField(_("site internet"), blank=True)
    logo = models.ImageField(_("logo"), upload_to="logos/", blank=True)

    objects = OrganizationQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(siren="") | Q(siren__regex=r"^[0-9]{9}$"), name="organization_siren_format"
            ),
            models.CheckConstraint(condition=~Q(tenant=models.F("id")), name="organization_not_own_tenant"),
            models.CheckConstraint(
                condition=Q(siret="") | Q(siret__regex=r"^[0-9]{14}$"), name="organization_siret_format"
            ),
            models.CheckConstraint(
                condition=Q(siret="") | Q(siren="") | Q(siret__startswith=models.F("siren")),
                name="organization_siret_of_siren",
            ),
            models.CheckConstraint(condition=Q(rna="") | Q(rna__regex=r"^W[0-9]{9}$"), name="organization_rna_format"),
        ]
        indexes = [models.Index(fields=["tenant", "name"])]

    def __str__(self) -> str:
        return self.name

    @property
    def tenant_id_or_self(self) -> int:
        """The tenant whose users manage this record."""
        return self.tenant_id or self.pk

    @property
    def is_tenant(self) -> bool:
        return self.tenant_id is None

    @property
    def city_or_name(self) -> str:
        return self.city or self.name

    @property
    def is_epci(self) -> bool:
        return self.kind in {OrganizationKind.EPCI, OrganizationKind.TERRITORY_COUNCIL}

    @property
    def address(self) -> str:
        return ", ".join(p for p in [self.street, f"{self.postal_code} {self.city}".strip()] if p)


class Civility(models.TextChoices):
    MR = "M.", _("Monsieur")
    MRS = "Mme", _("Madame")
    NONE = "", _("—")


class Person(TimeStampedModel):
    """An elected member, an agent or a partner's representative."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="people", verbose_name=_("organisation")
    )
    civility = models.CharField(_("civilité"), max_length=4, choices=Civility.choices, blank=True)
    first_name = models.CharField(_("prénom"), max_length=100)
    last_name = models.CharField(_("nom"), max_length=100)
    email = models.EmailField(_("courriel"), blank=True)
    phone = models.CharField(_("téléphone"), max_length=30, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("personne")
        verbose_name_plural = _("personnes")
        ordering = ["last_name", "first_name"]
        indexes = [models.Index(fields=["organization", "last_name", "first_name"])]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        """ "Prénom NOM", as French official documents write names."""
        return full_name(self.first_name, self.last_name)

    @property
    def formal_name(self) -> str:
        """ "Monsieur Prénom NOM"."""
        civility = {"M.": "Monsieur", "Mme": "Madame"}.get(self.civility, "")
        return f"{civility} {self.full_name}".strip()


def full_name(first_name: str, last_name: str) -> str:
    """ "Prénom NOM", as French official documents write names."""
    return f"{first_name} {last_name.upper()}".strip()


class Signatory(TimeStampedModel):
    """Who signs for an organization, with the function printed under the signature."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="signatories", verbose_name=_("organisation")
    )
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="signatory_roles", verbose_name=_("personne")
    )
    function = models.CharField(
        _("qualité"), max_length=200, help_text=_("Par exemple « Monsieur le Maire », « la Présidente ».")
    )
    is_default = models.BooleanField(_("signataire habituel"), default=False)
    active_from = models.DateField(_("depuis le"), null=True, blank=True)
    active_until = models.DateField(_("jusqu'au"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("signataire")
        verbose_name_plural = _("signataires")
        ordering = ["-is_default", "function"]
        constraints = [
            models.CheckConstraint(
                condition=Q(active_until__isnull=True)
                | Q(active_from__isnull=True)
                | Q(active_until__gte=models.F("active_from")),
                name="signatory_period_ordered",
            ),
            models.UniqueConstraint(
                fields=["organization"], condition=Q(is_default=True), name="signatory_one_default_per_organization"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person.full_name}, {self.function}"
