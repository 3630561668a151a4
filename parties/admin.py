from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from core import tenancy
from core.admin import TenantScopedAdmin
from parties.models import Organization, Person, Signatory


@admin.register(Organization)
class OrganizationAdmin(TenantScopedAdmin):
    list_display = ["name", "kind", "siren", "siret", "rna", "departement_code", "population", "tenant"]
    list_filter = ["kind"]
    search_fields = ["name", "siren", "siret", "rna"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset = super(TenantScopedAdmin, self).get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.visible_to(tenancy.organization_ids(request.user))


@admin.register(Person)
class PersonAdmin(TenantScopedAdmin):
    tenant_field = "organization__tenant"
    list_display = ["last_name", "first_name", "organization", "email"]
    search_fields = ["last_name", "first_name", "email"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset = super(TenantScopedAdmin, self).get_queryset(request)
        if request.user.is_superuser:
            return queryset
        visible = Organization.objects.visible_to(tenancy.organization_ids(request.user))
        return queryset.filter(organization__in=visible)


@admin.register(Signatory)
class SignatoryAdmin(TenantScopedAdmin):
    list_display = ["person", "function", "organization", "is_default"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset = super(TenantScopedAdmin, self).get_queryset(request)
        if request.user.is_superuser:
            return queryset
        visible = Organization.objects.visible_to(tenancy.organization_ids(request.user))
        return queryset.filter(organization__in=visible)
