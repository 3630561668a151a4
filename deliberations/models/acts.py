"""Deliberations (projets, then acts) and their annexes."""

from __future__ import annotations

from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition
from simple_history.models import HistoricalRecords

from core.models import TimeStampedModel
from deliberations.models.assemblies import Assembly
from deliberations.models.base import ProtectedStateMixin
from deliberations.models.sittings import Sitting


class DeliberationKind(models.TextChoices):
    VOTE = "vote", _("Soumise au vote")
    INFORMATION = "information", _("Communication (prend acte, sans vote)")


class DeliberationState(models.TextChoices):
    DRAFT = "draft", _("Projet")
    ON_AGENDA = "on_agenda", _("Inscrite à l'ordre du jour")
    ADOPTED = "adopted", _("Adoptée")
    REJECTED = "rejected", _("Rejetée")
    TAKEN_NOTE = "taken_note", _("Prise d'acte")
    WITHDRAWN = "withdrawn", _("Retirée")
    POSTPONED = "postponed", _("Reportée")
    SIGNED = "signed", _("Signée")
    TRANSMITTED = "transmitted", _("Transmise")
    PUBLISHED = "published", _("Publiée")
    ENFORCEABLE = "enforceable", _("Exécutoire")


DECIDED_STATES = (DeliberationState.ADOPTED, DeliberationState.REJECTED, DeliberationState.TAKEN_NOTE)
AFTER_SIGNATURE_STATES = (
    DeliberationState.SIGNED,
    DeliberationState.TRANSMITTED,
    DeliberationState.PUBLISHED,
    DeliberationState.ENFORCEABLE,
)
EXAMINED_STATES = (*DECIDED_STATES, *AFTER_SIGNATURE_STATES)


class DeliberationQuerySet(models.QuerySet["Deliberation"]):
    def published(self) -> DeliberationQuerySet:
        return self.filter(
            published_on__isnull=False, state__in=[DeliberationState.PUBLISHED, DeliberationState.ENFORCEABLE]
        )


class DeliberationManager(models.Manager.from_queryset(DeliberationQuerySet)):  # type: ignore[misc]
    def get_queryset(self) -> DeliberationQuerySet:
        # The full-text vector is only ever used inside SQL (search); read into Python it
        # would be kilobytes per act for nothing.
        return super().get_queryset().defer("search_vector")


