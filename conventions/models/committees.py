"""Comités de suivi: members, meetings (convocation, agenda, attendance, minutes) and decisions."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.models import ChoiceLabelsMixin, TimeStampedModel


class CommitteeQuerySet(models.QuerySet["MonitoringCommittee"]):
    def visible_to(self, organization_ids: list[int]) -> CommitteeQuerySet:
        return self.filter(organization_id__in=organization_ids)


class MonitoringCommittee(TimeStampedModel):
    """A comité de suivi attached to one convention, or to a programme gathering several
    partner conventions (DDD art. 4.2: one comité for all the mobilisation's partners)."""

    TENANT_FIELD = "organization"

    organization = models.ForeignKey(
        "parties.Organization", on_delete=models.CASCADE, related_name="committees", verbose_name=_("organisation")
    )
    name = models.CharField(_("nom"), max_length=200)
    convention = models.ForeignKey(
        "conventions.Convention",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="committees",
        verbose_name=_("convention"),
    )
    programme = models.ForeignKey(
        "conventions.Programme",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="committees",
        verbose_name=_("programme"),
    )
    convocation_working_days = models.PositiveSmallIntegerField(_("délai de convocation (jours ouvrés)"), default=15)
    description = models.TextField(_("rôle"), blank=True)

    objects = CommitteeQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("comité de suivi")
        verbose_name_plural = _("comités de suivi")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(convention__isnull=False) & Q(programme__isnull=True))
                | (Q(convention__isnull=True) & Q(programme__isnull=False)),
                name="committee_attached_to_one",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("conventions:committee_detail", args=[self.pk])


class CommitteeMember(TimeStampedModel):
    TENANT_FIELD = "committee__organization"

    committee = models.ForeignKey(
        MonitoringCommittee, on_delete=models.CASCADE, related_name="members", verbose_name=_("comité")
    )
    full_name = models.CharField(_("nom"), max_length=150)
    organization = models.ForeignKey(
        "parties.Organization",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("organisation représentée"),
    )
    role = models.CharField(_("qualité"), max_length=100, blank=True)
    email = models.EmailField(_("courriel"), blank=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("membre du comité")
        verbose_name_plural = _("membres du comité")
        ordering = ["full_name"]
        constraints = [
            models.UniqueConstraint(fields=["committee", "full_name"], name="committee_member_unique_name"),
        ]

    def __str__(self) -> str:
        return self.full_name


class MeetingStatus(models.TextChoices):
    PLANNED = "planned", _("Prévue")
    CONVENED = "convened", _("Convoquée")
    HELD = "held", _("Tenue")
    CANCELLED = "cancelled", _("Annulée")


class CommitteeMeeting(TimeStampedModel):
    TENANT_FIELD = "committee__organization"

    committee = models.ForeignKey(
        MonitoringCommittee, on_delete=models.CASCADE, related_name="meetings", verbose_name=_("comité")
    )
    date = models.DateField(_("date de la réunion"))
    starts_at = models.TimeField(_("heure"), null=True, blank=True)
    location = models.CharField(_("lieu"), max_length=200, blank=True)
    status = models.CharField(_("état"), max_length=10, choices=MeetingStatus.choices, default=MeetingStatus.PLANNED)
    convocation_sent_on = models.DateField(_("convocation envoyée le"), null=True, blank=True)
    urgency = models.BooleanField(_("urgence"), default=False)
    urgency_reason = models.CharField(_("motif de l'urgence"), max_length=250, blank=True)
    agenda = models.TextField(_("ordre du jour"), blank=True)
    minutes = models.TextField(_("compte rendu"), blank=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("réunion du comité")
        verbose_name_plural = _("réunions du comité")
        ordering = ["-date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(convocation_sent_on__isnull=True) | Q(convocation_sent_on__lte=models.F("date")),
                name="committee_meeting_convened_before",
            ),
            models.CheckConstraint(
                condition=Q(urgency=False) | ~Q(urgency_reason=""), name="committee_meeting_urgency_has_reason"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.committee} — {self.date:%d/%m/%Y}"

    def get_absolute_url(self) -> str:
        return reverse("conventions:meeting_detail", args=[self.pk])


class MeetingAttendance(ChoiceLabelsMixin):
    TENANT_FIELD = "meeting__committee__organization"

    meeting = models.ForeignKey(CommitteeMeeting, on_delete=models.CASCADE, related_name="attendance")
    member = models.ForeignKey(CommitteeMember, on_delete=models.CASCADE, related_name="attendance")
    present = models.BooleanField(_("présent"), default=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("présence")
        verbose_name_plural = _("présences")
        constraints = [models.UniqueConstraint(fields=["meeting", "member"], name="meeting_attendance_unique")]

    def __str__(self) -> str:
        return f"{self.member} ({'présent' if self.present else 'absent'})"


class DecisionKind(models.TextChoices):
    GENERAL = "general", _("Décision")
    WITHDRAW_PARTNER = "withdraw_partner", _("Retrait d'un partenaire")


class CommitteeDecision(TimeStampedModel):
    """A decision minuted at a meeting; the withdrawal of a partner starts its termination
    (DDD art. 4.2 and 6)."""

    TENANT_FIELD = "meeting__committee__organization"

    meeting = models.ForeignKey(
        CommitteeMeeting, on_delete=models.CASCADE, related_name="decisions", verbose_name=_("réunion")
    )
    kind = models.CharField(_("nature"), max_length=20, choices=DecisionKind.choices, default=DecisionKind.GENERAL)
    text = models.TextField(_("décision"))
    convention = models.ForeignKey(
        "conventions.Convention",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="committee_decisions",
        verbose_name=_("convention du partenaire"),
    )

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("décision du comité")
        verbose_name_plural = _("décisions du comité")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="withdraw_partner") | Q(convention__isnull=False),
                name="committee_decision_withdrawal_names_convention",
            ),
        ]

    def __str__(self) -> str:
        return self.text[:80]
