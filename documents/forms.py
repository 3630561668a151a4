"""Forms of the documents pages (thin: the services check everything)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from documents.models import SigningCertificate
from parties.models import Signatory


class SignForm(forms.Form):
    certificate = forms.ModelChoiceField(queryset=SigningCertificate.objects.none(), label=_("Certificat"))
    passphrase = forms.CharField(
        label=_("Phrase secrète"),
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("Laissez vide si la phrase secrète est conservée (chiffrée) par Conventio."),
    )
    location = forms.CharField(label=_("Lieu"), required=False, max_length=100)
    reason = forms.CharField(label=_("Motif"), required=False, max_length=200)

    def __init__(self, *args: Any, certificates: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if certificates is not None:
            self.fields["certificate"].queryset = certificates  # type: ignore[attr-defined]
        # Most organizations have one signing certificate: offer it first.
        self.fields["certificate"].empty_label = None  # type: ignore[attr-defined]


class FileForm(forms.Form):
    file = forms.FileField(label=_("Fichier PDF"))


class TemplateUploadForm(forms.Form):
    file = forms.FileField(label=_("Fichier du modèle"))
    comment = forms.CharField(label=_("Ce qui change"), required=False, max_length=300)


class SigningCertificateForm(forms.Form):
    pkcs12 = forms.FileField(
        label=_("Fichier du certificat (PKCS#12 : .p12 ou .pfx)"),
        help_text=_("Le certificat du signataire avec sa clé privée, tel que l'autorité de certification l'a remis."),
    )
    passphrase = forms.CharField(
        label=_("Phrase secrète du fichier"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text=_("Elle est vérifiée en ouvrant le fichier."),
    )
    store_passphrase = forms.BooleanField(
        label=_("Conserver la phrase secrète (chiffrée) pour signer sans la ressaisir"), required=False, initial=True
    )
    signatory = forms.ModelChoiceField(queryset=Signatory.objects.none(), label=_("Signataire"), required=False)
    label = forms.CharField(
        label=_("Libellé"), required=False, max_length=200, help_text=_("Vide : le nom du titulaire du certificat.")
    )

    def __init__(self, *args: Any, signatories: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if signatories is not None:
            self.fields["signatory"].queryset = signatories  # type: ignore[attr-defined]


class TrustAnchorForm(forms.Form):
    certificate = forms.FileField(
        label=_("Certificat de l'autorité (PEM ou DER : .pem, .crt, .cer, .der)"),
        help_text=_("Le certificat public de l'autorité de certification, sans clé privée."),
    )
    label = forms.CharField(
        label=_("Libellé"), required=False, max_length=200, help_text=_("Vide : le nom de l'autorité.")
    )