class Deliberation(ProtectedStateMixin, TimeStampedModel):
    """A projet de délibération, then the act itself once examined at a sitting."""

    TENANT_FIELD = "assembly__organization"

    assembly = models.ForeignKey(
        Assembly, on_delete=models.PROTECT, related_name="deliberations", verbose_name=_("assemblée")
    )
    sitting = models.ForeignKey(
        Sitting, on_delete=models.PROTECT, null=True, blank=True, related_name="deliberations", verbose_name=_("séance")
    )
    position = models.PositiveIntegerField(_("rang à l'ordre du jour"), null=True, blank=True)
    # The re-convened sitting where this item, left without quorum at the first one, is voted
    # without quorum (CGCT L2121-17): the waiver follows the item, not the sitting, so an
    # item added to that sitting, or moved on to another, needs the quorum again.
    quorum_waived_in = models.ForeignKey(
        Sitting,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("délibère sans condition de quorum à la séance"),
    )
    number = models.CharField(_("numéro"), max_length=40)
    year = models.PositiveIntegerField(_("année de numérotation"))
    sequence = models.PositiveIntegerField(_("rang de numérotation"))
    kind = models.CharField(_("nature"), max_length=12, choices=DeliberationKind.choices, default=DeliberationKind.VOTE)
    title = models.CharField(_("objet"), max_length=500)
    theme = models.CharField(
        _("thème"),
        max_length=200,
        blank=True,
        help_text=_("Par exemple « Protection de la population et tranquillité publique »."),
    )
    subject_code = models.CharField(
        _("matière"),
        max_length=20,
        blank=True,
        help_text=_("Code de la nomenclature de la préfecture, par exemple 7.5."),
    )
    rapporteur = models.ForeignKey(
        "parties.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reported_deliberations",
        verbose_name=_("rapporteur"),
    )
    # Who presides the sitting for this item when it is not the sitting's president: the
    # president may hand the chair to another member (CGCT L2121-14, the compte
    # administratif); that member then has the casting vote (L2121-20).
    presided_by = models.ForeignKey(
        "parties.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("présidence du point"),
        help_text=_("Vide : le président de séance."),
    )
    report = models.TextField(_("exposé"), blank=True)
    operative_part = models.TextField(
        _("dispositif"), blank=True, help_text=_("Les articles, ou ce qui est proposé au conseil.")
    )
    requires_transmission = models.BooleanField(
        _("transmission au contrôle de légalité"),
        default=True,
        help_text=_("L'acte n'est exécutoire qu'une fois reçu en préfecture (CGCT L2131-1, L2131-2)."),
    )
    state = FSMField(
        _("état"), max_length=16, choices=DeliberationState.choices, default=DeliberationState.DRAFT, protected=True
    )
    state_reason = models.TextField(_("motif (retrait, report)"), blank=True)
    signed_on = models.DateField(_("fait le"), null=True, blank=True)
    signatory = models.ForeignKey(
        "parties.Signatory",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("signataire"),
    )
    published_on = models.DateField(_("publiée le"), null=True, blank=True)
    enforceable_on = models.DateField(_("exécutoire le"), null=True, blank=True)
    search_vector = SearchVectorField(null=True, editable=False)

    objects = DeliberationManager()
    history = HistoricalRecords(excluded_fields=["search_vector"])

    class Meta:
        verbose_name = _("délibération")
        verbose_name_plural = _("délibérations")
        ordering = ["-year", "-sequence"]
        constraints = [
            models.UniqueConstraint(fields=["assembly", "number"], name="deliberation_unique_number"),
            models.UniqueConstraint(fields=["assembly", "year", "sequence"], name="deliberation_unique_sequence"),
            models.UniqueConstraint(fields=["sitting", "position"], name="deliberation_unique_agenda_position"),
            models.CheckConstraint(condition=Q(state__in=DeliberationState.values), name="deliberation_state_valid"),
            models.CheckConstraint(condition=Q(kind__in=DeliberationKind.values), name="deliberation_kind_valid"),
            models.CheckConstraint(condition=Q(sequence__gte=1), name="deliberation_sequence_positive"),
            models.CheckConstraint(
                condition=Q(subject_code="") | Q(subject_code__regex=r"^[0-9]+(\.[0-9]+)*$"),
                name="deliberation_subject_code_format",
            ),
            models.CheckConstraint(
                condition=Q(state__in=[DeliberationState.DRAFT, DeliberationState.WITHDRAWN])
                | Q(sitting__isnull=False),
                name="deliberation_on_agenda_has_sitting",
            ),
            models.CheckConstraint(
                condition=Q(kind=DeliberationKind.VOTE)
                | ~Q(state__in=[DeliberationState.ADOPTED, DeliberationState.REJECTED]),
                name="deliberation_information_not_voted",
            ),
        ]
        indexes = [
            models.Index(fields=["assembly", "state"]),
            models.Index(fields=["sitting", "position"]),
            models.Index(fields=["published_on"]),
            # The public list and search of one assembly, newest publication first.
            models.Index(
                fields=["assembly", "-published_on", "-year", "-sequence"],
                name="deliberation_public_order",
                condition=Q(
                    published_on__isnull=False,
                    state__in=[DeliberationState.PUBLISHED, DeliberationState.ENFORCEABLE],
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} — {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("deliberations:detail", args=[self.pk])

    @property
    def is_information(self) -> bool:
        return self.kind == DeliberationKind.INFORMATION

    # Transitions: only called by deliberations.services, which check the legal guards.
    @transition(
        field=state, source=[DeliberationState.DRAFT, DeliberationState.POSTPONED], target=DeliberationState.ON_AGENDA
    )
    def put_on_agenda(self) -> None:
        pass

    @transition(field=state, source=DeliberationState.ON_AGENDA, target=DeliberationState.DRAFT)
    def remove_from_agenda(self) -> None:
        pass

    @transition(field=state, source=DeliberationState.ON_AGENDA, target=DeliberationState.ADOPTED)
    def adopt(self) -> None:
        pass

    @transition(field=state, source=DeliberationState.ON_AGENDA, target=DeliberationState.REJECTED)
    def reject(self) -> None:
        pass

    @transition(field=state, source=DeliberationState.ON_AGENDA, target=DeliberationState.TAKEN_NOTE)
    def take_note(self) -> None:
        pass

    @transition(
        field=state, source=[DeliberationState.DRAFT, DeliberationState.ON_AGENDA], target=DeliberationState.WITHDRAWN
    )
    def withdraw(self) -> None:
        pass

    @transition(field=state, source=DeliberationState.ON_AGENDA, target=DeliberationState.POSTPONED)
    def postpone(self) -> None:
        pass

    @transition(field=state, source=list(DECIDED_STATES), target=DeliberationState.ON_AGENDA)
    def reopen(self) -> None:
        pass

    @transition(field=state, source=list(DECIDED_STATES), target=DeliberationState.SIGNED)
    def sign(self) -> None:
        pass

    @transition(
        field=state,
        source=[DeliberationState.SIGNED, DeliberationState.PUBLISHED],
        target=DeliberationState.TRANSMITTED,
    )
    def transmit(self) -> None:
        pass

    @transition(
        field=state,
        source=[DeliberationState.SIGNED, DeliberationState.TRANSMITTED],
        target=DeliberationState.PUBLISHED,
    )
    def publish(self) -> None:
        pass

    @transition(
        field=state,
        source=[DeliberationState.TRANSMITTED, DeliberationState.PUBLISHED],
        target=DeliberationState.ENFORCEABLE,
    )
    def make_enforceable(self) -> None:
        pass


def annex_upload_to(instance: Annex, filename: str) -> str:
    return f"deliberations/{instance.deliberation_id}/annexes/{filename}"


class Annex(TimeStampedModel):
    """A file attached to a deliberation (a convention, a plan…), checked by content and size."""

    TENANT_FIELD = "deliberation__assembly__organization"

    deliberation = models.ForeignKey(
        Deliberation, on_delete=models.CASCADE, related_name="annexes", verbose_name=_("délibération")
    )
    title = models.CharField(_("titre"), max_length=200)
    file = models.FileField(_("fichier"), upload_to=annex_upload_to, max_length=300)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveIntegerField(_("taille (octets)"))
    sha256 = models.CharField(max_length=64)
    transmitted = models.BooleanField(_("transmise en préfecture"), default=True)
    # Its type in the typologie des pièces @CTES (CodeTypePJ), named in its file's name in the
    # act's package: "99_AU" (autre document) until the clerk chooses another of the act's list.
    type_code = models.CharField(
        _("type de pièce @CTES"),
        max_length=5,
        default="99_AU",
        help_text=_("Code de la typologie des pièces, par exemple 99_AU (autre document)."),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("annexe")
        verbose_name_plural = _("annexes")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(type_code__regex=r"^[0-9]{2}_[A-Z]{2}$"), name="annex_type_code_format"),
        ]

    def __str__(self) -> str:
        return self.title
