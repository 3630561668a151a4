"""Assemblies, their members, sittings, deliberations, attendance, proxies, votes, transmission.

Storage of attendance grows with sittings × members plus changes, never with
deliberations × members: :class:`Attendance` holds each member's state for the whole
sitting, :class:`AttendanceChange` an arrival or a departure from one agenda item on; the
state for a given item is derived (see ``deliberations.attendance``).
"""

from __future__ import annotations

from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition
from simple_history.models import HistoricalRecords

from core.models import ChoiceLabelsMixin, TimeStampedModel


class ProtectedStateMixin(models.Model):
    """Let ``refresh_from_db`` reload a protected FSM ``state`` (django-fsm refuses the
    direct assignment it would otherwise do)."""

    class Meta:
        abstract = True

    def refresh_from_db(self, using=None, fields=None, from_queryset=None):  # type: ignore[no-untyped-def]
        if fields is None or "state" in fields:
            self.__dict__.pop("state", None)
        super().refresh_from_db(using=using, fields=fields, from_queryset=from_queryset)


# --- Assemblies and members ------------------------------------------------------------


class AssemblyKind(models.TextChoices):
    MUNICIPAL_COUNCIL = "municipal", _("Conseil municipal")
    METROPOLITAN_COUNCIL = "metropolitan", _("Conseil métropolitain")
    COMMUNITY_COUNCIL = "community", _("Conseil communautaire")
    TERRITORY_COUNCIL = "territory", _("Conseil de territoire")
    OTHER = "other", _("Autre organe délibérant")


class NameStyle(models.TextChoices):
    FIRST_LAST = "first_last", _("Prénom NOM")
    LAST_FIRST = "last_first", _("NOM Prénom")


class Assembly(TimeStampedModel):
    """An organe délibérant of an organization, with how its documents are worded."""

    TENANT_FIELD = "organization"

    organization = models.ForeignKey(
        "parties.Organization", on_delete=models.CASCADE, related_name="assemblies", verbose_name=_("organisation")
    )
    kind = models.CharField(_("nature"), max_length=16, choices=AssemblyKind.choices)
    name = models.CharField(_("nom"), max_length=200, help_text=_("Par exemple « Conseil municipal »."))
    usual_place = models.CharField(_("lieu habituel des séances"), max_length=200, blank=True)
    signature_city = models.CharField(
        _("ville du « Fait à »"), max_length=100, blank=True, help_text=_("Par défaut, la ville de l'organisation.")
    )
    president_title = models.CharField(
        _("titre du président"),
        max_length=100,
        default="Monsieur le Maire",
        help_text=_("Par exemple « Monsieur le Maire », « Madame la Présidente »."),
    )
    name_style = models.CharField(
        _("écriture des noms"), max_length=12, choices=NameStyle.choices, default=NameStyle.FIRST_LAST
    )
    proxy_wording = models.CharField(
        _("formule des pouvoirs"),
        max_length=100,
        default="ayant donné pouvoir à",
        help_text=_("Par exemple « ayant donné pouvoir à » ou « donne pouvoir à »."),
    )
    information_wording = models.CharField(
        _("formule des communications"),
        max_length=200,
        default="prend acte",
        help_text=_("Ce qu'écrit l'extrait d'une communication sans vote, par exemple « prend acte »."),
    )
    clear_days_override = models.PositiveSmallIntegerField(
        _("délai de convocation imposé (jours francs)"),
        null=True,
        blank=True,
        help_text=_("Vide : 3 ou 5 jours francs selon la population (CGCT L2121-11, L2121-12)."),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("assemblée")
        verbose_name_plural = _("assemblées")
        ordering = ["organization__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="assembly_unique_name"),
            models.CheckConstraint(condition=Q(kind__in=AssemblyKind.values), name="assembly_kind_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.name} — {self.organization}"

    def get_absolute_url(self) -> str:
        return reverse("deliberations:assembly_detail", args=[self.pk])


class MandateRole(models.TextChoices):
    HEAD = "head", _("Maire / président")
    DEPUTY = "deputy", _("Adjoint / vice-président")
    DELEGATE = "delegate", _("Conseiller délégué")
    COUNCILLOR = "councillor", _("Conseiller")


class MandateQuerySet(models.QuerySet["Mandate"]):
    def in_office(self, on: object) -> MandateQuerySet:
        """Mandates running on a date (start ≤ date, no end or end ≥ date)."""
        return self.filter(Q(end_date__isnull=True) | Q(end_date__gte=on), start_date__lte=on)


class Mandate(TimeStampedModel):
    """A member's seat in an assembly over a period: the members in office are derived from these."""

    TENANT_FIELD = "assembly__organization"

    assembly = models.ForeignKey(
        Assembly, on_delete=models.CASCADE, related_name="mandates", verbose_name=_("assemblée")
    )
    person = models.ForeignKey(
        "parties.Person", on_delete=models.PROTECT, related_name="mandates", verbose_name=_("élu")
    )
    role = models.CharField(_("rôle"), max_length=12, choices=MandateRole.choices, default=MandateRole.COUNCILLOR)
    function = models.CharField(
        _("qualité"), max_length=200, blank=True, help_text=_("Par exemple « Adjoint au Maire ».")
    )
    start_date = models.DateField(_("début"))
    end_date = models.DateField(_("fin"), null=True, blank=True)

    objects = MandateQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("mandat")
        verbose_name_plural = _("mandats")
        ordering = ["person__last_name", "person__first_name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")), name="mandate_period_ordered"
            ),
            models.UniqueConstraint(fields=["assembly", "person", "start_date"], name="mandate_unique_start"),
            models.CheckConstraint(condition=Q(role__in=MandateRole.values), name="mandate_role_valid"),
        ]
        indexes = [models.Index(fields=["assembly", "start_date", "end_date"])]

    def __str__(self) -> str:
        return f"{self.person} — {self.get_role_display()}"


