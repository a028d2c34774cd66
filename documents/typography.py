"""French typography shared by the pages and the documents."""

from __future__ import annotations

from datetime import date

from django.utils.formats import date_format


def french_date(day: date) -> str:
    """« 1er novembre 2026 », « 20 novembre 2026 » (the first of the month is an ordinal in French)."""
    text = date_format(day, "j F Y")
    return "1er" + text[1:] if day.day == 1 else text
