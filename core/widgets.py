"""Form widgets for pages that show long lists."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe


class QuickSelect(forms.Select):
    """A ``<select>`` written in Python rather than through one template per option.

    Django renders each ``<option>`` with its own template: a list of the 240 members of a
    métropole's council costs milliseconds per menu, and an attendance page has five such
    menus. Same markup, same attributes; ``<optgroup>`` is supported."""

    def render(self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None) -> SafeString:
        final = self.build_attrs(self.attrs, attrs)
        final["name"] = name
        if self.allow_multiple_selected:
            final["multiple"] = True
        selected = {str(v) for v in self.format_value(value)}
        return format_html("<select{}>{}</select>", flatatt(final), self._options(self.choices, selected))

    def _options(self, choices: Iterable[Any], selected: set[str]) -> SafeString:
        parts = []
        for option_value, option_label in choices:
            if isinstance(option_label, list | tuple):
                parts.append(
                    format_html(
                        '<optgroup label="{}">{}</optgroup>', option_value, self._options(option_label, selected)
                    )
                )
                continue
            key = "" if option_value is None else str(getattr(option_value, "value", option_value))
            parts.append(
                format_html(
                    '<option value="{}"{}>{}</option>',
                    key,
                    mark_safe(" selected") if key in selected else "",
                    option_label,
                )
            )
        return mark_safe("".join(parts))


def options_html(choices: Iterable[tuple[Any, Any]]) -> SafeString:
    """``<option>`` elements for a list of (value, label), built once for several menus."""
    return format_html_join("", '<option value="{}">{}</option>', choices)
