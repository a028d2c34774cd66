"""The PDF of an adopted version, produced by a worker from the version's frozen snapshot."""

from __future__ import annotations

from celery import shared_task
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import override

from adoption.models import RoadmapVersion
from fiches import exports


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
