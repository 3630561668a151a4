"""The life of a signed convention: avenants, termination notices, annual evaluations."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition
from simple_history.models import HistoricalRecords

from conventions.models.contents import ConventionClause, ConventionParty
from conventions.models.conventions import Convention, ProtectedStatusMixin
from core.models import TimeStampedModel


class AmendmentStatus(models.TextChoices):
    DRAFT = "draft", _("Brouillon")
    APPROVED = "approved", _("Approuvé")
    OUT_FOR_SIGNATURE = "out_for_signature", _("En signature")
    SIGNED = "signed", _("Signé")
    CANCELLED = "cancelled", _("Abandonné")


class Amendment(ProtectedStatusMixin, TimeStampedModel):
    """An avenant: numbered 1, 2, … per convention, approved and signed like it; once signed
    its effect (new end or duration, amount, clause) applies to the convention."""

    TENANT_FIELD = "convention__organization"

    convention = models.ForeignKey(
        Convention, on_delete=models.CASCADE, related_name="amendments", verbose_name=_("convention")
    )
    number = models.PositiveSmallIntegerField(_("numéro"))
    title = models.CharField(_("intitulé"), max_length=250)
    object = models.TextField(_("objet"), blank=True)
    status = FSMField(
        _("état"), max_length=20, choices=AmendmentStatus.choices, default=AmendmentStatus.DRAFT, protected=True
    )

    # Effects on the convention (each optional).
    new_duration_months = models.PositiveSmallIntegerField(_("nouvelle durée (mois)"), null=True, blank=True)
    new_end_date = models.DateField(_("nouveau dernier jour couvert"), null=True, blank=True)
    new_amount = models.DecimalField(_("nouveau montant"), max_digits=12, decimal_places=2, null=True, blank=True)
    clause = models.ForeignKey(
        ConventionClause,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="amendments",
        verbose_name=_("article modifié"),
        help_text=_("Vide pour ajouter un nouvel article."),
    )
    new_clause_title = models.CharField(_("titre de l'article"), max_length=200, blank=True)
    new_clause_body = models.TextField(_("nouveau texte de l'article"), blank=True)

    approving_deliberations = models.ManyToManyField(
        "deliberations.Deliberation",
        blank=True,
        related_name="approved_amendments",
        verbose_name=_("délibérations d'approbation"),
    )
    approved_on = models.DateField(_("approuvé le"), null=True, blank=True)
    delegated_decision_reference = models.CharField(_("décision par délégation (référence)"), max_length=60, blank=True)
    delegated_decision_date = models.DateField(_("décision par délégation (date)"), null=True, blank=True)
    signed_on = models.DateField(_("signé le"), null=True, blank=True)
    effect_before = models.JSONField(_("avant l'avenant"), default=dict, blank=True)
    effect_after = models.JSONField(_("après l'avenant"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("avenant")
        verbose_name_plural = _("avenants")
        ordering = ["convention", "number"]
        constraints = [
            models.UniqueConstraint(fields=["convention", "number"], name="amendment_unique_number"),
            models.CheckConstraint(condition=Q(number__gte=1), name="amendment_number_positive"),
            models.CheckConstraint(
                condition=Q(new_amount__isnull=True) | Q(new_amount__gte=0), name="amendment_amount_positive"
            ),
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in AmendmentStatus]), name="amendment_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"Avenant n° {self.number} — {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("conventions:amendment_detail", args=[self.convention_id, self.number])

    @property
    def has_effect(self) -> bool:
        return bool(
            self.new_duration_months or self.new_end_date or self.new_amount is not None or self.new_clause_body.strip()
        )

    @transition(field=status, source=AmendmentStatus.DRAFT, target=AmendmentStatus.APPROVED)
    def approve(self) -> None:
        """Approved by a deliberation or a delegated decision."""

    @transition(field=status, source=AmendmentStatus.APPROVED, target=AmendmentStatus.OUT_FOR_SIGNATURE)
    def send_for_signature(self) -> None:
        """Sent to the parties."""

    @transition(field=status, source=AmendmentStatus.OUT_FOR_SIGNATURE, target=AmendmentStatus.SIGNED)
    def mark_signed(self) -> None:
        """Signed by every party: its effect applies."""

    @transition(
        field=status,
        source=[AmendmentStatus.DRAFT, AmendmentStatus.APPROVED, AmendmentStatus.OUT_FOR_SIGNATURE],
        target=AmendmentStatus.CANCELLED,
    )
    def cancel(self) -> None:
        """Abandoned before signature."""


class AmendmentSignature(TimeStampedModel):
    """One party's signature of an avenant. The avenant is signed, and its effect applies,
    when every party of the convention has signed (like the convention itself)."""

    TENANT_FIELD = "amendment__convention__organization"

    amendment = models.ForeignKey(
        Amendment, on_delete=models.CASCADE, related_name="signatures", verbose_name=_("avenant")
    )
    party = models.ForeignKey(
        ConventionParty, on_delete=models.CASCADE, related_name="amendment_signatures", verbose_name=_("partie")
    )
    signatory = models.ForeignKey(
        "parties.Signatory",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="amendment_signatures",
        verbose_name=_("signataire"),
    )
    signed_on = models.DateField(_("signé le"))

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("signature de l'avenant")
        verbose_name_plural = _("signatures de l'avenant")
        ordering = ["amendment", "party__position"]
        constraints = [
            models.UniqueConstraint(fields=["amendment", "party"], name="amendment_signature_unique_party"),
        ]

    def __str__(self) -> str:
        return f"{self.amendment} — {self.party.organization} ({self.signed_on:%d/%m/%Y})"


class TerminationNotice(TimeStampedModel):
    """Notice of termination (dénonciation) by a party or on the comité de suivi's decision."""

    TENANT_FIELD = "convention__organization"

    convention = models.OneToOneField(
        Convention, on_delete=models.CASCADE, related_name="termination_notice_record", verbose_name=_("convention")
    )
    given_by = models.ForeignKey(
        ConventionParty,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="notices_given",
        verbose_name=_("partie qui dénonce"),
    )
    committee_decision = models.OneToOneField(
        "conventions.CommitteeDecision",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="termination_notice",
        verbose_name=_("décision du comité de suivi"),
    )
    reason = models.TextField(_("motif"), blank=True)
    sent_on = models.DateField(_("envoyée le"), null=True, blank=True)
    registered_letter_number = models.CharField(_("n° de la lettre recommandée"), max_length=40, blank=True)
    received_on = models.DateField(_("reçue le (accusé de réception)"), null=True, blank=True)
    effective_date = models.DateField(_("résiliation effective le"), null=True, blank=True)
    data_withdrawal_end = models.DateField(_("fin du retrait des données"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("dénonciation")
        verbose_name_plural = _("dénonciations")
        constraints = [
            models.CheckConstraint(
                condition=Q(received_on__isnull=True) | Q(sent_on__isnull=True) | Q(received_on__gte=F("sent_on")),
                name="termination_notice_received_after_sent",
            ),
            models.CheckConstraint(
                condition=Q(effective_date__isnull=True) | Q(received_on__isnull=False),
                name="termination_notice_effective_needs_receipt",
            ),
        ]

    def __str__(self) -> str:
        return f"Dénonciation de {self.convention.reference}"


class EvaluationOutcome(models.TextChoices):
    POSITIVE = "positive", _("Positive")
    MIXED = "mixed", _("Mitigée")
    NEGATIVE = "negative", _("Négative")


class Evaluation(TimeStampedModel):
    """An annual evaluation, scheduled each year from the start (DDD art. 6)."""

    TENANT_FIELD = "convention__organization"

    convention = models.ForeignKey(
        Convention, on_delete=models.CASCADE, related_name="evaluations", verbose_name=_("convention")
    )
    number = models.PositiveSmallIntegerField(_("année n°"))
    due_date = models.DateField(_("prévue le"))
    held_on = models.DateField(_("réalisée le"), null=True, blank=True)
    outcome = models.CharField(_("bilan"), max_length=10, choices=EvaluationOutcome.choices, blank=True)
    summary = models.TextField(_("synthèse"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("évaluation")
        verbose_name_plural = _("évaluations")
        ordering = ["convention", "number"]
        constraints = [
            models.UniqueConstraint(fields=["convention", "number"], name="evaluation_unique_number"),
            models.CheckConstraint(
                condition=Q(held_on__isnull=True) | ~Q(outcome=""), name="evaluation_held_has_outcome"
            ),
        ]

    def __str__(self) -> str:
        return f"Évaluation n° {self.number} ({self.due_date:%d/%m/%Y})"
