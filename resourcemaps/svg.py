"""The resource map as SVG, drawn in Python (no browser): for the PDFs (this app's sheet, the chantiers' document)
and the « SVG » download. Same places, colours, shapes and lines as the screen (resourcemaps.graph)."""

from __future__ import annotations

import math
import textwrap
from xml.sax.saxutils import escape, quoteattr

from django.utils.translation import gettext as _

from resourcemaps.graph import CHANTIER_COLOUR, NATURE_STYLE, Drawing, drawing
from resourcemaps.models import Availability, LinkKind, Nature, Resource
from roadmap.models import Chantier

NODE = 18.0  # half the size of a resource's shape
LINE_COLOUR = "#4a5368"
FONT = "DejaVu Sans, Arial, sans-serif"
LEGEND_HEIGHT = 150.0

# How each kind of link is stroked; « none » is never drawn.
STROKES = {
    LinkKind.SOLID: 'stroke-width="3"',
    LinkKind.DOTTED: 'stroke-width="3" stroke-dasharray="1 7" stroke-linecap="round"',
}


def _fill(colour: str, availability: str) -> str:
    """Filled: we have it; pale: it exists, to mobilise; hollow: to create."""
    if availability == Availability.ACQUISE:
        return f'fill="{colour}" stroke="{colour}" stroke-width="2"'
    if availability == Availability.A_CREER:
        return f'fill="#ffffff" stroke="{colour}" stroke-width="3"'
    return f'fill="{colour}" fill-opacity="0.35" stroke="{colour}" stroke-width="2"'


def shape(kind: str, x: float, y: float, r: float, paint: str) -> str:
    if kind == "ellipse":
        return f'<ellipse cx="{x:.1f}" cy="{y:.1f}" rx="{r:.1f}" ry="{r:.1f}" {paint}/>'
    if kind == "round-rectangle":
        return f'<rect x="{x - r:.1f}" y="{y - r:.1f}" width="{2 * r:.1f}" height="{2 * r:.1f}" rx="6" {paint}/>'
    if kind == "diamond":
        points = [(x, y - r * 1.15), (x + r * 1.15, y), (x, y + r * 1.15), (x - r * 1.15, y)]
    elif kind == "hexagon":
        points = [(x + r * math.cos(math.pi / 3 * i), y + r * math.sin(math.pi / 3 * i)) for i in range(6)]
    else:  # triangle
        points = [(x, y - r * 1.1), (x + r * 1.1, y + r * 0.8), (x - r * 1.1, y + r * 0.8)]
    joined = " ".join(f"{px:.1f},{py:.1f}" for px, py in points)
    return f'<polygon points="{joined}" {paint}/>'


def _text(lines: list[str], x: float, y: float, *, size: int = 13, colour: str = "#1b1f2a", bold: bool = False) -> str:
    weight = ' font-weight="bold"' if bold else ""
    spans = "".join(
        f'<tspan x="{x:.1f}" dy="{0 if i == 0 else size * 1.2:.1f}">{escape(line)}</tspan>'
        for i, line in enumerate(lines)
    )
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-family={quoteattr(FONT)} font-size="{size}" fill="{colour}"'
        f' text-anchor="middle"{weight}>{spans}</text>'
    )


def _wrap(text: str, width: int, lines: int) -> list[str]:
    wrapped = textwrap.wrap(text, width) or [""]
    if len(wrapped) > lines:
        wrapped = wrapped[:lines]
        wrapped[-1] = wrapped[-1][: width - 1].rstrip() + "…"
    return wrapped


