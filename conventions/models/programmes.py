"""Programmes that gather many partner conventions of the same kind."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.models import TimeStampedModel


class ProgrammeKind(models.TextChoices):
    MOBILISATION = "mobilisation", _("Mobilisation nationale")
    NETWORK = "network", _("Réseau de sites partenaires")
    PLAN = "plan", _("Plan d'action de la collectivité")
    OTHER = "other", _("Autre")


class ProgrammeQuerySet(models.QuerySet["Programme"]):
    def visible_to(self, organization_ids: list[int]) -> ProgrammeQuerySet:
        return self.filter(organization_id__in=organization_ids)


class Programme(TimeStampedModel):
    """E.g. the Défenseur des droits' "Egalité contre racisme" mobilisation, FLAG !'s
    "En lieu sûr" network, a métropole's plan against discrimination."""

    TENANT_FIELD = "organization"

    organization = models.ForeignKey(
        "parties.Organization", on_delete=models.CASCADE, related_name="programmes", verbose_name=_("organisation")
    )
    name = models.CharField(_("nom"), max_length=200)
    kind = models.CharField(_("nature"), max_length=16, choices=ProgrammeKind.choices, default=ProgrammeKind.OTHER)
    coordinator = models.ForeignKey(
        "parties.Organization",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="coordinated_programmes",
        verbose_name=_("coordinateur"),
    )
    description = models.TextField(_("description"), blank=True)
    start_date = models.DateField(_("début"), null=True, blank=True)
    end_date = models.DateField(_("fin"), null=True, blank=True)

    objects = ProgrammeQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="programme_unique_name"),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(end_date__gte=models.F("start_date")),
                name="programme_period_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("conventions:programme_detail", args=[self.pk])


class ProgrammeBudget(TimeStampedModel):
    """The yearly budget of a programme and its annual initiative fund (Aix-Marseille plan:
    60 000 € the first year)."""

    TENANT_FIELD = "programme__organization"

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="budgets", verbose_name=_("programme")
    )
    year = models.PositiveSmallIntegerField(_("année"))
    amount = models.DecimalField(_("budget"), max_digits=12, decimal_places=2)
    initiative_fund = models.DecimalField(_("dont fonds d'initiatives"), max_digits=12, decimal_places=2, default=0)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("budget annuel")
        verbose_name_plural = _("budgets annuels")
        ordering = ["programme", "year"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "year"], name="programme_budget_unique_year"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="programme_budget_positive"),
            models.CheckConstraint(
                condition=Q(initiative_fund__gte=0) & Q(initiative_fund__lte=models.F("amount")),
                name="programme_budget_fund_within_budget",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.programme} — {self.year}"
