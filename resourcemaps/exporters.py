"""The resource map's sheet (PDF) through the document engine: the chantier, its map drawn as SVG, the table."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from documents.exporters import Exporter, register
from documents.pdf import Progress, Rendered, html_to_pdf
from resourcemaps.graph import drawing
from resourcemaps.models import Resource
from resourcemaps.svg import drawing_svg
from roadmap.models import Chantier


def map_sheet(chantier: Chantier, progress: Progress) -> Rendered:
    resources = list(Resource.objects.of_map(chantier))
    progress(30)
    svg = drawing_svg(drawing(chantier, resources))
    html = render_to_string(
        "resourcemaps/pdf/map_sheet.html",
        {"chantier": chantier, "resources": resources, "svg": mark_safe(svg)},  # noqa: S308 (our own escaped SVG)
    )
    progress(50)
    return html_to_pdf(html)


register(
    Exporter(
        key="resource_map_pdf",
        label=_("Cartographie des ressources (PDF)"),
        model=Chantier,
        render=map_sheet,
        filename=lambda chantier: f"ressources-{slugify(chantier.title)[:60]}",
        roadmap_of=lambda chantier: chantier.roadmap,
        subject=lambda chantier: chantier.title,
        related=("roadmap", "defi"),
    )
)
