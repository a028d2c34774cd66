"""The evaluation's drawings as SVG, made on the server: the same markup goes into the page and into the PDF
(WeasyPrint draws inline SVG), so what the élus see on paper is what the référent saw on screen.

Only presentation attributes (fill, stroke…), no `style`: the page's Content-Security-Policy refuses inline styles.
"""

from __future__ import annotations

import datetime
import math
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from html import escape

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from evaluation.models import THEORY_BOXES, Evaluation, format_number
from fiches.budget import euros

FONT = "DejaVu Sans, Arial, sans-serif"
INK = "#1b1f2a"
BLUE = "#1f4e9c"
PALE = "#eef3fb"
GREEN = "#1d7a46"
ORANGE = "#b35c00"
# Bar series (fill, outline), from an outlined white to dark: they stay apart once printed in black and white.
SERIES = [("#ffffff", INK), ("#8fa9d6", "#8fa9d6"), ("#16315f", "#16315f"), (ORANGE, ORANGE)]
MAX_BOX_LINES = 16  # about 600 characters per box of the theory of change; longer is cut with « … »
MAX_COVERED_LINES = 8


def _text(x: float, y: float, content: str, size: float = 12, **attrs: str) -> str:
    attrs.setdefault("fill", INK)
    extra = "".join(f' {k.replace("_", "-")}="{escape(v)}"' for k, v in attrs.items())
    position = f'x="{x:.1f}" y="{y:.1f}" font-family="{FONT}" font-size="{size}"'
    return f"<text {position}{extra}>{escape(content)}</text>"


def _wrapped(text: str, width: int, max_lines: int) -> list[str]:
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        lines += textwrap.wrap(paragraph, width) or ([""] if paragraph == "" and lines else [])
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = lines[-1][: width - 1].rstrip() + "…"
    return lines


def theory_of_change_svg(evaluation: Evaluation, covered: Sequence[str] = ()) -> SafeString:
    """Six boxes in two rows (why and how above, what it produces below), arrows in reading order."""
    box_w, gap, margin, head, line_h = 290, 40, 10, 34, 17
    # Each box as tall as its longest text needs (at least the former fixed height): long answers are drawn
    # whole on the page and in the PDF instead of being cut after a few lines.
    texts = [getattr(evaluation, name).strip() for name, _title, _hint in THEORY_BOXES]
    wrapped = [_wrapped(text, 40, MAX_BOX_LINES) if text else [_("À compléter")] for text in texts]
    box_h = max(190, head + 22 + line_h * (max(len(lines) for lines in wrapped) - 1) + 16)
    width = margin * 2 + box_w * 3 + gap * 2
    rows_h = box_h * 2 + gap + margin * 2
    footer = 0
    covered_lines = (
        _wrapped(_("Couvre : %(items)s") % {"items": ", ".join(covered)}, 140, MAX_COVERED_LINES) if covered else []
    )
    if covered_lines:
        footer = 18 * len(covered_lines) + 10
    height = rows_h + footer
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="toc-diagram" viewBox="0 0 {width} {height}" '
        f'width="100%" role="img" aria-label="{escape(_("Théorie du changement"))}">',
        f"<title>{escape(_('Théorie du changement'))}</title>",
        '<defs><marker id="toc-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" '
        f'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="{BLUE}"/></marker></defs>',
    ]
    positions = []
    for index, (_name, title, _hint) in enumerate(THEORY_BOXES):
        row, col = divmod(index, 3)
        x = margin + col * (box_w + gap)
        y = margin + row * (box_h + gap)
        positions.append((x, y))
        filled = bool(texts[index])
        fill, stroke_width, dash = (PALE, 2, "") if filled else ("#ffffff", 1, ' stroke-dasharray="6 4"')
        parts.append(
            f'<rect x="{x}" y="{y}" width="{box_w}" height="{box_h}" rx="10" fill="{fill}" '
            f'stroke="{BLUE}" stroke-width="{stroke_width}"{dash}/>'
        )
        parts.append(
            f'<rect x="{x}" y="{y}" width="{box_w}" height="{head}" rx="10" fill="{BLUE}"/>'
            f'<rect x="{x}" y="{y + head - 10}" width="{box_w}" height="10" fill="{BLUE}"/>'
        )
        parts.append(
            _text(x + 12, y + 23, f"{index + 1}. {str(title).upper()}", 14, font_weight="bold", fill="#ffffff")
        )
        for n, line in enumerate(wrapped[index]):
            attrs = {} if filled else {"fill": "#6b7280", "font_style": "italic"}
            parts.append(_text(x + 12, y + head + 22 + n * line_h, line, 13, **attrs))
    # Arrows: along each row, then from the end of the first row down to the start of the second.
    for index in range(5):
        (x1, y1), (x2, y2) = positions[index], positions[index + 1]
        if index == 2:
            sx, sy = x1 + box_w / 2, y1 + box_h
            ex, ey = x2 + box_w / 2, y2
            mid = sy + gap / 2
            path = f"M{sx:.0f},{sy:.0f} L{sx:.0f},{mid:.0f} L{ex:.0f},{mid:.0f} L{ex:.0f},{ey - 2:.0f}"
        else:
            cy = y1 + box_h / 2
            path = f"M{x1 + box_w + 4:.0f},{cy:.0f} L{x2 - 4:.0f},{cy:.0f}"
        parts.append(f'<path d="{path}" fill="none" stroke="{BLUE}" stroke-width="2.5" marker-end="url(#toc-arrow)"/>')
    for n, line in enumerate(covered_lines):
        parts.append(_text(margin, rows_h + 14 + n * 18, line, 13))
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308  # every text above went through escape()


@dataclass(frozen=True)
class Point:
    date: datetime.date
    value: Decimal


