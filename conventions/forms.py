"""Forms of the convention pages. They parse input; the rules live in the services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from conventions.models import (
    Convention,
    ConventionKind,
    ConventionStatus,
    DecisionKind,
    EvaluationOutcome,
    PaymentTerms,
    Programme,
    Recurrence,
    Side,
    SubsidyNature,
)
from conventions.rules import FIRST_BUDGET_YEAR, LAST_BUDGET_YEAR
from parties.models import Organization

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class FilterForm(forms.Form):
    q = forms.CharField(label=_("Recherche"), required=False)
    status = forms.ChoiceField(
        label=_("État"), required=False, choices=[("", _("Tous"))] + ConventionStatus.choices, widget=forms.Select
    )
    kind = forms.ChoiceField(
        label=_("Type"), required=False, choices=[("", _("Tous"))] + ConventionKind.choices, widget=forms.Select
    )
    # A métropole has thousands of partners: they are searched by name or SIREN rather than
    # listed in a menu; ``partner`` (an id) comes from links such as a partner's page.
    partner_name = forms.CharField(label=_("Partenaire (nom ou SIREN)"), required=False, max_length=100)
    partner = forms.IntegerField(required=False, widget=forms.HiddenInput)
    manager = forms.TypedChoiceField(
        label=_("Responsable"), required=False, coerce=int, empty_value=None, widget=forms.Select
    )
    end_after = forms.DateField(label=_("Fin après le"), required=False, widget=DATE)
    end_before = forms.DateField(label=_("Fin avant le"), required=False, widget=DATE)

    def __init__(self, *args: Any, managers: list[tuple[int, str]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["manager"].choices = [("", _("Tous"))] + managers  # type: ignore[attr-defined]


class LinesField(forms.CharField):
    """A list typed one item per line (or separated by commas)."""

    widget = forms.Textarea(attrs={"rows": 3})

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list):
            return "\n".join(value)
        return value


class ConventionForm(forms.ModelForm):
    perimeter_communes = LinesField(label=_("Communes du périmètre"), required=False, help_text=_("Une par ligne."))
    perimeter_postal_codes = LinesField(
        label=_("Codes postaux du périmètre"), required=False, help_text=_("Une valeur par ligne, par exemple 34000.")
    )
    perimeter_urls = LinesField(
        label=_("Adresses (URL) du périmètre"), required=False, help_text=_("https://…, une par ligne.")
    )

    class Meta:
        model = Convention
        fields = [
            "reference",
            "title",
            "object",
            "kind",
            "amount",
            "service",
            "programme",
            "manager",
            "followers",
            "start_event",
            "fixed_start_date",
            "duration_months",
            "duration_days",
            "renewal",
            "tacit_renewals_allowed",
            "renewal_notice_value",
            "renewal_notice_unit",
            "termination_mode",
            "termination_notice_value",
            "termination_notice_unit",
            "termination_by_registered_letter",
            "data_withdrawal_value",
            "data_withdrawal_unit",
            "after_termination",
            "annual_evaluation",
            "has_committee",
            "perimeter_communes",
            "perimeter_postal_codes",
            "perimeter_urls",
            "subsidy_nature",
            "payment_terms",
            "payment_terms_detail",
            "payment_start",
            "payment_end",
            "eu_notified",
            "rae_id",
            "aid_scheme",
        ]
        widgets = {
            "fixed_start_date": DATE,
            "payment_start": DATE,
            "payment_end": DATE,
            "object": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, organization_id: int, programmes: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        members = get_user_model().objects.filter(memberships__organization_id=organization_id).order_by("last_name")
        self.fields["manager"].queryset = members  # type: ignore[attr-defined]
        self.fields["followers"].queryset = members  # type: ignore[attr-defined]
        self.fields["programme"].queryset = programmes  # type: ignore[attr-defined]
        self.fields["reference"].required = False
        self.fields["reference"].help_text = _("Laissez vide pour une référence automatique (CONV-AAAA-NNN).")
        # Only a subsidy's open-data file reads them: a form without them keeps the defaults.
        for name in ("subsidy_nature", "payment_terms"):
            self.fields[name].required = False

    def clean_subsidy_nature(self) -> str:
        return self.cleaned_data.get("subsidy_nature") or SubsidyNature.CASH

    def clean_payment_terms(self) -> str:
        return self.cleaned_data.get("payment_terms") or PaymentTerms.SINGLE

    def _post_clean(self) -> None:
        # The services validate and save; the model's own full_clean is not run here.
        pass


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Motif"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ApproveForm(forms.Form):
    deliberations: forms.ModelMultipleChoiceField[Any] = forms.ModelMultipleChoiceField(
        label=_("Délibération(s)"), queryset=None, required=False
    )
    delegated_reference = forms.CharField(label=_("Décision par délégation : référence"), required=False)
    delegated_date = forms.DateField(label=_("Décision par délégation : date"), required=False, widget=DATE)

    def __init__(self, *args: Any, deliberations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["deliberations"].queryset = deliberations  # type: ignore[attr-defined]


class DateForm(forms.Form):
    day = forms.DateField(label=_("Date"), widget=DATE)


class SignatureForm(forms.Form):
    party = forms.TypedChoiceField(label=_("Partie"), coerce=int)
    signed_on = forms.DateField(label=_("Signée le"), widget=DATE)


class SignatureCorrectionForm(forms.Form):
    party = forms.TypedChoiceField(label=_("Partie"), coerce=int)
    signed_on = forms.DateField(label=_("Date de signature corrigée"), widget=DATE)
    reason = forms.CharField(label=_("Motif de la correction"), max_length=500)


class PartyForm(forms.Form):
    organization = forms.TypedChoiceField(label=_("Organisation"), coerce=int)
    side = forms.ChoiceField(label=_("Partie"), choices=Side.choices, initial=Side.OTHER)
    designation = forms.CharField(label=_("Désignation"), required=False)


class BeneficiariesForm(forms.Form):
    """For a subsidy: which partners receive it and, unless shared equally, each one's share.
    Three fields per partner, named after its party id (``beneficiary_<id>``, ``percent_<id>``,
    ``amount_<id>``)."""

    def __init__(self, *args: Any, partners: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.partners = partners
        for party in partners:
            name = party.organization.name
            self.fields[f"beneficiary_{party.pk}"] = forms.BooleanField(
                label=_("%(name)s reçoit la subvention") % {"name": name},
                required=False,
                initial=party.is_beneficiary,
            )
            self.fields[f"percent_{party.pk}"] = forms.DecimalField(
                label=_("Part de %(name)s (%%)") % {"name": name},
                required=False,
                min_value=0,
                max_value=100,
                max_digits=5,
                decimal_places=2,
                initial=party.share_percent,
            )
            self.fields[f"amount_{party.pk}"] = forms.DecimalField(
                label=_("ou part de %(name)s (montant en euros)") % {"name": name},
                required=False,
                min_value=0,
                max_digits=12,
                decimal_places=2,
                initial=party.share_amount,
                help_text=_("Parts vides : partage à parts égales entre les bénéficiaires."),
            )

    def shares(self) -> list[dict[str, Any]]:
        data = self.cleaned_data
        return [
            {
                "party_id": party.pk,
                "is_beneficiary": data[f"beneficiary_{party.pk}"],
                "share_percent": data[f"percent_{party.pk}"],
                "share_amount": data[f"amount_{party.pk}"],
            }
            for party in self.partners
        ]


class ClauseForm(forms.Form):
    template = forms.TypedChoiceField(
        label=_("Clause de la bibliothèque"), coerce=int, required=False, empty_value=None
    )
    title = forms.CharField(label=_("Titre"), required=False)
    body = forms.CharField(label=_("Texte"), required=False, widget=forms.Textarea(attrs={"rows": 4}))


class ClauseEditForm(forms.Form):
    """An article of a draft changed from the convention's page."""

    clause = forms.IntegerField(widget=forms.HiddenInput)
    title = forms.CharField(label=_("Titre de l'article"), max_length=200)
    body = forms.CharField(label=_("Texte de l'article"), widget=forms.Textarea(attrs={"rows": 6}))


