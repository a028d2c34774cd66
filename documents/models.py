"""Documents produced by a worker (PDF, Word, Excel): one job per request, its progress and its file."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from documents import exporters
from documents.exporters import Exporter
from documents.storage import tenant_upload_path
from roadmap.models import Roadmap
from tenancy.models import Organization


class ExportJobQuerySet(models.QuerySet["ExportJob"]):
    def of(self, obj: models.Model) -> models.QuerySet[ExportJob]:
        """The documents made of one object (a roadmap, a fiche, a workshop), by any of its exporters."""
        keys = [e.key for e in exporters.for_model(type(obj))]
        return self.filter(kind__in=keys, object_id=obj.pk)


class ExportJob(models.Model):
    """A document being produced by a worker; the page polls its row for progress."""

    class Status(models.TextChoices):
        PENDING = "pending", _("En attente")
        RUNNING = "running", _("En cours")
        DONE = "done", _("Prêt")
        FAILED = "failed", _("Échec")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="export_jobs")
    roadmap = models.ForeignKey(Roadmap, on_delete=models.CASCADE, related_name="export_jobs")
    # The exporter (documents.exporters) and the object it documents, in the job's organisation.
    kind = models.CharField(max_length=40)
    object_id = models.PositiveBigIntegerField()
    subject = models.CharField(max_length=400, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    progress = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    file = models.FileField(upload_to=tenant_upload_path, blank=True)
    pages = models.PositiveIntegerField(null=True, blank=True)
    render_seconds = models.FloatField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = ExportJobQuerySet.as_manager()

    class Meta:
        verbose_name = _("export")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["organization", "kind", "object_id"])]

    def __str__(self) -> str:
        return str(self.label)

    @property
    def exporter(self) -> Exporter | None:
        try:
            return exporters.get(self.kind)
        except exporters.UnknownExporter:
            return None

    @property
    def label(self) -> str:
        return str(self.exporter.label) if self.exporter else self.kind

    STALE_AFTER = timedelta(minutes=10)

    @property
    def is_stale(self) -> bool:
        """Pending or running with no news for a long time (message lost, worker gone): offered a retry."""
        waiting = self.status in (self.Status.PENDING, self.Status.RUNNING)
        return waiting and timezone.now() - self.updated_at > self.STALE_AFTER

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED) or self.is_stale

    @property
    def can_retry(self) -> bool:
        return self.status == self.Status.FAILED or self.is_stale

    @property
    def extension(self) -> str:
        return self.exporter.extension if self.exporter else "pdf"

    @property
    def download_name(self) -> str:
        return f"{self.label} - {self.subject}.{self.extension}".replace("/", "-")
