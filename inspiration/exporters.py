"""The recueil of inspiring experiences, printed for a workshop (PDF through the document engine)."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _

from documents.exporters import Exporter, register
from documents.pdf import Progress, Rendered, html_to_pdf
from inspiration.models import Recueil


def render_recueil(recueil: Recueil, progress: Progress) -> Rendered:
    # Loaded through the recueil's organisation: an experience withdrawn since its selection is left out.
    experiences = list(recueil.selected().select_related("organization", "on_behalf_of").order_by("title"))
    progress(30)
    html = render_to_string(
        "inspiration/recueil_pdf.html",
        {
            "recueil": recueil,
            "experiences": [(e, e.shown_to(recueil.organization)) for e in experiences],
        },
    )
    return html_to_pdf(html)


def _roadmap_of(recueil: Recueil) -> Any:
    return recueil.roadmap


register(
    Exporter(
        key="inspiration_recueil_pdf",
        label=_("Recueil d'expériences inspirantes (PDF)"),
        model=Recueil,
        render=render_recueil,
        filename=lambda recueil: f"recueil-{recueil.pk}",
        roadmap_of=_roadmap_of,
        related=("organization", "roadmap"),
    )
)
