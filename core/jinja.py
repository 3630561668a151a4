"""The site's pages, written by Jinja2: ``templates/jinja2/pages/`` extend ``layout.jinja``.

Django's template engine resolves each variable through a chain of lookups and wraps every
node in error handling: about a microsecond per printed value, the larger part of a page
that shows a whole sitting, act or convention. Jinja2 compiles a template to Python once.
Django's engine is left to the admin, the e-mails and the documents' sandboxed templates
(``documents.rendering``). The pages print what Django's templates printed:

- every ``{{ value }}`` is localized as Django's engine localizes it (numbers, dates and
  times in the active language, aware datetimes in the current time zone: ``finalize``);
- autoescape is on, and Django's safe strings, forms and fields are written as they are;
- translations come from Django's catalogues (``_("…", name=value)`` is a msgid with
  ``%(name)s`` placeholders, the same as ``{% blocktranslate %}``);
- the filters that a page needs are Django's own (``date``, ``linebreaksbr``, ``yesno``…),
  and one set of French ones (``core.formatting``): ``money`` ("15 000,00 €"), ``longdate``
  ("3 décembre 2029"), ``longdatetime``, ``relative`` ("dans 3 ans", "il y a 5 jours"),
  ``number`` ("1 234") and ``value`` (any value, "—" for none);

``url``, ``static``, ``querystring`` and the history and documents panels are globals; the
request, ``csrf_input`` and the layout's context (navigation, messages, language) are given
by the backend and ``core.context_processors.page``.
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Callable
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from django.conf import settings
from django.template import defaultfilters, defaulttags
from django.templatetags.static import static
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import formats, timezone
from django.utils.dateparse import parse_date
from django.utils.module_loading import import_string
from django.utils.timezone import template_localtime  # type: ignore[attr-defined]
from django.utils.translation import gettext, ngettext
from jinja2 import Environment, pass_context, pass_environment
from markupsafe import Markup

from core.formatting import french_amount, french_date, french_datetime, french_number, french_relative, french_value

_LOCALIZED = (int, float, Decimal, datetime.date, datetime.time)


def finalize(value: Any) -> Any:
    """What Django's engine does to a printed value before escaping it: aware datetimes in
    the current time zone, numbers and dates in the active language's format."""
    cls = value.__class__
    if cls is str or value is None or cls is bool:
        return value
    if cls is int and not settings.USE_THOUSAND_SEPARATOR:
        return str(value)  # what ``localize`` writes for an int without grouping, 20 times faster
    if isinstance(value, _LOCALIZED):
        return formats.localize(template_localtime(value))
    return value


@functools.lru_cache(maxsize=4096)
def _reverse(prefix: str, urlconf: Any, name: str, args: tuple[Any, ...], kwargs: tuple[tuple[str, Any], ...]) -> str:
    return reverse(name, urlconf=urlconf, args=args or None, kwargs=dict(kwargs) or None)


def url(name: str, *args: Any, **kwargs: Any) -> str:
    """``{% url name arg … %}``. An address is reversed once per process for its script
    prefix and URLconf (the patterns are fixed and none is translated): a page writes the
    same few dozen links on every request, at some 10 µs each through ``reverse``."""
    try:
        return _reverse(get_script_prefix(), get_urlconf(), name, args, tuple(sorted(kwargs.items())))
    except TypeError:  # an argument that cannot be a key (a list): reversed each time
        return reverse(name, args=args or None, kwargs=kwargs or None)


@pass_context
def querystring(context: Any, **changes: Any) -> str:
    """``{% querystring page=2 %}``: the request's query string with these keys changed
    (``None`` removes one), as Django's tag writes it (escaped by autoescape here)."""
    return str(defaulttags.querystring(SimpleNamespace(request=context["request"]), **changes))  # type: ignore[arg-type]


def _linebreaksbr(value: Any) -> Markup:
    return Markup(defaultfilters.linebreaksbr(value, autoescape=True))


def _linebreaks(value: Any) -> Markup:
    return Markup(defaultfilters.linebreaks_filter(value, autoescape=True))


def _filesizeformat(value: Any) -> str:
    return str(defaultfilters.filesizeformat(value))


def _stringformat(value: Any, arg: str) -> str:
    return str(defaultfilters.stringformat(value, arg))


