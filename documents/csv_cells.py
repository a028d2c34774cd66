"""CSV cells that a spreadsheet never runs: the exports carry texts typed by people (participants, respondents,
partners), and Excel or LibreOffice read a cell starting with = + - @ (or a tab / carriage return before one) as a
formula. Such a text is written with a leading apostrophe, which spreadsheets show as plain text."""

from __future__ import annotations

from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_text(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
