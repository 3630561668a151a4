"""Document templates, stored documents, signing certificates, trust anchors and batches.

A stored document is immutable: a change (a new generation, a signature, a scan) makes
a new version; nothing ever rewrites a stored file.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition
from simple_history.models import HistoricalRecords

from core.errors import DomainError
from core.models import ChoiceLabelsMixin

# A background worker takes a task within seconds: a batch still pending after this waits for
# a worker that does not run, and its page says so.
WORKER_GRACE = timedelta(minutes=1)


class DocumentKind(models.TextChoices):
    EXTRACT = "extract", _("Extrait du registre des délibérations")
    DELIBERATION_LIST = "deliberation_list", _("Liste des délibérations")
    MINUTES = "minutes", _("Procès-verbal")
    CONVOCATION = "convocation", _("Convocation")
    CONVENTION = "convention", _("Convention")
    AMENDMENT = "amendment", _("Avenant")
    TERMINATION_LETTER = "termination_letter", _("Lettre de résiliation")
    COMMITTEE_CONVOCATION = "committee_convocation", _("Convocation du comité de suivi")
    COMMITTEE_MINUTES = "committee_minutes", _("Compte rendu du comité de suivi")
    CONVOCATION_LETTERS = "convocation_letters", _("Convocations sur papier")
    SENDING_REPORT = "sending_report", _("État des envois des convocations")
    PROXY = "proxy", _("Pouvoir (procuration de vote)")
    OTHER = "other", _("Autre document")


class DocumentFormat(models.TextChoices):
    PDF = "pdf", "PDF"
    DOCX = "docx", "DOCX"


class TemplateFormat(models.TextChoices):
    """An HTML template makes a PDF; a DOCX template makes a DOCX."""

    HTML = "html", _("HTML (pour PDF)")
    DOCX = "docx", _("DOCX (Word)")


class Origin(models.TextChoices):
    GENERATED = "generated", _("Produit par Conventio")
    SIGNED = "signed", _("Signé électroniquement")
    SCAN = "scan", _("Original signé numérisé")


def _template_path(instance: DocumentTemplate, filename: str) -> str:
    return f"documents/templates/{instance.organization_id}/{instance.kind}-{instance.format}-v{instance.version}.{instance.format}"


def _document_path(instance: StoredDocument, filename: str) -> str:
    return f"documents/{instance.organization_id}/{instance.kind}/{instance.sha256[:2]}/{instance.sha256}.{instance.format}"


def _batch_path(instance: DocumentBatch, filename: str) -> str:
    return f"documents/batches/{instance.organization_id}/batch-{instance.pk}.zip"


class DocumentTemplate(ChoiceLabelsMixin):
    """An uploaded template of an organization for one kind and format; a new upload is a new version."""

    TENANT_FIELD = "organization"

    organization = models.ForeignKey(
        "parties.Organization",
        on_delete=models.CASCADE,
        related_name="document_templates",
        verbose_name=_("organisation"),
    )
    kind = models.CharField(_("type de document"), max_length=32, choices=DocumentKind.choices)
    format = models.CharField(_("format"), max_length=8, choices=TemplateFormat.choices)
    version = models.PositiveIntegerField(_("version"))
    file = models.FileField(_("fichier"), upload_to=_template_path, max_length=300)
    original_name = models.CharField(_("nom du fichier envoyé"), max_length=255, blank=True)
    sha256 = models.CharField(_("empreinte SHA-256"), max_length=64)
    size = models.PositiveIntegerField(_("taille (octets)"))
    comment = models.CharField(_("commentaire"), max_length=300, blank=True)
    is_active = models.BooleanField(_("version en service"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("déposé par"),
    )
    created_at = models.DateTimeField(_("déposé le"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("modèle de document")
        verbose_name_plural = _("modèles de documents")
        ordering = ["organization", "kind", "format", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "kind", "format", "version"], name="document_template_version_unique"
            ),
            models.UniqueConstraint(
                fields=["organization", "kind", "format"],
                condition=Q(is_active=True),
                name="document_template_one_active",
            ),
            models.CheckConstraint(condition=Q(version__gte=1), name="document_template_version_positive"),
            models.CheckConstraint(condition=Q(format__in=["html", "docx"]), name="document_template_format_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.format}) v{self.version}"


class StoredDocumentQuerySet(models.QuerySet["StoredDocument"]):
    def for_owner(self, owner: models.Model) -> StoredDocumentQuerySet:
        return self.filter(owner_type=ContentType.objects.get_for_model(owner), owner_id=owner.pk)

    def visible_to(self, organization_ids: list[int]) -> StoredDocumentQuerySet:
        return self.filter(organization_id__in=organization_ids)


class StoredDocument(models.Model):
    """A produced, signed or scanned document, with its fingerprint. Never rewritten."""

    TENANT_FIELD = "organization"

    organization = models.ForeignKey(
        "parties.Organization",
        on_delete=models.PROTECT,
        related_name="stored_documents",
        verbose_name=_("organisation"),
    )
    owner_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, related_name="+", verbose_name=_("type d'objet")
    )
    owner_id = models.PositiveBigIntegerField(_("objet"))
    owner = GenericForeignKey("owner_type", "owner_id")
    kind = models.CharField(_("type de document"), max_length=32, choices=DocumentKind.choices)
    format = models.CharField(_("format"), max_length=8, choices=DocumentFormat.choices)
    origin = models.CharField(_("origine"), max_length=16, choices=Origin.choices, default=Origin.GENERATED)
    version = models.PositiveIntegerField(_("version"))
    title = models.CharField(_("titre"), max_length=300)
    file = models.FileField(_("fichier"), upload_to=_document_path, max_length=300)
    sha256 = models.CharField(_("empreinte SHA-256"), max_length=64)
    size = models.PositiveBigIntegerField(_("taille (octets)"))
    template = models.ForeignKey(
        DocumentTemplate,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="documents",
        verbose_name=_("modèle déposé"),
        help_text=_("Vide : modèle livré avec Conventio."),
    )
    template_label = models.CharField(_("modèle utilisé"), max_length=120, blank=True)
    source = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="derived",
        verbose_name=_("document d'origine"),
        help_text=_("Le document signé ou numérisé à partir duquel celui-ci a été fait."),
    )
    signature_count = models.PositiveSmallIntegerField(_("signatures électroniques"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("produit par"),
    )
    created_at = models.DateTimeField(_("produit le"), auto_now_add=True)

    objects = StoredDocumentQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["owner_type", "owner_id", "kind", "format", "version"], name="stored_document_version_unique"
            ),
            models.CheckConstraint(condition=Q(version__gte=1), name="stored_document_version_positive"),
            models.CheckConstraint(condition=Q(sha256__regex=r"^[0-9a-f]{64}$"), name="stored_document_sha256_format"),
            models.CheckConstraint(condition=Q(format__in=["pdf", "docx"]), name="stored_document_format_valid"),
        ]
        indexes = [
            models.Index(fields=["owner_type", "owner_id", "-created_at"]),
            models.Index(fields=["organization", "-created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.title} (v{self.version}, {self.format.upper()})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # A stored file is final: only a new row may hold new content.
        if self.pk is not None and not kwargs.pop("_allow_metadata_update", False):
            raise DomainError(
                str(_("Un document enregistré ne peut pas être modifié : produisez une nouvelle version.")),
                rule="documents.immutable",
            )
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("documents:detail", args=[self.pk])

    def get_download_url(self) -> str:
        return reverse("documents:download", args=[self.pk])

    @property
    def filename(self) -> str:
        from django.utils.text import slugify

        return f"{slugify(self.title)[:80] or self.kind}-v{self.version}.{self.format}"

    @property
    def content_type(self) -> str:
        return (
            "application/pdf"
            if self.format == DocumentFormat.PDF
            else ("application/vnd.openxmlformats-officedocument.wordprocessingml.document")
        )


class SigningCertificate(models.Model):
    """A PKCS#12 certificate an organization's signatory signs with.

    The PKCS#12 bytes are protected by their passphrase; the passphrase is stored only
    encrypted with a key derived from SECRET_KEY (see documents.crypto).
    """

    TENANT_FIELD = "organization"

    organization = models.ForeignKey(
        "parties.Organization",
        on_delete=models.CASCADE,
        related_name="signing_certificates",
        verbose_name=_("organisation"),
    )
    signatory = models.ForeignKey(
        "parties.Signatory",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="certificates",
        verbose_name=_("signataire"),
    )
    label = models.CharField(_("libellé"), max_length=200)
    pkcs12 = models.BinaryField(_("certificat PKCS#12"))
    encrypted_passphrase = models.TextField(_("phrase secrète chiffrée"), blank=True)
    subject = models.CharField(_("titulaire"), max_length=500)
    issuer = models.CharField(_("émetteur"), max_length=500)
    serial_number = models.CharField(_("numéro de série"), max_length=100)
    fingerprint = models.CharField(_("empreinte SHA-256"), max_length=64)
    not_before = models.DateTimeField(_("valide à partir du"))
    not_after = models.DateTimeField(_("valide jusqu'au"))
    is_active = models.BooleanField(_("en service"), default=True)
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)

    history = HistoricalRecords(excluded_fields=["pkcs12", "encrypted_passphrase"])

    class Meta:
        verbose_name = _("certificat de signature")
        verbose_name_plural = _("certificats de signature")
        ordering = ["organization", "label"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "fingerprint"], name="signing_certificate_unique"),
            models.CheckConstraint(
                condition=Q(not_after__gt=models.F("not_before")), name="signing_certificate_period"
            ),
        ]

    def __str__(self) -> str:
        return self.label


class TrustAnchor(models.Model):
    """A certificate an organization trusts as the root of signers' certificates."""

    TENANT_FIELD = "organization"

    organization = models.ForeignKey(
        "parties.Organization", on_delete=models.CASCADE, related_name="trust_anchors", verbose_name=_("organisation")
    )
    label = models.CharField(_("libellé"), max_length=200)
    certificate_pem = models.TextField(_("certificat (PEM)"))
    subject = models.CharField(_("titulaire"), max_length=500)
    issuer = models.CharField(_("émetteur"), max_length=500, blank=True)
    fingerprint = models.CharField(_("empreinte SHA-256"), max_length=64)
    not_before = models.DateTimeField(_("valide à partir du"), null=True, blank=True)
    not_after = models.DateTimeField(_("valide jusqu'au"))
    is_active = models.BooleanField(_("en service"), default=True)
    created_at = models.DateTimeField(_("ajouté le"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("autorité de confiance")
        verbose_name_plural = _("autorités de confiance")
        ordering = ["organization", "label"]
        constraints = [models.UniqueConstraint(fields=["organization", "fingerprint"], name="trust_anchor_unique")]

    def __str__(self) -> str:
        return self.label


class BatchStatus(models.TextChoices):
    PENDING = "pending", _("En attente")
    RUNNING = "running", _("En cours")
    DONE = "done", _("Terminé")
    FAILED = "failed", _("Échec")


class DocumentBatch(models.Model):
    """Bulk generation of documents in the background, ending in one ZIP."""

    TENANT_FIELD = "organization"

    organization = models.ForeignKey(
        "parties.Organization",
        on_delete=models.CASCADE,
        related_name="document_batches",
        verbose_name=_("organisation"),
    )
    owner_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, related_name="+", verbose_name=_("type d'objet")
    )
    owner_id = models.PositiveBigIntegerField(_("objet"))
    owner = GenericForeignKey("owner_type", "owner_id")
    title = models.CharField(_("titre"), max_length=300)
    builder = models.CharField(_("constructeur"), max_length=200)
    builder_kwargs = models.JSONField(_("paramètres"), default=dict, blank=True)
    status = FSMField(_("état"), default=BatchStatus.PENDING, choices=BatchStatus.choices, protected=True)
    total = models.PositiveIntegerField(_("documents à produire"), default=0)
    done = models.PositiveIntegerField(_("documents produits"), default=0)
    error = models.TextField(_("erreur"), blank=True)
    zip_file = models.FileField(_("archive ZIP"), upload_to=_batch_path, blank=True, max_length=300)
    documents = models.ManyToManyField(StoredDocument, blank=True, related_name="batches", verbose_name=_("documents"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("demandé par"),
    )
    created_at = models.DateTimeField(_("demandé le"), auto_now_add=True)
    finished_at = models.DateTimeField(_("terminé le"), null=True, blank=True)

    history = HistoricalRecords(excluded_fields=["done"])

    class Meta:
        verbose_name = _("lot de documents")
        verbose_name_plural = _("lots de documents")
        ordering = ["-created_at", "-id"]
        constraints = [models.CheckConstraint(condition=Q(done__lte=models.F("total")), name="document_batch_progress")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("documents:batch_detail", args=[self.pk])

    @property
    def percent(self) -> int:
        if self.status == BatchStatus.DONE:
            return 100
        return int(100 * self.done / self.total) if self.total else 0

    @property
    def is_finished(self) -> bool:
        return self.status in {BatchStatus.DONE, BatchStatus.FAILED}

    def waits_for_worker(self, now: datetime | None = None) -> bool:
        """Still pending a minute after it was asked for: no background worker took it."""
        return self.status == BatchStatus.PENDING and (now or timezone.now()) - self.created_at > WORKER_GRACE

    @transition(field=status, source=BatchStatus.PENDING, target=BatchStatus.RUNNING)
    def start(self) -> None:
        pass

    @transition(field=status, source=BatchStatus.RUNNING, target=BatchStatus.DONE)
    def finish(self) -> None:
        pass

    @transition(field=status, source=[BatchStatus.PENDING, BatchStatus.RUNNING], target=BatchStatus.FAILED)
    def fail(self) -> None:
        pass
