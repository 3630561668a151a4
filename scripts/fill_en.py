"""Fill English msgstr in a .po file from a French → English dictionary (used when adding strings)."""

import json
import re
import sys
from pathlib import Path

path, table_path = sys.argv[1], sys.argv[2]

table = json.loads(Path(table_path).read_text(encoding="utf-8"))
text = Path(path).read_text(encoding="utf-8")


def replace(match: re.Match[str]) -> str:
    msgid, msgstr = match.group(1), match.group(2)
    if msgid in table and not msgstr:
        return f'msgid "{msgid}"\nmsgstr "{table[msgid]}"'
    return match.group(0)


text = re.sub(r'msgid "(.+?)"\nmsgstr "(.*?)"', replace, text)
text = text.replace("#, fuzzy\n", "", 1)
Path(path).write_text(text, encoding="utf-8")
