"""The documents of step 6, produced by the document engine (documents.exporters): the roadmap and its fiches
(PDF), the budget (Excel), one fiche (PDF, Word)."""

from __future__ import annotations

from collections.abc import Callable
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


def _roadmap_docx(roadmap: Roadmap, progress: Progress) -> Rendered:
    return exports.roadmap_docx(roadmap, progress)


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


ROADMAP: dict[str, Any] = {"model": Roadmap, "roadmap_of": _the_roadmap, "related": ("territory", "organization")}
FICHE: dict[str, Any] = {
    "model": Action,
    "roadmap_of": _its_roadmap,
    "subject": _fiche_subject,
    "related": ("roadmap", "chantier__defi"),
}


def _named(pattern: str) -> Callable[[Any], str]:
    """The stored file's name from the object's pk."""
    return lambda obj: pattern.format(obj.pk)


# key, label, render, file name (from the object's pk), extension, on the roadmap's Documents page, what it documents
for key, label, render, filename, extension, on_documents_page, documents in (
    ("roadmap_pdf", _("Feuille de route (PDF)"), _roadmap_pdf, "feuille-de-route-{}", "pdf", True, ROADMAP),
    ("fiches_pdf", _("Toutes les fiches actions (PDF)"), _all_fiches_pdf, "fiches-actions-{}", "pdf", True, ROADMAP),
    ("budget_xlsx", _("Budget et plan de financement (Excel)"), _budget_xlsx, "budget-{}", "xlsx", True, ROADMAP),
    ("roadmap_docx", _("Feuille de route (Word)"), _roadmap_docx, "feuille-de-route-{}", "docx", True, ROADMAP),
    ("fiche_pdf", _("Fiche action (PDF)"), _fiche_pdf, "fiche-action-{}", "pdf", False, FICHE),
    ("fiche_docx", _("Fiche action (Word)"), _fiche_docx, "fiche-action-{}", "docx", False, FICHE),
):
    register(
        Exporter(
            key=key,
            label=label,
            render=render,
            filename=_named(filename),
            extension=extension,
            on_documents_page=on_documents_page,
            **documents,
        )
    )
