"""The import of an organisation's file, in the worker: thin, idempotent, organisation-scoped.

The job row is claimed under a row lock (a finished job is left alone); the importer writes in one transaction,
so a refused file, a killed worker or a time limit leaves the previous data exactly as it was. A job with no news
for ten minutes is shown as stuck, with a retry (`ImportRun.is_stale`).
"""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path

from celery import shared_task
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from diagnostics.importers import IMPORTERS, ImportFileError, Scope
from diagnostics.models import ImportRun
from territories.models import Territory

logger = logging.getLogger(__name__)


def _claim(run_id: int) -> ImportRun | None:
    with transaction.atomic():
        run = ImportRun.objects.select_for_update().filter(pk=run_id).first()
        if run is None or run.status in (ImportRun.Status.DONE, ImportRun.Status.FAILED):
            return None
        run.status, run.progress = ImportRun.Status.RUNNING, 10
        run.save(update_fields=["status", "progress", "updated_at"])
        return run


def _finish(run: ImportRun, *, succeeded: bool, message: str, rows: int = 0) -> None:
    now = timezone.now()
    ImportRun.objects.filter(pk=run.pk).update(
        status=ImportRun.Status.DONE if succeeded else ImportRun.Status.FAILED,
        succeeded=succeeded,
        message=message,
        rows=rows,
        progress=100,
        finished_at=now,
        updated_at=now,
    )


@shared_task(acks_late=True, reject_on_worker_lost=True, soft_time_limit=240, time_limit=300)
def run_import(run_id: int) -> None:
    run = _claim(run_id)
    if run is None:
        return
    with override("fr"):
        try:
            # Loaded through the job's organisation: its own territory, its own rows.
            territory = Territory.objects.get(pk=run.territory_id, organization_id=run.organization_id)
            with tempfile.TemporaryDirectory() as folder:
                path = Path(folder) / run.file_name
                with run.file.open("rb") as source, path.open("wb") as out:
                    for chunk in iter(lambda: source.read(1 << 20), b""):
                        out.write(chunk)
                ImportRun.objects.filter(pk=run.pk).update(progress=30, updated_at=timezone.now())
                importer = IMPORTERS[run.kind][1]
                result = importer(path, Scope.for_territory(territory), run.vintage)
        except ImportFileError as error:
            _finish(run, succeeded=False, message=str(error))
            return
        except Territory.DoesNotExist:
            _finish(run, succeeded=False, message=_("Le territoire de cet import a été supprimé entre-temps."))
            return
        except Exception as error:
            logger.exception("diagnostic import %s failed", run.pk)
            _finish(
                run,
                succeeded=False,
                message=_("L'import a échoué sans rien changer (erreur interne : %(error)s).")
                % {"error": type(error).__name__},
            )
            return
        _finish(run, succeeded=True, message=result.summary(), rows=result.rows)
