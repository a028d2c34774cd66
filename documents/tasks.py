"""Export tasks: thin, idempotent (a finished job is left alone; a re-run overwrites the same file), tenant-scoped
(the job row carries its organisation and every object is loaded through it)."""

from __future__ import annotations

import logging
import time

from celery import shared_task
from celery.signals import worker_process_init
from django.core.exceptions import ObjectDoesNotExist
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from documents import exporters, paged
from documents.models import ExportJob

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
            exporter = exporters.get(job.kind)
            # Loaded through the job's organisation: an id from elsewhere cannot reach another tenant.
            subject = exporter.load(job.organization_id, job.object_id)
            rendered = exporter.render(subject, progress)
            name = f"{exporter.filename(subject)}.{exporter.extension}"
            progress(90)
    except ObjectDoesNotExist:
        _fail(job, _("Ce document porte sur un élément qui a été supprimé entre-temps."))
        return
    except Exception as error:
        logger.exception("export %s failed", job.pk)
        _fail(job, _("La production du document a échoué (%(error)s).") % {"error": type(error).__name__})
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


def _fail(job: ExportJob, error: str) -> None:
    now = timezone.now()
    ExportJob.objects.filter(pk=job.pk).update(
        status=ExportJob.Status.FAILED, error=error, finished_at=now, updated_at=now
    )
