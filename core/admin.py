"""Admin: every list is limited to the staff user's organizations; superusers see all."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from core import tenancy
from core.models import ApiToken, Membership, User


class TenantScopedAdmin(SimpleHistoryAdmin):
    """Base admin for domain models. ``tenant_field`` is the lookup to the owning organization."""

    tenant_field = "organization"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(**{f"{self.tenant_field}__in": tenancy.organization_ids(request.user)})

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        # The organizations (a model of a feature app, named here by its label): the user's own.
        organization = db_field.related_model
        if organization._meta.label_lower == "parties.organization" and not request.user.is_superuser:
            kwargs["queryset"] = organization.objects.visible_to(tenancy.organization_ids(request.user))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["organization"]
    # The elected member an élu account is (its convocations on « Mes séances »).
    raw_id_fields = ["person"]


@admin.register(User)
class ConventioUserAdmin(UserAdmin):
    inlines = [MembershipInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[User]:
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(memberships__organization__in=tenancy.organization_ids(request.user)).distinct()


@admin.register(Membership)
class MembershipAdmin(TenantScopedAdmin):
    list_display = ["user", "organization", "role", "person"]
    raw_id_fields = ["person"]
    list_filter = ["role"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "prefix", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["prefix", "created_at", "last_used_at"]
    exclude = ["key_hash"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[ApiToken]:
        queryset = super().get_queryset(request)
        return queryset if request.user.is_superuser else queryset.filter(user=request.user)
