"""What a document of a roadmap says of its status: adopted, or a working version, and why.

One function for every document (the roadmap's PDF, DOCX and XLSX, the fiches' PDFs and DOCX, the step documents
of chantiers and evaluation), so that they cannot disagree: a document says « Adoptée » only over the adopted
content, and a working version says so on its cover and on every page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.utils.translation import gettext as _

from documents.typography import french_date
from roadmap.models import Roadmap

ADOPTED_STATES = (Roadmap.Status.ADOPTEE, Roadmap.Status.EN_MISE_EN_OEUVRE)


@dataclass(frozen=True)
class DocumentStatus:
    adopted: bool  # the content is the adopted version's
    line: str  # the cover's status line
    detail: str  # a sentence under it ("" when there is nothing to add)
    mark: str  # on every page; "" for the adopted version

    def as_dict(self) -> dict[str, Any]:
        return {"adopted": self.adopted, "line": self.line, "detail": self.detail, "mark": self.mark}


def _date(value: Any) -> str:
    if not value:
        return ""
    if isinstance(value, str):
        value = date.fromisoformat(value[:10])
    return french_date(value)


def not_adopted_mark() -> str:
    return str(_("Version de travail — feuille de route non adoptée"))


def document_status(document: dict[str, Any]) -> DocumentStatus:
    """The status of a roadmap document (fiches.document): the live roadmap's, with its `revision`
    (fiches.document.with_revision), or an adopted version's frozen snapshot (which has no `state`)."""
    r = document.get("roadmap") or {}
    revision = document.get("revision") or {}
    # A snapshot frozen before documents carried `state` is always an adopted version.
    state = r.get("state") or (Roadmap.Status.ADOPTEE if r.get("adopted_on") else Roadmap.Status.BROUILLON)
    if revision.get("modified"):
        return DocumentStatus(
            adopted=False,
            line=str(revision["mark"]),
            detail=_(
                "Ce document n'est pas la version adoptée : la version %(n)s (délibération n° %(number)s de "
                "%(body)s) reste la référence."
            )
            % {"n": revision["version"], "number": revision["deliberation_number"], "body": revision["adopted_by"]},
            mark=str(revision["mark"]),
        )
    if state in ADOPTED_STATES and r.get("adopted_on"):
        return DocumentStatus(
            adopted=True,
            line=_("Adoptée par %(body)s le %(date)s — délibération n° %(number)s")
            % {"body": r.get("adopted_by", ""), "date": _date(r["adopted_on"]), "number": r.get("deliberation_number")},
            detail="",
            mark="",
        )
    if revision:  # adopted before, reopened for a revision, nothing changed yet
        mark = str(_("Version de travail — révision en cours de la version adoptée"))
        return DocumentStatus(
            adopted=False,
            line=mark,
            detail=_(
                "Révision ouverte : le contenu est encore celui de la version %(n)s, adoptée le %(date)s par "
                "%(body)s (délibération n° %(number)s), qui reste la référence."
            )
            % {
                "n": revision["version"],
                "date": revision.get("adopted_on_text") or _date(revision.get("adopted_on")),
                "body": revision["adopted_by"],
                "number": revision["deliberation_number"],
            },
            mark=mark,
        )
    mark = not_adopted_mark()
    detail = ""
    if state == Roadmap.Status.PRESENTEE and r.get("presented_on"):
        detail = _("Présentée devant %(body)s le %(date)s, pas encore adoptée.") % {
            "body": r.get("presented_to", ""),
            "date": _date(r["presented_on"]),
        }
    return DocumentStatus(adopted=False, line=mark, detail=detail, mark=mark)


def roadmap_status(roadmap: Roadmap) -> DocumentStatus:
    """The status of the live roadmap's documents, for a document not built from the roadmap document (a step's
    PDF, the budget workbook): the roadmap is compared with its last adopted version."""
    from fiches.document import roadmap_document, with_revision

    if roadmap.adopted_on is None and roadmap.status not in ADOPTED_STATES:
        # Never adopted: nothing to compare with, no need to build the document.
        return document_status({"roadmap": roadmap_state(roadmap)})
    return document_status(with_revision(roadmap, roadmap_document(roadmap, with_diagnostic=False)))


def roadmap_state(roadmap: Roadmap) -> dict[str, Any]:
    """The roadmap's fields a status is made of (part of every roadmap document's `roadmap`)."""
    return {
        "state": roadmap.status,
        "status": roadmap.get_status_display(),
        "presented_to": roadmap.presented_to,
        "presented_on": roadmap.presented_on,
        "adopted_by": roadmap.adopted_by,
        "adopted_on": roadmap.adopted_on,
        "deliberation_number": roadmap.deliberation_number,
    }
