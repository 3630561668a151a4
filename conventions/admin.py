"""Admin: scoped to the staff user's organizations; states are read-only and change only
through the services (admin actions)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from conventions import services
from conventions.models import (
    Amendment,
    AmendmentSignature,
    ClauseTemplate,
    CommitteeMeeting,
    Convention,
    ConventionClause,
    ConventionParty,
    MonitoringCommittee,
    Obligation,
    Programme,
    ProgrammeBudget,
)
from core.admin import TenantScopedAdmin
from core.errors import DomainError


class PartyInline(admin.TabularInline):
    model = ConventionParty
    extra = 0
    fields = ["organization", "side", "designation", "signatory", "signed_on"]
    readonly_fields = ["signed_on"]


class ClauseInline(admin.StackedInline):
    model = ConventionClause
    extra = 0


def _run(modeladmin: Any, request: HttpRequest, queryset: QuerySet[Any], call: Any, done: str) -> None:
    count = 0
    for obj in queryset:
        try:
            call(obj)
            count += 1
        except DomainError as exc:
            modeladmin.message_user(request, f"{obj} : {exc}", messages.ERROR)
    if count:
        modeladmin.message_user(request, f"{count} {done}", messages.SUCCESS)


@admin.action(description="Transmettre en relecture juridique")
def submit_for_review(modeladmin: Any, request: HttpRequest, queryset: QuerySet[Convention]) -> None:
    _run(
        modeladmin,
        request,
        queryset,
        lambda c: services.submit_for_review(user=request.user, convention=c),
        "transmise(s)",
    )


@admin.action(description="Reprendre (après suspension)")
def resume(modeladmin: Any, request: HttpRequest, queryset: QuerySet[Convention]) -> None:
    _run(modeladmin, request, queryset, lambda c: services.resume(user=request.user, convention=c), "reprise(s)")


@admin.register(Convention)
class ConventionAdmin(TenantScopedAdmin):
    list_display = ["reference", "title", "organization", "status", "effective_date", "end_date"]
    list_filter = ["status", "kind"]
    search_fields = ["reference", "title"]
    readonly_fields = [
        "status",
        "effective_date",
        "end_date",
        "approved_on",
        "signed_on",
        "terminated_on",
        "ended_on",
        "tacit_renewals_done",
    ]
    inlines = [PartyInline, ClauseInline]
    actions = [submit_for_review, resume]


class AmendmentSignatureInline(admin.TabularInline):
    """Signatures are recorded through the service (the last one applies the avenant): read-only here."""

    model = AmendmentSignature
    extra = 0
    fields = ["party", "signatory", "signed_on"]
    readonly_fields = ["party", "signatory", "signed_on"]
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Amendment)
class AmendmentAdmin(TenantScopedAdmin):
    tenant_field = "convention__organization"
    list_display = ["convention", "number", "title", "status", "signed_on"]
    readonly_fields = ["number", "status", "approved_on", "signed_on", "effect_before", "effect_after"]
    inlines = [AmendmentSignatureInline]


@admin.register(Obligation)
class ObligationAdmin(TenantScopedAdmin):
    tenant_field = "convention__organization"
    list_display = ["convention", "party", "description", "recurrence", "first_due_date", "fulfilled_on"]


@admin.register(ClauseTemplate)
class ClauseTemplateAdmin(TenantScopedAdmin):
    list_display = ["title", "key", "category", "organization", "is_active"]


@admin.register(MonitoringCommittee)
class CommitteeAdmin(TenantScopedAdmin):
    list_display = ["name", "organization", "convention", "programme", "convocation_working_days"]


@admin.register(CommitteeMeeting)
class MeetingAdmin(TenantScopedAdmin):
    tenant_field = "committee__organization"
    list_display = ["committee", "date", "status", "convocation_sent_on"]
    readonly_fields = ["status", "convocation_sent_on"]


@admin.register(Programme)
class ProgrammeAdmin(TenantScopedAdmin):
    list_display = ["name", "kind", "organization"]


@admin.register(ProgrammeBudget)
class ProgrammeBudgetAdmin(TenantScopedAdmin):
    tenant_field = "programme__organization"
    list_display = ["programme", "year", "amount", "initiative_fund"]
