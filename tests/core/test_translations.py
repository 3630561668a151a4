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