class NumberingRule(TimeStampedModel):
    """How an assembly numbers its deliberations, e.g. ``v{year}-{seq:03}`` or ``{year}_CT2_{seq}``."""

    TENANT_FIELD = "assembly__organization"

    assembly = models.OneToOneField(
        Assembly, on_delete=models.CASCADE, related_name="numbering_rule", verbose_name=_("assemblée")
    )
    pattern = models.CharField(
        _("modèle de numéro"),
        max_length=60,
        default="{year}-{seq:03}",
        help_text=_("Champs : {year} (année de la séance), {seq} (rang, par exemple {seq:03} sur 3 chiffres)."),
    )
    yearly_reset = models.BooleanField(_("repartir de 1 chaque année"), default=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("règle de numérotation")
        verbose_name_plural = _("règles de numérotation")

    def __str__(self) -> str:
        return self.pattern


class NumberingCounter(models.Model):
    """The last number given for a rule and a year (0 when the rule never resets).

    Locked with ``select_for_update`` while a number is taken, so that two clerks creating
    deliberations at once get consecutive numbers, without gaps or duplicates.
    """

    rule = models.ForeignKey(NumberingRule, on_delete=models.CASCADE, related_name="counters")
    year = models.PositiveIntegerField()
    last_value = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("compteur de numérotation")
        verbose_name_plural = _("compteurs de numérotation")
        constraints = [models.UniqueConstraint(fields=["rule", "year"], name="numbering_counter_unique_year")]

    def __str__(self) -> str:
        return f"{self.rule} {self.year}: {self.last_value}"


# --- Sittings ---------------------------------------------------------------------------


class SittingKind(models.TextChoices):
    ORDINARY = "ordinary", _("Séance ordinaire")
    EXTRAORDINARY = "extraordinary", _("Séance extraordinaire")


class SittingState(models.TextChoices):
    PLANNED = "planned", _("Prévue")
    CONVENED = "convened", _("Convoquée")
    OPEN = "open", _("Ouverte")
    CLOSED = "closed", _("Close")
    MINUTES_APPROVED = "minutes_approved", _("Procès-verbal approuvé")
    MINUTES_PUBLISHED = "minutes_published", _("Procès-verbal publié")


class Sitting(ProtectedStateMixin, TimeStampedModel):
    """A séance of an assembly. Its state changes only through ``deliberations.services``."""

    TENANT_FIELD = "assembly__organization"

    assembly = models.ForeignKey(
        Assembly, on_delete=models.CASCADE, related_name="sittings", verbose_name=_("assemblée")
    )
    kind = models.CharField(_("nature"), max_length=16, choices=SittingKind.choices, default=SittingKind.ORDINARY)
    starts_at = models.DateTimeField(_("date et heure"))
    place = models.CharField(_("lieu"), max_length=200, blank=True)
    president = models.ForeignKey(
        "parties.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="presided_sittings",
        verbose_name=_("président de séance"),
    )
    secretary = models.ForeignKey(
        "parties.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="secretary_sittings",
        verbose_name=_("secrétaire de séance"),
    )
    convocation_date = models.DateField(_("envoi de la convocation"), null=True, blank=True)
    urgency = models.BooleanField(_("urgence"), default=False)
    urgency_reason = models.TextField(_("motif de l'urgence"), blank=True)
    reconvened_from = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reconvened_sittings",
        verbose_name=_("reconvoquée après la séance du"),
        help_text=_("Séance reconvoquée faute de quorum : elle délibère sans condition de quorum (CGCT L2121-17)."),
    )
    state = FSMField(
        _("état"), max_length=20, choices=SittingState.choices, default=SittingState.PLANNED, protected=True
    )
    opened_at = models.DateTimeField(_("ouverte à"), null=True, blank=True)
    closed_at = models.DateTimeField(_("close à"), null=True, blank=True)
    list_published_on = models.DateField(_("liste des délibérations publiée le"), null=True, blank=True)
    minutes_approved_on = models.DateField(_("procès-verbal approuvé le"), null=True, blank=True)
    minutes_published_on = models.DateField(_("procès-verbal publié le"), null=True, blank=True)
    notes = models.TextField(_("notes pour le procès-verbal"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("séance")
        verbose_name_plural = _("séances")
        ordering = ["-starts_at"]
        constraints = [
            models.CheckConstraint(condition=Q(state__in=SittingState.values), name="sitting_state_valid"),
            models.CheckConstraint(condition=Q(kind__in=SittingKind.values), name="sitting_kind_valid"),
            models.CheckConstraint(
                condition=Q(urgency=False) | ~Q(urgency_reason=""), name="sitting_urgency_has_reason"
            ),
            models.CheckConstraint(condition=~Q(reconvened_from=F("id")), name="sitting_not_reconvened_from_itself"),
        ]
        indexes = [models.Index(fields=["assembly", "starts_at"])]

    def __str__(self) -> str:
        from core.formatting import french_date

        return f"{self.assembly.name} — {french_date(self.starts_at_local)}"

    def get_absolute_url(self) -> str:
        return reverse("deliberations:sitting_detail", args=[self.pk])

    @property
    def starts_at_local(self):  # type: ignore[no-untyped-def]
        from django.utils import timezone

        return timezone.localtime(self.starts_at)

    @property
    def date(self):  # type: ignore[no-untyped-def]
        return self.starts_at_local.date()

    # Transitions: only called by deliberations.services, which check the legal guards.
    @transition(field=state, source=SittingState.PLANNED, target=SittingState.CONVENED)
    def convene(self) -> None:
        pass

    @transition(field=state, source=SittingState.CONVENED, target=SittingState.OPEN)
    def open(self) -> None:
        pass

    @transition(field=state, source=SittingState.OPEN, target=SittingState.CLOSED)
    def close(self) -> None:
        pass

    @transition(field=state, source=SittingState.CLOSED, target=SittingState.MINUTES_APPROVED)
    def approve_minutes(self) -> None:
        pass

    @transition(field=state, source=SittingState.MINUTES_APPROVED, target=SittingState.MINUTES_PUBLISHED)
    def publish_minutes(self) -> None:
        pass


# --- Deliberations ---------------------------------------------------------------------


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

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("annexe")
        verbose_name_plural = _("annexes")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.title


# --- Attendance and proxies -------------------------------------------------------------


class Presence(models.TextChoices):
    PRESENT = "present", _("Présent")
    EXCUSED = "excused", _("Absent excusé")
    ABSENT = "absent", _("Absent")


class Attendance(ChoiceLabelsMixin):
    """A member's attendance for the whole sitting (the default for every item)."""

    TENANT_FIELD = "sitting__assembly__organization"

    sitting = models.ForeignKey(Sitting, on_delete=models.CASCADE, related_name="attendances", verbose_name=_("séance"))
    person = models.ForeignKey("parties.Person", on_delete=models.PROTECT, related_name="+", verbose_name=_("élu"))
    status = models.CharField(_("présence"), max_length=8, choices=Presence.choices, default=Presence.PRESENT)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("présence")
        verbose_name_plural = _("présences")
        constraints = [
            models.UniqueConstraint(fields=["sitting", "person"], name="attendance_unique_member"),
            models.CheckConstraint(condition=Q(status__in=Presence.values), name="attendance_status_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.person} — {self.get_status_display()}"


class AttendanceChange(ChoiceLabelsMixin):
    """An arrival or a departure: from ``deliberation`` on, the member's status is ``status``."""

    TENANT_FIELD = "sitting__assembly__organization"

    sitting = models.ForeignKey(
        Sitting, on_delete=models.CASCADE, related_name="attendance_changes", verbose_name=_("séance")
    )
    person = models.ForeignKey("parties.Person", on_delete=models.PROTECT, related_name="+", verbose_name=_("élu"))
    deliberation = models.ForeignKey(
        Deliberation, on_delete=models.CASCADE, related_name="attendance_changes", verbose_name=_("à partir du point")
    )
    status = models.CharField(_("présence"), max_length=8, choices=Presence.choices)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("arrivée ou départ")
        verbose_name_plural = _("arrivées et départs")
        constraints = [
            models.UniqueConstraint(fields=["person", "deliberation"], name="attendance_change_unique_item"),
            models.CheckConstraint(condition=Q(status__in=Presence.values), name="attendance_change_status_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.person} — {self.get_status_display()} ({self.deliberation.number})"


class Proxy(TimeStampedModel):
    """A pouvoir (CGCT L2121-20): ``giver``, absent, has ``holder`` vote in their name.

    It applies from ``from_item`` (the first item when empty) up to, not including,
    ``revoked_from_item`` (never revoked when empty). It counts for an item only if the
    giver is absent and the holder present for that item.
    """

    TENANT_FIELD = "sitting__assembly__organization"

    sitting = models.ForeignKey(Sitting, on_delete=models.CASCADE, related_name="proxies", verbose_name=_("séance"))
    giver = models.ForeignKey("parties.Person", on_delete=models.PROTECT, related_name="+", verbose_name=_("mandant"))
    holder = models.ForeignKey(
        "parties.Person", on_delete=models.PROTECT, related_name="+", verbose_name=_("mandataire")
    )
    written_on = models.DateField(_("pouvoir écrit le"))
    illness = models.BooleanField(
        _("pour maladie"),
        default=False,
        help_text=_("Un pouvoir pour maladie peut valoir au-delà de trois séances consécutives."),
    )
    from_item = models.ForeignKey(
        Deliberation,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("à partir du point"),
    )
    revoked_from_item = models.ForeignKey(
        Deliberation,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("révoqué à partir du point"),
    )
    revoked = models.BooleanField(_("révoqué"), default=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("pouvoir")
        verbose_name_plural = _("pouvoirs")
        constraints = [
            models.CheckConstraint(condition=~Q(giver=F("holder")), name="proxy_giver_is_not_holder"),
            models.CheckConstraint(
                condition=Q(revoked=True) | Q(revoked_from_item__isnull=True), name="proxy_revocation_consistent"
            ),
        ]
        indexes = [models.Index(fields=["sitting", "giver"]), models.Index(fields=["sitting", "holder"])]

    def __str__(self) -> str:
        return f"{self.giver} → {self.holder}"


# --- Votes ------------------------------------------------------------------------------


class VoteMethod(models.TextChoices):
    SHOW_OF_HANDS = "show_of_hands", _("À main levée")
    PUBLIC_BALLOT = "public_ballot", _("Au scrutin public")
    SECRET_BALLOT = "secret_ballot", _("Au scrutin secret")


class VoteChoice(models.TextChoices):
    FOR = "for", _("Pour")
    AGAINST = "against", _("Contre")
    ABSTAIN = "abstain", _("Abstention")
    NOT_VOTING = "not_voting", _("Ne prend pas part au vote")


class VoteOutcome(models.TextChoices):
    ADOPTED = "adopted", _("Adoptée")
    REJECTED = "rejected", _("Rejetée")


class VoteResult(TimeStampedModel):
    """The totals of a vote on a deliberation, with the attendance it was checked against."""

    TENANT_FIELD = "deliberation__assembly__organization"

    deliberation = models.OneToOneField(
        Deliberation, on_delete=models.CASCADE, related_name="vote", verbose_name=_("délibération")
    )
    method = models.CharField(
        _("mode de scrutin"), max_length=16, choices=VoteMethod.choices, default=VoteMethod.SHOW_OF_HANDS
    )
    votes_for = models.PositiveIntegerField(_("pour"))
    votes_against = models.PositiveIntegerField(_("contre"))
    abstentions = models.PositiveIntegerField(_("abstentions"))
    not_voting = models.PositiveIntegerField(_("ne prennent pas part au vote"))
    members_in_office = models.PositiveIntegerField(_("membres en exercice"))
    present_count = models.PositiveIntegerField(_("présents"))
    represented_count = models.PositiveIntegerField(_("représentés"))
    outcome = models.CharField(_("résultat"), max_length=10, choices=VoteOutcome.choices)
    casting_vote = models.BooleanField(_("voix prépondérante du président"), default=False)
    result_text = models.CharField(_("formule du résultat"), max_length=200)
    without_quorum = models.BooleanField(
        _("sans condition de quorum"), default=False, help_text=_("Séance reconvoquée (CGCT L2121-17).")
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("résultat du vote")
        verbose_name_plural = _("résultats des votes")
        constraints = [
            models.CheckConstraint(
                condition=Q(votes_for__gte=0, votes_against__gte=0, abstentions__gte=0, not_voting__gte=0),
                name="vote_totals_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(
                    present_count__lte=F("members_in_office"),
                ),
                name="vote_present_within_office",
            ),
            models.CheckConstraint(condition=Q(method__in=VoteMethod.values), name="vote_method_valid"),
            models.CheckConstraint(condition=Q(outcome__in=VoteOutcome.values), name="vote_outcome_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.deliberation.number}: {self.votes_for}/{self.votes_against}/{self.abstentions}/{self.not_voting}"

    @property
    def votes_cast(self) -> int:
        return self.votes_for + self.votes_against


class Ballot(ChoiceLabelsMixin):
    """One member's vote, cast in person or by the holder of their proxy (``cast_by``)."""

    TENANT_FIELD = "vote__deliberation__assembly__organization"

    # No index of its own: the unique (vote, person) index serves every lookup by vote, and a
    # second index would cost each of a 240-member vote's inserts.
    vote = models.ForeignKey(
        VoteResult, on_delete=models.CASCADE, related_name="ballots", verbose_name=_("vote"), db_index=False
    )
    person = models.ForeignKey("parties.Person", on_delete=models.PROTECT, related_name="+", verbose_name=_("élu"))
    cast_by = models.ForeignKey(
        "parties.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("exprimé par (pouvoir)"),
    )
    choice = models.CharField(_("vote"), max_length=12, choices=VoteChoice.choices)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("bulletin")
        verbose_name_plural = _("bulletins")
        constraints = [
            models.UniqueConstraint(fields=["vote", "person"], name="ballot_one_per_member"),
            models.CheckConstraint(condition=Q(choice__in=VoteChoice.values), name="ballot_choice_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.person}: {self.get_choice_display()}"


# --- Transmission -----------------------------------------------------------------------


class ActNature(models.TextChoices):
    DE = "DE", _("1 — Délibérations (DE)")
    AR = "AR", _("2 — Actes réglementaires (AR)")
    AI = "AI", _("3 — Actes individuels (AI)")
    CC = "CC", _("4 — Contrats, conventions et avenants (CC)")
    BF = "BF", _("5 — Documents budgétaires et financiers (BF)")
    AU = "AU", _("6 — Autres (AU)")


class Transmission(TimeStampedModel):
    """The sending of an act to the préfecture (@CTES) and its acknowledgement."""

    TENANT_FIELD = "deliberation__assembly__organization"

    deliberation = models.OneToOneField(
        Deliberation, on_delete=models.CASCADE, related_name="transmission", verbose_name=_("délibération")
    )
    nature = models.CharField(_("nature @CTES"), max_length=2, choices=ActNature.choices, default=ActNature.DE)
    internal_number = models.CharField(_("numéro interne @CTES"), max_length=15)
    sent_on = models.DateField(_("envoi en préfecture"))
    received_on = models.DateField(_("réception en préfecture"), null=True, blank=True)
    acknowledgement_id = models.CharField(_("identifiant de l'accusé de réception"), max_length=80, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("transmission")
        verbose_name_plural = _("transmissions")
        constraints = [
            models.CheckConstraint(condition=Q(nature__in=ActNature.values), name="transmission_nature_valid"),
            models.CheckConstraint(
                condition=Q(internal_number__regex=r"^([A-Z0-9][A-Z0-9_]{0,13})?[A-Z0-9]$"),
                name="transmission_internal_number_format",
            ),
            models.CheckConstraint(
                condition=Q(received_on__isnull=True) | Q(received_on__gte=F("sent_on")),
                name="transmission_received_after_sent",
            ),
            models.CheckConstraint(
                condition=Q(acknowledgement_id="") | Q(received_on__isnull=False),
                name="transmission_acknowledgement_has_date",
            ),
        ]

    def __str__(self) -> str:
        return self.acknowledgement_id or f"{self.nature} {self.internal_number}"