def _nice_step(span: float, ticks: int = 5) -> float:
    raw = span / ticks if span > 0 else 1
    magnitude = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        if raw <= factor * magnitude:
            return factor * magnitude
    return 10 * magnitude


def indicator_chart_svg(
    points: Sequence[Point],
    target: Decimal | None = None,
    target_date: datetime.date | None = None,
    unit: str = "",
    label: str = "",
) -> SafeString:
    """Values over time as a line with its points, the target as a dashed line (and a diamond at its date)."""
    width, height = 640, 260
    left, right, top, bottom = 64, 24, 24, 44
    plot_w, plot_h = width - left - right, height - top - bottom
    dates = [p.date for p in points] + ([target_date] if target_date else [])
    if not dates:
        return mark_safe("")
    start, end = min(dates), max(dates)
    if start == end:
        start, end = start - datetime.timedelta(days=30), end + datetime.timedelta(days=30)
    # A margin on both sides, so that the first and last points and their labels stay clear of the axes.
    pad = datetime.timedelta(days=max(1, (end - start).days // 12))
    start, end = start - pad, end + pad
    values = [float(p.value) for p in points] + ([float(target)] if target is not None else [])
    low = min(0.0, *values) if values else 0.0
    high = max(values) if values else 1.0
    step = _nice_step((high - low) * 1.1 or 1)
    top_value = math.ceil(high * 1.1 / step) * step if high > 0 else step
    bottom_value = math.floor(low / step) * step

    def x_of(day: datetime.date) -> float:
        return left + plot_w * (day - start).days / ((end - start).days or 1)

    def y_of(value: float) -> float:
        return top + plot_h * (1 - (value - bottom_value) / ((top_value - bottom_value) or 1))

    title = label or _("Évolution de l'indicateur")
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="indicator-chart" viewBox="0 0 {width} {height}" '
        f'width="100%" role="img" aria-label="{escape(title)}"><title>{escape(title)}</title>',
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>',
    ]
    tick = bottom_value
    while tick <= top_value + step / 2:
        y = y_of(tick)
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="#d8dee9"/>')
        parts.append(_text(left - 8, y + 4, format_number(Decimal(str(round(tick, 2)))), 11, text_anchor="end"))
        tick += step
    parts.append(f'<line x1="{left}" y1="{top + plot_h}" x2="{width - right}" y2="{top + plot_h}" stroke="{INK}"/>')
    # Date labels: the measures' own dates, thinned so that they never overlap.
    labelled: list[float] = []
    for day in sorted(set(dates)):
        x = x_of(day)
        if all(abs(x - other) > 70 for other in labelled):
            labelled.append(x)
            parts.append(_text(x, height - bottom + 18, day.strftime("%d/%m/%Y"), 11, text_anchor="middle"))
    if target is not None:
        y = y_of(float(target))
        target_text = _("Cible : %(value)s") % {"value": f"{format_number(target)} {unit}".strip()}
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="{ORANGE}" '
            'stroke-width="2" stroke-dasharray="7 5"/>'
        )
        parts.append(_text(width - right - 4, y - 6, target_text, 12, text_anchor="end", fill=ORANGE))
        if target_date:
            x = x_of(target_date)
            parts.append(
                f'<path d="M{x:.1f},{y - 7:.1f} L{x + 7:.1f},{y:.1f} L{x:.1f},{y + 7:.1f} L{x - 7:.1f},{y:.1f} z" '
                f'fill="{ORANGE}"/>'
            )
    ordered = sorted(points, key=lambda p: p.date)
    if len(ordered) > 1:
        line = " ".join(f"{x_of(p.date):.1f},{y_of(float(p.value)):.1f}" for p in ordered)
        parts.append(f'<polyline points="{line}" fill="none" stroke="{BLUE}" stroke-width="2.5"/>')
    for p in ordered:
        x, y = x_of(p.date), y_of(float(p.value))
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4.5" fill="{BLUE}"/>')
        parts.append(_text(x, y - 9, format_number(p.value), 12, text_anchor="middle", font_weight="bold"))
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308  # every text above went through escape()


def bars_svg(rows: Sequence[tuple[str, Sequence[Decimal]]], series: Sequence[str], label: str) -> SafeString:
    """Grouped horizontal bars (e.g. per year: planned, committed, realised), one colour per series."""
    width, bar_h, gap, left, right, top = 640, 14, 12, 70, 110, 28
    height = top + len(rows) * (bar_h * len(series) + gap) + 10
    peak = max((float(v) for _l, values in rows for v in values), default=0.0) or 1.0
    plot_w = width - left - right
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="bars-chart" viewBox="0 0 {width} {height}" width="100%" '
        f'role="img" aria-label="{escape(label)}"><title>{escape(label)}</title>',
    ]
    x = left
    for index, name in enumerate(series):
        fill, stroke = SERIES[index % len(SERIES)]
        parts.append(f'<rect x="{x}" y="6" width="12" height="12" fill="{fill}" stroke="{stroke}"/>')
        parts.append(_text(x + 16, 16, name, 11))
        x += 16 + 8 * len(name) + 20
    y = top
    for row_label, values in rows:
        parts.append(_text(left - 8, y + bar_h * len(series) / 2 + 4, row_label, 12, text_anchor="end"))
        for index, value in enumerate(values):
            w = plot_w * float(value) / peak
            fill, stroke = SERIES[index % len(SERIES)]
            parts.append(
                f'<rect x="{left}" y="{y}" width="{w:.1f}" height="{bar_h - 2}" fill="{fill}" stroke="{stroke}"/>'
            )
            parts.append(_text(left + w + 4, y + bar_h - 4, euros(value), 10))  # as in the tables
            y += bar_h
        y += gap
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308  # every text above went through escape()
