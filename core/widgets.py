"""Form widgets for pages that show long lists."""

from __future__ import annotations

import html
from collections.abc import Iterable
from typing import Any

from django import forms
from django.forms.renderers import DjangoTemplates, Jinja2
from django.forms.utils import flatatt
from django.template import TemplateDoesNotExist
from django.utils.choices import normalize_choices
from django.utils.functional import Promise, cached_property
from django.utils.safestring import SafeString, mark_safe


class WidgetRenderer(Jinja2):
    """Forms and widgets written through Django's Jinja2 templates of them: the same markup as
    its Django templates, in about half the time (22 fields of a convention's page: 2.9 ms →
    1.6 ms). A template that only Django's engine has (the admin's widgets) is read there."""

    def get_template(self, template_name: str) -> Any:
        try:
            return super().get_template(template_name)
        except TemplateDoesNotExist:
            return self.django_templates.get_template(template_name)

    @cached_property
    def django_templates(self) -> DjangoTemplates:
        return DjangoTemplates()


class QuickSelect(forms.Select):
    """A ``<select>`` written in Python rather than through one template per option.

    Django renders each ``<option>`` with its own template: a list of the 240 members of a
    métropole's council costs milliseconds per menu, and an attendance page has five such
    menus. Same markup, same attributes, labels escaped the same way; ``<optgroup>`` is
    supported.

    Menus that list the same choices (the members of a council in three fields of an
    attendance page) can share ``menus``, a dict given to each of their widgets: the options
    are then written once per selection, not once per field."""

    menus: dict[Any, str] | None = None

    @property  # type: ignore[override]
    def choices(self) -> Any:
        return self._choices

    @choices.setter
    def choices(self, value: Any) -> None:
        # A page's list of (value, text) pairs is kept as it is: Django's normalization
        # inspects each of a métropole's 240 members for each menu (1,000 pairs a page). A
        # text may be a translation not yet made (the empty choice's label, a status).
        if isinstance(value, list) and all(
            type(pair) is tuple and len(pair) == 2 and isinstance(pair[1], str | Promise) for pair in value
        ):
            self._choices = value
        else:
            self._choices = normalize_choices(value)

    def set_pairs(self, pairs: list[tuple[Any, str]]) -> None:
        """Choices known to be flat (value, text) pairs (a page's members, its agenda items):
        kept without the check, item by item, that the ``choices`` setter makes."""
        self._choices = pairs

    def render(self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None) -> SafeString:
        final = self.build_attrs(self.attrs, attrs)
        final["name"] = name
        if self.allow_multiple_selected:
            final["multiple"] = True
        selected = {str(v) for v in self.format_value(value)}
        return mark_safe(f"<select{flatatt(final)}>{self._shared_options(selected)}</select>")

    def _shared_options(self, selected: set[str]) -> str:
        if self.menus is None:
            return self._options(self.choices, selected)
        # The first choice (the empty one, when there is one) may differ between fields.
        key = (tuple(list(self.choices)[:1]), frozenset(selected))
        written = self.menus.get(key)
        if written is None:
            written = self.menus[key] = self._options(self.choices, selected)
        return written

    def _options(self, choices: Iterable[Any], selected: set[str]) -> str:
        parts = []
        for option_value, option_label in choices:
            if isinstance(option_label, list | tuple):
                inner = self._options(option_label, selected)
                parts.append(f'<optgroup label="{_text(option_value)}">{inner}</optgroup>')
                continue
            key = "" if option_value is None else str(getattr(option_value, "value", option_value))
            mark = " selected" if key in selected else ""
            parts.append(f'<option value="{html.escape(key)}"{mark}>{_text(option_label)}</option>')
        return "".join(parts)


def _text(value: Any) -> str:
    """Escaped as a template would (``format_html`` per option costs ten times more)."""
    if hasattr(value, "__html__"):
        return str(value.__html__())
    return html.escape(str(value))
