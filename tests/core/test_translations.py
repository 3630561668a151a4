"""Our message ids are French: none may be mistranslated by another catalogue."""

import re
from pathlib import Path

from django.utils import translation

ROOT = Path(__file__).resolve().parents[2]
APPS = ["core", "parties", "deliberations", "conventions", "documents", "reminders", "templates"]
PATTERN = re.compile(r"""(?:\b_|gettext(?:_lazy)?|translate)\(?\s*"([^"\\]+)"\s*\)?""")


def _message_ids() -> set[str]:
    ids: set[str] = set()
    for app in APPS:
        for path in (ROOT / app).rglob("*"):
            if path.suffix in {".py", ".html", ".jinja"} and "migrations" not in path.parts:
                ids.update(PATTERN.findall(path.read_text(encoding="utf-8")))
    return ids


def test_french_message_ids_stay_as_written_in_french():
    ids = _message_ids()
    assert len(ids) > 100
    with translation.override("fr"):
        changed = {i: translation.gettext(i) for i in ids if translation.gettext(i) != i}
    assert changed == {}


def test_makemessages_reads_the_jinja_pages_messages_on_their_lines():
    from core.management.commands.makemessages import jinja_calls

    source = (
        "{% extends 'layout.jinja' %}\n"
        '<h1>{{ _("Séances") }}</h1>\n'
        "<p>{{ _(\"Page %(n)s sur %(total)s\", n=page.number, total=3) }} {{ _('Suivante') }}</p>\n"
        '{{ ngettext("%(n)s mouvement enregistré.", "%(n)s mouvements enregistrés.", count, n=count) }}\n'
    )
    lines = jinja_calls(source).splitlines()
    assert lines[1] == "gettext('Séances')"
    assert lines[2] == "gettext('Page %(n)s sur %(total)s'); gettext('Suivante')"
    assert lines[3] == "ngettext('%(n)s mouvement enregistré.', '%(n)s mouvements enregistrés.', n)"


def test_the_catalogue_names_the_jinja_pages():
    catalogue = (ROOT / "locale" / "en" / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")
    assert "#: templates/jinja2/pages/deliberations/sitting_detail.jinja" in catalogue
    assert 'msgid "Quorum (à l\'ouverture)"' in catalogue
