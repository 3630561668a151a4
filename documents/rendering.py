"""Safe rendering of document templates: sandboxed Jinja → HTML → PDF/A, and DOCX.

Templates come from legal staff, so they are treated as untrusted code:

- Jinja runs in an immutable sandbox with autoescape; reaching for Python internals
  (``''.__class__``) raises at once and nothing is rendered; huge repetitions are refused;
  rendering is streamed under a time and size budget.
- WeasyPrint fetches resources only through :class:`DocumentURLFetcher`: ``data:`` URIs
  and the app's own static files. ``file://``, the network and everything else are
  refused, and a template that asks for them fails with a clear error.
- The fonts are vendored (``static/fonts``) and their stylesheet is parsed once per
  process, so a one-page document renders in a fraction of a second.
"""

from __future__ import annotations

import atexit
import io
import logging
import mimetypes
import posixpath
import re
import ssl
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from functools import cache, lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.utils.translation import gettext as _
from jinja2 import (
    BaseLoader,
    Environment,
    StrictUndefined,
    TemplateNotFound,
    TemplateSyntaxError,
    Undefined,
    UndefinedError,
    select_autoescape,
)
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError
from markupsafe import Markup, escape

from core.errors import DomainError
from core.formatting import french_typography
from documents.filters import FILTERS, typo

logger = logging.getLogger(__name__)

BASE_URL = "https://conventio.invalid/"
STATIC_PREFIX = BASE_URL + "static/"
TEMPLATE_ROOT = Path(settings.BASE_DIR) / "templates"
_TEMPLATE_NAME = re.compile(r"^documents/[a-z0-9_]+\.html$")


def _limit(name: str, default: Any) -> Any:
    return getattr(settings, name, default)


