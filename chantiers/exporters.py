"""Step 4's document, produced by the document engine: the synthetic table of the chantiers by enjeu, then one page
per chantier with its fiche."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from chantiers.models import FEASIBILITY_MEANINGS, Feasibility
from chantiers.synthesis import synthesis
from documents.exporters import Exporter, register
from documents.pdf import Progress, Rendered, html_to_pdf
from resourcemaps.graph import drawing
from resourcemaps.models import NATURE_ORDER, Resource
from resourcemaps.svg import drawing_svg
from roadmap.models import Chantier, Roadmap


def _maps(roadmap: Roadmap, chantiers: list[Chantier]) -> dict[int, str]:
    """Each chantier's resource map as SVG (one query for all of them); none for a map without resources."""
    by_chantier: dict[int, list[Resource]] = {}
    resources = Resource.objects.filter(organization_id=roadmap.organization_id, chantier__in=chantiers).select_related(
        "actor", "contact"
    )
    for resource in sorted(resources, key=lambda r: (NATURE_ORDER.get(r.nature, 99), r.pk)):
        by_chantier.setdefault(resource.chantier_id, []).append(resource)
    # Our own SVG, every text in it escaped by resourcemaps.svg.
    return {
        chantier.pk: mark_safe(drawing_svg(drawing(chantier, by_chantier[chantier.pk])))  # noqa: S308
        for chantier in chantiers
        if chantier.pk in by_chantier
    }


def synthesis_document(roadmap: Roadmap, progress: Progress) -> Rendered:
    rows = synthesis(roadmap)
    progress(30)
    # Each chantier once, in the order of the table (a transversal chantier is listed under its first enjeu).
    seen: set[int] = set()
    sheets: list[dict[str, Any]] = []
    chantiers: list[Chantier] = []
    for row in rows:
        for cell in row.cells:
            if cell.chantier.pk not in seen:
                seen.add(cell.chantier.pk)
                enjeux = [r.enjeu for r in rows if any(c.chantier.pk == cell.chantier.pk for c in r.cells)]
                sheets.append({"cell": cell, "enjeux": enjeux})
                chantiers.append(cell.chantier)
    maps = _maps(roadmap, chantiers)
    for item, chantier in zip(sheets, chantiers, strict=True):
        item["map"] = maps.get(chantier.pk, "")
    legend = [(value, label, FEASIBILITY_MEANINGS[value]) for value, label in Feasibility.choices]
    html = render_to_string(
        "chantiers/pdf/synthesis.html", {"roadmap": roadmap, "rows": rows, "sheets": sheets, "legend": legend}
    )
    progress(60)
    return html_to_pdf(html)


def _the_roadmap(roadmap: Roadmap) -> Roadmap:
    return roadmap


register(
    Exporter(
        key="chantiers_synthesis_pdf",
        label=_("Chantiers clés par enjeu et fiches chantier (PDF)"),
        model=Roadmap,
        render=synthesis_document,
        filename=lambda roadmap: f"chantiers-cles-{slugify(roadmap.title)}",
        roadmap_of=_the_roadmap,
        subject=lambda roadmap: roadmap.title,
        related=("territory",),
        on_documents_page=True,
    )
)
