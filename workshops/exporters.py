"""The workshop's results for its participants (PDF), produced by the document engine (documents.exporters)."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from documents.exporters import Exporter, register
from documents.pdf import Progress, Rendered, html_to_pdf
from workshops.models import Answer, Item, Workshop, top_items


def results_pdf(workshop: Workshop, progress: Progress) -> Rendered:
    # One query for the items of every group, with their points.
    live = Item.objects.filter(group__workshop=workshop).with_points_by_group()
    columns = [(group, top_items(live.get(group.pk, [])), live.get(group.pk, [])) for group in workshop.groups.all()]
    origins = workshop.enjeu_origins.select_related("enjeu").prefetch_related("items")
    answers = list(Answer.objects.filter(group__workshop=workshop).select_related("group"))
    progress(30)
    html = render_to_string(
        "workshops/export_pdf.html",
        {"workshop": workshop, "columns": columns, "origins": origins, "answers": answers},
    )
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
