"""A convention, its parties, clauses, obligations and annexes; the clause library."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Concat, Upper
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition
from simple_history.models import HistoricalRecords

from conventions import rules
from core.models import TimeStampedModel


class ConventionKind(models.TextChoices):
    PARTNERSHIP = "partnership", _("Partenariat")
    PREMISES = "premises", _("Mise à disposition de locaux")
    TOOLS = "tools", _("Mise à disposition d'outils ou de moyens")
    FINANCIAL = "financial", _("Soutien financier")
    BACKOFFICE = "backoffice", _("Accès au back-office d'un partenaire")
    COMMUNICATION = "communication", _("Soutien en communication")
    OTHER = "other", _("Autre")


class SubsidyNature(models.TextChoices):
    """Values of the SCDL "subventions" field ``nature`` (décret n° 2017-779)."""

    CASH = "cash", _("Aide en numéraire")
    IN_KIND = "in_kind", _("Aide en nature")
    BOTH = "both", _("Aide en numéraire et en nature")


class PaymentTerms(models.TextChoices):
    """Values of the SCDL "subventions" field ``conditionsVersement``."""

    SINGLE = "single", _("Versement unique")
    INSTALMENTS = "instalments", _("Versement échelonné")
    OTHER = "other", _("Autres modalités (à décrire)")


class ConventionStatus(models.TextChoices):
    DRAFT = "draft", _("Brouillon")
    LEGAL_REVIEW = "legal_review", _("Relecture juridique")
    APPROVED = "approved", _("Approuvée")
    OUT_FOR_SIGNATURE = "out_for_signature", _("En signature")
    SIGNED = "signed", _("Signée")
    ACTIVE = "active", _("En vigueur")
    SUSPENDED = "suspended", _("Suspendue")
    TERMINATION_NOTIFIED = "termination_notified", _("Résiliation notifiée")
    TERMINATED = "terminated", _("Résiliée")
    EXPIRED = "expired", _("Expirée")
    RENEWED = "renewed", _("Renouvelée")
    CANCELLED = "cancelled", _("Abandonnée")


# Status → CSS modifier of the status badge and timeline bar.
STATUS_TONE = {
    ConventionStatus.DRAFT: "info",
    ConventionStatus.LEGAL_REVIEW: "info",
    ConventionStatus.APPROVED: "info",
    ConventionStatus.OUT_FOR_SIGNATURE: "warn",
    ConventionStatus.SIGNED: "ok",
    ConventionStatus.ACTIVE: "ok",
    ConventionStatus.SUSPENDED: "warn",
    ConventionStatus.TERMINATION_NOTIFIED: "danger",
    ConventionStatus.TERMINATED: "danger",
    ConventionStatus.EXPIRED: "",
    ConventionStatus.RENEWED: "",
    ConventionStatus.CANCELLED: "",
}

# States in which the convention is running (its dates produce deadlines).
SEARCH_SEPARATOR = "\x1f"  # the unit separator

LIVE_STATES = (
    ConventionStatus.SIGNED,
    ConventionStatus.ACTIVE,
    ConventionStatus.SUSPENDED,
    ConventionStatus.TERMINATION_NOTIFIED,
)
PREPARATION_STATES = (
    ConventionStatus.DRAFT,
    ConventionStatus.LEGAL_REVIEW,
    ConventionStatus.APPROVED,
    ConventionStatus.OUT_FOR_SIGNATURE,
)
# States in which the text (clauses, parties, terms) may still be edited.
EDITABLE_STATES = (ConventionStatus.DRAFT, ConventionStatus.LEGAL_REVIEW)
# States in which a convention's amount counts as committed on its programme's budget.
COMMITTED_STATES = tuple(s for s in ConventionStatus if s not in (ConventionStatus.DRAFT, ConventionStatus.CANCELLED))


class StartEvent(models.TextChoices):
    SIGNATURE = rules.START_SIGNATURE, _("Signature par la dernière partie")
    NOTIFICATION = rules.START_NOTIFICATION, _("Notification au partenaire")
    FIXED_DATE = rules.START_FIXED_DATE, _("Date fixée")


class DelayUnit(models.TextChoices):
    MONTHS = rules.MONTHS, _("mois")
    DAYS = rules.CALENDAR_DAYS, _("jours calendaires")
    WORKING_DAYS = rules.WORKING_DAYS, _("jours ouvrés")


class RenewalMode(models.TextChoices):
    NONE = "none", _("Aucun renouvellement")
    EXPRESS = "express", _("Renouvellement exprès (nouvelle convention)")
    TACIT = "tacit", _("Tacite reconduction")


class TerminationMode(models.TextChoices):
    ANY_TIME = "any_time", _("À tout moment")
    NOTICE = "notice", _("Avec préavis")


class Side(models.TextChoices):
    FIRST = "first", _("d'une part")
    OTHER = "other", _("d'autre part")


class ProtectedStatusMixin(models.Model):
    """Let ``refresh_from_db`` reload a protected FSM ``status`` (django-fsm refuses the
    direct assignment it would otherwise do)."""

    class Meta:
        abstract = True

    def refresh_from_db(self, using=None, fields=None, from_queryset=None):  # type: ignore[no-untyped-def]
        if fields is None or "status" in fields:
            self.__dict__.pop("status", None)
        super().refresh_from_db(using=using, fields=fields, from_queryset=from_queryset)


class ConventionQuerySet(models.QuerySet["Convention"]):
    def visible_to(self, organization_ids: list[int]) -> ConventionQuerySet:
        return self.filter(organization_id__in=organization_ids)


class Convention(ProtectedStatusMixin, TimeStampedModel):
    """A partnership convention owned by one collectivité, from draft to its end."""

    TENANT_FIELD = "organization"

    organization = models.ForeignKey(
        "parties.Organization", on_delete=models.PROTECT, related_name="conventions", verbose_name=_("organisation")
    )
    service = models.CharField(_("service"), max_length=150, blank=True)
    reference = models.CharField(_("référence"), max_length=40)
    title = models.CharField(_("intitulé"), max_length=250)
    # What a search by a part of the title or of the reference reads: both upper-cased once,
    # when written, by the database (a search upper-cased each of an organization's thousands
    # of titles and references: F58). The separator is no character a user types.
    search_text = models.GeneratedField(
        expression=Concat(Upper("title"), Value(SEARCH_SEPARATOR), Upper("reference")),
        output_field=models.TextField(),
        db_persist=True,
        verbose_name=_("texte recherché"),
    )
    object = models.TextField(_("objet"), blank=True)
    kind = models.CharField(
        _("type"), max_length=20, choices=ConventionKind.choices, default=ConventionKind.PARTNERSHIP
    )
    amount = models.DecimalField(
        _("montant"), max_digits=12, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    # What the open-data file of subsidies (SCDL "subventions", décret n° 2017-779) says of a
    # convention of financial support, besides its amount, parties and approving act.
    subsidy_nature = models.CharField(
        _("nature de l'aide"), max_length=8, choices=SubsidyNature.choices, default=SubsidyNature.CASH
    )
    payment_terms = models.CharField(
        _("conditions de versement"), max_length=12, choices=PaymentTerms.choices, default=PaymentTerms.SINGLE
    )
    payment_terms_detail = models.CharField(
        _("modalités de versement"),
        max_length=256,
        blank=True,
        help_text=_("Pour « Autres modalités » : leur description (256 caractères au plus)."),
    )
    payment_start = models.DateField(
        _("versement (date ou début de période)"),
        null=True,
        blank=True,
        help_text=_("Date du versement unique, ou début de la période de versement."),
    )
    payment_end = models.DateField(
        _("fin de la période de versement"), null=True, blank=True, help_text=_("Vide pour un versement à une date.")
    )
    eu_notified = models.BooleanField(
        _("aide d'État notifiée à la Commission européenne"),
        default=False,
        help_text=_("Aide de minimis notifiée (règlement UE n° 1407/2013)."),
    )
    rae_id = models.CharField(
        _("identifiant RAE"),
        max_length=5,
        blank=True,
        help_text=_("Numéro de l'aide au Répertoire des aides aux entreprises, s'il y a lieu."),
    )
    aid_scheme = models.CharField(_("dispositif d'aide"), max_length=250, blank=True)
    programme = models.ForeignKey(
        "conventions.Programme",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="conventions",
        verbose_name=_("programme"),
    )
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="managed_conventions",
        verbose_name=_("responsable"),
    )
    followers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="followed_conventions",
        verbose_name=_("personnes qui suivent"),
    )
    status = FSMField(
        _("état"), max_length=24, choices=ConventionStatus.choices, default=ConventionStatus.DRAFT, protected=True
    )

    # Term (DESIGN "Conventions" 1).
    start_event = models.CharField(
        _("point de départ"), max_length=16, choices=StartEvent.choices, default=StartEvent.SIGNATURE
    )
    fixed_start_date = models.DateField(_("date de prise d'effet fixée"), null=True, blank=True)
    notification_date = models.DateField(_("date de notification"), null=True, blank=True)
    duration_months = models.PositiveSmallIntegerField(_("durée (mois)"), default=36)
    duration_days = models.PositiveSmallIntegerField(_("durée (jours en plus)"), default=0)
    effective_date = models.DateField(_("prise d'effet"), null=True, blank=True)
    end_date = models.DateField(_("dernier jour couvert"), null=True, blank=True)

    # Renewal (DESIGN "Conventions" 3).
    renewal = models.CharField(
        _("renouvellement"), max_length=10, choices=RenewalMode.choices, default=RenewalMode.NONE
    )
    tacit_renewals_allowed = models.PositiveSmallIntegerField(_("reconductions tacites permises"), default=0)
    tacit_renewals_done = models.PositiveSmallIntegerField(_("reconductions tacites faites"), default=0)
    renewal_notice_value = models.PositiveSmallIntegerField(_("préavis de non-reconduction"), default=0)
    renewal_notice_unit = models.CharField(
        _("unité du préavis de non-reconduction"), max_length=16, choices=DelayUnit.choices, default=DelayUnit.MONTHS
    )

    # Termination (DESIGN "Conventions" 2).
    termination_mode = models.CharField(
        _("résiliation"), max_length=10, choices=TerminationMode.choices, default=TerminationMode.ANY_TIME
    )
    termination_notice_value = models.PositiveSmallIntegerField(_("préavis de résiliation"), default=0)
    termination_notice_unit = models.CharField(
        _("unité du préavis de résiliation"), max_length=16, choices=DelayUnit.choices, default=DelayUnit.MONTHS
    )
    termination_by_registered_letter = models.BooleanField(_("par lettre recommandée avec AR"), default=True)
    data_withdrawal_value = models.PositiveSmallIntegerField(_("délai de retrait des données"), default=0)
    data_withdrawal_unit = models.CharField(
        _("unité du délai de retrait des données"), max_length=16, choices=DelayUnit.choices, default=DelayUnit.MONTHS
    )
    after_termination = models.TextField(_("après la résiliation"), blank=True)

    annual_evaluation = models.BooleanField(_("évaluation annuelle"), default=False)
    has_committee = models.BooleanField(_("comité de suivi"), default=False)

    # Perimeter (FLAG !: communes, postal codes, URLs).
    perimeter_communes = models.JSONField(_("communes du périmètre"), default=list, blank=True)
    perimeter_postal_codes = models.JSONField(_("codes postaux du périmètre"), default=list, blank=True)
    perimeter_urls = models.JSONField(_("adresses (URL) du périmètre"), default=list, blank=True)

    # Approval and signature.
    approving_deliberations = models.ManyToManyField(
        "deliberations.Deliberation",
        blank=True,
        related_name="approved_conventions",
        verbose_name=_("délibérations d'approbation"),
    )
    approved_on = models.DateField(_("approuvée le"), null=True, blank=True)
    delegated_decision_reference = models.CharField(_("décision par délégation (référence)"), max_length=60, blank=True)
    delegated_decision_date = models.DateField(_("décision par délégation (date)"), null=True, blank=True)
    sent_for_signature_on = models.DateField(_("envoyée en signature le"), null=True, blank=True)
    signed_on = models.DateField(_("signée le"), null=True, blank=True)
    terminated_on = models.DateField(_("résiliée le"), null=True, blank=True)
    ended_on = models.DateField(_("terminée le"), null=True, blank=True)

    predecessor = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="successors",
        verbose_name=_("convention renouvelée"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ConventionQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["updated_at", "search_text"])

    class Meta:
        verbose_name = _("convention")
        verbose_name_plural = _("conventions")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "reference"], name="convention_unique_reference"),
            models.CheckConstraint(
                condition=Q(amount__isnull=True) | Q(amount__gte=0), name="convention_amount_positive"
            ),
            models.CheckConstraint(
                condition=~Q(kind=ConventionKind.FINANCIAL) | Q(amount__isnull=False),
                name="convention_financial_has_amount",
            ),
            models.CheckConstraint(
                condition=Q(duration_months__gt=0) | Q(duration_days__gt=0), name="convention_duration_positive"
            ),
            models.CheckConstraint(
                condition=Q(payment_end__isnull=True)
                | (Q(payment_start__isnull=False) & Q(payment_end__gte=F("payment_start"))),
                name="convention_payment_period_ordered",
            ),
            models.CheckConstraint(
                condition=Q(subsidy_nature__in=SubsidyNature.values), name="convention_subsidy_nature_valid"
            ),
            models.CheckConstraint(
                condition=Q(payment_terms__in=PaymentTerms.values), name="convention_payment_terms_valid"
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True)
                | Q(effective_date__isnull=True)
                | Q(end_date__gte=F("effective_date")),
                name="convention_end_after_start",
            ),
            models.CheckConstraint(
                condition=~Q(renewal=RenewalMode.TACIT) | Q(tacit_renewals_allowed__gt=0),
                name="convention_tacit_renewal_count",
            ),
            models.CheckConstraint(
                condition=Q(tacit_renewals_done__lte=F("tacit_renewals_allowed")),
                name="convention_tacit_renewals_within_limit",
            ),
            models.CheckConstraint(
                condition=~Q(start_event=StartEvent.FIXED_DATE) | Q(fixed_start_date__isnull=False),
                name="convention_fixed_start_has_date",
            ),
            models.CheckConstraint(
                condition=Q(status__in=[s.value for s in ConventionStatus]), name="convention_status_valid"
            ),
        ]
        indexes = [
            # The lists, newest first, whole or by status: a page is read from the index in
            # order (the status counts too) instead of sorting the organization's conventions.
            models.Index(fields=["organization", "status", "-created_at", "-id"], name="convention_org_status_new"),
            models.Index(fields=["organization", "-created_at", "-id"], name="convention_org_new"),
            models.Index(fields=["organization", "end_date"]),
            # The running conventions of an organization by end date (the dashboard's timeline):
            # without it, the first 15 are found after walking ten years of ended ones.
            models.Index(
                fields=["organization", "end_date"],
                name="convention_live_org_end",
                condition=Q(status__in=[s.value for s in LIVE_STATES]),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} — {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("conventions:detail", args=[self.pk])

    # --- plain derived values (no queries) ---

    @property
    def status_tone(self) -> str:
        return STATUS_TONE.get(ConventionStatus(self.status), "")

    @property
    def termination_notice(self) -> rules.Delay:
        if self.termination_mode == TerminationMode.ANY_TIME:
            return rules.Delay(0)
        return rules.Delay(self.termination_notice_value, self.termination_notice_unit)

    @property
    def renewal_notice(self) -> rules.Delay:
        return rules.Delay(self.renewal_notice_value, self.renewal_notice_unit)

    @property
    def data_withdrawal(self) -> rules.Delay:
        return rules.Delay(self.data_withdrawal_value, self.data_withdrawal_unit)

    @property
    def duration_text(self) -> str:
        parts = []
        if self.duration_months:
            years, months = divmod(self.duration_months, 12)
            if years and not months:
                parts.append(f"{years} an{'s' if years > 1 else ''}")
            else:
                parts.append(f"{self.duration_months} mois")
        if self.duration_days:
            parts.append(f"{self.duration_days} jour{'s' if self.duration_days > 1 else ''}")
        return " et ".join(parts)

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE_STATES

    # --- state machine: called only by conventions.services ---

    @transition(field=status, source=ConventionStatus.DRAFT, target=ConventionStatus.LEGAL_REVIEW)
    def submit_for_review(self) -> None:
        """Draft → relecture juridique."""

    @transition(field=status, source=ConventionStatus.LEGAL_REVIEW, target=ConventionStatus.DRAFT)
    def return_to_draft(self) -> None:
        """Relecture juridique → brouillon (changes asked)."""

    @transition(field=status, source=ConventionStatus.LEGAL_REVIEW, target=ConventionStatus.APPROVED)
    def approve(self) -> None:
        """Approved by an adopted deliberation or a delegated decision."""

    @transition(field=status, source=ConventionStatus.APPROVED, target=ConventionStatus.OUT_FOR_SIGNATURE)
    def send_for_signature(self) -> None:
        """Sent to the parties for signature."""

    @transition(field=status, source=ConventionStatus.OUT_FOR_SIGNATURE, target=ConventionStatus.SIGNED)
    def mark_signed(self) -> None:
        """Every party has signed."""

    @transition(field=status, source=ConventionStatus.SIGNED, target=ConventionStatus.ACTIVE)
    def activate(self) -> None:
        """In force from its effective date."""

    @transition(field=status, source=ConventionStatus.ACTIVE, target=ConventionStatus.SUSPENDED)
    def suspend(self) -> None:
        """Suspended (FLAG !: "l'association pourra alors suspendre les accès")."""

    @transition(field=status, source=ConventionStatus.SUSPENDED, target=ConventionStatus.ACTIVE)
    def resume(self) -> None:
        """Back in force after a suspension."""

    @transition(
        field=status,
        source=[ConventionStatus.SIGNED, ConventionStatus.ACTIVE, ConventionStatus.SUSPENDED],
        target=ConventionStatus.TERMINATION_NOTIFIED,
    )
    def notify_termination(self) -> None:
        """A party gave notice (or the comité decided the partner's withdrawal)."""

    @transition(field=status, source=ConventionStatus.TERMINATION_NOTIFIED, target=ConventionStatus.TERMINATED)
    def terminate(self) -> None:
        """The termination took effect."""

    @transition(
        field=status,
        source=[ConventionStatus.ACTIVE, ConventionStatus.SUSPENDED, ConventionStatus.TERMINATION_NOTIFIED],
        target=ConventionStatus.EXPIRED,
    )
    def expire(self) -> None:
        """Its last day covered is past and it is not renewed."""

    @transition(
        field=status, source=[ConventionStatus.ACTIVE, ConventionStatus.SUSPENDED], target=ConventionStatus.RENEWED
    )
    def mark_renewed(self) -> None:
        """Its period is over and a successor convention takes over."""

    @transition(field=status, source=list(PREPARATION_STATES), target=ConventionStatus.CANCELLED)
    def cancel(self) -> None:
        """Abandoned before signature."""