class ClauseMoveForm(forms.Form):
    clause = forms.IntegerField(widget=forms.HiddenInput)
    position = forms.IntegerField(label=_("Nouveau numéro d'article"), min_value=1, max_value=1000)


class ClauseRemoveForm(forms.Form):
    clause = forms.IntegerField(widget=forms.HiddenInput)


class ObligationForm(forms.Form):
    party = forms.TypedChoiceField(label=_("Partie qui s'engage"), coerce=int)
    description = forms.CharField(label=_("Engagement"), widget=forms.Textarea(attrs={"rows": 2}))
    recurrence = forms.ChoiceField(label=_("Périodicité"), choices=Recurrence.choices)
    first_due_date = forms.DateField(label=_("Échéance (première)"), required=False, widget=DATE)
    amount = forms.DecimalField(label=_("Montant"), required=False, min_value=0)


class AmendmentForm(forms.Form):
    title = forms.CharField(label=_("Intitulé"))
    object = forms.CharField(label=_("Objet"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    new_duration_months = forms.IntegerField(label=_("Nouvelle durée (mois)"), required=False, min_value=1)
    new_end_date = forms.DateField(label=_("Nouveau dernier jour couvert"), required=False, widget=DATE)
    new_amount = forms.DecimalField(label=_("Nouveau montant"), required=False, min_value=0)
    clause = forms.TypedChoiceField(label=_("Article modifié"), coerce=int, required=False, empty_value=None)
    new_clause_title = forms.CharField(label=_("Titre de l'article"), required=False)
    new_clause_body = forms.CharField(
        label=_("Nouveau texte de l'article"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class NoticeForm(forms.Form):
    given_by = forms.TypedChoiceField(label=_("Partie qui dénonce"), coerce=int)
    reason = forms.CharField(label=_("Motif"), required=False)
    sent_on = forms.DateField(label=_("Lettre envoyée le"), required=False, widget=DATE)
    registered_letter_number = forms.CharField(label=_("N° de la lettre recommandée"), required=False)
    received_on = forms.DateField(label=_("Accusé de réception du"), required=False, widget=DATE)


class ReceiptForm(forms.Form):
    received_on = forms.DateField(label=_("Accusé de réception du"), widget=DATE)
    sent_on = forms.DateField(label=_("Lettre envoyée le"), required=False, widget=DATE)
    registered_letter_number = forms.CharField(label=_("N° de la lettre recommandée"), required=False)


class EvaluationForm(forms.Form):
    evaluation = forms.IntegerField(widget=forms.HiddenInput)
    held_on = forms.DateField(label=_("Réalisée le"), widget=DATE)
    outcome = forms.ChoiceField(label=_("Bilan"), choices=EvaluationOutcome.choices)
    summary = forms.CharField(label=_("Synthèse"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    attachment = forms.FileField(label=_("Pièce jointe"), required=False)


class AnnexForm(forms.Form):
    title = forms.CharField(label=_("Titre"))
    file = forms.FileField(label=_("Fichier (PDF, DOCX, ODT, XLSX, PNG, JPEG ; 10 Mo au plus)"))


class CommitteeForm(forms.Form):
    name = forms.CharField(label=_("Nom du comité"))
    convocation_working_days = forms.IntegerField(
        label=_("Délai de convocation (jours ouvrés)"), initial=15, min_value=0
    )


class MemberForm(forms.Form):
    full_name = forms.CharField(label=_("Nom"))
    role = forms.CharField(label=_("Qualité"), required=False)
    email = forms.EmailField(label=_("Courriel"), required=False)


class MeetingForm(forms.Form):
    date = forms.DateField(label=_("Date de la réunion"), widget=DATE)
    starts_at = forms.TimeField(label=_("Heure"), required=False, widget=forms.TimeInput(attrs={"type": "time"}))
    location = forms.CharField(label=_("Lieu"), required=False)
    agenda = forms.CharField(label=_("Ordre du jour"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class ConvocationForm(forms.Form):
    sent_on = forms.DateField(label=_("Convocation envoyée le"), widget=DATE)
    urgency = forms.BooleanField(label=_("Urgence"), required=False)
    urgency_reason = forms.CharField(label=_("Motif de l'urgence"), required=False)


class MinutesForm(forms.Form):
    present = forms.TypedMultipleChoiceField(
        label=_("Présents"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )
    minutes = forms.CharField(label=_("Compte rendu"), widget=forms.Textarea(attrs={"rows": 5}))


class DecisionForm(forms.Form):
    text = forms.CharField(label=_("Décision"), widget=forms.Textarea(attrs={"rows": 2}))
    kind = forms.ChoiceField(label=_("Nature"), choices=DecisionKind.choices)
    convention = forms.TypedChoiceField(
        label=_("Convention du partenaire"), coerce=int, required=False, empty_value=None
    )


class ClauseSearchForm(forms.Form):
    q = forms.CharField(label=_("Rechercher une clause"), required=False)


class ClauseTemplateForm(forms.Form):
    """A clause of the library. Its {{ variables }} are checked by the service."""

    title = forms.CharField(label=_("Titre"), max_length=200)
    key = forms.SlugField(
        label=_("Code"),
        max_length=60,
        required=False,
        help_text=_("Lettres minuscules, chiffres et tirets ; déduit du titre s'il est laissé vide."),
    )
    category = forms.CharField(label=_("Catégorie"), max_length=60, required=False)
    body = forms.CharField(
        label=_("Texte"),
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_("Variables entre doubles accolades, par exemple {{ duree_mois }} : noms simples en minuscules."),
    )

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["key"]


class ProgrammeForm(forms.ModelForm):
    """A programme; its coordinator is one of the organization's partners (or itself)."""

    class Meta:
        model = Programme
        fields = ["name", "kind", "coordinator", "description", "start_date", "end_date"]
        widgets = {
            "start_date": DATE,
            "end_date": DATE,
            "description": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, organization_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["coordinator"].queryset = Organization.objects.visible_to([organization_id])  # type: ignore[attr-defined]
        self.fields["coordinator"].empty_label = _("— aucun —")  # type: ignore[attr-defined]

    def _post_clean(self) -> None:
        # The services validate and save; the model's own full_clean is not run here.
        pass


class BudgetForm(forms.Form):
    year = forms.IntegerField(label=_("Année"), min_value=FIRST_BUDGET_YEAR, max_value=LAST_BUDGET_YEAR)
    amount = forms.DecimalField(label=_("Budget (€)"), min_value=0, max_digits=12, decimal_places=2)
    initiative_fund = forms.DecimalField(
        label=_("dont fonds d'initiatives (€)"), min_value=0, max_digits=12, decimal_places=2, initial=0
    )


class AmendmentSignatureForm(forms.Form):
    party = forms.TypedChoiceField(label=_("Partie"), coerce=int)
    signed_on = forms.DateField(label=_("Signé le"), widget=DATE)
