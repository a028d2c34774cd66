"""Fill the plural entries of locale/fr/LC_MESSAGES/django.po with their own French texts.

The source texts are French already, so the catalogue translates nothing but its plural entries: with them, gettext
applies French's plural rule (0 and 1 take the singular: « 0 participant connecté ») instead of falling back to
English's (n != 1). Run by `make messages`, after `makemessages` and before `compilemessages`.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

PO = Path(__file__).resolve().parent.parent / "locale" / "fr" / "LC_MESSAGES" / "django.po"
PLURAL_ENTRY = re.compile(
    r'^msgid ((?:".*"\n)+)msgid_plural ((?:".*"\n)+)msgstr\[0\] ".*"\n((?:".*"\n)*)msgstr\[1\] ".*"\n((?:".*"\n)*)',
    re.M,
)


def unfuzzy(block: str) -> str:
    """An entry msgmerge guessed from a similar old text: the guess is wrong here (the msgid is the text)."""
    lines = block.split("\n")
    flags = next((line for line in lines if line.startswith("#, ")), "")
    if "fuzzy" not in flags or block.startswith('msgid ""\nmsgstr ""'):
        return block
    kept_flags = [flag.strip() for flag in flags[3:].split(",") if flag.strip() != "fuzzy"]
    out = []
    for line in lines:
        if line.startswith("#|"):
            continue
        if line == flags:
            if kept_flags:
                out.append("#, " + ", ".join(kept_flags))
            continue
        if line.startswith("msgstr ") and not line.startswith("msgstr["):
            out.append('msgstr ""')
            break  # the guessed text's continuation lines go with it
        out.append(line)
    return "\n".join(out)


def fill(text: str) -> str:
    text = text.replace('#, fuzzy\nmsgid ""\n', 'msgid ""\n', 1)
    text = text.replace('"Language: \\n"', '"Language: fr\\n"', 1)
    text = "\n\n".join(unfuzzy(block) for block in text.split("\n\n"))
    return PLURAL_ENTRY.sub(
        lambda m: f"msgid {m[1]}msgid_plural {m[2]}msgstr[0] {m[1]}msgstr[1] {m[2]}",
        text if text.endswith("\n") else text + "\n",
    )


if __name__ == "__main__":
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else PO
    path.write_text(fill(path.read_text()))
