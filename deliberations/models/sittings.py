"""Sittings of an assembly and their legal life (convened, open, closed, minutes)."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition
from simple_history.models import HistoricalRecords

from core.models import TimeStampedModel
from deliberations.models.assemblies import Assembly
from deliberations.models.base import ProtectedStateMixin


class SittingKind(models.TextChoices):
    ORDINARY = "ordinary", _("Séance ordinaire")
    EXTRAORDINARY = "extraordinary", _("Séance extraordinaire")


class SittingState(models.TextChoices):
    PLANNED = "planned", _("Prévue")
    CONVENED = "convened", _("Convoquée")
    OPEN = "open", _("Ouverte")
    CLOSED = "closed", _("Close")
    MINUTES_APPROVED = "minutes_approved", _("Procès-verbal approuvé")
    MINUTES_PUBLISHED = "minutes_published", _("Procès-verbal publié")


class Sitting(ProtectedStateMixin, TimeStampedModel):
    """A séance of an assembly. Its state changes only through ``deliberations.services``."""

    TENANT_FIELD = "assembly__organization"

    assembly = models.ForeignKey(
        Assembly, on_delete=models.CASCADE, related_name="sittings", verbose_name=_("assemblée")
    )
    kind = models.CharField(_("nature"), max_length=16, choices=SittingKind.choices, default=SittingKind.ORDINARY)
    starts_at = models.DateTimeField(_("date et heure"))
    place = models.CharField(_("lieu"), max_length=200, blank=True)
    president = models.ForeignKey(
        "parties.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="presided_sittings",
        verbose_name=_("président de séance"),
    )
    secretary = models.ForeignKey(
        "parties.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="secretary_sittings",
        verbose_name=_("secrétaire de séance"),
    )
    convocation_date = models.DateField(_("envoi de la convocation"), null=True, blank=True)
    urgency = models.BooleanField(_("urgence"), default=False)
    urgency_reason = models.TextField(_("motif de l'urgence"), blank=True)
    reconvened_from = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reconvened_sittings",
        verbose_name=_("reconvoquée après la séance du"),
        help_text=_("Séance reconvoquée faute de quorum : elle délibère sans condition de quorum (CGCT L2121-17)."),
    )
    state = FSMField(
        _("état"), max_length=20, choices=SittingState.choices, default=SittingState.PLANNED, protected=True
    )
    opened_at = models.DateTimeField(_("ouverte à"), null=True, blank=True)
    closed_at = models.DateTimeField(_("close à"), null=True, blank=True)
    list_published_on = models.DateField(_("liste des délibérations publiée le"), null=True, blank=True)
    minutes_approved_on = models.DateField(_("procès-verbal approuvé le"), null=True, blank=True)
    minutes_published_on = models.DateField(_("procès-verbal publié le"), null=True, blank=True)
    notes = models.TextField(_("notes pour le procès-verbal"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("séance")
        verbose_name_plural = _("séances")
        ordering = ["-starts_at"]
        constraints = [
            models.CheckConstraint(condition=Q(state__in=SittingState.values), name="sitting_state_valid"),
            models.CheckConstraint(condition=Q(kind__in=SittingKind.values), name="sitting_kind_valid"),
            models.CheckConstraint(
                condition=Q(urgency=False) | ~Q(urgency_reason=""), name="sitting_urgency_has_reason"
            ),
            models.CheckConstraint(condition=~Q(reconvened_from=F("id")), name="sitting_not_reconvened_from_itself"),
        ]
        indexes = [models.Index(fields=["assembly", "starts_at"])]

    def __str__(self) -> str:
        from core.formatting import french_date

        return f"{self.assembly.name} — {french_date(self.starts_at_local)}"

    def get_absolute_url(self) -> str:
        return reverse("deliberations:sitting_detail", args=[self.pk])

    @property
    def starts_at_local(self):  # type: ignore[no-untyped-def]
        from django.utils import timezone

        return timezone.localtime(self.starts_at)

    @property
    def date(self):  # type: ignore[no-untyped-def]
        return self.starts_at_local.date()

    # Transitions: only called by deliberations.services, which check the legal guards.
    @transition(field=state, source=SittingState.PLANNED, target=SittingState.CONVENED)
    def convene(self) -> None:
        pass

    @transition(field=state, source=SittingState.CONVENED, target=SittingState.OPEN)
    def open(self) -> None:
        pass

    @transition(field=state, source=SittingState.OPEN, target=SittingState.CLOSED)
    def close(self) -> None:
        pass

    @transition(field=state, source=SittingState.CLOSED, target=SittingState.MINUTES_APPROVED)
    def approve_minutes(self) -> None:
        pass

    @transition(field=state, source=SittingState.MINUTES_APPROVED, target=SittingState.MINUTES_PUBLISHED)
    def publish_minutes(self) -> None:
        pass
