"""Adopted versions of a roadmap: a frozen copy of its content, and the PDF the assembly voted on."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from documents.storage import tenant_upload_path
from roadmap.models import Roadmap
from tenancy.models import Organization


class RoadmapVersion(models.Model):
    """A frozen copy of the roadmap at its adoption, readable while work goes on."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="roadmap_versions")
    roadmap = models.ForeignKey(Roadmap, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    adopted_by = models.CharField(_("assemblée délibérante"), max_length=300)
    adopted_on = models.DateField(_("adoptée le"))
    deliberation_number = models.CharField(_("n° de délibération"), max_length=100)
    snapshot = models.JSONField()
    pdf = models.FileField(upload_to=tenant_upload_path, blank=True)
    # The same document for the public page, without personal contact details (adoption/public.py).
    public_pdf = models.FileField(upload_to=tenant_upload_path, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("version adoptée")
        ordering = ["-number"]
        constraints = [models.UniqueConstraint(fields=["roadmap", "number"], name="version_number_unique")]

    def __str__(self) -> str:
        return f"{self.roadmap.title} — v{self.number}"
