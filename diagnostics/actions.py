"""Writes of the diagnostic that touch several rows: an organisation's imports (sent to the worker on commit)."""

from __future__ import annotations

from pathlib import Path

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from diagnostics.models import ImportRun
from tenancy.models import Organization, User
from territories.models import Territory


@transaction.atomic
def start_import(territory: Territory, kind: str, upload: UploadedFile, vintage: str, user: User | None) -> ImportRun:
    """Store the organisation's file with its job row, and send the job to a worker once the row is committed.

    The file is written into the organisation's own rows by the worker (`diagnostics.tasks.run_import`), never
    into the shared reference.
    """
    from diagnostics.tasks import run_import

    name = Path(upload.name or "fichier").name[:200]
    run = ImportRun(
        organization_id=territory.organization_id,
        territory=territory,
        kind=kind,
        file_name=name,
        vintage=vintage[:60],
        status=ImportRun.Status.PENDING,
        created_by=user,
    )
    run.save()
    run.file.save(f"imports/{run.pk}-{name}", upload, save=False)
    run.save(update_fields=["file"])
    run_import.delay_on_commit(run.pk)  # type: ignore[attr-defined]  # DjangoTask (celery.contrib.django)
    return run


@transaction.atomic
def retry_import(run: ImportRun) -> ImportRun:
    """A refused file changes nothing: a retry reruns the stored file (after a stuck worker, for instance)."""
    from diagnostics.tasks import run_import

    run = ImportRun.objects.select_for_update().get(pk=run.pk)
    if run.can_retry and run.file:
        run.status, run.progress, run.message, run.succeeded = ImportRun.Status.PENDING, 0, "", False
        run.save(update_fields=["status", "progress", "message", "succeeded", "updated_at"])
        run_import.delay_on_commit(run.pk)  # type: ignore[attr-defined]
    return run


@transaction.atomic
def delete_own_data(organization: Organization, *, indicator: str = "", place_kind: str = "") -> int:
    """Remove the organisation's own figures of an indicator or its own places of a kind; the reference stays."""
    removed = 0
    if indicator:
        removed += organization.own_statistics.filter(indicator=indicator).delete()[0]
    if place_kind:
        removed += organization.own_places.filter(kind=place_kind).delete()[0]
    return removed
