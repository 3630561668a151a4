"""The préfecture's classification of a collectivité for @CTES (RetourClassification),
imported by an administrator: its version date, its matières and, per nature of act, the
piece types its files may take. Without one, the built-in lists apply."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.models import TimeStampedModel


class CtesClassification(TimeStampedModel):
    """One per organization, replaced by each import (its history keeps the previous ones)."""

    TENANT_FIELD = "organization"

    organization = models.OneToOneField(
        "parties.Organization",
        on_delete=models.CASCADE,
        related_name="ctes_classification",
        verbose_name=_("organisation"),
    )
    classified_on = models.DateField(_("date de la classification (ClassificationDateVersion)"))
    # {"7": "Finances locales", "7.5": "Subventions", …}: dotted codes → titles.
    matieres = models.JSONField(_("matières"), default=dict)
    # {"DE": [["99_DE", "Délibération"], …], "CC": […]}: per nature, the allowed CodeTypePJ.
    piece_types = models.JSONField(_("types de pièces par nature"), default=dict)
    file_name = models.CharField(_("fichier importé"), max_length=200, blank=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("importée par"),
    )

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("classification @CTES")
        verbose_name_plural = _("classifications @CTES")

    def __str__(self) -> str:
        return f"{self.organization} — {self.classified_on:%d/%m/%Y}"