class Deadline:
    """A time budget for one rendering."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.ends = time.monotonic() + seconds

    def check(self) -> None:
        if time.monotonic() > self.ends:
            raise DomainError(
                _("Le modèle met plus de %(seconds)s secondes à produire le document : il est refusé.")
                % {"seconds": self.seconds},
                rule="documents.render_time_limit",
            )


# --- The sandbox -----------------------------------------------------------------------


class DocumentSandbox(ImmutableSandboxedEnvironment):
    """Sandbox that fails loudly: an unsafe attribute is an error, not a silent blank."""

    intercepted_binops = frozenset({"*", "**"})
    max_sequence = 100_000

    def unsafe_undefined(self, obj: Any, attribute: str) -> Undefined:
        raise SecurityError(
            _("le modèle tente d'accéder à « %(attribute)s », un élément interne interdit") % {"attribute": attribute}
        )

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "**":
            if isinstance(right, int | float) and abs(right) > 64:
                raise SecurityError(_("puissance trop grande dans le modèle"))
            return left**right
        if isinstance(left, str | list | tuple) and isinstance(right, int) and len(left) * right > self.max_sequence:
            raise SecurityError(_("répétition trop longue dans le modèle"))
        if isinstance(right, str | list | tuple) and isinstance(left, int) and len(right) * left > self.max_sequence:
            raise SecurityError(_("répétition trop longue dans le modèle"))
        return left * right


class DocumentsLoader(BaseLoader):
    """Loads only shipped document templates: ``documents/<name>.html`` under templates/."""

    def get_source(self, environment: Environment, template: str) -> tuple[str, str, Callable[[], bool]]:
        if not _TEMPLATE_NAME.match(template):
            raise TemplateNotFound(template)
        path = TEMPLATE_ROOT / template
        if not path.is_file():
            raise TemplateNotFound(template)
        mtime = path.stat().st_mtime
        return path.read_text(encoding="utf-8"), str(path), lambda: path.stat().st_mtime == mtime


def _finalize_docx(value: Any) -> Any:
    # DOCX text gets the French no-break spaces here; PDFs get them on the whole text.
    return typo(value) if isinstance(value, str) and not isinstance(value, Literal) else value


LITERAL_OPEN = '<span class="literal">'


class Literal(str):
    """A value printed exactly as it is in DOCX (see ``literal_text``)."""


def literal_html(value: Any) -> Markup:
    """Print a value exactly as it is (a file name, a URL, an address): French typography is
    not applied inside it. ``{{ annex.name|literal }}``."""
    return Markup(LITERAL_OPEN) + escape("" if value is None else str(value)) + Markup("</span>")


def literal_text(value: Any) -> str:
    """The value as it is in DOCX: ``_finalize_docx`` leaves a ``Literal`` alone."""
    return Literal("" if value is None else str(value))


@lru_cache(maxsize=1)
def html_environment() -> DocumentSandbox:
    env = DocumentSandbox(
        loader=DocumentsLoader(),
        autoescape=select_autoescape(default=True, default_for_string=True),
        auto_reload=True,
        cache_size=200,
    )
    env.filters.update(FILTERS)
    env.filters["literal"] = literal_html
    return env


def docx_environment() -> DocumentSandbox:
    # docxtpl sets autoescape on the environment it is given: one per rendering.
    env = DocumentSandbox(autoescape=True, finalize=_finalize_docx)
    env.filters.update(FILTERS)
    env.filters["literal"] = literal_text
    return env


def strict_environment() -> DocumentSandbox:
    """Sandbox that refuses undefined names: used to check an uploaded template."""
    env = DocumentSandbox(loader=DocumentsLoader(), autoescape=True, undefined=StrictUndefined)
    env.filters.update(FILTERS)
    return env


def _template_error(exc: Exception) -> DomainError:
    if isinstance(exc, DomainError):
        return exc
    if isinstance(exc, SecurityError):
        return DomainError(
            _("Modèle refusé : %(reason)s. Rien n'a été produit.") % {"reason": exc}, rule="documents.sandbox"
        )
    if isinstance(exc, TemplateSyntaxError):
        return DomainError(
            _("Le modèle contient une erreur de syntaxe ligne %(line)s : %(message)s.")
            % {"line": exc.lineno, "message": exc.message},
            rule="documents.template_syntax",
        )
    if isinstance(exc, TemplateNotFound):
        return DomainError(
            _("Le modèle fait appel à « %(name)s », qui n'existe pas.") % {"name": exc.name},
            rule="documents.template_syntax",
        )
    if isinstance(exc, UndefinedError):
        return DomainError(
            _("Le modèle utilise une donnée absente : %(message)s.") % {"message": exc.message},
            rule="documents.template_data",
        )
    return DomainError(
        _("Le modèle n'a pas pu être rendu : %(error)s.") % {"error": f"{type(exc).__name__}: {exc}"},
        rule="documents.template_render",
    )


_compiled_lock = threading.Lock()
_compiled: OrderedDict[str, Any] = OrderedDict()


def compile_html(source: str, *, cache_key: str = "", env: DocumentSandbox | None = None) -> Any:
    """Compile an uploaded HTML template once (keyed by its fingerprint)."""
    environment = env or html_environment()
    if cache_key and env is None:
        with _compiled_lock:
            if cache_key in _compiled:
                _compiled.move_to_end(cache_key)
                return _compiled[cache_key]
    try:
        template = environment.from_string(source)
    except Exception as exc:
        raise _template_error(exc) from exc
    if cache_key and env is None:
        with _compiled_lock:
            _compiled[cache_key] = template
            while len(_compiled) > 100:
                _compiled.popitem(last=False)
    return template


def shipped_html(name: str) -> Any:
    try:
        return html_environment().get_template(name)
    except Exception as exc:
        raise _template_error(exc) from exc


def render_html(template: Any, context: dict[str, Any], *, deadline: Deadline | None = None) -> str:
    """Render a compiled template to HTML, streaming under the time and size budget."""
    deadline = deadline or Deadline(_limit("DOCUMENTS_RENDER_SECONDS", 60))
    max_chars = _limit("DOCUMENTS_MAX_HTML_CHARS", 5_000_000)
    parts: list[str] = []
    size = 0
    try:
        for index, chunk in enumerate(template.generate(context)):
            parts.append(chunk)
            size += len(chunk)
            if size > max_chars:
                raise DomainError(
                    _("Le document produit par ce modèle est trop long (plus de %(max)s caractères).")
                    % {"max": max_chars},
                    rule="documents.render_size_limit",
                )
            if index % 64 == 0:
                deadline.check()
    except Exception as exc:
        raise _template_error(exc) from exc
    return apply_typography("".join(parts))


_TAGS = re.compile(r"(<(?:style|script)\b.*?</(?:style|script)\s*>|<!--.*?-->|<[^>]*>)", re.S | re.I)
_ENTITY = re.compile(r"(&#?[a-zA-Z0-9]+;)")
_LEADING_PUNCT = re.compile(r"^[ \u00a0\u202f]+(?=[;:!?](?:\s|$))")


def _typo_text(text: str) -> str:
    pieces = _ENTITY.split(text)
    for i in range(0, len(pieces), 2):
        piece = french_typography(pieces[i])
        # Punctuation right after an element ("<b>Article 1</b> : …") also gets its no-break space.
        pieces[i] = _LEADING_PUNCT.sub("\u00a0", piece) if i == 0 else piece
    return "".join(pieces)


def apply_typography(html: str) -> str:
    """French typography on every text node of the HTML, leaving tags, styles, entities and
    literals (``|literal``: file names, URLs, addresses) alone."""
    out: list[str] = []
    in_literal = False
    for index, chunk in enumerate(_TAGS.split(html)):
        if index % 2:  # a tag
            if chunk == LITERAL_OPEN:
                in_literal = True
            elif in_literal and chunk.startswith("</span"):
                in_literal = False
            out.append(chunk)
        else:
            out.append(chunk if in_literal else _typo_text(chunk))
    return "".join(out)


# --- WeasyPrint ------------------------------------------------------------------------


def _weasyprint() -> Any:
    import weasyprint

    return weasyprint


class ResourceRefused(Exception):
    pass


@cache
def _offline_ssl_context() -> ssl.SSLContext:
    """The fetcher never opens a connection (data: URIs and static files only), but its HTTPS
    handler builds an SSL context when given none, loading the system's certificate store:
    40 ms of every PDF. This one loads no certificate, so it could verify no server either."""
    return ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)


def make_fetcher(deadline: Deadline | None = None) -> Any:
    """A WeasyPrint URL fetcher that serves data: URIs and the app's static files only."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    max_bytes = _limit("DOCUMENTS_MAX_RESOURCE_BYTES", 5 * 1024 * 1024)

    class DocumentURLFetcher(URLFetcher):  # type: ignore[misc]
        def __init__(self) -> None:
            super().__init__(
                allowed_protocols={"data"},
                allow_redirects=False,
                fail_on_errors=False,
                timeout=1,
                ssl_context=_offline_ssl_context(),
            )
            self.refused: list[str] = []

        def refuse(self, url: str, reason: str) -> ResourceRefused:
            self.refused.append(url[:200])
            return ResourceRefused(reason)

        def fetch(self, url: str, headers: Any = None) -> Any:
            if deadline is not None:
                deadline.check()
            if url.startswith("data:"):
                if len(url) > max_bytes * 4 // 3 + 100:
                    raise self.refuse(url, "data URI too large")
                return super().fetch(url, headers)
            if url.startswith(STATIC_PREFIX):
                relative = posixpath.normpath(unquote(urlsplit(url).path)[len("/static/") :])
                if relative.startswith(("..", "/")) or "\x00" in relative:
                    raise self.refuse(url, "outside static files")
                found = finders.find(relative)
                path = Path(found) if isinstance(found, str) else None
                if path is None or not path.is_file():
                    raise self.refuse(url, "no such static file")
                if path.stat().st_size > max_bytes:
                    raise self.refuse(url, "static file too large")
                mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                if path.suffix == ".ttf":
                    mime = "font/ttf"
                return URLFetcherResponse(url, body=path.read_bytes(), headers={"Content-Type": mime})
            raise self.refuse(url, "resource refused")

    return DocumentURLFetcher()


