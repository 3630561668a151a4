"""Deadlines derived from the domain objects, their reminders, and each organization's settings.

The domain apps compute the dates (a convention's end, the last day to give notice, a
sitting's convocation deadline…) and hand them over with ``reminders.services.sync_deadlines``;
this app stores them as :class:`Deadline` rows, announces them as :class:`Reminder` rows (one
per deadline, recipient, due date and occurrence: an offset or an overdue week), and shows
them on pages, in the API and in calendar feeds.
"""

from __future__ import annotations

import secrets
from datetime import date
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.models import ChoiceLabelsMixin, TimeStampedModel
from reminders import rules


class DeadlineKind(models.TextChoices):
    CONVENTION_END = "convention_end", _("Fin de convention")
    RENEWAL_DECISION = "renewal_decision", _("Décision de renouvellement")
    NOTICE_LAST_DAY = "notice_last_day", _("Dernier jour pour dénoncer")
    EVALUATION = "evaluation", _("Évaluation annuelle")
    OBLIGATION_DUE = "obligation_due", _("Engagement à tenir")
    TERMINATION_EFFECTIVE = "termination_effective", _("Prise d'effet de la résiliation")
    DATA_WITHDRAWAL_END = "data_withdrawal_end", _("Fin du retrait des données")
    COMMITTEE_CONVOCATION = "committee_convocation", _("Convocation du comité de suivi")
    COMMITTEE_MEETING = "committee_meeting", _("Réunion du comité de suivi")
    SITTING = "sitting", _("Séance")
    SITTING_CONVOCATION = "sitting_convocation", _("Convocation de la séance")
    DELIBERATION_LIST_PUBLICATION = "deliberation_list_publication", _("Publication de la liste des délibérations")
    MINUTES_PUBLICATION = "minutes_publication", _("Publication du procès-verbal")
    TRANSMISSION = "transmission", _("Transmission au contrôle de légalité")
    RECOURS_END = "recours_end", _("Fin du délai de recours")


# Events happen on their date whatever anyone does: they are announced, never "overdue".
EVENT_KINDS = frozenset({DeadlineKind.COMMITTEE_MEETING, DeadlineKind.SITTING, DeadlineKind.RECOURS_END})


class DeadlineQuerySet(models.QuerySet["Deadline"]):
    def open(self) -> DeadlineQuerySet:
        return self.filter(handled_at__isnull=True)

    def of_organizations(self, organization_ids: list[int]) -> DeadlineQuerySet:
        return self.filter(organization_id__in=organization_ids)


class Deadline(TimeStampedModel):
    """A date that matters, derived from a source object (convention, committee, sitting…).

    Written only by ``sync_deadlines`` (the source's own service) and by ``mark_handled``.
    """

    TENANT_FIELD = "organization"

    organization = models.ForeignKey(
        "parties.Organization", on_delete=models.CASCADE, related_name="deadlines", verbose_name=_("organisation")
    )
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, verbose_name=_("type de l'objet"))
    object_id = models.PositiveBigIntegerField(_("identifiant de l'objet"))
    source = GenericForeignKey("content_type", "object_id")
    key = models.CharField(_("clé"), max_length=100)
    kind = models.CharField(_("nature"), max_length=40, choices=DeadlineKind.choices)
    due_date = models.DateField(_("échéance"))
    title = models.CharField(_("intitulé"), max_length=300)
    url = models.CharField(_("lien"), max_length=500, blank=True)
    action = models.TextField(_("à faire"), blank=True)
    recipients = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="deadlines", verbose_name=_("destinataires")
    )
    # Roles stored as ",clerk,manager," so that "has role X" is a portable LIKE query.
    recipient_roles_text = models.CharField(_("rôles destinataires"), max_length=100, blank=True, default="")
    # The named recipients again, as ",4,17,": "is addressed to me" is then a test on the row
    # itself, not a lookup in ``recipients`` (which a manager named on thousands of
    # deadlines makes costly in every list and count). ``sync_deadlines`` keeps both equal.
    recipient_ids_text = models.TextField(_("destinataires nommés (recherche)"), blank=True, default="", editable=False)
    starts_at = models.DateTimeField(_("début"), null=True, blank=True)
    ends_at = models.DateTimeField(_("fin"), null=True, blank=True)
    location = models.CharField(_("lieu"), max_length=300, blank=True)
    handled_at = models.DateTimeField(_("traitée le"), null=True, blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("traitée par"),
    )

    objects = DeadlineQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["created_at", "updated_at"])

    class Meta:
        verbose_name = _("échéance")
        verbose_name_plural = _("échéances")
        ordering = ["due_date", "id"]
        constraints = [
            models.UniqueConstraint(fields=["content_type", "object_id", "key"], name="deadline_unique_source_key"),
            models.CheckConstraint(condition=~Q(key=""), name="deadline_key_not_empty"),
            models.CheckConstraint(condition=Q(kind__in=[k.value for k in DeadlineKind]), name="deadline_kind_valid"),
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True)
                | (Q(starts_at__isnull=False) & Q(ends_at__gte=models.F("starts_at"))),
                name="deadline_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(handled_at__isnull=False) | Q(handled_by__isnull=True), name="deadline_handler_when_handled"
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "due_date"]),
            models.Index(fields=["due_date", "id"], name="deadline_open_due", condition=Q(handled_at__isnull=True)),
            # Lists and counts of an organization's open deadlines, in date order. The columns
            # that decide "open" and "addressed to me" follow (a few bytes each), so that counting
            # a manager's 10,000 open deadlines reads the index alone, not the table. They are key
            # columns rather than INCLUDE, which SQLite does not have.
            models.Index(
                fields=["organization", "due_date", "kind", "recipient_roles_text", "recipient_ids_text"],
                name="deadline_open_org_cover",
                condition=Q(handled_at__isnull=True),
            ),
        ]

    @property
    def is_event(self) -> bool:
        """A sitting, a comité meeting, the end of a recours period: it happens on its date
        (closed by the daily run once past) rather than being done by someone."""
        return self.kind in EVENT_KINDS

    def __str__(self) -> str:
        return f"{self.title} — {self.due_date:%d/%m/%Y}"

    @property
    def recipient_roles(self) -> tuple[str, ...]:
        return rules.split_roles(self.recipient_roles_text)

    @property
    def is_handled(self) -> bool:
        return self.handled_at is not None

    def days_left(self, today: date) -> int:
        return (self.due_date - today).days

    def get_absolute_url(self) -> str:
        return self.url or "/echeances/"

    @property
    def feed_uid(self) -> str:
        """Stable across re-syncs: the source and the key, not the row id."""
        return f"{self.content_type_id}-{self.object_id}-{self.key}"


