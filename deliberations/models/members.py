"""What the elected members themselves reach: their personal link to a sitting.

A :class:`MemberAccess` is one member's access to one sitting through a personal link
(``/membres/<token>/``), sent with the convocation (CGCT L2121-10: by electronic means
unless the member asked for paper). The token is a bearer secret: 256 random bits, scoped
to one person and one sitting, expiring after the sitting.
"""

from __future__ import annotations

import secrets

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.models import TimeStampedModel
from deliberations.models.sittings import Sitting


def new_member_token() -> str:
    return secrets.token_urlsafe(32)


class MemberAccess(TimeStampedModel):
    """One member's personal link to one sitting.

    The token is stored as such, not hashed: the same link must be written again in every
    e-mail about the sitting (a reminder, a corrected agenda) and in the proof of sending,
    and it dies with ``expires_at`` anyway. A new token (``rotate``) kills the old link.
    """

    TENANT_FIELD = "sitting__assembly__organization"

    sitting = models.ForeignKey(
        Sitting, on_delete=models.CASCADE, related_name="member_accesses", verbose_name=_("séance")
    )
    person = models.ForeignKey("parties.Person", on_delete=models.CASCADE, related_name="+", verbose_name=_("élu"))
    token = models.CharField(_("jeton"), max_length=64, unique=True, default=new_member_token, editable=False)
    expires_at = models.DateTimeField(_("expire le"))
    first_opened_at = models.DateTimeField(_("ouvert pour la première fois le"), null=True, blank=True)
    last_opened_at = models.DateTimeField(_("ouvert pour la dernière fois le"), null=True, blank=True)

    class Meta:
        verbose_name = _("accès personnel d'un élu")
        verbose_name_plural = _("accès personnels des élus")
        constraints = [
            models.UniqueConstraint(fields=["sitting", "person"], name="member_access_unique_member"),
            models.CheckConstraint(
                condition=Q(first_opened_at__isnull=True)
                | (Q(last_opened_at__isnull=False) & Q(last_opened_at__gte=F("first_opened_at"))),
                name="member_access_openings_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} — {self.sitting}"


class Intent(models.TextChoices):
    PRESENT = "present", _("Présent")
    ABSENT = "absent", _("Absent")
    PROXY = "proxy", _("Je donne pouvoir")


class Channel(models.TextChoices):
    LINK = "link", _("lien personnel")
    ACCOUNT = "account", _("compte élu")


class AttendanceIntent(TimeStampedModel):
    """What a member said before the sitting: they will attend, they will not, or they give a
    proxy. It informs the clerk, who still records the attendance itself on the sheet."""

    TENANT_FIELD = "sitting__assembly__organization"

    sitting = models.ForeignKey(
        Sitting, on_delete=models.CASCADE, related_name="attendance_intents", verbose_name=_("séance")
    )
    person = models.ForeignKey("parties.Person", on_delete=models.PROTECT, related_name="+", verbose_name=_("élu"))
    intent = models.CharField(_("réponse"), max_length=8, choices=Intent.choices)
    channel = models.CharField(_("par"), max_length=8, choices=Channel.choices)
    answered_at = models.DateTimeField(_("répondu le"))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("réponse d'un élu à la convocation")
        verbose_name_plural = _("réponses des élus aux convocations")
        constraints = [
            models.UniqueConstraint(fields=["sitting", "person"], name="attendance_intent_unique_member"),
            models.CheckConstraint(condition=Q(intent__in=Intent.values), name="attendance_intent_valid"),
            models.CheckConstraint(condition=Q(channel__in=Channel.values), name="attendance_intent_channel_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.person} — {self.get_intent_display()}"
