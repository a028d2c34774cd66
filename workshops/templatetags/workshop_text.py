"""French typography for texts typed in a workshop (the question, items, reasons) when shown on the wall."""

from __future__ import annotations

import re
from functools import cache

import pyphen
from django import template

from workshops.models import Workshop

register = template.Library()

NBSP = "\u00a0"
# A space (or none) before « ? ! : ; » and « » », after « «  »: a non-breaking space, so that no line of the
# projector starts with a lone « ? ».
_SPACED = re.compile(r"(?<=\S)[ \t]+([?!:;»])")
_GLUED = re.compile(r"(?<=[^\s?!\u00a0«])([?!;»])")  # « Pourquoi? » (not « 10:30 » nor « http:// »)
_AFTER = re.compile(r"«[ \t]*")
SOFT_HYPHEN = "\u00ad"
# Words this long may not fit a phone's line (a ballot's label is about 12 letters wide at 360 px).
_LONG_WORD = re.compile(r"\w{10,}")


def french_spaces(text: str) -> str:
    """`text` with non-breaking spaces where French typography wants them (« Comment ? », « « oui » »)."""
    text = _GLUED.sub(NBSP + r"\1", _SPACED.sub(NBSP + r"\1", text))
    return _AFTER.sub("«" + NBSP, text)


@register.filter(is_safe=True)
def fr(value: object) -> str:
    """{{ workshop.question|fr }}: non-breaking spaces before « ? ! : ; » » and after « «  »."""
    return french_spaces(str(value))


@register.filter
def moment_label(moment: str, workshop: Workshop) -> str:
    """{{ placement.moment|moment_label:workshop }}: « Dans 10 ans (2036) » for a workshop of 2026 (see
    Workshop.moment_label), where `get_moment_display` has no year."""
    return workshop.moment_label(moment)


@cache
def _french_hyphenation() -> pyphen.Pyphen:
    # French typography: at least 3 letters on each side of the cut (no « Ac-compagnement »).
    return pyphen.Pyphen(lang="fr_FR", left=3, right=3)


@register.filter
def hyphenate(value: object) -> str:
    """{{ item.label|hyphenate }}: soft hyphens where French cuts a long word, so that a phone breaks
    « Accompa-gnement » with a hyphen rather than « Accompagnem/ent » (CSS `hyphens: auto` does it where the browser
    has a French dictionary; this does it everywhere). Escaped as usual: the soft hyphen is a plain character."""
    return _LONG_WORD.sub(lambda word: _french_hyphenation().inserted(word.group(), hyphen=SOFT_HYPHEN), str(value))
