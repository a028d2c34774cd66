"""French typography for texts typed in a workshop (the question, items, reasons) when shown on the wall."""

from __future__ import annotations

import re

from django import template

register = template.Library()

NBSP = "\u00a0"
# A space (or none) before « ? ! : ; » and « » », after « «  »: a non-breaking space, so that no line of the
# projector starts with a lone « ? ».
_SPACED = re.compile(r"(?<=\S)[ \t]+([?!:;»])")
_GLUED = re.compile(r"(?<=[^\s?!\u00a0«])([?!;»])")  # « Pourquoi? » (not « 10:30 » nor « http:// »)
_AFTER = re.compile(r"«[ \t]*")


def french_spaces(text: str) -> str:
    """`text` with non-breaking spaces where French typography wants them (« Comment ? », « « oui » »)."""
    text = _GLUED.sub(NBSP + r"\1", _SPACED.sub(NBSP + r"\1", text))
    return _AFTER.sub("«" + NBSP, text)


@register.filter(is_safe=True)
def fr(value: object) -> str:
    """{{ workshop.question|fr }}: non-breaking spaces before « ? ! : ; » » and after « «  »."""
    return french_spaces(str(value))
