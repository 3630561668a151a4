"""What a convention holds: its parties, its articles (and the library they come from), its
parties' engagements and its attached files."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from conventions import rules
from conventions.models.conventions import Convention, Side
from core.models import TimeStampedModel


class ConventionParty(TimeStampedModel):
    """An organization that is party to a convention, its signatory and its signature."""

    TENANT_FIELD = "convention__organization"

    convention = models.ForeignKey(
        Convention, on_delete=models.CASCADE, related_name="parties", verbose_name=_("convention")
    )
    organization = models.ForeignKey(
        "parties.Organization",
        on_delete=models.PROTECT,
        related_name="convention_parties",
        verbose_name=_("organisation"),
    )
    signatory = models.ForeignKey(
        "parties.Signatory",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="convention_parties",
        verbose_name=_("signataire"),
    )
    side = models.CharField(_("partie"), max_length=8, choices=Side.choices, default=Side.OTHER)
    position = models.PositiveSmallIntegerField(_("ordre"), default=1)
    designation = models.CharField(
        _("désignation"), max_length=120, blank=True, help_text=_("Par exemple « la Ville » ou « l'association ».")
    )
    signed_on = models.DateField(_("signée le"), null=True, blank=True)
    # For a subsidy (open-data file of subsidies, décret n° 2017-779): whether this partner
    # receives it (a co-funder does not) and, when the beneficiaries do not share it equally,
    # its share, as a percentage or an amount (rules.subsidies.beneficiary_shares).
    is_beneficiary = models.BooleanField(
        _("bénéficiaire de la subvention"),
        default=True,
        help_text=_("Décochez pour un cofinanceur ou un partenaire qui ne reçoit rien."),
    )
    share_percent = models.DecimalField(
        _("part de la subvention (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Vide quand les bénéficiaires se partagent la subvention à parts égales."),
    )
    share_amount = models.DecimalField(
        _("part de la subvention (montant)"), max_digits=12, decimal_places=2, null=True, blank=True
    )

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("partie")
        verbose_name_plural = _("parties")
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["convention", "organization"], name="convention_party_unique_organization"),
            models.UniqueConstraint(fields=["convention", "position"], name="convention_party_unique_position"),
            models.CheckConstraint(
                condition=Q(share_percent__isnull=True) | Q(share_percent__gte=0, share_percent__lte=100),
                name="convention_party_share_percent_0_100",
            ),
            models.CheckConstraint(
                condition=Q(share_amount__isnull=True) | Q(share_amount__gte=0),
                name="convention_party_share_amount_positive",
            ),
            models.CheckConstraint(
                condition=Q(share_percent__isnull=True) | Q(share_amount__isnull=True),
                name="convention_party_share_percent_or_amount",
            ),
            models.CheckConstraint(
                condition=Q(is_beneficiary=True) | Q(share_percent__isnull=True, share_amount__isnull=True),
                name="convention_party_share_of_beneficiary",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization} ({self.get_side_display()})"


class ClauseTemplate(TimeStampedModel):
    """A clause of the library legal staff maintain, with {{ variables }}."""

    TENANT_FIELD = "organization"

    organization = models.ForeignKey(
        "parties.Organization",
        on_delete=models.CASCADE,
        related_name="clause_templates",
        verbose_name=_("organisation"),
    )
    key = models.SlugField(_("code"), max_length=60)
    title = models.CharField(_("titre"), max_length=200)
    category = models.CharField(_("catégorie"), max_length=60, blank=True)
    body = models.TextField(_("texte"), help_text=_("Variables entre doubles accolades, par exemple {{ duree_mois }}."))
    is_active = models.BooleanField(_("active"), default=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("clause type")
        verbose_name_plural = _("bibliothèque de clauses")
        ordering = ["category", "title"]
        constraints = [models.UniqueConstraint(fields=["organization", "key"], name="clause_template_unique_key")]

    def __str__(self) -> str:
        return self.title


class ConventionClause(TimeStampedModel):
    """An article of a convention, in order; drawn from the library, editable per convention."""

    TENANT_FIELD = "convention__organization"

    convention = models.ForeignKey(
        Convention, on_delete=models.CASCADE, related_name="clauses", verbose_name=_("convention")
    )
    position = models.PositiveSmallIntegerField(_("article n°"))
    title = models.CharField(_("titre"), max_length=200)
    body = models.TextField(_("texte"))
    template = models.ForeignKey(
        ClauseTemplate,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="uses",
        verbose_name=_("clause type"),
    )

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["convention", "position"], name="convention_clause_unique_position"),
            models.CheckConstraint(condition=Q(position__gte=1), name="convention_clause_position_positive"),
        ]

    def __str__(self) -> str:
        return f"Article {self.position} : {self.title}"


class Recurrence(models.TextChoices):
    ONCE = rules.ONCE, _("Ponctuel")
    MONTHLY = "monthly", _("Mensuel")
    QUARTERLY = "quarterly", _("Trimestriel")
    YEARLY = "yearly", _("Annuel")


class Obligation(TimeStampedModel):
    """An engagement of one party, one-off or recurring, with its due date if any."""

    TENANT_FIELD = "convention__organization"

    convention = models.ForeignKey(
        Convention, on_delete=models.CASCADE, related_name="obligations", verbose_name=_("convention")
    )
    party = models.ForeignKey(
        ConventionParty, on_delete=models.CASCADE, related_name="obligations", verbose_name=_("partie qui s'engage")
    )
    description = models.TextField(_("engagement"))
    recurrence = models.CharField(_("périodicité"), max_length=10, choices=Recurrence.choices, default=Recurrence.ONCE)
    first_due_date = models.DateField(_("échéance (première)"), null=True, blank=True)
    amount = models.DecimalField(_("montant"), max_digits=12, decimal_places=2, null=True, blank=True)
    fulfilled_on = models.DateField(_("réalisé le"), null=True, blank=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("engagement")
        verbose_name_plural = _("engagements")
        ordering = ["party__position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__isnull=True) | Q(amount__gte=0), name="obligation_amount_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.description[:80]


class Annex(TimeStampedModel):
    """An annex of a convention or an evaluation's attachment, checked by content and size."""

    TENANT_FIELD = "convention__organization"

    convention = models.ForeignKey(
        Convention, on_delete=models.CASCADE, related_name="annexes", verbose_name=_("convention")
    )
    evaluation = models.ForeignKey(
        "conventions.Evaluation",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="attachments",
        verbose_name=_("évaluation"),
    )
    title = models.CharField(_("titre"), max_length=200)
    file = models.FileField(_("fichier"), upload_to="conventions/annexes/%Y/")
    content_type = models.CharField(_("type de contenu"), max_length=100)
    size = models.PositiveIntegerField(_("taille (octets)"))
    sha256 = models.CharField(_("empreinte SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("annexe")
        verbose_name_plural = _("annexes")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.title
