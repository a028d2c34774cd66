"""French typography shared by the pages and the documents."""

from __future__ import annotations

import re
from datetime import date

from django.utils.formats import date_format


def french_date(day: date) -> str:
    """« 1er novembre 2026 », « 20 novembre 2026 » (the first of the month is an ordinal in French)."""
    text = date_format(day, "j F Y")
    return "1er" + text[1:] if day.day == 1 else text


# A chantier outside any défi is numbered « C0.1 » (its actions « A0.1.1 »), défi 0 standing for « hors défi », under
# the heading « Chantiers hors défi ». Versions adopted before that numbering hold « C–.1 », which reads as a minus
# sign on paper: their documents print it the same way.
NO_DEFI_REF = "0"


def element_ref(ref: str) -> str:
    """A chantier's or an action's reference as the élus' documents print it: « C0.1 » rather than « C–.1 »."""
    if len(ref) > 2 and ref[1] == "–":
        return ref[0] + NO_DEFI_REF + ref[2:]
    return ref


_NUMBER_THEN_UNIT = re.compile(r"(?<=\d) (?=[^\W\d_]|[€%‰$£]|\d{3}\b)")
_SPAN = re.compile(r"^T(\d) (\d{4}) – T(\d) (\d{4})$")


def unbreakable_numbers(text: str) -> str:
    """A number kept with what it counts, on paper: « 3 réunions », « 24 140 € », « T2 2025 » never split across
    two lines (a no-break space after the number)."""
    return _NUMBER_THEN_UNIT.sub("\u00a0", text or "")


def quarter_span(span: str) -> str:
    """« T1 2026 – T3 2027 » with no-break spaces, « T1 2026 » for a single quarter."""
    found = _SPAN.match(" ".join((span or "").replace("\u00a0", " ").split()))
    if not found:
        return unbreakable_numbers(span)
    start_q, start_y, end_q, end_y = found.groups()
    if (start_q, start_y) == (end_q, end_y):
        return f"T{start_q}\u00a0{start_y}"
    return f"T{start_q}\u00a0{start_y} – T{end_q}\u00a0{end_y}"
