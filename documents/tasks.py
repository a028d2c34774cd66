"""Export tasks: thin, idempotent (a finished job is left alone; a re-run overwrites the same file), tenant-scoped
(the job row carries its organisation and every object is loaded through it)."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from celery import shared_task
from celery.signals import worker_process_init, worker_ready, worker_shutdown
from django.core.exceptions import ObjectDoesNotExist
from django.core.files.base import ContentFile
from django.db import connection, transaction
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
        with override("fr"), heartbeat(job.pk):
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
        if exporter.on_stored is not None:
            exporter.on_stored(subject, job)


def _fail(job: ExportJob, error: str) -> None:
    now = timezone.now()
    ExportJob.objects.filter(pk=job.pk).update(
        status=ExportJob.Status.FAILED, error=error, finished_at=now, updated_at=now
    )


# A worker killed in the middle of an export (SIGKILL, out of memory, a machine gone) cannot say so: the job would
# stay « En cours » until the broker's visibility timeout (an hour with Redis). While a job runs, its worker touches
# the row every HEARTBEAT seconds; a running job untouched for DEAD_AFTER is marked failed, with a retry, by the sweep
# that every worker runs when it starts and then every SWEEP_EVERY seconds.
HEARTBEAT = 10.0
DEAD_AFTER = timedelta(seconds=45)
SWEEP_EVERY = 20.0


@contextmanager
def heartbeat(job_id: int, every: float | None = None) -> Iterator[None]:
    """Touch the running job's row every `every` seconds while the block runs (in a thread of this process)."""
    stop = threading.Event()
    interval = HEARTBEAT if every is None else every

    def beat() -> None:
        try:
            while not stop.wait(interval):
                ExportJob.objects.filter(pk=job_id, status=ExportJob.Status.RUNNING).update(updated_at=timezone.now())
        finally:
            connection.close()

    thread = threading.Thread(target=beat, name=f"export-{job_id}-heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=5)


def sweep_stranded_jobs() -> int:
    """Mark failed (with a retry in the page) the running jobs whose worker stopped beating; returns how many."""
    now = timezone.now()
    with override("fr"):
        error = _(
            "Le worker qui produisait ce document s'est arrêté en cours de route (redémarrage ou panne) : "
            "cliquez sur « Réessayer »."
        )
    stranded = ExportJob.objects.filter(status=ExportJob.Status.RUNNING, updated_at__lt=now - DEAD_AFTER)
    count = stranded.update(status=ExportJob.Status.FAILED, error=error, finished_at=now, updated_at=now)
    if count:
        logger.warning("%s export job(s) stranded by a stopped worker marked failed", count)
    return count


_sweeper_stop = threading.Event()


@worker_ready.connect
def start_sweeping(**_kwargs: object) -> None:
    """In the worker's main process, once it is ready: sweep now (a job of a worker killed before this one started),
    then every SWEEP_EVERY seconds (a worker killed beside this one)."""
    _sweeper_stop.clear()

    def loop() -> None:
        while True:
            try:
                sweep_stranded_jobs()
            except Exception:
                logger.exception("sweep of stranded export jobs failed")
            finally:
                connection.close()  # no connection kept open in the main process, whose children are forked
            if _sweeper_stop.wait(SWEEP_EVERY):
                return

    threading.Thread(target=loop, name="export-sweeper", daemon=True).start()


@worker_shutdown.connect
def stop_sweeping(**_kwargs: object) -> None:
    _sweeper_stop.set()
