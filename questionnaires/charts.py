"""Bar charts of the results as SVG markup built on the server: the page and the WeasyPrint PDF draw the same
figure, with no JavaScript and no style attribute (colours are SVG presentation attributes)."""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WIDTH = 600
BAR_MAX = 470
ROW = 38
BAR_H = 14
COLOUR = "#2f5d8a"
COLOUR_BEFORE = "#9aa7b4"
TEXT = "#1f2933"
LABEL_CHARS = 80


def _short(label: str) -> str:
    return label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1] + "…"


def bar_chart(rows: Sequence[tuple[str, int, str]], title: str, total: int) -> SafeString:
    """One horizontal bar per row (label, count, caption shown after the bar) on a track that is all the
    respondents (`total`): a bar drawn to the end means everyone, so 33 % is a third of the track, never « almost
    everyone » (scaling to the largest answer did that)."""
    top = max([total, *(count for _, count, _ in rows)]) or 1
    height = ROW * len(rows) + 4
    parts = [
        f'<svg class="q-chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" '
        f'width="{WIDTH}" height="{height}" role="img" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
    ]
    for index, (label, count, caption) in enumerate(rows):
        y = index * ROW
        width = round(BAR_MAX * count / top, 1)
        parts.append(
            f'<text x="0" y="{y + 13}" font-size="13" font-family="sans-serif" fill="{TEXT}">'
            f"{escape(_short(label))}</text>"
        )
        parts.append(f'<rect x="0" y="{y + 18}" width="{BAR_MAX}" height="{BAR_H}" fill="#eef1f4"/>')
        if width:
            parts.append(f'<rect x="0" y="{y + 18}" width="{width:g}" height="{BAR_H}" fill="{COLOUR}"/>')
        parts.append(
            f'<text x="{WIDTH - 104}" y="{y + 30}" font-size="12" font-family="sans-serif" fill="{TEXT}">'
            f"{escape(caption)}</text>"
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped


def comparison_chart(rows: Sequence[tuple[str, float | None, float | None, float]], title: str) -> SafeString:
    """Per question, its mean « avant » (grey) over its mean « après » (blue), on a scale from 0 to `scale`."""
    row = 56
    height = row * len(rows) + 4
    parts = [
        f'<svg class="q-chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" '
        f'width="{WIDTH}" height="{height}" role="img" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
    ]
    for index, (label, before, after, scale) in enumerate(rows):
        y = index * row
        parts.append(
            f'<text x="0" y="{y + 13}" font-size="13" font-family="sans-serif" fill="{TEXT}">'
            f"{escape(_short(label))}</text>"
        )
        for offset, value, colour, name in ((18, before, COLOUR_BEFORE, "avant"), (35, after, COLOUR, "après")):
            width = round(BAR_MAX * (value or 0) / (scale or 1), 1) if value is not None else 0
            parts.append(f'<rect x="0" y="{y + offset}" width="{max(width, 0)}" height="13" fill="{colour}"/>')
            shown = "–" if value is None else f"{value:.2f}".replace(".", ",")
            parts.append(
                f'<text x="{WIDTH - 104}" y="{y + offset + 11}" font-size="12" font-family="sans-serif" '
                f'fill="{TEXT}">{name} {escape(shown)}</text>'
            )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped
