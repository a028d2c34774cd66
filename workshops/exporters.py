"""The workshop's results for its participants (PDF), produced by the document engine (documents.exporters)."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from documents.exporters import Exporter, register
from documents.pdf import Progress, Rendered, html_to_pdf
from workshops.models import Item, Kind, Workshop, top_items


def results_pdf(workshop: Workshop, progress: Progress) -> Rendered:
    origins = workshop.enjeu_origins.select_related("enjeu").prefetch_related("items")
    context: dict[str, Any] = {"workshop": workshop, "origins": origins}
    if workshop.kind == Kind.TOUR_DE_TABLE:
        # A tour de table has no items, points nor matrix: its answers, group by group, and what they share.
        tour = Workshop.objects.prefetch_related("groups__answers").get(pk=workshop.pk)
        context["tour"] = tour.tour_summary()
        context["tour_groups"] = [(group, list(group.answers.all())) for group in tour.groups.all()]
    else:
        # One query for the items of every group, with their points.
        live = Item.objects.filter(group__workshop=workshop).with_points_by_group()
        context["columns"] = [
            (group, top_items(live.get(group.pk, [])), live.get(group.pk, [])) for group in workshop.groups.all()
        ]
    progress(30)
    html = render_to_string("workshops/export_pdf.html", context)
    progress(50)
    return html_to_pdf(html)


register(
    Exporter(
        key="workshop_pdf",
        label=_("Résultats de l'atelier (PDF pour les participants)"),
        model=Workshop,
        render=results_pdf,
        filename=lambda workshop: f"atelier-{slugify(workshop.title)}",
        roadmap_of=lambda workshop: workshop.roadmap,
        subject=lambda workshop: workshop.title,
        related=("roadmap",),
    )
)