def _date(value: Any, arg: str | None = None) -> str:
    """``|date``: like Django's filter, an aware datetime in the current time zone."""
    return defaultfilters.date(template_localtime(value), arg) if value not in (None, "") else ""


def _yesno(value: Any, arg: str | None = None) -> str:
    return str(defaultfilters.yesno(value, arg))


def _truncatechars(value: Any, length: int) -> str:
    return str(defaultfilters.truncatechars(value, length))


def _capfirst(value: Any) -> str:
    return str(defaultfilters.capfirst(value))


def _frdate(value: Any) -> str:
    """ "26 mars 2024" (a datetime on its day in the current time zone)."""
    if not value:
        return ""
    if isinstance(value, str):  # an ISO date kept in a JSON field (an avenant's effect)
        value = parse_date(value) or value
        if isinstance(value, str):
            return value
    return french_date(template_localtime(value) if isinstance(value, datetime.datetime) else value)


def _frdatetime(value: Any) -> str:
    """ "3 décembre 2029 à 14 h 30", in the current time zone."""
    return french_datetime(template_localtime(value)) if value else ""


def _framount(value: Any) -> str:
    """ "60 000,00 €"."""
    return french_amount(value) if value is not None and value != "" else ""


def _number(value: Any) -> str:
    """ "1 234": a count with its thousands separated."""
    return french_number(value) if value is not None and value != "" else ""


def _relative(value: Any) -> str:
    """ "dans 3 ans", "il y a 5 jours", "aujourd'hui": a date (or a number of days from
    today) as far from today as a person says it."""
    if value is None or value == "":
        return ""
    if isinstance(value, datetime.datetime):
        value = template_localtime(value).date()
    days = value if isinstance(value, int) else (value - timezone.localdate()).days
    return french_relative(days)


def _value(value: Any) -> str:
    """Any value as a person reads it (``core.formatting.french_value``)."""
    if isinstance(value, datetime.datetime):
        value = template_localtime(value)
    return french_value(value)


class PagesEnvironment(Environment):
    """Reads ``row.key`` of a dict as the key first, as Django's templates do: a row whose key
    is ``items`` or ``values`` prints its value, not the dict's method."""

    def getattr(self, obj: Any, attribute: str) -> Any:
        if isinstance(obj, dict):
            try:
                return obj[attribute]
            except KeyError:
                pass
        return super().getattr(obj, attribute)


def environment(**options: Any) -> Environment:
    """The pages' and fragments' environment: autoescape, Django's catalogues (``_()``,
    ``ngettext``), the globals and filters of a page, and the panels of the apps
    (``settings.OBJECT_PANELS``)."""
    env = PagesEnvironment(extensions=["jinja2.ext.i18n"], finalize=finalize, **options)
    env.install_gettext_callables(gettext, ngettext, newstyle=True)  # type: ignore[attr-defined]
    env.globals.update(
        {
            "url": url,
            "querystring": querystring,
            "static": static,
            "history_panel": _history_panel,
        }
    )
    for name, (dotted, template) in getattr(settings, "OBJECT_PANELS", {}).items():
        env.globals[name] = _object_panel(import_string(dotted), template)
    env.filters.update(
        {
            "date": _date,
            "frdate": _frdate,
            "framount": _framount,
            "money": _framount,
            "longdate": _frdate,
            "longdatetime": _frdatetime,
            "number": _number,
            "relative": _relative,
            "value": _value,
            "linebreaksbr": _linebreaksbr,
            "linebreaks": _linebreaks,
            "filesizeformat": _filesizeformat,
            "stringformat": _stringformat,
            "yesno": _yesno,
            "truncatechars": _truncatechars,
            "capfirst": _capfirst,
        }
    )
    return env


@pass_environment
def _history_panel(env: Environment, obj: Any, limit: int = 20) -> Markup:
    """``{{ history_panel(obj) }}``: the object's latest changes (``panels/history.jinja``)."""
    from core import history

    return Markup(env.get_template("panels/history.jinja").render(history.panel(obj, limit)))


def _object_panel(read: Callable[..., dict[str, Any]], template: str) -> Callable[..., Markup]:
    """``{{ name(request, obj) }}``: an app's panel of an object, read for the request's user
    (scoped by it) and printed by ``template``."""

    @pass_environment
    def panel(env: Environment, request: Any, obj: Any, **options: Any) -> Markup:
        context = read(getattr(request, "user", None), obj, **options)
        return Markup(env.get_template(template).render(context))

    return panel
