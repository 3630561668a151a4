"""Forms of the reminders pages: filters, settings, preferences."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from core.errors import DomainError
from core.roles import STAFF_ROLES, Role
from reminders import rules
from reminders.models import DeadlineKind, EmailMode, HolidayCalendar


class DeadlineFilterForm(forms.Form):
    SCOPES = [("mine", _("Mes échéances")), ("all", _("Toutes les échéances de mes organisations"))]
    PERIODS = [
        ("", _("Toutes les dates")),
        ("overdue", _("En retard")),
        ("today", _("Aujourd'hui")),
        ("week", _("Dans les 7 jours")),
        ("month", _("Dans le mois")),
        ("upcoming", _("À venir")),
    ]
    STATUSES = [("open", _("À traiter")), ("handled", _("Traitées")), ("all", _("Toutes"))]

    scope = forms.ChoiceField(label=_("Échéances"), choices=SCOPES, required=False)
    period = forms.ChoiceField(label=_("Période"), choices=PERIODS, required=False)
    status = forms.ChoiceField(label=_("État"), choices=STATUSES, required=False)
    kind = forms.ChoiceField(
        label=_("Nature"),
        choices=[("", _("Toutes"))] + list(DeadlineKind.choices),
        required=False,
    )
    organization = forms.TypedChoiceField(label=_("Organisation"), coerce=int, required=False, empty_value=None)
    q = forms.CharField(label=_("Intitulé"), required=False, max_length=100)

    def __init__(self, *args: Any, organizations: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].choices = [("", _("Toutes"))] + organizations  # type: ignore[attr-defined]


class OffsetsField(forms.CharField):
    """ "120, 60, 30, 7, 0" ↔ (120, 60, 30, 7, 0), checked, deduplicated and sorted."""

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list | tuple):
            return ", ".join(str(v) for v in value)
        return value

    def to_python(self, value: Any) -> Any:
        text = super().to_python(value)
        if not text:
            return ()
        try:
            return rules.parse_offsets(text)
        except DomainError as exc:
            raise forms.ValidationError(exc.message, code="invalid_offsets") from exc


KIND_CHOICES = list(DeadlineKind.choices)
# An élu's account is reminded of nothing (it reads only its convocations).
ROLE_CHOICES = [(value, label) for value, label in Role.choices if value in STAFF_ROLES]


class ReminderSettingsForm(forms.Form):
    renewal_lead_months = forms.IntegerField(
        label=_("Présenter le renouvellement au conseil (mois avant la fin)"),
        min_value=0,
        max_value=36,
        help_text=_("Une délibération doit être inscrite à une séance : 4 mois laissent le temps de le faire."),
    )
    offsets_days = OffsetsField(
        label=_("Rappels (jours avant l'échéance)"),
        help_text=_("Nombres entiers séparés par des virgules ; 0 = le jour même. Exemple : 120, 60, 30, 7, 0."),
    )
    holiday_calendar = forms.ChoiceField(
        label=_("Jours fériés pour les jours ouvrés"), choices=HolidayCalendar.choices, required=False
    )
    digest_by_default = forms.BooleanField(label=_("Récapitulatif quotidien par défaut"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for value, label in KIND_CHOICES:
            self.fields[f"offsets__{value}"] = OffsetsField(
                label=_("Rappels — %(kind)s") % {"kind": label},
                required=False,
                help_text=_("Vide : les rappels généraux."),
            )
            self.fields[f"roles__{value}"] = forms.MultipleChoiceField(
                label=_("Également destinataires — %(kind)s") % {"kind": label},
                choices=ROLE_CHOICES,
                required=False,
                widget=forms.CheckboxSelectMultiple,
            )

    @classmethod
    def initial_from(cls, settings_row: Any) -> dict[str, Any]:
        initial: dict[str, Any] = {
            "renewal_lead_months": settings_row.renewal_lead_months,
            "offsets_days": list(rules.normalize_offsets(settings_row.offsets_days)),
            "holiday_calendar": settings_row.holiday_calendar,
            "digest_by_default": settings_row.digest_by_default,
        }
        for kind, values in (settings_row.offsets_by_kind or {}).items():
            initial[f"offsets__{kind}"] = values
        for kind, roles in (settings_row.roles_by_kind or {}).items():
            initial[f"roles__{kind}"] = roles
        return initial

    def kind_rows(self) -> list[tuple[Any, Any, Any]]:
        return [(label, self[f"offsets__{value}"], self[f"roles__{value}"]) for value, label in KIND_CHOICES]

    def clean_offsets_days(self) -> Any:
        value = self.cleaned_data["offsets_days"]
        if not value:
            raise forms.ValidationError(_("Indiquez au moins un rappel (par exemple 0, le jour même)."))
        return value

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "renewal_lead_months": data["renewal_lead_months"],
            "offsets_days": data["offsets_days"],
            "offsets_by_kind": {v: data[f"offsets__{v}"] for v, _l in KIND_CHOICES if data.get(f"offsets__{v}")},
            "roles_by_kind": {v: data[f"roles__{v}"] for v, _l in KIND_CHOICES if data.get(f"roles__{v}")},
            "holiday_calendar": data.get("holiday_calendar") or "",
            "digest_by_default": data.get("digest_by_default", False),
        }


class PreferenceForm(forms.Form):
    email_mode = forms.ChoiceField(
        label=_("Courriels de rappel"), choices=EmailMode.choices, required=False, widget=forms.RadioSelect
    )
