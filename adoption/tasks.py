"""The PDF of an adopted version. It goes through the document engine (adoption/exporters.py, `version_pdf`); this
task remains for messages queued before, and runs the version's job."""

from __future__ import annotations

from celery import shared_task

from adoption.models import RoadmapVersion
from documents.actions import start_export
from documents.models import ExportJob
from documents.tasks import run_export


@shared_task(acks_late=True, reject_on_worker_lost=True, soft_time_limit=240, time_limit=300)
def render_version_pdf(version_id: int) -> None:
    """The PDF of an adopted version, from its frozen snapshot (never from the live roadmap)."""
    version = RoadmapVersion.objects.filter(pk=version_id).first()
    if version is None or version.pdf:
        return
    job = ExportJob.objects.of(version).order_by("-pk").first() or start_export("version_pdf", version, None)
    run_export(job.pk)
