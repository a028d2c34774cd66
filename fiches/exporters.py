"""The documents of step 6, produced by the document engine (documents.exporters): the roadmap and its fiches
(PDF), the budget (Excel), one fiche (PDF, Word)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from documents.exporters import Exporter, register
from documents.pdf import Progress, Rendered
from fiches import exports
from roadmap.models import Action, Roadmap

# Each render calls into fiches.exports when it runs (not a reference taken at start-up), so that a renderer can
# be replaced in one place, as the tests of failing exports do.


def _roadmap_pdf(roadmap: Roadmap, progress: Progress) -> Rendered:
    return exports.roadmap_pdf(roadmap, progress)


def _budget_xlsx(roadmap: Roadmap, progress: Progress) -> Rendered:
    return exports.budget_xlsx(roadmap, progress)


def _fiche_docx(action: Action, progress: Progress) -> Rendered:
    return exports.fiche_docx(action, progress)


def _fiche_pdf(action: Action, progress: Progress) -> Rendered:
    return exports.fiches_pdf(action.roadmap, action, progress)


def _all_fiches_pdf(roadmap: Roadmap, progress: Progress) -> Rendered:
    return exports.fiches_pdf(roadmap, None, progress)


def _the_roadmap(roadmap: Roadmap) -> Roadmap:
    return roadmap


def _its_roadmap(action: Action) -> Any:
    return action.roadmap


def _fiche_subject(action: Action) -> str:
    return f"{action.ref} {action.title}"


ROADMAP = {"model": Roadmap, "roadmap_of": _the_roadmap, "related": ("territory", "organization")}
FICHE = {
    "model": Action,
    "roadmap_of": _its_roadmap,
    "subject": _fiche_subject,
    "related": ("roadmap", "chantier__defi"),
}

register(
    Exporter(
        key="roadmap_pdf",
        label=_("Feuille de route (PDF)"),
        render=_roadmap_pdf,
        filename=lambda roadmap: f"feuille-de-route-{roadmap.pk}",
        on_documents_page=True,
        **ROADMAP,  # type: ignore[arg-type]
    )
)
register(
    Exporter(
        key="fiches_pdf",
        label=_("Toutes les fiches actions (PDF)"),
        render=_all_fiches_pdf,
        filename=lambda roadmap: f"fiches-actions-{roadmap.pk}",
        on_documents_page=True,
        **ROADMAP,  # type: ignore[arg-type]
    )
)
register(
    Exporter(
        key="budget_xlsx",
        label=_("Budget et plan de financement (Excel)"),
        render=_budget_xlsx,
        filename=lambda roadmap: f"budget-{roadmap.pk}",
        extension="xlsx",
        on_documents_page=True,
        **ROADMAP,  # type: ignore[arg-type]
    )
)
register(
    Exporter(
        key="fiche_pdf",
        label=_("Fiche action (PDF)"),
        render=_fiche_pdf,
        filename=lambda action: f"fiche-action-{action.pk}",
        **FICHE,  # type: ignore[arg-type]
    )
)
register(
    Exporter(
        key="fiche_docx",
        label=_("Fiche action (Word)"),
        render=_fiche_docx,
        filename=lambda action: f"fiche-action-{action.pk}",
        extension="docx",
        **FICHE,  # type: ignore[arg-type]
    )
)
