"""Admin: scoped to the staff user's organizations; states change only through the services."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from core.admin import TenantScopedAdmin
from core.errors import DomainError
from deliberations import services
from deliberations.models import (
    Assembly,
    ConvocationRecipient,
    ConvocationSending,
    Deliberation,
    Mandate,
    NumberingRule,
    Proxy,
    Sitting,
    Transmission,
    VoteResult,
)


class MandateInline(admin.TabularInline):
    model = Mandate
    extra = 0
    raw_id_fields = ["person"]


@admin.register(Assembly)
class AssemblyAdmin(TenantScopedAdmin):
    list_display = ["name", "organization", "kind"]
    list_filter = ["kind"]
    inlines = [MandateInline]


@admin.register(NumberingRule)
class NumberingRuleAdmin(TenantScopedAdmin):
    tenant_field = "assembly__organization"
    list_display = ["assembly", "pattern", "yearly_reset"]


def _run(request: HttpRequest, queryset: QuerySet[Any], action: Any, done: str) -> None:
    for obj in queryset:
        try:
            action(obj)
        except DomainError as exc:
            messages.error(request, f"{obj} : {exc}")
        else:
            messages.success(request, f"{obj} : {done}")


@admin.register(Sitting)
class SittingAdmin(TenantScopedAdmin):
    tenant_field = "assembly__organization"
    list_display = ["__str__", "kind", "state", "convocation_date"]
    list_filter = ["state", "kind"]
    readonly_fields = ["state", "opened_at", "closed_at", "reconvened_from"]
    raw_id_fields = ["president", "secretary"]
    actions = ["open_sittings", "close_sittings"]

    @admin.action(description="Ouvrir les séances convoquées")
    def open_sittings(self, request: HttpRequest, queryset: QuerySet[Sitting]) -> None:
        _run(request, queryset, lambda s: services.open_sitting(user=request.user, sitting=s), "ouverte")

    @admin.action(description="Clore les séances ouvertes")
    def close_sittings(self, request: HttpRequest, queryset: QuerySet[Sitting]) -> None:
        _run(request, queryset, lambda s: services.close_sitting(user=request.user, sitting=s), "close")


@admin.register(Deliberation)
class DeliberationAdmin(TenantScopedAdmin):
    tenant_field = "assembly__organization"
    list_display = ["number", "title", "state", "sitting", "published_on"]
    list_filter = ["state", "kind"]
    search_fields = ["number", "title"]
    readonly_fields = [
        "number",
        "year",
        "sequence",
        "state",
        "sitting",
        "position",
        "signed_on",
        "published_on",
        "enforceable_on",
        "signatory",
        # Set by services.set_item_chair and services.reconvene, under their rules.
        "presided_by",
        "quorum_waived_in",
    ]
    exclude = ["search_vector"]
    raw_id_fields = ["rapporteur"]
    actions = ["withdraw_items", "take_note_items"]

    @admin.action(description="Retirer les points")
    def withdraw_items(self, request: HttpRequest, queryset: QuerySet[Deliberation]) -> None:
        _run(
            request,
            queryset,
            lambda d: services.withdraw(user=request.user, deliberation=d, reason="Administration"),
            "retirée",
        )

    @admin.action(description="Prendre acte des communications")
    def take_note_items(self, request: HttpRequest, queryset: QuerySet[Deliberation]) -> None:
        _run(request, queryset, lambda d: services.take_note(user=request.user, deliberation=d), "prise d'acte")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # numbers are given by services.create_deliberation


@admin.register(Proxy)
class ProxyAdmin(TenantScopedAdmin):
    tenant_field = "sitting__assembly__organization"
    list_display = ["giver", "holder", "sitting", "revoked"]
    readonly_fields = [
        "sitting",
        "giver",
        "holder",
        "written_on",
        "illness",
        "from_item",
        "revoked",
        "revoked_from_item",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(VoteResult)
class VoteResultAdmin(TenantScopedAdmin):
    tenant_field = "deliberation__assembly__organization"
    list_display = ["deliberation", "method", "votes_for", "votes_against", "abstentions", "not_voting", "outcome"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Transmission)
class TransmissionAdmin(TenantScopedAdmin):
    tenant_field = "deliberation__assembly__organization"
    list_display = ["deliberation", "nature", "internal_number", "sent_on", "received_on", "acknowledgement_id"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class RecipientInline(admin.TabularInline):
    model = ConvocationRecipient
    extra = 0
    can_delete = False
    fields = readonly_fields = (
        "person",
        "channel",
        "address",
        "state",
        "attempts",
        "sent_at",
        "smtp_response",
        "bounced_at",
    )

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ConvocationSending)
class ConvocationSendingAdmin(TenantScopedAdmin):
    """The proof of a sending, read only: sendings are made from the sitting's page or the API."""

    tenant_field = "sitting__assembly__organization"
    list_display = ["__str__", "kind", "requested_at", "completed_at"]
    list_filter = ["kind"]
    readonly_fields = [f.name for f in ConvocationSending._meta.fields]
    inlines = [RecipientInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(ConvocationRecipient)
class ConvocationRecipientAdmin(TenantScopedAdmin):
    """Each member's copy; a bounce received in the collectivité's mailbox (Conventio does not
    receive delivery status notifications) is recorded with the action, through the service."""

    tenant_field = "sending__sitting__assembly__organization"
    list_display = ["person", "sending", "channel", "state", "sent_at", "bounced_at"]
    list_filter = ["state", "channel"]
    readonly_fields = [f.name for f in ConvocationRecipient._meta.fields]
    actions = ["mark_bounced"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description="Marquer revenus en erreur (avis de non-remise reçu)")
    def mark_bounced(self, request: HttpRequest, queryset: QuerySet[ConvocationRecipient]) -> None:
        from deliberations.services import convocations

        _run(
            request,
            queryset,
            lambda r: convocations.mark_bounced(user=request.user, recipient=r, reason="Avis de non-remise reçu"),
            "marqué revenu en erreur",
        )