_weasy_lock = threading.RLock()
_weasy_state: dict[str, Any] = {}


def warm_up() -> None:
    """Load the fonts before a rendering's clock starts (once per process)."""
    with _weasy_lock:
        _shared_styles()


def _shared_styles() -> tuple[Any, Any]:
    """The font configuration and font stylesheet, loaded once per process."""
    if "css" not in _weasy_state:
        weasyprint = _weasyprint()
        from weasyprint.text.fonts import FontConfiguration

        font_config = FontConfiguration()
        css_path = Path(settings.BASE_DIR) / "static" / "documents" / "fonts.css"
        css = weasyprint.CSS(
            string=css_path.read_text(encoding="utf-8"),
            base_url=STATIC_PREFIX + "documents/",
            url_fetcher=make_fetcher(),
            font_config=font_config,
        )
        _weasy_state.update(font_config=font_config, css=css)
        # Free the font configuration before the interpreter tears WeasyPrint's C bindings down.
        atexit.register(_weasy_state.clear)
    return _weasy_state["font_config"], _weasy_state["css"]


def html_to_pdf(html: str, *, deadline: Deadline | None = None) -> bytes:
    """PDF/A of the HTML, with embedded fonts, through the safe fetcher."""
    weasyprint = _weasyprint()
    deadline = deadline or Deadline(_limit("DOCUMENTS_RENDER_SECONDS", 60))
    max_pages = _limit("DOCUMENTS_MAX_PAGES", 500)
    fetcher = make_fetcher(deadline)
    with _weasy_lock:
        font_config, css = _shared_styles()
        try:
            document = weasyprint.HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher).render(
                stylesheets=[css], font_config=font_config, pdf_variant=_pdf_variant()
            )
        except DomainError:
            raise
        except Exception as exc:  # WeasyPrint raises many kinds of errors on broken input
            raise DomainError(
                _("Le PDF n'a pas pu être mis en page : %(error)s.") % {"error": f"{type(exc).__name__}: {exc}"},
                rule="documents.pdf_layout",
            ) from exc
        if fetcher.refused:
            raise DomainError(
                _(
                    "Le modèle demande des ressources interdites (seuls les fichiers de l'application et les images "
                    "intégrées sont permis) : %(urls)s."
                )
                % {"urls": ", ".join(fetcher.refused[:5])},
                rule="documents.resource_refused",
            )
        if len(document.pages) > max_pages:
            raise DomainError(
                _("Le document dépasse %(max)s pages.") % {"max": max_pages}, rule="documents.render_size_limit"
            )
        deadline.check()
        return bytes(document.write_pdf(pdf_variant=_pdf_variant()))


def _pdf_variant() -> str:
    return _limit("DOCUMENTS_PDF_VARIANT", "pdf/a-3b")


# --- DOCX ------------------------------------------------------------------------------


def render_docx(source: bytes, context: dict[str, Any], *, deadline: Deadline | None = None) -> bytes:
    """Render a docxtpl template in the sandbox with autoescape."""
    from docxtpl import DocxTemplate

    deadline = deadline or Deadline(_limit("DOCUMENTS_RENDER_SECONDS", 60))
    try:
        template = DocxTemplate(io.BytesIO(source))
        template.render(context, jinja_env=docx_environment(), autoescape=True)
        out = io.BytesIO()
        template.save(out)
    except Exception as exc:
        raise _template_error(exc) from exc
    deadline.check()
    data = out.getvalue()
    if len(data) > _limit("DOCUMENTS_MAX_OUTPUT_BYTES", 50 * 1024 * 1024):
        raise DomainError(_("Le document DOCX produit est trop volumineux."), rule="documents.render_size_limit")
    return data
