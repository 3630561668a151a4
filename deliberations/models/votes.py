"""Votes and ballots on an item, and the act's transmission to the prefecture."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.models import ChoiceLabelsMixin, TimeStampedModel
from deliberations.models.acts import Deliberation


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
