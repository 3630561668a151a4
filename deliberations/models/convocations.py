"""The sending of convocations and notices to the members, with the proof of each one
(CGCT L2121-10 to L2121-12: sent in writing, by electronic means unless a member asks for
paper; the day of sending starts the jours francs)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.models import TimeStampedModel
from deliberations.models.sittings import Sitting


class SendingKind(models.TextChoices):
    CONVOCATION = "convocation", _("Convocation")
    RESEND = "resend", _("Renvoi de la convocation à un membre")
    ADDITIVE = "additive", _("Additif à l'ordre du jour")
    POSTPONEMENT = "postponement", _("Report de la séance")
    CANCELLATION = "cancellation", _("Annulation de la séance")


class SendingChannel(models.TextChoices):
    EMAIL = "email", _("courriel")
    PAPER = "paper", _("papier")


class RecipientState(models.TextChoices):
    QUEUED = "queued", _("en attente d'envoi")
    SENDING = "sending", _("en cours d'envoi")
    ACCEPTED = "accepted", _("accepté par le serveur de messagerie")
    REFUSED = "refused", _("refusé par le serveur de messagerie")
    BOUNCED = "bounced", _("revenu en erreur (rebond)")
    PAPER = "paper", _("à remettre sur papier")


# States a recipient leaves only by a re-send or a bounce: the sending is done for them.
FINAL_STATES = (RecipientState.ACCEPTED, RecipientState.REFUSED, RecipientState.BOUNCED, RecipientState.PAPER)


class ConvocationSending(TimeStampedModel):
    """One sending to the members of a sitting: the convocation, a re-send to one member, an
    additive notice (an item added, a report updated), a postponement or a cancellation. It
    keeps the document sent (its SHA-256) and one :class:`ConvocationRecipient` per member."""

    TENANT_FIELD = "sitting__assembly__organization"

    sitting = models.ForeignKey(
        Sitting, on_delete=models.CASCADE, related_name="convocation_sendings", verbose_name=_("séance")
    )
    kind = models.CharField(_("nature"), max_length=16, choices=SendingKind.choices)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="resends",
        verbose_name=_("envoi renvoyé"),
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("demandé par"),
    )
    requested_at = models.DateTimeField(_("demandé le"))
    convocation_date = models.DateField(_("date d'envoi (jours francs)"), null=True, blank=True)
    urgency = models.BooleanField(_("urgence"), default=False)
    urgency_reason = models.TextField(_("motif de l'urgence"), blank=True)
    message = models.TextField(_("objet de l'avis"), blank=True)
    new_starts_at = models.DateTimeField(_("nouvelle date de la séance"), null=True, blank=True)
    document = models.ForeignKey(
        "documents.StoredDocument",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("document envoyé"),
    )
    document_sha256 = models.CharField(_("empreinte SHA-256 du document envoyé"), max_length=64, blank=True)
    paper_document = models.ForeignKey(
        "documents.StoredDocument",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("convocations papier"),
    )
    completed_at = models.DateTimeField(_("envoi terminé le"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("envoi de convocation")
        verbose_name_plural = _("envois de convocation")
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=SendingKind.values), name="sending_kind_valid"),
            models.CheckConstraint(condition=Q(urgency=False) | ~Q(urgency_reason=""), name="sending_urgency_reason"),
            # One convocation per sitting: a second click, or a second worker, finds it.
            models.UniqueConstraint(
                fields=["sitting"], condition=Q(kind="convocation"), name="sending_one_convocation_per_sitting"
            ),
            models.CheckConstraint(
                condition=Q(document_sha256="") | Q(document_sha256__regex=r"^[0-9a-f]{64}$"),
                name="sending_sha256_format",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.sitting}"


class ConvocationRecipient(models.Model):
    """What happened to one member's copy of a sending: the proof a tribunal asks for.

    No history table: the row is itself the log of its delivery (claimed, sent, answered),
    written by conditional UPDATEs that a history would not see."""

    TENANT_FIELD = "sending__sitting__assembly__organization"

    sending = models.ForeignKey(
        ConvocationSending, on_delete=models.CASCADE, related_name="recipients", verbose_name=_("envoi")
    )
    person = models.ForeignKey(
        "parties.Person", on_delete=models.PROTECT, related_name="convocations_received", verbose_name=_("élu")
    )
    channel = models.CharField(_("moyen"), max_length=8, choices=SendingChannel.choices)
    address = models.EmailField(_("adresse utilisée"), blank=True)
    state = models.CharField(_("état"), max_length=10, choices=RecipientState.choices)
    attempts = models.PositiveSmallIntegerField(_("tentatives"), default=0)
    next_attempt_at = models.DateTimeField(_("prochaine tentative"), null=True, blank=True)
    claimed_at = models.DateTimeField(_("pris en charge le"), null=True, blank=True)
    sent_at = models.DateTimeField(_("envoyé le"), null=True, blank=True)
    smtp_response = models.CharField(_("réponse du serveur"), max_length=500, blank=True)
    error = models.CharField(_("erreur"), max_length=500, blank=True)
    bounced_at = models.DateTimeField(_("rebond le"), null=True, blank=True)
    bounce_reason = models.CharField(_("motif du rebond"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("destinataire d'une convocation")
        verbose_name_plural = _("destinataires des convocations")
        ordering = ["sending", "person__last_name", "person__first_name"]
        constraints = [
            # Each member once per sending: a double click or two workers never send twice.
            models.UniqueConstraint(fields=["sending", "person"], name="recipient_once_per_sending"),
            models.CheckConstraint(condition=Q(channel__in=SendingChannel.values), name="recipient_channel_valid"),
            models.CheckConstraint(condition=Q(state__in=RecipientState.values), name="recipient_state_valid"),
            models.CheckConstraint(
                condition=Q(channel="paper", state="paper") | (Q(channel="email") & ~Q(state="paper") & ~Q(address="")),
                name="recipient_channel_matches_state",
            ),
        ]
        indexes = [models.Index(fields=["sending", "state"])]

    def __str__(self) -> str:
        return f"{self.person} — {self.get_state_display()}"
