"""Export jobs: created in the request, sent to a worker once the row is committed."""

from __future__ import annotations

from typing import Any, cast

from django.db import transaction

from documents import exporters
from documents.models import ExportJob
from tenancy.models import User


@transaction.atomic
def start_export(key: str, obj: Any, user: User | None) -> ExportJob:
    """Create the job row for the exporter `key` on `obj` and send it to a worker once the row is committed."""
    from documents.tasks import run_export

    exporter = exporters.get(key)
    if not isinstance(obj, exporter.model):
        raise exporters.UnknownExporter(f"{key} does not document a {type(obj).__name__}")
    job = ExportJob.objects.create(
        organization_id=cast(Any, obj).organization_id,
        roadmap=exporter.roadmap_of(obj),
        kind=key,
        object_id=obj.pk,
        subject=exporter.subject(obj)[:400],
        created_by=user,
    )
    run_export.delay_on_commit(job.pk)  # type: ignore[attr-defined]  # DjangoTask (celery.contrib.django)
    return job


@transaction.atomic
def retry_export(job: ExportJob) -> ExportJob:
    from documents.tasks import run_export

    job = ExportJob.objects.select_for_update().get(pk=job.pk)
    if job.can_retry:
        job.status, job.progress, job.error = ExportJob.Status.PENDING, 0, ""
        job.save(update_fields=["status", "progress", "error", "updated_at"])
        run_export.delay_on_commit(job.pk)  # type: ignore[attr-defined]  # DjangoTask (celery.contrib.django)
    return job
