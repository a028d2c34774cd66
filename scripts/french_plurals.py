"""Fill locale/fr/LC_MESSAGES/django.po with the French texts themselves, typeset.

The source texts are French already, so the catalogue translates nothing but:
- its plural entries: with them, gettext applies French's plural rule (0 and 1 take the singular: « 0 participant
  connecté ») instead of falling back to English's (n != 1);
- French typography of the templates' texts: a text typed with an ordinary space before « : ; ? ! » or inside
  « » is served with a non-breaking one, so that « Budget : » never leaves its colon alone at the start of a
  line. (Texts of the Python code, messages and errors, are typeset where they are written.)
Run by `make messages`, after `makemessages` and before `compilemessages`.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

PO = Path(__file__).resolve().parent.parent / "locale" / "fr" / "LC_MESSAGES" / "django.po"
SINGULAR_ENTRY = re.compile(r'^msgid ((?:".*"\n)+)msgstr ((?:".*"\n)+)', re.M)
SPACE_BEFORE_PUNCTUATION = re.compile(r" (?=[:;?!»])")
NBSP = "\u00a0"


def typography(text: str) -> str:
    """Non-breaking spaces where French typography wants them: before « : ; ? ! » and inside « »."""
    return SPACE_BEFORE_PUNCTUATION.sub(NBSP, text).replace("« ", "«" + NBSP)


def po_text(lines: str) -> str:
    """The text of a .po string given as quoted lines (still escaped as in the file)."""
    return "".join(line[1:-1] for line in lines.strip("\n").split("\n"))


def typeset(lines: str) -> str:
    """The quoted lines of a .po string, typeset, as one line (a space at the end of one line may precede the
    punctuation opening the next)."""
    return f'"{typography(po_text(lines))}"\n'


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


# xgettext keeps a Python escape as it is written (« \\u00a0 » in the .po), while the running code looks the text up
# with the character itself: the catalogue holds the character, so that the lookup finds it.
PYTHON_ESCAPES = {"\\\\u00a0": "\u00a0", "\\\\u202f": "\u202f", "\\\\xa0": "\u00a0"}


def fill(text: str) -> str:
    for escape, character in PYTHON_ESCAPES.items():
        text = text.replace(escape, character)
    text = text.replace('#, fuzzy\nmsgid ""\n', 'msgid ""\n', 1)
    text = text.replace('"Language: \\n"', '"Language: fr\\n"', 1)
    blocks = [unfuzzy(block) for block in text.split("\n\n")]
    text = "\n\n".join(fill_entry(block) for block in blocks)
    return text if text.endswith("\n") else text + "\n"


def from_templates(block: str) -> bool:
    """Whether every place the text comes from is a template (`#: path` lines written by makemessages)."""
    places = [p for line in block.split("\n") if line.startswith("#: ") for p in line[3:].split()]
    return bool(places) and all(p.endswith((".html", ".txt")) for p in places)


def fill_entry(block: str) -> str:
    """A plural entry gets its two French forms; a template's text gets its typeset form; the header (empty msgid)
    and any other text stay as they are (an empty msgstr: gettext falls back to the text itself)."""
    typeset_it = from_templates(block)
    block = block if block.endswith("\n") else block + "\n"
    plural = PLURAL_ENTRY.search(block)
    if plural:
        forms = (typeset(plural[1]), typeset(plural[2])) if typeset_it else (plural[1], plural[2])
        return (
            block[: plural.start()]
            + f"msgid {plural[1]}msgid_plural {plural[2]}msgstr[0] {forms[0]}msgstr[1] {forms[1]}"
            + block[plural.end() :]
        ).rstrip("\n")
    entry = SINGULAR_ENTRY.search(block)
    if entry and po_text(entry[1]):
        source = po_text(entry[1])
        translation = typeset(entry[1]) if typeset_it and typography(source) != source else '""\n'
        block = block[: entry.start()] + f"msgid {entry[1]}msgstr {translation}" + block[entry.end() :]
    return block.rstrip("\n")


if __name__ == "__main__":
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else PO
    path.write_text(fill(path.read_text()))
