"""Long tables of the pages (an agenda of 150 items, a sheet of 240 members) as fragments.

A page (``core.jinja``) receives its long tables as HTML already written: the view decides
every row from plain values and renders a fragment under ``templates/jinja2/<app>/`` with
this environment, with autoescape (Django's safe strings stay as they are), and passes the
result as safe HTML. A fragment receives everything it prints from the view: no query, no
URL reversal, no context processor, no localization runs inside it (``finalize`` is the
pages' own); a row's values are the strings the page prints.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.template import engines
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext, ngettext
from jinja2 import Environment, pass_context
from jinja2.runtime import Context
from markupsafe import Markup


class RowsEnvironment(Environment):
    """Reads ``row.key`` of a dict as the key first, as Django's templates do.

    Jinja2 tries the attribute first: for the dicts a view builds for its rows, that is an
    ``AttributeError`` raised and caught for every printed value, half a fragment's time."""

    def getattr(self, obj: Any, attribute: str) -> Any:
        if obj.__class__ is dict:
            try:
                return obj[attribute]
            except KeyError:
                pass
        return super().getattr(obj, attribute)


# A template's messages are its literals: a few hundred in all, each translated once per
# language here instead of at every print. Through Jinja2's newstyle ``_()`` (an alias that
# resolves ``gettext``, Django's lookup of the active translation, the markup, the ``%``
# formatting even without variables) a label cost 10 µs: 1 ms on a page of a hundred labels.
# The catalogues are read once per process, as Django reads them.
_translated: dict[tuple[str | None, str, bool], str] = {}


@pass_context
def _gettext(context: Context, message: str, **variables: Any) -> str:
    """Jinja2's newstyle ``gettext`` (``_("…")``, ``_("… %(n)s", n=…)``), remembered by
    language: the same text, marked safe and formatted as Jinja2's own does it."""
    autoescape = bool(context.eval_ctx.autoescape)
    key = (get_language(), message, autoescape)
    text = _translated.get(key)
    if text is None:
        text = Markup(gettext(message)) if autoescape else gettext(message)
        _translated[key] = text
    if variables:
        return text % variables
    plain = _translated.get((key[0], message, None))  # type: ignore[arg-type]
    if plain is None:
        # Jinja2 formats every message ("%%" prints "%"): the result without variables too.
        plain = _translated[(key[0], message, None)] = text % {}  # type: ignore[index]
    return plain


def environment(**options: Any) -> Environment:
    """The fragments' environment: autoescape, translations through Django's catalogues."""
    env = RowsEnvironment(extensions=["jinja2.ext.i18n"], **options)
    env.install_gettext_callables(gettext, ngettext, newstyle=True)  # type: ignore[attr-defined]
    env.globals["gettext"] = env.globals["_"] = _gettext
    return env


def render_fragment(name: str, context: dict[str, Any]) -> SafeString:
    """The HTML of the fragment ``name`` (under ``templates/jinja2/``), escaped as it was written."""
    return mark_safe(engines["pages"].get_template(name).render(context))


def csrf_input(request: HttpRequest) -> SafeString:
    """The hidden CSRF field of the request, written once for the many forms of a fragment."""
    return format_html('<input type="hidden" name="csrfmiddlewaretoken" value="{}">', get_token(request))
