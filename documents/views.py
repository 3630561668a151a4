"""Pages of the documents app: lists, downloads, registry, signing, verification, batches."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from core import tenancy
from core.errors import DomainError
from core.roles import Capability
from documents import selectors, services, templates_registry
from documents.forms import FileForm, SignForm, SigningCertificateForm, TemplateUploadForm, TrustAnchorForm
from documents.models import DocumentFormat, DocumentKind, TemplateFormat
from parties.models import Organization, Signatory


def _upload_bytes(upload: Any, limit: int) -> bytes:
    if upload.size > limit:
        raise DomainError(
            _("Le fichier dépasse la taille maximale de %(limit)s octets.") % {"limit": limit},
            rule="documents.size",
            field="file",
        )
    return bytes(upload.read())


# The columns the list prints, with the organization's name.
_LIST_FIELDS = ("id", "title", "kind", "format", "version", "origin", "created_at", "organization__name")


@login_required
@require_safe
def document_list(request: HttpRequest) -> HttpResponse:
    queryset = selectors.documents_for(request.user)
    kind = request.GET.get("kind", "")
    if kind in DocumentKind.values:
        queryset = queryset.filter(kind=kind)
    q = request.GET.get("q", "").strip()
    if q:
        queryset = queryset.filter(title__icontains=q)
    documents = queryset.select_related(None).select_related("organization").only(*_LIST_FIELDS)
    page = Paginator(documents, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "pages/documents/document_list.jinja",
        {"page": page, "q": q, "kind": kind, "kinds": DocumentKind.choices},
        using="pages",
    )


_DETAIL = "pages/documents/document_detail.jinja"


def _detail_context(request: HttpRequest, document: Any, **extra: Any) -> dict[str, Any]:
    can_sign = document.format == DocumentFormat.PDF and tenancy.can(
        request.user, document.organization_id, Capability.SIGN_DOCUMENTS
    )
    certificates = selectors.certificates_of(document.organization_id) if can_sign else None
    context = {
        "document": document,
        "versions": selectors.versions_of(document)[:100],
        "can_sign": can_sign,
        "can_upload_scan": tenancy.can(request.user, document.organization_id, Capability.GENERATE_DOCUMENTS),
        "sign_form": SignForm(certificates=certificates) if can_sign else None,
        "scan_form": FileForm(),
    }
    context.update(extra)
    return context


@login_required
@require_safe
def document_detail(request: HttpRequest, pk: int) -> HttpResponse:
    document = selectors.document_for(request.user, pk, page=True)
    return render(request, _DETAIL, _detail_context(request, document), using="pages")


@login_required
@require_safe
def download(request: HttpRequest, pk: int) -> FileResponse:
    document = selectors.document_for(request.user, pk)
    return FileResponse(
        document.file.open("rb"), as_attachment=True, filename=document.filename, content_type=document.content_type
    )


@login_required
@require_POST
def sign(request: HttpRequest, pk: int) -> HttpResponse:
    document = selectors.document_for(request.user, pk)
    tenancy.require(request.user, document.organization_id, Capability.SIGN_DOCUMENTS)
    form = SignForm(request.POST, certificates=selectors.certificates_of(document.organization_id))
    if form.is_valid():
        try:
            signed = services.sign_document(
                document=document,
                certificate=form.cleaned_data["certificate"],
                user=request.user,
                passphrase=form.cleaned_data["passphrase"],
                reason=form.cleaned_data["reason"],
                location=form.cleaned_data["location"],
            )
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("Document signé : version %(version)s.") % {"version": signed.version})
            return redirect(signed.get_absolute_url())
    return render(request, _DETAIL, _detail_context(request, document, sign_form=form), status=400, using="pages")


@login_required
@require_POST
def upload_scan(request: HttpRequest, pk: int) -> HttpResponse:
    document = selectors.document_for(request.user, pk)
    tenancy.require(request.user, document.organization_id, Capability.GENERATE_DOCUMENTS)
    form = FileForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            data = _upload_bytes(
                form.cleaned_data["file"], getattr(settings, "DOCUMENTS_SCAN_MAX_BYTES", 20 * 1024 * 1024)
            )
            scan = services.upload_scan(document=document, user=request.user, data=data)
        except DomainError as exc:
            form.add_error("file", exc.message)
        else:
            messages.success(request, _("Original signé enregistré."))
            return redirect(scan.get_absolute_url())
    return render(request, _DETAIL, _detail_context(request, document, scan_form=form), status=400, using="pages")


@login_required
@require_safe
def verify_stored(request: HttpRequest, pk: int) -> HttpResponse:
    document = selectors.document_for(request.user, pk)
    hash_ok, report = services.verify_document(document=document)
    return render(
        request,
        "pages/documents/verify.jinja",
        {"document": document, "hash_ok": hash_ok, "report": report},
        using="pages",
    )


@login_required
def verify_upload(request: HttpRequest) -> HttpResponse:
    form = FileForm(request.POST or None, request.FILES or None)
    report = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                data = _upload_bytes(
                    form.cleaned_data["file"], getattr(settings, "DOCUMENTS_VERIFY_MAX_BYTES", 50 * 1024 * 1024)
                )
                report = services.verify_bytes(data=data, organization_ids=tenancy.organization_ids(request.user))
            except DomainError as exc:
                form.add_error("file", exc.message)
                status = 400
        else:
            status = 400
    return render(
        request, "pages/documents/verify.jinja", {"form": form, "report": report}, status=status, using="pages"
    )


@login_required
@require_safe
def template_list(request: HttpRequest) -> HttpResponse:
    """Per organization, kind and format: the template in service (upload or shipped default)."""
    organizations = list(Organization.objects.filter(pk__in=tenancy.organization_ids(request.user)).order_by("name"))
    active = {
        (t.organization_id, t.kind, t.format): t for t in selectors.templates_for(request.user).filter(is_active=True)
    }
    manage = set(tenancy.organizations_where(request.user, Capability.MANAGE_TEMPLATES))
    # What does not depend on the organization, decided once per kind and format: the label,
    # whether a default is shipped.
    columns = [
        (kind, str(label), template_format, templates_registry.shipped_path(kind, template_format).is_file())
        for kind, label in DocumentKind.choices
        for template_format in TemplateFormat.values
    ]
    rows = [
        {
            "organization_id": organization.pk,
            "organization": organization.name,
            "kind": kind,
            "kind_label": label,
            "format": template_format,
            "active": active.get((organization.pk, kind, template_format)),
            "shipped": shipped,
            "can_manage": organization.pk in manage,
        }
        for organization in organizations
        for kind, label, template_format, shipped in columns
    ]
    return render(request, "pages/documents/template_list.jinja", {"rows": rows}, using="pages")


@login_required
def template_history(request: HttpRequest, organization_id: int, kind: str, template_format: str) -> HttpResponse:
    if kind not in DocumentKind.values or template_format not in TemplateFormat.values:
        raise Http404
    if organization_id not in tenancy.organization_ids(request.user):
        raise Http404(_("Aucune organisation ne correspond à cette adresse."))
    organization = Organization.objects.get(pk=organization_id)
    can_manage = tenancy.can(request.user, organization_id, Capability.MANAGE_TEMPLATES)
    form = TemplateUploadForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        tenancy.require(request.user, organization_id, Capability.MANAGE_TEMPLATES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                data = _upload_bytes(upload, getattr(settings, "DOCUMENTS_TEMPLATE_MAX_BYTES", 5 * 1024 * 1024))
                template = services.upload_template(
                    organization=organization,
                    user=request.user,
                    kind=kind,
                    template_format=template_format,
                    data=data,
                    filename=upload.name,
                    comment=form.cleaned_data["comment"],
                )
            except DomainError as exc:
                form.add_error("file", exc.message)
            else:
                messages.success(
                    request, _("Version %(version)s déposée et mise en service.") % {"version": template.version}
                )
                return redirect("documents:template_history", organization_id, kind, template_format)
        status = 400
    versions = selectors.template_versions(
        request.user, organization_id=organization_id, kind=kind, template_format=template_format
    )
    return render(
        request,
        "pages/documents/template_history.jinja",
        {
            "organization": organization,
            "kind": kind,
            "kind_label": DocumentKind(kind).label,
            "format": template_format,
            "versions": versions,
            "form": form,
            "can_manage": can_manage,
            "shipped": templates_registry.shipped_path(kind, template_format).is_file(),
        },
        status=status,
        using="pages",
    )


@login_required
@require_POST
def template_activate(request: HttpRequest, pk: int) -> HttpResponse:
    template = selectors.template_for(request.user, pk)
    tenancy.require(request.user, template.organization_id, Capability.MANAGE_TEMPLATES)
    if request.POST.get("action") == "default":
        services.deactivate_templates(
            organization=template.organization, user=request.user, kind=template.kind, template_format=template.format
        )
        messages.success(request, _("Le modèle livré avec Conventio est de nouveau en service."))
    else:
        services.activate_template(template=template, user=request.user)
        messages.success(request, _("La version %(version)s est en service.") % {"version": template.version})
    return redirect("documents:template_history", template.organization_id, template.kind, template.format)


@login_required
@require_safe
def template_download(request: HttpRequest, pk: int) -> FileResponse:
    template = selectors.template_for(request.user, pk)
    content_type = (
        "text/html"
        if template.format == TemplateFormat.HTML
        else ("application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    )
    return FileResponse(
        template.file.open("rb"),
        as_attachment=True,
        filename=f"{template.kind}-v{template.version}.{template.format}",
        content_type=content_type,
    )


@login_required
@require_safe
def batch_detail(request: HttpRequest, pk: int) -> HttpResponse:
    batch = selectors.batch_for(request.user, pk)
    return render(request, "pages/documents/batch_detail.jinja", {"batch": batch}, using="pages")


@login_required
@require_safe
def batch_progress(request: HttpRequest, pk: int) -> HttpResponse:
    batch = selectors.batch_for(request.user, pk)
    # Polled every 2 s: written without the request, so without the layout's context and its
    # queries (navigation, unread notifications), which the partial does not show.
    return HttpResponse(render_to_string("pages/documents/_batch_progress.jinja", {"batch": batch}, using="pages"))


@login_required
@require_safe
def batch_download(request: HttpRequest, pk: int) -> FileResponse:
    batch = selectors.batch_for(request.user, pk)
    if not batch.zip_file:
        raise Http404(_("L'archive de ce lot n'est pas encore prête."))
    return FileResponse(
        batch.zip_file.open("rb"), as_attachment=True, filename=f"lot-{batch.pk}.zip", content_type="application/zip"
    )


# --- Signing certificates and trust anchors --------------------------------------------


@login_required
@require_safe
def certificates_index(request: HttpRequest) -> HttpResponse:
    """The certificates page of the user's first organization (most users have one)."""
    organization = Organization.objects.filter(pk__in=tenancy.organization_ids(request.user)).order_by("name").first()
    if organization is None:
        raise Http404(_("Vous n'appartenez à aucune organisation."))
    return redirect("documents:certificates", organization.pk)


