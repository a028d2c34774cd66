"""Step 7's documents, produced by the document engine: the evaluation report (PDF) and every value (CSV)."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.template.loader import render_to_string
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from documents.csv_cells import spreadsheet_text
from documents.exporters import Exporter, register
from documents.pdf import Progress, Rendered, html_to_pdf
from evaluation.analysis import build_analysis
from evaluation.models import Effect, Evaluation, Indicator, IndicatorValue
from fiches.document import provides_evaluation_framework
from roadmap.models import Roadmap


@provides_evaluation_framework
def evaluation_framework(roadmap: Roadmap) -> dict[str, Any] | None:
    """Step 7's framework as the roadmap document states it (« Modalités d'évaluation »): the effects expected, the
    number of indicators that follow them and the evaluative question; None before step 7 has begun."""
    effects = list(Effect.objects.filter(roadmap=roadmap).order_by("order", "pk").values_list("title", flat=True))
    indicators = Indicator.objects.filter(roadmap=roadmap).count()
    evaluation = Evaluation.objects.filter(roadmap=roadmap).first()
    question = evaluation.question if evaluation else ""
    if not (effects or indicators or question):
        return None
    return {"question": question, "effects": effects, "indicators": indicators}


def report_document(roadmap: Roadmap, progress: Progress) -> Rendered:
    analysis = build_analysis(roadmap)
    progress(40)
    html = render_to_string("evaluation/pdf/report.html", {"a": analysis})
    progress(60)
    return html_to_pdf(html)


def values_csv(roadmap: Roadmap, progress: Progress) -> Rendered:
    """Every collected value, one per line, the columns the import reads back (plus the effect and the target)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    writer.writerow(
        [
            _("indicateur"),
            _("intitulé"),
            _("effet"),
            _("type"),
            _("unité"),
            _("date"),
            _("valeur"),
            _("source"),
            _("commentaire"),
            _("cible"),
            _("date de la cible"),
        ]
    )
    rows = IndicatorValue.objects.filter(indicator__roadmap=roadmap).select_related("indicator__effect")
    for value in rows.order_by("indicator__effect__order", "indicator__order", "date", "pk"):
        indicator = value.indicator
        number = "" if value.number is None else f"{value.number.normalize():f}".replace(".", ",")
        writer.writerow(
            [
                indicator.ref,
                spreadsheet_text(indicator.label),
                spreadsheet_text(indicator.effect.title),
                indicator.get_kind_display(),
                spreadsheet_text(indicator.unit),
                value.date.strftime("%d/%m/%Y"),
                number or spreadsheet_text(value.text),
                spreadsheet_text(value.source),
                spreadsheet_text(value.comment),
                indicator.target_label,
                indicator.target_date.strftime("%d/%m/%Y") if indicator.target_date else "",
            ]
        )
    progress(80)
    # With a BOM, Excel opens the accents right.
    return Rendered(("\ufeff" + buffer.getvalue()).encode("utf-8"))


register(
    Exporter(
        key="evaluation_report_pdf",
        label=gettext_lazy("Rapport d'évaluation (PDF)"),
        model=Roadmap,
        render=report_document,
        filename=lambda roadmap: f"evaluation-{slugify(roadmap.title)}",
        roadmap_of=lambda roadmap: roadmap,
        subject=lambda roadmap: roadmap.title,
        related=("territory",),
        on_documents_page=True,
    )
)
register(
    Exporter(
        key="evaluation_values_csv",
        label=gettext_lazy("Valeurs des indicateurs (CSV)"),
        model=Roadmap,
        render=values_csv,
        filename=lambda roadmap: f"valeurs-indicateurs-{slugify(roadmap.title)}",
        roadmap_of=lambda roadmap: roadmap,
        subject=lambda roadmap: roadmap.title,
        extension="csv",
        on_documents_page=True,
    )
)
