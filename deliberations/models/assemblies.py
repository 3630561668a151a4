"""Assemblies, their members' mandates, and the numbering of their acts."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.models import TimeStampedModel


class AssemblyKind(models.TextChoices):
    MUNICIPAL_COUNCIL = "municipal", _("Conseil municipal")
    METROPOLITAN_COUNCIL = "metropolitan", _("Conseil métropolitain")
    COMMUNITY_COUNCIL = "community", _("Conseil communautaire")
    TERRITORY_COUNCIL = "territory", _("Conseil de territoire")
    OTHER = "other", _("Autre organe délibérant")


class NameStyle(models.TextChoices):
    FIRST_LAST = "first_last", _("Prénom NOM")
    LAST_FIRST = "last_first", _("NOM Prénom")


class ListSeparator(models.TextChoices):
    """How a register separates the names it lists (present, absent members)."""

    COMMA = "comma", _("virgule (A, B, C)")
    DASH = "dash", _("tiret (A – B – C)")


class Assembly(TimeStampedModel):
    """An organe délibérant of an organization, with how its documents are worded."""

    TENANT_FIELD = "organization"

    organization = models.ForeignKey(
        "parties.Organization", on_delete=models.CASCADE, related_name="assemblies", verbose_name=_("organisation")
    )
    kind = models.CharField(_("nature"), max_length=16, choices=AssemblyKind.choices)
    name = models.CharField(_("nom"), max_length=200, help_text=_("Par exemple « Conseil municipal »."))
    usual_place = models.CharField(_("lieu habituel des séances"), max_length=200, blank=True)
    signature_city = models.CharField(
        _("ville du « Fait à »"), max_length=100, blank=True, help_text=_("Par défaut, la ville de l'organisation.")
    )
    president_title = models.CharField(
        _("titre du président"),
        max_length=100,
        default="Monsieur le Maire",
        help_text=_("Par exemple « Monsieur le Maire », « Madame la Présidente »."),
    )
    name_style = models.CharField(
        _("écriture des noms"), max_length=12, choices=NameStyle.choices, default=NameStyle.FIRST_LAST
    )
    list_separator = models.CharField(
        _("séparateur des listes de noms"), max_length=8, choices=ListSeparator.choices, default=ListSeparator.COMMA
    )
    proxy_wording = models.CharField(
        _("formule des pouvoirs"),
        max_length=100,
        default="ayant donné pouvoir à",
        help_text=_("Par exemple « ayant donné pouvoir à » ou « donne pouvoir à »."),
    )
    information_wording = models.CharField(
        _("formule des communications"),
        max_length=200,
        default="prend acte",
        help_text=_("Ce qu'écrit l'extrait d'une communication sans vote, par exemple « prend acte »."),
    )
    clear_days_override = models.PositiveSmallIntegerField(
        _("délai de convocation imposé (jours francs)"),
        null=True,
        blank=True,
        help_text=_("Vide : 3 ou 5 jours francs selon la population (CGCT L2121-11, L2121-12)."),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("assemblée")
        verbose_name_plural = _("assemblées")
        ordering = ["organization__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="assembly_unique_name"),
            models.CheckConstraint(condition=Q(kind__in=AssemblyKind.values), name="assembly_kind_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.name} — {self.organization}"

    def get_absolute_url(self) -> str:
        return reverse("deliberations:assembly_detail", args=[self.pk])


class MandateRole(models.TextChoices):
    HEAD = "head", _("Maire / président")
    DEPUTY = "deputy", _("Adjoint / vice-président")
    DELEGATE = "delegate", _("Conseiller délégué")
    COUNCILLOR = "councillor", _("Conseiller")


class MandateQuerySet(models.QuerySet["Mandate"]):
    def in_office(self, on: object) -> MandateQuerySet:
        """Mandates running on a date (start ≤ date, no end or end ≥ date)."""
        return self.filter(Q(end_date__isnull=True) | Q(end_date__gte=on), start_date__lte=on)


class Mandate(TimeStampedModel):
    """A member's seat in an assembly over a period: the members in office are derived from these."""

    TENANT_FIELD = "assembly__organization"

    assembly = models.ForeignKey(
        Assembly, on_delete=models.CASCADE, related_name="mandates", verbose_name=_("assemblée")
    )
    person = models.ForeignKey(
        "parties.Person", on_delete=models.PROTECT, related_name="mandates", verbose_name=_("élu")
    )
    role = models.CharField(_("rôle"), max_length=12, choices=MandateRole.choices, default=MandateRole.COUNCILLOR)
    function = models.CharField(
        _("qualité"), max_length=200, blank=True, help_text=_("Par exemple « Adjoint au Maire ».")
    )
    start_date = models.DateField(_("début"))
    end_date = models.DateField(_("fin"), null=True, blank=True)
    prefers_paper = models.BooleanField(
        _("convocation sur papier"),
        default=False,
        help_text=_("L'élu a demandé à recevoir ses convocations sur papier (CGCT L2121-10)."),
    )

    objects = MandateQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("mandat")
        verbose_name_plural = _("mandats")
        ordering = ["person__last_name", "person__first_name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")), name="mandate_period_ordered"
            ),
            models.UniqueConstraint(fields=["assembly", "person", "start_date"], name="mandate_unique_start"),
            models.CheckConstraint(condition=Q(role__in=MandateRole.values), name="mandate_role_valid"),
        ]
        indexes = [models.Index(fields=["assembly", "start_date", "end_date"])]

    def __str__(self) -> str:
        return f"{self.person} — {self.get_role_display()}"


class NumberingRule(TimeStampedModel):
    """How an assembly numbers its deliberations, e.g. ``v{year}-{seq:03}`` or ``{year}_CT2_{seq}``."""

    TENANT_FIELD = "assembly__organization"

    assembly = models.OneToOneField(
        Assembly, on_delete=models.CASCADE, related_name="numbering_rule", verbose_name=_("assemblée")
    )
    pattern = models.CharField(
        _("modèle de numéro"),
        max_length=60,
        default="{year}-{seq:03}",
        help_text=_("Champs : {year} (année de la séance), {seq} (rang, par exemple {seq:03} sur 3 chiffres)."),
    )
    yearly_reset = models.BooleanField(_("repartir de 1 chaque année"), default=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("règle de numérotation")
        verbose_name_plural = _("règles de numérotation")

    def __str__(self) -> str:
        return self.pattern


class NumberingCounter(models.Model):
    """The last number given for a rule and a year (0 when the rule never resets).

    Locked with ``select_for_update`` while a number is taken, so that two clerks creating
    deliberations at once get consecutive numbers, without gaps or duplicates.
    """

    rule = models.ForeignKey(NumberingRule, on_delete=models.CASCADE, related_name="counters")
    year = models.PositiveIntegerField()
    last_value = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("compteur de numérotation")
        verbose_name_plural = _("compteurs de numérotation")
        constraints = [models.UniqueConstraint(fields=["rule", "year"], name="numbering_counter_unique_year")]

    def __str__(self) -> str:
        return f"{self.rule} {self.year}: {self.last_value}"