def _certificates_page(
    request: HttpRequest,
    organization_id: int,
    *,
    certificate_form: SigningCertificateForm | None = None,
    anchor_form: TrustAnchorForm | None = None,
    status: int = 200,
) -> HttpResponse:
    if organization_id not in tenancy.organization_ids(request.user):
        raise Http404(_("Aucune organisation ne correspond à cette adresse."))
    organizations = list(Organization.objects.filter(pk__in=tenancy.organization_ids(request.user)).order_by("name"))
    organization = next(o for o in organizations if o.pk == organization_id)
    signatories = Signatory.objects.filter(organization_id=organization_id).select_related("person")
    can_add_certificate = tenancy.can(request.user, organization_id, Capability.SIGN_DOCUMENTS)
    can_manage_anchors = tenancy.can(request.user, organization_id, Capability.MANAGE_TEMPLATES)
    return render(
        request,
        "pages/documents/certificates.jinja",
        {
            "organization": organization,
            "organizations": organizations,
            "certificates": selectors.all_certificates_of(organization_id),
            "anchors": selectors.all_trust_anchors_of(organization_id),
            "can_add_certificate": can_add_certificate,
            "can_manage_anchors": can_manage_anchors,
            "certificate_form": certificate_form or SigningCertificateForm(signatories=signatories),
            "anchor_form": anchor_form or TrustAnchorForm(),
            "now": timezone.now(),
        },
        status=status,
        using="pages",
    )


