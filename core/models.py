"""Users, their roles in organizations, and personal API tokens."""

from __future__ import annotations

import functools
import hashlib
import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.encoding import force_str
from django.utils.hashable import make_hashable
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.roles import Role


@functools.cache
def _choice_labels(field: models.Field[Any, Any], language: str | None) -> dict[Any, str]:
    return {make_hashable(value): str(label) for value, label in field.flatchoices}


class ChoiceLabelsMixin(models.Model):
    """``get_FOO_display()`` from a table built once per field and language.

    Django rebuilds the choices dictionary at every call, hashing each lazily translated
    label (one translation lookup per choice): on a list of 150 rows showing a state and a
    kind, that is thousands of lookups per page."""

    class Meta:
        abstract = True

    def _get_FIELD_display(self, field: models.Field[Any, Any]) -> Any:
        value = getattr(self, field.attname)
        label = _choice_labels(field, get_language()).get(make_hashable(value))
        return label if label is not None else force_str(value, strings_only=True)


class TimeStampedModel(ChoiceLabelsMixin):
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)

    class Meta:
        abstract = True


class User(AbstractUser):
    """A person who logs in. What they may see and do comes from their memberships."""

    class Meta:
        verbose_name = _("utilisateur")
        verbose_name_plural = _("utilisateurs")

    def __str__(self) -> str:
        return self.get_full_name() or self.username


class Membership(TimeStampedModel):
    """A user's role in one organization."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("utilisateur"),
    )
    organization = models.ForeignKey(
        "parties.Organization",
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("organisation"),
    )
    role = models.CharField(_("rôle"), max_length=16, choices=Role.choices, default=Role.VIEWER)
    # The elected member this account is, in this organization: their convocations are listed
    # on « Mes séances ». On the membership, as the role: both are per organization, and a
    # person belongs to one organization (checked by ``core.services.link_person``).
    person = models.OneToOneField(
        "parties.Person",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="membership",
        verbose_name=_("élu"),
        help_text=_("La personne que ce compte représente : ses convocations apparaissent dans « Mes séances »."),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("appartenance")
        verbose_name_plural = _("appartenances")
        constraints = [
            models.UniqueConstraint(fields=["user", "organization"], name="membership_unique_user_organization"),
            models.CheckConstraint(condition=models.Q(role__in=[r.value for r in Role]), name="membership_role_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.organization} ({self.get_role_display()})"

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if self.person is not None and self.person.organization_id != self.organization_id:
            raise ValidationError({"person": _("Cette personne n'appartient pas à l'organisation de ce rôle.")})


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def active(self) -> ApiTokenQuerySet:
        return self.filter(revoked_at__isnull=True)


class ApiToken(models.Model):
    """A personal token for the API. Only its SHA-256 is stored; the key is shown once."""

    PREFIX_LENGTH = 8

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="api_tokens",
        verbose_name=_("utilisateur"),
    )
    name = models.CharField(_("nom"), max_length=100)
    prefix = models.CharField(_("début de la clé"), max_length=PREFIX_LENGTH)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("dernière utilisation"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("révoqué le"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("jeton d'API")
        verbose_name_plural = _("jetons d'API")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @staticmethod
    def new_key() -> str:
        return "cvt_" + secrets.token_urlsafe(32)

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    def mark_used(self) -> None:
        now = timezone.now()
        # Write at most once a minute per token: the API stays read-only on reads.
        if self.last_used_at is None or (now - self.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=self.pk).update(last_used_at=now)
            self.last_used_at = now


class JobRun(models.Model):
    """One run of a daily job (``manage.py run_daily_jobs``): ``manage.py doctor`` reads
    whether today's ran, and how the last one ended."""

    job = models.CharField(_("tâche"), max_length=100)
    started_at = models.DateTimeField(_("commencée le"))
    finished_at = models.DateTimeField(_("terminée le"), null=True, blank=True)
    succeeded = models.BooleanField(_("réussie"), default=False)
    message = models.TextField(_("message"), blank=True)

    class Meta:
        verbose_name = _("exécution d'une tâche quotidienne")
        verbose_name_plural = _("exécutions des tâches quotidiennes")
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["job", "-started_at"])]

    def __str__(self) -> str:
        return f"{self.job} {self.started_at:%Y-%m-%d %H:%M}"
