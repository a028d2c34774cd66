"""Export tasks: thin, idempotent (a finished job is left alone; a re-run overwrites the same file), tenant-scoped
(the job row carries its organisation and every object is loaded through it)."""

from __future__ import annotations

import logging
import time

from celery import shared_task
from celery.signals import worker_process_init
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from roadmap import exports, paged
from roadmap.models import ExportJob, RoadmapVersion

logger = logging.getLogger(__name__)


@worker_process_init.connect
def start_pdf_fork_server(**_kwargs: object) -> None:
    """Each worker process readies the fork server of its PDF parts' processes as it starts, not at the first export."""
    paged.start_fork_server()


def _claim(job_id: int) -> ExportJob | None:
    """Mark the job running, unless it is already finished (then there is nothing to do)."""
    with transaction.atomic():
        job = ExportJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.status == ExportJob.Status.DONE:
            return None
        job.status, job.progress, job.error = ExportJob.Status.RUNNING, 5, ""
        job.save(update_fields=["status", "progress", "error", "updated_at"])
        return job


@shared_task(acks_late=True, reject_on_worker_lost=True, soft_time_limit=240, time_limit=300)
def run_export(job_id: int) -> None:
    claimed = _claim(job_id)
    if claimed is None:
        return
    job: ExportJob = claimed
    started = time.perf_counter()

    def progress(percent: int) -> None:
        ExportJob.objects.filter(pk=job.pk, status=ExportJob.Status.RUNNING).update(
            progress=percent, updated_at=timezone.now()
        )

    try:
        with override("fr"):
            # Loaded through the job's organisation: an id from elsewhere cannot reach another tenant.
            organization = job.organization
            roadmap = organization.roadmaps.select_related("territory", "organization").get(pk=job.roadmap_id)
            action = None
            if job.action_id is not None:
                action = organization.actions.select_related("roadmap", "chantier__defi").get(pk=job.action_id)
            kind = ExportJob.Kind
            if job.kind == kind.ROADMAP_PDF:
                rendered = exports.roadmap_pdf(roadmap, progress)
                name = f"feuille-de-route-{roadmap.pk}.pdf"
            elif job.kind == kind.FICHES_PDF:
                rendered = exports.fiches_pdf(roadmap, None, progress)
                name = f"fiches-actions-{roadmap.pk}.pdf"
            elif job.kind == kind.FICHE_PDF and action is not None:
                rendered = exports.fiches_pdf(roadmap, action, progress)
                name = f"fiche-action-{action.pk}.pdf"
            elif job.kind == kind.FICHE_DOCX and action is not None:
                rendered = exports.fiche_docx(action, progress)
                name = f"fiche-action-{action.pk}.docx"
            elif job.kind == kind.BUDGET_XLSX:
                rendered = exports.budget_xlsx(roadmap, progress)
                name = f"budget-{roadmap.pk}.xlsx"
            else:
                raise ValueError(f"unknown export kind {job.kind}")
            progress(90)
    except Exception as error:
        logger.exception("export %s failed", job.pk)
        ExportJob.objects.filter(pk=job.pk).update(
            status=ExportJob.Status.FAILED,
            error=_("La production du document a échoué (%(error)s).") % {"error": type(error).__name__},
            finished_at=timezone.now(),
            updated_at=timezone.now(),
        )
        return
    with transaction.atomic():
        job = ExportJob.objects.select_for_update().get(pk=job.pk)
        if job.file:
            job.file.delete(save=False)
        job.file.save(f"exports/{job.pk}-{name}", ContentFile(rendered.content), save=False)
        job.status, job.progress, job.pages = ExportJob.Status.DONE, 100, rendered.pages
        job.render_seconds = rendered.render_seconds or (time.perf_counter() - started)
        job.finished_at = timezone.now()
        job.save()


@shared_task(acks_late=True, reject_on_worker_lost=True, soft_time_limit=240, time_limit=300)
def render_version_pdf(version_id: int) -> None:
    """The PDF of an adopted version, from its frozen snapshot (never from the live roadmap)."""
    version = RoadmapVersion.objects.filter(pk=version_id).first()
    if version is None or version.pdf:
        return
    with override("fr"):
        rendered = exports.roadmap_document_pdf(version.snapshot)
    with transaction.atomic():
        version = RoadmapVersion.objects.select_for_update().get(pk=version_id)
        if not version.pdf:
            version.pdf.save(f"versions/{version.roadmap_id}-v{version.number}.pdf", ContentFile(rendered.content))
