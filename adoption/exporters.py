"""The PDF of an adopted version, produced by the document engine (so that a failure shows, with a retry), and the
revision state of the live roadmap's documents (fiches.document.with_revision)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from adoption.models import RoadmapVersion
from adoption.public import public_snapshot
from adoption.revision import revision
from documents.exporters import Exporter, register
from documents.pdf import Progress, Rendered
from documents.typography import french_date
from fiches import exports
from fiches.document import provides_revision


def _version_pdf(version: RoadmapVersion, progress: Progress) -> Rendered:
    """From the frozen snapshot, never from the live roadmap."""
    return exports.roadmap_document_pdf(version.snapshot, progress)


def _link_to_version(version: RoadmapVersion, job: Any) -> None:
    # The version points at the job's file: its page, the Documents page and the public page serve the same PDF.
    RoadmapVersion.objects.filter(pk=version.pk).update(pdf=job.file.name)


def _version_subject(version: RoadmapVersion) -> str:
    return str(_("Version %(n)s — adoptée le %(date)s")) % {
        "n": version.number,
        "date": french_date(version.adopted_on),
    }


register(
    Exporter(
        key="version_pdf",
        label=_("Version adoptée (PDF)"),
        model=RoadmapVersion,
        render=_version_pdf,
        filename=lambda version: f"feuille-de-route-{version.roadmap_id}-v{version.number}",
        roadmap_of=lambda version: version.roadmap,
        subject=_version_subject,
        related=("roadmap",),
        adopted=True,
        on_stored=_link_to_version,
    )
)


def _public_pdf(version: RoadmapVersion, progress: Progress) -> Rendered:
    return exports.roadmap_document_pdf(public_snapshot(version.snapshot), progress)


def _link_public(version: RoadmapVersion, job: Any) -> None:
    RoadmapVersion.objects.filter(pk=version.pk).update(public_pdf=job.file.name)


register(
    Exporter(
        key="version_public_pdf",
        label=_("Version adoptée, page publique (PDF sans coordonnées)"),
        model=RoadmapVersion,
        render=_public_pdf,
        filename=lambda version: f"feuille-de-route-{version.roadmap_id}-v{version.number}-publique",
        roadmap_of=lambda version: version.roadmap,
        subject=_version_subject,
        related=("roadmap",),
        adopted=True,
        on_stored=_link_public,
    )
)

provides_revision(revision)
