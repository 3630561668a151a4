"""Forms of the deliberations pages. They only shape input; the services check the rules."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from deliberations.models import (
    ActNature,
    Assembly,
    AssemblyKind,
    Deliberation,
    DeliberationKind,
    ListSeparator,
    MandateRole,
    NameStyle,
    Presence,
    Sitting,
    SittingKind,
    VoteChoice,
    VoteMethod,
)
from parties.models import Civility, Person, Signatory


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class PersonChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.full_name


class AssemblyForm(forms.Form):
    organization = forms.TypedChoiceField(label=_("Collectivité"), coerce=int)
    kind = forms.ChoiceField(label=_("Nature"), choices=AssemblyKind.choices)
    name = forms.CharField(label=_("Nom"), max_length=200, initial="Conseil municipal")
    numbering_pattern = forms.CharField(
        label=_("Modèle de numéro"),
        initial="{year}-{seq:03}",
        help_text=_("Par exemple v{year}-{seq:03} (v2024-067) ou {year}_CT2_{seq} (2019_CT2_587)."),
    )
    usual_place = forms.CharField(label=_("Lieu habituel des séances"), required=False)
    signature_city = forms.CharField(label=_("Ville du « Fait à »"), required=False)
    president_title = forms.CharField(label=_("Titre du président"), initial="Monsieur le Maire")
    name_style = forms.ChoiceField(label=_("Écriture des noms"), choices=NameStyle.choices)
    proxy_wording = forms.CharField(label=_("Formule des pouvoirs"), initial="ayant donné pouvoir à")
    information_wording = forms.CharField(label=_("Formule des communications"), initial="prend acte")

    def __init__(self, *args: Any, organizations: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].choices = organizations  # type: ignore[attr-defined]


class MandateForm(forms.Form):
    person = PersonChoice(
        label=_("Élu déjà enregistré"),
        queryset=Person.objects.none(),
        required=False,
        help_text=_("Ou laissez vide et indiquez ci-dessous le prénom et le nom d'un nouvel élu."),
    )
    civility = forms.ChoiceField(label=_("Civilité (nouvel élu)"), choices=Civility.choices, required=False)
    first_name = forms.CharField(label=_("Prénom (nouvel élu)"), max_length=100, required=False)
    last_name = forms.CharField(label=_("Nom (nouvel élu)"), max_length=100, required=False)
    role = forms.ChoiceField(label=_("Rôle"), choices=MandateRole.choices, initial=MandateRole.COUNCILLOR)
    function = forms.CharField(label=_("Qualité"), required=False, help_text=_("Par exemple « Adjoint au Maire »."))
    start_date = forms.DateField(label=_("Début"), widget=DateInput())
    end_date = forms.DateField(label=_("Fin"), required=False, widget=DateInput())

    def __init__(self, *args: Any, assembly: Assembly, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = Person.objects.filter(organization_id=assembly.organization_id)  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        new_name = data.get("first_name", "").strip() or data.get("last_name", "").strip()
        if data.get("person") and new_name:
            raise forms.ValidationError(_("Choisissez un élu déjà enregistré ou un nouvel élu, pas les deux."))
        if not data.get("person"):
            if not new_name:
                self.add_error("person", _("Choisissez un élu ou indiquez le prénom et le nom d'un nouvel élu."))
            elif not data.get("first_name", "").strip() or not data.get("last_name", "").strip():
                self.add_error("last_name", _("Le prénom et le nom du nouvel élu sont obligatoires."))
        return data


class NumberingForm(forms.Form):
    pattern = forms.CharField(
        label=_("Modèle de numéro"),
        max_length=60,
        help_text=_(
            "Doit contenir {seq}. Par exemple v{year}-{seq:03} (v2024-067) ou {year}_CT2_{seq} (2019_CT2_587)."
        ),
    )
    yearly_reset = forms.BooleanField(label=_("Repartir de 1 chaque année"), required=False)


class NextNumberForm(forms.Form):
    year = forms.IntegerField(
        label=_("Année de numérotation"),
        min_value=2000,
        max_value=2100,
        help_text=_("Sans effet si la numérotation ne repart pas de 1 chaque année."),
    )
    next_value = forms.IntegerField(
        label=_("Rang du prochain numéro"),
        min_value=1,
        help_text=_("Par exemple 113 si la dernière délibération de l'année porte le rang 112."),
    )


class WordingForm(forms.Form):
    president_title = forms.CharField(label=_("Titre du président"), max_length=100)
    name_style = forms.ChoiceField(label=_("Écriture des noms"), choices=NameStyle.choices)
    list_separator = forms.ChoiceField(
        label=_("Séparateur des listes de noms"), choices=ListSeparator.choices, required=False
    )
    proxy_wording = forms.CharField(label=_("Formule des pouvoirs"), max_length=100)
    information_wording = forms.CharField(label=_("Formule des communications"), max_length=200)
    signature_city = forms.CharField(
        label=_("Ville du « Fait à »"),
        max_length=100,
        required=False,
        help_text=_("Vide : la ville de l'organisation."),
    )

    def clean_list_separator(self) -> str:
        # Posted without it (a script written before the option): the usual comma.
        return self.cleaned_data.get("list_separator") or ListSeparator.COMMA


class EndMandateForm(forms.Form):
    end_date = forms.DateField(label=_("Fin du mandat"), widget=DateInput())


class SittingForm(forms.Form):
    assembly = forms.ModelChoiceField(label=_("Assemblée"), queryset=Assembly.objects.none())
    starts_at = forms.DateTimeField(label=_("Date et heure"), widget=DateTimeInput())
    kind = forms.ChoiceField(label=_("Nature"), choices=SittingKind.choices)
    place = forms.CharField(label=_("Lieu"), required=False)
    president = PersonChoice(label=_("Président de séance"), queryset=Person.objects.none(), required=False)
    secretary = PersonChoice(label=_("Secrétaire de séance"), queryset=Person.objects.none(), required=False)
    notes = forms.CharField(
        label=_("Notes pour le procès-verbal"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, assemblies: Any, people: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assembly"].queryset = assemblies  # type: ignore[attr-defined]
        self.fields["president"].queryset = people  # type: ignore[attr-defined]
        self.fields["secretary"].queryset = people  # type: ignore[attr-defined]


class ConveneForm(forms.Form):
    convocation_date = forms.DateField(label=_("Envoi de la convocation"), widget=DateInput())
    urgency = forms.BooleanField(label=_("Urgence (délai abrégé à un jour franc)"), required=False)
    urgency_reason = forms.CharField(label=_("Motif de l'urgence"), required=False)


class DateForm(forms.Form):
    day = forms.DateField(label=_("Date"), widget=DateInput())


class ReconveneForm(forms.Form):
    starts_at = forms.DateTimeField(label=_("Nouvelle séance (trois jours au moins plus tard)"), widget=DateTimeInput())
    convocation_date = forms.DateField(label=_("Envoi de la nouvelle convocation"), widget=DateInput())
    place = forms.CharField(label=_("Lieu"), required=False)


class DeliberationForm(forms.Form):
    title = forms.CharField(label=_("Objet"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))
    kind = forms.ChoiceField(label=_("Nature"), choices=DeliberationKind.choices)
    theme = forms.CharField(label=_("Thème"), required=False, max_length=200)
    subject_code = forms.CharField(
        label=_("Matière (code)"),
        required=False,
        max_length=20,
        help_text=_("Code de la nomenclature @CTES, au moins deux niveaux : par exemple 7.5 (Subventions) ou 1.1.2."),
    )
    rapporteur = PersonChoice(label=_("Rapporteur"), queryset=Person.objects.none(), required=False)
    report = forms.CharField(label=_("Exposé"), required=False, widget=forms.Textarea(attrs={"rows": 8}))
    operative_part = forms.CharField(label=_("Dispositif"), required=False, widget=forms.Textarea(attrs={"rows": 6}))
    requires_transmission = forms.BooleanField(
        label=_("À transmettre au contrôle de légalité"), required=False, initial=True
    )

    def __init__(self, *args: Any, people: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["rapporteur"].queryset = people  # type: ignore[attr-defined]


class NewDeliberationForm(DeliberationForm):
    assembly = forms.ModelChoiceField(label=_("Assemblée"), queryset=Assembly.objects.none())
    sitting = forms.ModelChoiceField(label=_("Séance"), queryset=Sitting.objects.none(), required=False)

    field_order = ["assembly", "sitting", "title", "kind"]

    def __init__(self, *args: Any, assemblies: Any, sittings: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assembly"].queryset = assemblies  # type: ignore[attr-defined]
        self.fields["sitting"].queryset = sittings  # type: ignore[attr-defined]


class VoteForm(forms.Form):
    method = forms.ChoiceField(label=_("Mode de scrutin"), choices=VoteMethod.choices)
    votes_for = forms.IntegerField(label=_("Pour"), min_value=0, required=False)
    votes_against = forms.IntegerField(label=_("Contre"), min_value=0, required=False, initial=0)
    abstentions = forms.IntegerField(label=_("Abstentions"), min_value=0, required=False, initial=0)
    not_voting = forms.IntegerField(label=_("Ne prennent pas part au vote"), min_value=0, required=False, initial=0)
    president_choice = forms.ChoiceField(
        label=_("Vote du président (en cas de partage)"),
        required=False,
        choices=[("", "—"), *VoteChoice.choices],
    )
    requested_by = forms.IntegerField(
        label=_("Membres ayant demandé ce scrutin"),
        min_value=0,
        required=False,
        help_text=_("Scrutin public : un quart des présents ; scrutin secret : un tiers."),
    )


class ChairForm(forms.Form):
    """Who presides the sitting for one item (CGCT L2121-14); empty: the sitting's president."""

    presided_by = forms.TypedChoiceField(label=_("Présidence du point"), coerce=int, required=False, empty_value=None)
    reason = forms.CharField(label=_("Motif (par exemple : compte administratif)"), required=False, max_length=200)

    def __init__(self, *args: Any, people: list[tuple[int, str]], **kwargs: Any) -> None:
        # ``people``: (person id, name) of the members in office, as the page already read them.
        super().__init__(*args, **kwargs)
        self.fields["presided_by"].choices = [("", _("— le président de séance —")), *people]  # type: ignore[attr-defined]


