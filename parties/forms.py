from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from parties.models import Civility, Organization


class OrganizationForm(forms.ModelForm):
    class Meta:
        model = Organization
        fields = [
            "kind",
            "name",
            "short_name",
            "siren",
            "siret",
            "rna",
            "departement_code",
            "insee_code",
            "population",
            "street",
            "postal_code",
            "city",
            "email",
            "website",
        ]


class PersonForm(forms.Form):
    civility = forms.ChoiceField(label=_("Civilité"), choices=Civility.choices, required=False)
    first_name = forms.CharField(label=_("Prénom"), max_length=100)
    last_name = forms.CharField(label=_("Nom"), max_length=100)
    email = forms.EmailField(label=_("Courriel"), required=False)
    function = forms.CharField(
        label=_("Signe pour l'organisation en qualité de"),
        max_length=200,
        required=False,
        help_text=_("Laisser vide si la personne ne signe pas. Par exemple « Monsieur le Maire »."),
    )
    is_default = forms.BooleanField(label=_("Signataire habituel"), required=False)
