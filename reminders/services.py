"""Every write of the reminders app: deadlines from their sources, handling, settings, preferences.

The scheduled run that turns deadlines into reminders, and their delivery, live in
``reminders.dispatch`` (used by the ``send_reminders`` command and ``reminders.tasks``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils import timezone

from core import tenancy
from core.errors import DomainError
from core.locking import lock
from core.roles import Capability, Role
from reminders import rules
from reminders.deadlines import DeadlineSpec
from reminders.models import (
    Deadline,
    DeadlineKind,
    EmailMode,
    EmailStatus,
    HolidayCalendar,
    Reminder,
    ReminderSettings,
    UserPreference,
    new_feed_token,
)

_SYNCED_FIELDS = (
    "kind",
    "due_date",
    "title",
    "url",
    "action",
    "recipient_roles_text",
    "starts_at",
    "ends_at",
    "location",
)


def _check_spec(spec: DeadlineSpec) -> None:
    if not spec.key or len(spec.key) > 100:
        raise DomainError(
            f"Clé d'échéance invalide : « {spec.key} » (1 à 100 caractères).", rule="échéances", field="key"
        )
    if spec.kind not in DeadlineKind.values:
        raise DomainError(f"Nature d'échéance inconnue : « {spec.kind} ».", rule="échéances", field="kind")
    unknown = set(spec.recipient_roles) - set(Role.values)
    if unknown:
        raise DomainError(
            f"Rôle inconnu : « {', '.join(sorted(unknown))} ».", rule="échéances", field="recipient_roles"
        )
    if spec.ends_at is not None and (spec.starts_at is None or spec.ends_at < spec.starts_at):
        raise DomainError("La fin d'un événement ne peut pas précéder son début.", rule="échéances", field="ends_at")


def _values(spec: DeadlineSpec) -> dict[str, Any]:
    return {
        "kind": spec.kind,
        "due_date": spec.due_date,
        "title": spec.title[:300],
        "url": spec.url[:500],
        "action": spec.action,
        "recipient_roles_text": rules.join_roles(spec.recipient_roles),
        "starts_at": spec.starts_at,
        "ends_at": spec.ends_at,
        "location": spec.location[:300],
    }


@transaction.atomic
def sync_deadlines(*, source: models.Model, organization_id: int, specs: Iterable[DeadlineSpec]) -> None:
    """Make the source's deadlines exactly ``specs``, matched by key.

    Called by the source's own services in the same transaction as the change of a date
    (creation, signature, avenant, notice, sitting moved…), so deadlines move at once. A key
    whose date did not change keeps its handled state and its reminders already sent; a
    moved date re-arms it (not handled, reminders counted again from the new date); a key
    no longer given is deleted with its reminders.
    """
    specs = list(specs)
    keys = [s.key for s in specs]
    if len(set(keys)) != len(keys):
        duplicated = sorted({k for k in keys if keys.count(k) > 1})
        raise DomainError(f"Clés d'échéance en double : {', '.join(duplicated)}.", rule="échéances", field="key")
    for spec in specs:
        _check_spec(spec)
    content_type = ContentType.objects.get_for_model(source)
    existing = {
        d.key: d
        for d in Deadline.objects.select_for_update()
        .filter(content_type=content_type, object_id=source.pk)
        .prefetch_related("recipients")
    }
    wanted_users = {uid for spec in specs for uid in spec.recipient_ids}
    known_users = (
        set(get_user_model().objects.filter(pk__in=wanted_users).values_list("pk", flat=True))
        if wanted_users
        else set()
    )
    stale = [d.pk for key, d in existing.items() if key not in set(keys)]
    if stale:
        Deadline.objects.filter(pk__in=stale).delete()
    through = Deadline.recipients.through
    new_links: list[Any] = []
    for spec in specs:
        values = _values(spec)
        recipient_ids = {uid for uid in spec.recipient_ids if uid in known_users}
        values["recipient_ids_text"] = rules.join_ids(recipient_ids)
        deadline = existing.get(spec.key)
        if deadline is None:
            deadline = Deadline(
                content_type=content_type, object_id=source.pk, key=spec.key, organization_id=organization_id, **values
            )
            deadline._change_reason = "Échéance calculée"  # type: ignore[attr-defined]
            deadline.save()
            new_links.extend(through(deadline_id=deadline.pk, user_id=uid) for uid in recipient_ids)
            continue
        changed = [f for f in (*_SYNCED_FIELDS, "recipient_ids_text") if getattr(deadline, f) != values[f]]
        if deadline.organization_id != organization_id:
            deadline.organization_id = organization_id
            changed.append("organization")
        if "due_date" in changed and deadline.handled_at is not None:
            # A moved date is a new deadline for whoever must act: it must be handled again.
            deadline.handled_at = None
            deadline.handled_by = None
            changed += ["handled_at", "handled_by"]
        if changed:
            for field in (*_SYNCED_FIELDS, "recipient_ids_text"):
                setattr(deadline, field, values[field])
            deadline._change_reason = (  # type: ignore[attr-defined]
                f"Échéance déplacée au {spec.due_date:%d/%m/%Y}" if "due_date" in changed else "Échéance mise à jour"
            )
            deadline.save()
        current = {u.pk for u in deadline.recipients.all()}
        if current != recipient_ids:
            through.objects.filter(deadline_id=deadline.pk, user_id__in=current - recipient_ids).delete()
            new_links.extend(through(deadline_id=deadline.pk, user_id=uid) for uid in recipient_ids - current)
    if new_links:
        through.objects.bulk_create(new_links, ignore_conflicts=True)


@transaction.atomic
def clear_deadlines(*, source: models.Model) -> None:
    """Delete every deadline of a source (deleted, cancelled or archived object)."""
    content_type = ContentType.objects.get_for_model(source)
    Deadline.objects.filter(content_type=content_type, object_id=source.pk).delete()


# --- Handling ----------------------------------------------------------------------------


@transaction.atomic
def mark_handled(*, user: Any, deadline: Deadline) -> Deadline:
    """Someone did what the deadline asked: no more reminders, pending e-mails cancelled."""
    tenancy.require(user, deadline.organization_id, Capability.HANDLE_DEADLINES)
    locked = lock(Deadline, deadline.pk)
    if locked.handled_at is None:
        locked.handled_at = timezone.now()
        locked.handled_by = user
        locked._change_reason = "Échéance traitée"  # type: ignore[attr-defined]
        locked.save(update_fields=["handled_at", "handled_by", "updated_at"])
        Reminder.objects.filter(deadline=locked, email_status=EmailStatus.PENDING).update(
            email_status=EmailStatus.CANCELLED
        )
    return locked


@transaction.atomic
def reopen(*, user: Any, deadline: Deadline) -> Deadline:
    """Undo "handled": reminders start again at the next offset or overdue week."""
    tenancy.require(user, deadline.organization_id, Capability.HANDLE_DEADLINES)
    locked = lock(Deadline, deadline.pk)
    if locked.handled_at is not None:
        locked.handled_at = None
        locked.handled_by = None
        locked._change_reason = "Échéance rouverte"  # type: ignore[attr-defined]
        locked.save(update_fields=["handled_at", "handled_by", "updated_at"])
    return locked


# --- Notifications -----------------------------------------------------------------------


def mark_read(*, user: Any, reminder_ids: Iterable[int] | None = None) -> int:
    """Mark the user's notifications read (all of them when no ids are given)."""
    queryset = Reminder.objects.filter(recipient=user, read_at__isnull=True)
    if reminder_ids is not None:
        queryset = queryset.filter(pk__in=list(reminder_ids))
    return queryset.update(read_at=timezone.now())