def drawing_svg(d: Drawing) -> str:
    """The SVG markup of a drawing, its legend under the map."""
    xs = [n.x for n in d.nodes] + [0.0]
    ys = [n.y for n in d.nodes] + [0.0]
    left, right = min(xs) - 130, max(xs) + 130
    top, bottom = min(ys) - 70, max(ys) + 90
    width = max(right - left, 940.0)
    left -= (width - (right - left)) / 2
    height = bottom - top + LEGEND_HEIGHT
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="{left:.1f} {top:.1f} {width:.1f} {height:.1f}"'
        f' width="{width:.0f}" height="{height:.0f}" role="img"'
        f" aria-label={quoteattr(_('Cartographie des ressources'))}>",
        f'<rect x="{left:.1f}" y="{top:.1f}" width="{width:.1f}" height="{height:.1f}" fill="#ffffff"/>',
    ]
    for n in d.edges:
        # The line stops at the shape's edge, so that a dotted line ends visibly on the resource.
        length = math.hypot(n.x, n.y) or 1.0
        end_x, end_y = n.x - n.x / length * (NODE + 3), n.y - n.y / length * (NODE + 3)
        parts.append(
            f'<line class="link-{n.link}" x1="0" y1="0" x2="{end_x:.1f}" y2="{end_y:.1f}" stroke="{LINE_COLOUR}"'
            f" {STROKES[LinkKind(n.link)]}/>"
        )
    for n in d.nodes:
        parts.append(f'<g class="resource nature-{n.nature}" data-pk="{n.pk}">')
        parts.append(shape(n.shape, n.x, n.y, NODE, _fill(n.colour, n.availability)))
        lines = _wrap(n.name, 24, 2) + ([f"({n.horizon_label.lower()})"] if n.horizon else [])
        # Above the chantier, the label goes above its shape: the line to the centre never crosses it.
        label_y = n.y - NODE - 8 - 15.6 * (len(lines) - 1) if n.label_above else n.y + NODE + 16
        parts.append(_text(lines, n.x, label_y))
        parts.append("</g>")
    title = _wrap(d.chantier.title, 26, 4)
    box_h = 22 + 17 * len(title)
    parts.append(
        f'<rect class="chantier" x="-120" y="{-box_h / 2:.1f}" width="240" height="{box_h:.1f}" rx="10"'
        f' fill="{CHANTIER_COLOUR}"/>'
    )
    parts.append(_text(title, 0, -box_h / 2 + 24, size=14, colour="#ffffff", bold=True))
    parts.append(_legend(left + 20, bottom + 10))
    parts.append("</svg>")
    return "".join(parts)


def _legend(x: float, y: float) -> str:
    out = [_text([_("Légende")], x + 30, y + 14, size=13, bold=True)]
    # Lines: the guide's three kinds.
    rows = [
        (LinkKind.SOLID, _("Trait plein : collaboration passée ou en cours")),
        (LinkKind.DOTTED, _("Pointillé : on se connaît, sans collaboration")),
        (LinkKind.NONE, _("Pas de trait : on ne se connaît pas")),
    ]
    for i, (kind, label) in enumerate(rows):
        ly = y + 38 + i * 26
        if kind in STROKES:
            out.append(
                f'<line x1="{x:.1f}" y1="{ly:.1f}" x2="{x + 50:.1f}" y2="{ly:.1f}"'
                f' stroke="{LINE_COLOUR}" {STROKES[kind]}/>'
            )
        out.append(
            f'<text x="{x + 60:.1f}" y="{ly + 5:.1f}" font-family={quoteattr(FONT)} font-size="12"'
            f' fill="#1b1f2a">{escape(str(label))}</text>'
        )
    # Natures: colour and shape.
    nx = x + 390
    for i, (value, nature_label) in enumerate(Nature.choices):
        colour, drawn = NATURE_STYLE[value]
        cx, cy = nx + (i % 2) * 150, y + 20 + (i // 2) * 30
        out.append(shape(drawn, cx, cy, 9, _fill(colour, Availability.ACQUISE)))
        out.append(
            f'<text x="{cx + 16:.1f}" y="{cy + 4:.1f}" font-family={quoteattr(FONT)} font-size="12"'
            f' fill="#1b1f2a">{escape(str(nature_label))}</text>'
        )
    # Availability: filled, pale, hollow.
    ax = x + 690
    for i, (value, availability_label) in enumerate(Availability.choices):
        cy = y + 20 + i * 30
        out.append(shape("ellipse", ax, cy, 9, _fill("#525a6b", value)))
        out.append(
            f'<text x="{ax + 16:.1f}" y="{cy + 4:.1f}" font-family={quoteattr(FONT)} font-size="12"'
            f' fill="#1b1f2a">{escape(str(availability_label))}</text>'
        )
    return "".join(out)


def map_svg(chantier: Chantier) -> str:
    """The SVG markup of a chantier's resource map, for any document (one query: its resources)."""
    resources = list(Resource.objects.of_map(chantier))
    return drawing_svg(drawing(chantier, resources))
