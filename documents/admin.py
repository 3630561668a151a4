"""Admin of the documents app: files are read-only; writes go through the services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from core.admin import TenantScopedAdmin
from core.errors import DomainError
from documents import services
from documents.models import DocumentBatch, DocumentTemplate, SigningCertificate, StoredDocument, TrustAnchor


@admin.register(StoredDocument)
class StoredDocumentAdmin(TenantScopedAdmin):
    list_display = ["title", "kind", "format", "version", "origin", "organization", "created_at"]
    list_filter = ["kind", "format", "origin"]
    search_fields = ["title", "sha256"]
    list_select_related = ["organization"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(DocumentTemplate)
class DocumentTemplateAdmin(TenantScopedAdmin):
    list_display = ["organization", "kind", "format", "version", "is_active", "created_at"]
    list_filter = ["kind", "format", "is_active"]
    list_select_related = ["organization"]
    actions = ["activate"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # uploads are checked on the templates page and the API

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description=_("Remettre en service la version choisie"))
    def activate(self, request: HttpRequest, queryset: QuerySet[DocumentTemplate]) -> None:
        for template in queryset:
            try:
                services.activate_template(template=template, user=request.user)
            except (DomainError, Exception) as exc:
                self.message_user(request, str(exc), messages.ERROR)


class CertificateUploadForm(forms.ModelForm):
    pkcs12_file = forms.FileField(label=_("Fichier PKCS#12 (.p12, .pfx)"))
    passphrase = forms.CharField(label=_("Phrase secrète"), widget=forms.PasswordInput)
    store_passphrase = forms.BooleanField(
        label=_("Conserver la phrase secrète (chiffrée)"), required=False, initial=True
    )

    class Meta:
        model = SigningCertificate
        fields = ["organization", "signatory", "label"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        upload = data.get("pkcs12_file")
        if upload is not None and data.get("organization") is not None:
            try:
                self.instance = services.add_signing_certificate(
                    organization=data["organization"],
                    user=None,
                    pkcs12_data=upload.read(),
                    passphrase=data.get("passphrase", ""),
                    label=data.get("label", ""),
                    signatory=data.get("signatory"),
                    store_passphrase=data.get("store_passphrase", True),
                )
            except DomainError as exc:
                raise ValidationError(exc.message) from exc
        return data


@admin.register(SigningCertificate)
class SigningCertificateAdmin(TenantScopedAdmin):
    list_display = ["label", "organization", "signatory", "not_after", "is_active"]
    list_filter = ["is_active"]
    readonly_fields = ["subject", "issuer", "serial_number", "fingerprint", "not_before", "not_after"]
    exclude = ["pkcs12", "encrypted_passphrase"]

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        if obj is None:
            kwargs["form"] = CertificateUploadForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return ["organization", "signatory", "label", "pkcs12_file", "passphrase", "store_passphrase"]
        return ["organization", "signatory", "label", "is_active", *self.readonly_fields]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return [*self.readonly_fields, "organization"] if obj is not None else []

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
        # A new certificate was saved by the service in the form's clean().

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        if change:
            super().save_related(request, form, formsets, change)


class TrustAnchorForm(forms.ModelForm):
    certificate_file = forms.FileField(label=_("Certificat racine (PEM ou DER)"))

    class Meta:
        model = TrustAnchor
        fields = ["organization", "label"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        upload = data.get("certificate_file")
        if upload is not None and data.get("organization") is not None:
            try:
                self.instance = services.add_trust_anchor(
                    organization=data["organization"],
                    user=None,
                    certificate_data=upload.read(),
                    label=data.get("label", ""),
                )
            except DomainError as exc:
                raise ValidationError(exc.message) from exc
        return data


@admin.register(TrustAnchor)
class TrustAnchorAdmin(TenantScopedAdmin):
    form = TrustAnchorForm
    list_display = ["label", "organization", "not_after"]

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return (
            ["organization", "label", "certificate_file"]
            if obj is None
            else ["organization", "label", "subject", "fingerprint", "not_after"]
        )

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ["organization", "subject", "fingerprint", "not_after"] if obj is not None else []

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        if obj is not None:
            kwargs["form"] = forms.ModelForm
        return super().get_form(request, obj, change=change, **kwargs)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)


@admin.register(DocumentBatch)
class DocumentBatchAdmin(TenantScopedAdmin):
    list_display = ["title", "organization", "status", "done", "total", "created_at"]
    list_filter = ["status"]
    readonly_fields = ["status", "done", "total", "error", "zip_file", "finished_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