class EmailStatus(models.TextChoices):
    PENDING = "pending", _("à envoyer")
    SENT = "sent", _("envoyé")
    SKIPPED = "skipped", _("non envoyé (pas d'adresse ou préférence)")
    CANCELLED = "cancelled", _("annulé (échéance traitée ou déplacée)")


class Reminder(ChoiceLabelsMixin):
    """One announcement of one deadline to one person: an in-app notification and an outbox row.

    Unique per (deadline, recipient, due date, occurrence): however often ``send_reminders``
    runs, and on however many machines, the row is created once; the e-mail task moves it
    from ``pending`` to ``sent`` under a row lock.
    """

    # No index of their own: the unique constraint (deadline, …) and the (recipient, read_at)
    # index serve both, and every index slows the daily bulk insert.
    deadline = models.ForeignKey(
        Deadline, on_delete=models.CASCADE, related_name="reminders", verbose_name=_("échéance"), db_index=False
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="reminders",
        verbose_name=_("destinataire"),
        db_index=False,
    )
    # The deadline's organization, copied on the row (a deadline never changes organization):
    # the unread badge of every page counts a user's unread reminders of the organizations they
    # still belong to from one index, without joining each reminder to its deadline.
    organization = models.ForeignKey(
        "parties.Organization",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("organisation"),
        db_index=False,
    )
    due_date = models.DateField(_("échéance annoncée"))
    occurrence = models.CharField(_("occurrence"), max_length=20, help_text=_("« 30 » jours avant, ou « retard-2 »"))
    run_date = models.DateField(_("journée de l'envoi"))
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    email_status = models.CharField(
        _("courriel"), max_length=12, choices=EmailStatus.choices, default=EmailStatus.PENDING
    )
    email_sent_at = models.DateTimeField(_("courriel envoyé le"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("tentatives"), default=0)
    last_error = models.CharField(_("dernière erreur"), max_length=300, blank=True)
    read_at = models.DateTimeField(_("lu le"), null=True, blank=True)

    class Meta:
        verbose_name = _("rappel")
        verbose_name_plural = _("rappels")
        ordering = ["-run_date", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["deadline", "recipient", "due_date", "occurrence"], name="reminder_once_per_occurrence"
            ),
            models.CheckConstraint(
                condition=Q(email_status__in=[s.value for s in EmailStatus]), name="reminder_email_status_valid"
            ),
            models.CheckConstraint(
                condition=~Q(email_status=EmailStatus.SENT) | Q(email_sent_at__isnull=False),
                name="reminder_sent_has_date",
            ),
        ]
        indexes = [
            models.Index(
                fields=["email_status", "recipient"], name="reminder_outbox", condition=Q(email_status="pending")
            ),
            models.Index(fields=["recipient", "read_at"]),
            models.Index(
                fields=["recipient", "organization"], name="reminder_unread", condition=Q(read_at__isnull=True)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.deadline_id} → {self.recipient_id} ({self.occurrence})"

    @property
    def when_label(self) -> str:
        """As of the day it was planned: "échéance dans 30 jours"."""
        return rules.when_label(self.due_date, self.run_date)

    @property
    def is_overdue_reminder(self) -> bool:
        return self.occurrence.startswith(rules.OVERDUE_PREFIX)


class HolidayCalendar(models.TextChoices):
    AUTO = "", _("Selon le département")
    NATIONAL = "national", _("Jours fériés nationaux")
    MOSELLE = "57", _("Alsace-Moselle (Moselle)")
    ALSACE = "6AE", _("Alsace-Moselle (Bas-Rhin, Haut-Rhin)")
    GUADELOUPE = "971", _("Guadeloupe")
    MARTINIQUE = "972", _("Martinique")
    GUYANE = "973", _("Guyane")
    REUNION = "974", _("La Réunion")
    MAYOTTE = "976", _("Mayotte")


class EmailMode(models.TextChoices):
    DEFAULT = "", _("Réglage de l'organisation")
    IMMEDIATE = "immediate", _("Un courriel par rappel")
    DIGEST = "digest", _("Un récapitulatif quotidien")
    NONE = "none", _("Aucun courriel (notifications dans l'application seulement)")


def default_offsets() -> list[int]:
    return list(rules.DEFAULT_OFFSETS)


class ReminderSettings(TimeStampedModel):
    """Per-organization settings: lead times, reminder offsets per kind, who receives what."""

    TENANT_FIELD = "organization"

    organization = models.OneToOneField(
        "parties.Organization",
        on_delete=models.CASCADE,
        related_name="reminder_settings",
        verbose_name=_("organisation"),
    )
    renewal_lead_months = models.PositiveSmallIntegerField(
        _("délai avant l'échéance pour présenter le renouvellement (mois)"),
        default=rules.DEFAULT_RENEWAL_LEAD_MONTHS,
        help_text=_("Le renouvellement doit passer en séance : prévoyez le temps d'inscrire la délibération."),
    )
    offsets_days = models.JSONField(_("rappels (jours avant l'échéance)"), default=default_offsets)
    offsets_by_kind = models.JSONField(_("rappels par nature d'échéance"), default=dict, blank=True)
    roles_by_kind = models.JSONField(_("rôles également destinataires, par nature"), default=dict, blank=True)
    holiday_calendar = models.CharField(
        _("calendrier des jours fériés"), max_length=10, choices=HolidayCalendar.choices, blank=True, default=""
    )
    digest_by_default = models.BooleanField(
        _("récapitulatif quotidien par défaut"),
        default=False,
        help_text=_("Chaque utilisateur peut choisir autrement dans ses préférences."),
    )

    history = HistoricalRecords(excluded_fields=["created_at", "updated_at"])

    class Meta:
        verbose_name = _("réglages des rappels")
        verbose_name_plural = _("réglages des rappels")
        constraints = [
            models.CheckConstraint(
                condition=Q(renewal_lead_months__lte=36), name="reminder_settings_lead_months_range"
            ),
        ]

    def __str__(self) -> str:
        return str(_("Réglages des rappels — %(org)s") % {"org": self.organization})

    def offsets_for(self, kind: str) -> tuple[int, ...]:
        """The reminder offsets (days before, descending) for a kind of deadline."""
        by_kind: dict[str, Any] = self.offsets_by_kind or {}
        return rules.normalize_offsets(by_kind.get(kind, self.offsets_days))

    def roles_for(self, kind: str) -> tuple[str, ...]:
        by_kind: dict[str, Any] = self.roles_by_kind or {}
        return tuple(by_kind.get(kind, ()))


def new_feed_token() -> str:
    return secrets.token_urlsafe(32)


class UserPreference(ChoiceLabelsMixin):
    """A user's choices: how reminders are e-mailed, and their private calendar feed."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="reminder_preference",
        verbose_name=_("utilisateur"),
    )
    email_mode = models.CharField(
        _("courriels de rappel"), max_length=10, choices=EmailMode.choices, blank=True, default=""
    )
    feed_token = models.CharField(_("jeton du calendrier"), max_length=64, null=True, blank=True, unique=True)
    feed_token_created_at = models.DateTimeField(_("calendrier créé le"), null=True, blank=True)

    class Meta:
        verbose_name = _("préférence de rappel")
        verbose_name_plural = _("préférences de rappel")
        constraints = [
            models.CheckConstraint(
                condition=Q(email_mode__in=[m.value for m in EmailMode]), name="preference_email_mode_valid"
            ),
        ]

    def __str__(self) -> str:
        return str(self.user)
