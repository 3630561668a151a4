"""Admin: deadlines (read-only but for "handled", through the service), reminders, settings."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from core.admin import TenantScopedAdmin
from core.errors import DomainError
from core.roles import Role
from reminders import rules, services
from reminders.models import Deadline, DeadlineKind, Reminder, ReminderSettings, UserPreference


@admin.register(Deadline)
class DeadlineAdmin(TenantScopedAdmin):
    list_display = ["title", "kind", "due_date", "organization", "handled_at"]
    list_filter = ["kind", "handled_at"]
    search_fields = ["title", "key"]
    date_hierarchy = "due_date"
    list_select_related = ["organization"]
    actions = ["mark_handled", "reopen"]

    # Deadlines come from their source objects: the admin only reads them.
    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [f.name for f in self.model._meta.fields] + ["recipients"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description=_("Marquer traitées"))
    def mark_handled(self, request: HttpRequest, queryset: QuerySet[Deadline]) -> None:
        self._apply(request, queryset, services.mark_handled)

    @admin.action(description=_("Rouvrir"))
    def reopen(self, request: HttpRequest, queryset: QuerySet[Deadline]) -> None:
        self._apply(request, queryset, services.reopen)

    def _apply(self, request: HttpRequest, queryset: QuerySet[Deadline], service: Any) -> None:
        done = 0
        for deadline in queryset:
            try:
                service(user=request.user, deadline=deadline)
                done += 1
            except (DomainError, Exception) as exc:  # PermissionDenied, Http404…
                self.message_user(request, f"{deadline.title} : {exc}", messages.ERROR)
        self.message_user(request, _("%(n)s échéance(s) mise(s) à jour.") % {"n": done})


@admin.register(Reminder)
class ReminderAdmin(TenantScopedAdmin):
    tenant_field = "deadline__organization"
    list_display = ["deadline", "recipient", "occurrence", "run_date", "email_status", "attempts", "read_at"]
    list_filter = ["email_status", "run_date"]
    list_select_related = ["deadline", "recipient"]
    readonly_fields = [
        "deadline",
        "recipient",
        "due_date",
        "occurrence",
        "run_date",
        "email_status",
        "email_sent_at",
        "attempts",
        "last_error",
        "read_at",
        "created_at",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


class ReminderSettingsAdminForm(forms.ModelForm):
    class Meta:
        model = ReminderSettings
        fields = [
            "organization",
            "renewal_lead_months",
            "offsets_days",
            "offsets_by_kind",
            "roles_by_kind",
            "holiday_calendar",
            "digest_by_default",
        ]

    def clean_offsets_days(self) -> list[int]:
        try:
            offsets = list(rules.normalize_offsets(self.cleaned_data["offsets_days"] or []))
        except DomainError as exc:
            raise forms.ValidationError(exc.message) from exc
        if not offsets:
            raise forms.ValidationError(_("Indiquez au moins un rappel (par exemple 0, le jour même)."))
        return offsets

    def clean_offsets_by_kind(self) -> dict[str, list[int]]:
        value = self.cleaned_data["offsets_by_kind"] or {}
        if not isinstance(value, dict) or set(value) - set(DeadlineKind.values):
            raise forms.ValidationError(_("Un dictionnaire {nature: [jours]} aux natures connues est attendu."))
        try:
            return {kind: list(rules.normalize_offsets(days)) for kind, days in value.items() if days}
        except DomainError as exc:
            raise forms.ValidationError(exc.message) from exc

    def clean_roles_by_kind(self) -> dict[str, list[str]]:
        value = self.cleaned_data["roles_by_kind"] or {}
        if not isinstance(value, dict) or set(value) - set(DeadlineKind.values):
            raise forms.ValidationError(_("Un dictionnaire {nature: [rôles]} aux natures connues est attendu."))
        if any(set(roles) - set(Role.values) for roles in value.values()):
            raise forms.ValidationError(_("Rôle inconnu."))
        return {kind: sorted(set(roles)) for kind, roles in value.items() if roles}


@admin.register(ReminderSettings)
class ReminderSettingsAdmin(TenantScopedAdmin):
    form = ReminderSettingsAdminForm
    list_display = ["organization", "renewal_lead_months", "offsets_days", "holiday_calendar", "digest_by_default"]


@admin.register(UserPreference)
class UserPreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "email_mode", "feed_token_created_at"]
    exclude = ["feed_token"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[UserPreference]:
        queryset = super().get_queryset(request)
        return queryset if request.user.is_superuser else queryset.filter(user=request.user)
