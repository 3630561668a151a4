"""The template registry: an organization's uploaded templates, checked, versioned, put in service."""

from __future__ import annotations

import io
import zipfile
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from core import tenancy
from core.errors import DomainError
from core.locking import lock
from core.roles import Capability
from documents import rendering, samples
from documents.models import (
    DocumentKind,
    DocumentTemplate,
    TemplateFormat,
)
from documents.services.generation import (
    sha256_of,
)
from parties.models import Organization

DOCX_MAGIC = b"PK\x03\x04"


def _template_limit() -> int:
    return int(getattr(settings, "DOCUMENTS_TEMPLATE_MAX_BYTES", 5 * 1024 * 1024))


def check_template(*, kind: str, template_format: str, data: bytes) -> None:
    """Refuse an upload that is not a real template of its format or that does not render."""
    limit = _template_limit()
    if not data:
        raise DomainError(_("Le fichier envoyé est vide."), rule="documents.template_upload", field="file")
    if len(data) > limit:
        raise DomainError(
            _("Le modèle pèse %(size)s octets ; la limite est de %(limit)s octets.")
            % {"size": len(data), "limit": limit},
            rule="documents.template_size",
            field="file",
        )
    sample = samples.sample_context(kind)
    if template_format == TemplateFormat.DOCX:
        _check_docx_container(data)
        output = rendering.render_docx(data, sample)
        try:
            from docx import Document

            Document(io.BytesIO(output))
        except Exception as exc:
            raise DomainError(
                _("Le modèle DOCX rendu n'est plus un document Word valide."),
                rule="documents.template_upload",
                field="file",
            ) from exc
        return
    if template_format != TemplateFormat.HTML:
        raise DomainError(_("Format de modèle inconnu (html ou docx)."), rule="documents.format", field="format")
    if data.startswith((DOCX_MAGIC, b"%PDF")) or b"\x00" in data[:4096]:
        raise DomainError(
            _("Ce fichier n'est pas un modèle HTML (texte) : son contenu est binaire."),
            rule="documents.template_upload",
            field="file",
        )
    try:
        source = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DomainError(
            _("Le modèle HTML doit être encodé en UTF-8."), rule="documents.template_upload", field="file"
        ) from exc
    template = rendering.compile_html(source, env=rendering.html_environment())
    rendering.html_to_pdf(rendering.render_html(template, sample))


def _check_docx_container(data: bytes) -> None:
    not_docx = DomainError(
        _("Ce fichier n'est pas un document Word (DOCX), quel que soit son nom."),
        rule="documents.template_upload",
        field="file",
    )
    if not data.startswith(DOCX_MAGIC):
        raise not_docx
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            expanded = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile as exc:
        raise not_docx from exc
    if "word/document.xml" not in names or "[Content_Types].xml" not in names:
        raise not_docx
    if expanded > 20 * _template_limit():
        raise DomainError(
            _("Le modèle DOCX décompressé est trop volumineux."), rule="documents.template_size", field="file"
        )


@transaction.atomic
def upload_template(
    *,
    organization: Organization,
    user: Any,
    kind: str,
    template_format: str,
    data: bytes,
    filename: str = "",
    comment: str = "",
) -> DocumentTemplate:
    """Check an uploaded template and make it the organization's new active version."""
    tenancy.require(user, organization.pk, Capability.MANAGE_TEMPLATES)
    if kind not in DocumentKind.values:
        raise DomainError(
            _("Type de document inconnu : « %(kind)s ».") % {"kind": kind}, rule="documents.kind", field="kind"
        )
    if template_format not in TemplateFormat.values:
        raise DomainError(_("Format de modèle inconnu (html ou docx)."), rule="documents.format", field="format")
    check_template(kind=kind, template_format=template_format, data=data)
    # One upload at a time per organization: version numbers stay consecutive.
    lock(Organization, organization.pk)
    versions = DocumentTemplate.objects.filter(organization=organization, kind=kind, format=template_format)
    latest = versions.aggregate(latest=Max("version"))["latest"] or 0
    for previous in versions.filter(is_active=True):
        previous.is_active = False
        previous._change_reason = str(_("Remplacé par la version %(version)s") % {"version": latest + 1})  # type: ignore[attr-defined]
        previous.save(update_fields=["is_active"])
    template = DocumentTemplate(
        organization=organization,
        kind=kind,
        format=template_format,
        version=latest + 1,
        original_name=filename[:255],
        sha256=sha256_of(data),
        size=len(data),
        comment=comment[:300],
        is_active=True,
        created_by=user,
    )
    template.file.save(f"{kind}.{template_format}", ContentFile(data), save=False)
    template._change_reason = str(_("Nouvelle version déposée"))  # type: ignore[attr-defined]
    template.save()
    return template


@transaction.atomic
def activate_template(*, template: DocumentTemplate, user: Any) -> DocumentTemplate:
    """Put an earlier version back in service (or take the active one as is)."""
    tenancy.require(user, template.organization_id, Capability.MANAGE_TEMPLATES)
    locked = lock(DocumentTemplate, template.pk)
    siblings = (
        DocumentTemplate.objects.select_for_update()
        .filter(organization_id=locked.organization_id, kind=locked.kind, format=locked.format, is_active=True)
        .exclude(pk=locked.pk)
    )
    for sibling in siblings:
        sibling.is_active = False
        sibling._change_reason = str(_("Version %(version)s remise en service") % {"version": locked.version})  # type: ignore[attr-defined]
        sibling.save(update_fields=["is_active"])
    if not locked.is_active:
        locked.is_active = True
        locked._change_reason = str(_("Remise en service"))  # type: ignore[attr-defined]
        locked.save(update_fields=["is_active"])
    return locked


@transaction.atomic
def deactivate_templates(*, organization: Organization, user: Any, kind: str, template_format: str) -> None:
    """Go back to the shipped default for (kind, format)."""
    tenancy.require(user, organization.pk, Capability.MANAGE_TEMPLATES)
    for template in DocumentTemplate.objects.select_for_update().filter(
        organization=organization, kind=kind, format=template_format, is_active=True
    ):
        template.is_active = False
        template._change_reason = str(_("Retour au modèle livré"))  # type: ignore[attr-defined]
        template.save(update_fields=["is_active"])
