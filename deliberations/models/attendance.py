"""Attendance and proxies.

Storage of attendance grows with sittings × members plus changes, never with
deliberations × members: :class:`Attendance` holds each member's state for the whole
sitting, :class:`AttendanceChange` an arrival or a departure from one agenda item on; the
state for a given item is derived (see ``deliberations.attendance``).
"""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.models import ChoiceLabelsMixin, TimeStampedModel
from deliberations.models.acts import Deliberation
from deliberations.models.sittings import Sitting


class Presence(models.TextChoices):
    PRESENT = "present", _("Présent")
    EXCUSED = "excused", _("Absent excusé")
    ABSENT = "absent", _("Absent")


class Attendance(ChoiceLabelsMixin):
    """A member's attendance for the whole sitting (the default for every item)."""

    TENANT_FIELD = "sitting__assembly__organization"

    sitting = models.ForeignKey(Sitting, on_delete=models.CASCADE, related_name="attendances", verbose_name=_("séance"))
    person = models.ForeignKey("parties.Person", on_delete=models.PROTECT, related_name="+", verbose_name=_("élu"))
    status = models.CharField(_("présence"), max_length=8, choices=Presence.choices, default=Presence.PRESENT)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("présence")
        verbose_name_plural = _("présences")
        constraints = [
            models.UniqueConstraint(fields=["sitting", "person"], name="attendance_unique_member"),
            models.CheckConstraint(condition=Q(status__in=Presence.values), name="attendance_status_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.person} — {self.get_status_display()}"


class AttendanceChange(ChoiceLabelsMixin):
    """An arrival or a departure: from ``deliberation`` on, the member's status is ``status``."""

    TENANT_FIELD = "sitting__assembly__organization"

    sitting = models.ForeignKey(
        Sitting, on_delete=models.CASCADE, related_name="attendance_changes", verbose_name=_("séance")
    )
    person = models.ForeignKey("parties.Person", on_delete=models.PROTECT, related_name="+", verbose_name=_("élu"))
    deliberation = models.ForeignKey(
        Deliberation, on_delete=models.CASCADE, related_name="attendance_changes", verbose_name=_("à partir du point")
    )
    status = models.CharField(_("présence"), max_length=8, choices=Presence.choices)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("arrivée ou départ")
        verbose_name_plural = _("arrivées et départs")
        constraints = [
            models.UniqueConstraint(fields=["person", "deliberation"], name="attendance_change_unique_item"),
            models.CheckConstraint(condition=Q(status__in=Presence.values), name="attendance_change_status_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.person} — {self.get_status_display()} ({self.deliberation.number})"


class Proxy(TimeStampedModel):
    """A pouvoir (CGCT L2121-20): ``giver``, absent, has ``holder`` vote in their name.

    It applies from ``from_item`` (the first item when empty) up to, not including,
    ``revoked_from_item`` (never revoked when empty). It counts for an item only if the
    giver is absent and the holder present for that item.
    """

    TENANT_FIELD = "sitting__assembly__organization"

    sitting = models.ForeignKey(Sitting, on_delete=models.CASCADE, related_name="proxies", verbose_name=_("séance"))
    giver = models.ForeignKey("parties.Person", on_delete=models.PROTECT, related_name="+", verbose_name=_("mandant"))
    holder = models.ForeignKey(
        "parties.Person", on_delete=models.PROTECT, related_name="+", verbose_name=_("mandataire")
    )
    written_on = models.DateField(_("pouvoir écrit le"))
    illness = models.BooleanField(
        _("pour maladie"),
        default=False,
        help_text=_("Un pouvoir pour maladie peut valoir au-delà de trois séances consécutives."),
    )
    from_item = models.ForeignKey(
        Deliberation,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("à partir du point"),
    )
    revoked_from_item = models.ForeignKey(
        Deliberation,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("révoqué à partir du point"),
    )
    revoked = models.BooleanField(_("révoqué"), default=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("pouvoir")
        verbose_name_plural = _("pouvoirs")
        constraints = [
            models.CheckConstraint(condition=~Q(giver=F("holder")), name="proxy_giver_is_not_holder"),
            models.CheckConstraint(
                condition=Q(revoked=True) | Q(revoked_from_item__isnull=True), name="proxy_revocation_consistent"
            ),
        ]
        indexes = [models.Index(fields=["sitting", "giver"]), models.Index(fields=["sitting", "holder"])]

    def __str__(self) -> str:
        return f"{self.giver} → {self.holder}"