@login_required
@require_safe
def certificates(request: HttpRequest, organization_id: int) -> HttpResponse:
    return _certificates_page(request, organization_id)


@login_required
@require_POST
def certificate_add(request: HttpRequest, organization_id: int) -> HttpResponse:
    tenancy.require(request.user, organization_id, Capability.SIGN_DOCUMENTS)
    organization = Organization.objects.get(pk=organization_id)
    signatories = Signatory.objects.filter(organization_id=organization_id).select_related("person")
    form = SigningCertificateForm(request.POST, request.FILES, signatories=signatories)
    if form.is_valid():
        try:
            certificate = services.add_signing_certificate(
                organization=organization,
                user=request.user,
                pkcs12_data=_upload_bytes(form.cleaned_data["pkcs12"], 1024 * 1024),
                passphrase=form.cleaned_data["passphrase"],
                label=form.cleaned_data["label"],
                signatory=form.cleaned_data["signatory"],
                store_passphrase=form.cleaned_data["store_passphrase"],
            )
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else "pkcs12", exc.message)
        else:
            messages.success(request, _("Certificat « %(label)s » enregistré.") % {"label": certificate.label})
            return redirect("documents:certificates", organization_id)
    return _certificates_page(request, organization_id, certificate_form=form, status=400)


@login_required
@require_POST
def certificate_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    certificate = selectors.certificate_for(request.user, pk)
    tenancy.require(request.user, certificate.organization_id, Capability.SIGN_DOCUMENTS)
    services.deactivate_signing_certificate(certificate=certificate, user=request.user)
    messages.success(request, _("Certificat « %(label)s » retiré du service.") % {"label": certificate.label})
    return redirect("documents:certificates", certificate.organization_id)


@login_required
@require_POST
def trust_anchor_add(request: HttpRequest, organization_id: int) -> HttpResponse:
    tenancy.require(request.user, organization_id, Capability.MANAGE_TEMPLATES)
    organization = Organization.objects.get(pk=organization_id)
    form = TrustAnchorForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            anchor = services.add_trust_anchor(
                organization=organization,
                user=request.user,
                certificate_data=_upload_bytes(form.cleaned_data["certificate"], 256 * 1024),
                label=form.cleaned_data["label"],
            )
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else "certificate", exc.message)
        else:
            messages.success(
                request, _("Autorité « %(label)s » ajoutée à la liste de confiance.") % {"label": anchor.label}
            )
            return redirect("documents:certificates", organization_id)
    return _certificates_page(request, organization_id, anchor_form=form, status=400)


@login_required
@require_POST
def trust_anchor_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    anchor = selectors.trust_anchor_for(request.user, pk)
    tenancy.require(request.user, anchor.organization_id, Capability.MANAGE_TEMPLATES)
    services.deactivate_trust_anchor(anchor=anchor, user=request.user)
    messages.success(request, _("Autorité « %(label)s » retirée de la liste de confiance.") % {"label": anchor.label})
    return redirect("documents:certificates", anchor.organization_id)
