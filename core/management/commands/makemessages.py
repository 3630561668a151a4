"""``makemessages`` that also reads the pages' Jinja2 templates (``templates/jinja2/**/*.jinja``).

Django's command reads templates with Django's template lexer: a Jinja2 page's
``{{ _("… %(n)s", n=…) }}`` and ``ngettext(…)`` would be missed, and their msgids dropped from
the catalogues as obsolete. A ``.jinja`` file is read here with Jinja2's own extractor (the
pages' i18n extension, newstyle gettext) and handed to xgettext as the calls it makes, on
their lines, so the catalogues name the template and line as for any other source.

    python manage.py makemessages -l en -e html,txt,py,jinja (see README, "Translations")
"""

from __future__ import annotations

import io
import os

from django.core.management.commands import makemessages
from jinja2.ext import babel_extract

KEYWORDS = ("_", "gettext", "ngettext")


def jinja_calls(source: str) -> str:
    """Python source with one gettext or ngettext call per message of ``source``, each on its line."""
    lines: dict[int, list[str]] = {}
    options = {"extensions": "jinja2.ext.i18n", "newstyle_gettext": "true", "silent": "false"}
    for lineno, function, message, _comments in babel_extract(
        io.BytesIO(source.encode("utf-8")), KEYWORDS, [], options
    ):
        texts = message if isinstance(message, tuple) else (message,)
        strings = [repr(text) for text in texts if text is not None]
        if function == "ngettext" and len(strings) == 2:
            call = f"ngettext({strings[0]}, {strings[1]}, n)"
        elif strings:
            call = f"gettext({strings[0]})"
        else:
            continue
        lines.setdefault(lineno, []).append(call)
    last = max(lines, default=0)
    return "\n".join("; ".join(lines.get(number, [])) for number in range(1, last + 1)) + "\n"


class JinjaBuildFile(makemessages.BuildFile):
    @property
    def is_jinja(self) -> bool:
        return os.path.splitext(self.translatable.file)[1] == ".jinja"

    def preprocess(self) -> None:
        if not (self.domain == "django" and self.is_jinja):
            return super().preprocess()
        with open(self.path, encoding="utf-8") as source:
            content = jinja_calls(source.read())
        with open(self.work_path, "w", encoding="utf-8") as work:
            work.write(content)


class Command(makemessages.Command):
    build_file_class = JinjaBuildFile
    # A new msgid gets no guessed translation (marked fuzzy, which gettext ignores anyway):
    # the French wording is the reference, and English is written on purpose.
    msgmerge_options = [*makemessages.Command.msgmerge_options, "--no-fuzzy-matching"]