class _PeopleAndItemsForm(forms.Form):
    """A form choosing members and agenda items of a sitting. The page that shows it passes
    ``choices`` (already loaded with the sitting's attendance) so that its menus cost no
    query; the view that validates a submission passes querysets only."""

    people_fields: tuple[str, ...] = ()
    item_fields: tuple[str, ...] = ()

    def __init__(
        self,
        *args: Any,
        people: Any,
        items: Any,
        choices: tuple[list[tuple[int, str]], list[tuple[int, str]]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if choices is not None and self.is_bound:
            raise TypeError("choices are for a form shown, not for one validated (give the querysets)")
        if choices is None:  # a submission: its choices are validated against the querysets
            for name in self.people_fields:
                self.fields[name].queryset = people  # type: ignore[attr-defined]
            for name in self.item_fields:
                self.fields[name].queryset = items  # type: ignore[attr-defined]
                self.fields[name].label_from_instance = lambda d: f"{d.position}. {d.title[:80]}"  # type: ignore[attr-defined]
        else:  # a page showing the form: its menus are the choices given (the fields' querysets are empty)
            people_choices, item_choices = choices
            for names, listed in ((self.people_fields, people_choices), (self.item_fields, item_choices)):
                for name in names:
                    field = self.fields[name]
                    empty = [("", field.empty_label)] if field.empty_label is not None else []  # type: ignore[attr-defined]
                    field.choices = [*empty, *listed]  # type: ignore[attr-defined]


class ProxyForm(_PeopleAndItemsForm):
    giver = PersonChoice(label=_("Mandant (absent)"), queryset=Person.objects.none())
    holder = PersonChoice(label=_("Mandataire (présent)"), queryset=Person.objects.none())
    written_on = forms.DateField(label=_("Pouvoir écrit le"), widget=DateInput())
    illness = forms.BooleanField(label=_("Pour maladie"), required=False)
    from_item = forms.ModelChoiceField(
        label=_("À partir du point"), queryset=Deliberation.objects.none(), required=False
    )
    # A member who gives a proxy is absent (CGCT L2121-20): checked, the sheet records them so
    # with the proxy, in the same transaction (``services.represent``).
    mark_absent = forms.BooleanField(
        label=_("Noter le mandant absent s'il est pointé présent ou non pointé"), required=False
    )
    people_fields = ("giver", "holder")
    item_fields = ("from_item",)


class MovementForm(_PeopleAndItemsForm):
    person = PersonChoice(label=_("Élu"), queryset=Person.objects.none())
    deliberation = forms.ModelChoiceField(label=_("À partir du point"), queryset=Deliberation.objects.none())
    status = forms.ChoiceField(label=_("Présence"), choices=Presence.choices)
    only_this_item = forms.BooleanField(label=_("Pour ce point seulement"), required=False)
    people_fields = ("person",)
    item_fields = ("deliberation",)


class SignForm(forms.Form):
    signed_on = forms.DateField(label=_("Fait le"), widget=DateInput())
    signatory = forms.ModelChoiceField(label=_("Signataire"), queryset=Signatory.objects.none(), required=False)

    def __init__(self, *args: Any, organization_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        queryset = Signatory.objects.filter(organization_id=organization_id).select_related("person")
        self.fields["signatory"].queryset = queryset  # type: ignore[attr-defined]


class TransmissionForm(forms.Form):
    nature = forms.ChoiceField(label=_("Nature @CTES"), choices=ActNature.choices)
    internal_number = forms.CharField(
        label=_("Numéro interne"),
        required=False,
        max_length=15,
        help_text=_("A-Z, 0-9 et _ ; vide : déduit du numéro de la délibération."),
    )
    sent_on = forms.DateField(label=_("Envoi en préfecture"), widget=DateInput())
    received_on = forms.DateField(label=_("Réception en préfecture"), required=False, widget=DateInput())
    acknowledgement_id = forms.CharField(
        label=_("Identifiant de l'accusé de réception"),
        required=False,
        help_text=_("Par exemple 034-213401722-20240326-262151-CC-1-1."),
    )


class AcknowledgementForm(forms.Form):
    received_on = forms.DateField(label=_("Réception en préfecture"), widget=DateInput())
    acknowledgement_id = forms.CharField(label=_("Identifiant de l'accusé de réception"))


class AnnexForm(forms.Form):
    title = forms.CharField(label=_("Titre"), required=False)
    file = forms.FileField(label=_("Fichier (PDF, DOCX, ODT, XLSX, image)"))
    type_code = forms.CharField(label=_("Type de pièce @CTES"), required=False, max_length=5)
    transmitted = forms.BooleanField(label=_("Transmise en préfecture"), required=False)


class AnnexTypeForm(forms.Form):
    type_code = forms.RegexField(label=_("Type de pièce @CTES"), regex=r"^[0-9]{2}_[A-Z]{2}$", max_length=5)
    transmitted = forms.BooleanField(label=_("Transmise en préfecture"), required=False)


class AcknowledgementFileForm(forms.Form):
    file = forms.FileField(label=_("Accusé de réception (XML ARActe ou PDF tamponné)"))
    received_on = forms.DateField(
        label=_("Réception en préfecture"),
        required=False,
        widget=DateInput(),
        help_text=_("Seulement si le tampon du PDF ne la donne pas."),
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Motif"), required=False)


def local_now_input() -> str:
    return timezone.localtime().strftime("%Y-%m-%dT%H:%M")


class ClassificationForm(forms.Form):
    file = forms.FileField(
        label=_("Fichier de classification de la préfecture (XML RetourClassification)"),
        help_text=_("Le fichier que la préfecture envoie par @CTES : sa date, ses matières et ses types de pièces."),
    )


class SendConvocationForm(forms.Form):
    """Sending the convocation: the day of sending is today (it starts the jours francs)."""

    urgency = forms.BooleanField(label=_("Urgence (délai abrégé à un jour franc)"), required=False)
    urgency_reason = forms.CharField(label=_("Motif de l'urgence"), required=False)


class NoticeForm(forms.Form):
    """An additive notice, a postponement or a cancellation, sent to every member in office."""

    kind = forms.ChoiceField(
        label=_("Avis"),
        choices=[
            ("additive", _("Additif à l'ordre du jour (point ajouté, rapport modifié)")),
            ("postponement", _("Report de la séance")),
            ("cancellation", _("Annulation de la séance")),
        ],
    )
    message = forms.CharField(label=_("Objet de l'avis"), widget=forms.Textarea(attrs={"rows": 3}))
    new_starts_at = forms.DateTimeField(label=_("Nouvelle date (report)"), required=False, widget=DateTimeInput())


class BounceForm(forms.Form):
    reason = forms.CharField(label=_("Message d'erreur reçu"), max_length=500)