# --- Settings and preferences ------------------------------------------------------------


def _clean_roles_by_kind(value: Any) -> dict[str, list[str]]:
    if not isinstance(value, dict):
        raise DomainError("Les rôles par nature doivent être un dictionnaire.", field="roles_by_kind")
    cleaned: dict[str, list[str]] = {}
    for kind, roles in value.items():
        if kind not in DeadlineKind.values:
            raise DomainError(f"Nature d'échéance inconnue : « {kind} ».", field="roles_by_kind")
        unknown = set(roles) - set(Role.values)
        if unknown:
            raise DomainError(f"Rôle inconnu : « {', '.join(sorted(unknown))} ».", field="roles_by_kind")
        if roles:
            cleaned[kind] = sorted(set(roles))
    return cleaned


@transaction.atomic
def update_settings(
    *,
    user: Any,
    organization_id: int,
    renewal_lead_months: int,
    offsets_days: Iterable[Any],
    offsets_by_kind: dict[str, Iterable[Any]] | None = None,
    roles_by_kind: dict[str, list[str]] | None = None,
    holiday_calendar: str = "",
    digest_by_default: bool = False,
) -> ReminderSettings:
    """Change an organization's reminder settings (administrators). Offsets are checked
    (whole days, 0 to 730), deduplicated and sorted, latest first."""
    tenancy.require(user, organization_id, Capability.MANAGE_ORGANIZATION)
    if not 0 <= int(renewal_lead_months) <= 36:
        raise DomainError(
            "Le délai de renouvellement doit être compris entre 0 et 36 mois.",
            rule="rappels",
            field="renewal_lead_months",
        )
    offsets = rules.normalize_offsets(offsets_days)
    if not offsets:
        raise DomainError(
            "Indiquez au moins un rappel (par exemple 0, le jour même).", rule="rappels", field="offsets_days"
        )
    by_kind: dict[str, list[int]] = {}
    for kind, values in (offsets_by_kind or {}).items():
        if kind not in DeadlineKind.values:
            raise DomainError(f"Nature d'échéance inconnue : « {kind} ».", field="offsets_by_kind")
        normalized = rules.normalize_offsets(values)
        if normalized:
            by_kind[kind] = list(normalized)
    if holiday_calendar not in HolidayCalendar.values:
        raise DomainError(f"Calendrier inconnu : « {holiday_calendar} ».", field="holiday_calendar")
    settings_row, _created = ReminderSettings.objects.select_for_update().get_or_create(organization_id=organization_id)
    settings_row.renewal_lead_months = int(renewal_lead_months)
    settings_row.offsets_days = list(offsets)
    settings_row.offsets_by_kind = by_kind
    settings_row.roles_by_kind = _clean_roles_by_kind(roles_by_kind or {})
    settings_row.holiday_calendar = holiday_calendar
    settings_row.digest_by_default = bool(digest_by_default)
    settings_row._change_reason = "Réglages des rappels modifiés"  # type: ignore[attr-defined]
    settings_row.save()
    return settings_row


def _preference(user: Any) -> UserPreference:
    preference, _created = UserPreference.objects.select_for_update().get_or_create(user=user)
    return preference


@transaction.atomic
def set_email_mode(*, user: Any, email_mode: str) -> UserPreference:
    if email_mode not in EmailMode.values:
        raise DomainError(f"Mode d'envoi inconnu : « {email_mode} ».", field="email_mode")
    preference = _preference(user)
    preference.email_mode = email_mode
    preference.save(update_fields=["email_mode"])
    return preference


@transaction.atomic
def regenerate_feed_token(*, user: Any) -> UserPreference:
    """A new secret address for the user's calendar; the previous one stops working."""
    preference = _preference(user)
    preference.feed_token = new_feed_token()
    preference.feed_token_created_at = timezone.now()
    preference.save(update_fields=["feed_token", "feed_token_created_at"])
    return preference


@transaction.atomic
def revoke_feed_token(*, user: Any) -> UserPreference:
    preference = _preference(user)
    preference.feed_token = None
    preference.feed_token_created_at = None
    preference.save(update_fields=["feed_token", "feed_token_created_at"])
    return preference
