"""The documents of a roadmap: start an export, follow its progress, retry it, download the file."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from documents import actions as workflows
from documents import exporters
from documents.models import ExportJob
from roadmap.models import Roadmap
from tenancy.access import TenantRequest, editor_required, member_required, read_or_edit_required


def _roadmap(request: TenantRequest, roadmap_pk: int) -> Roadmap:
    return get_object_or_404(request.tenant.roadmaps.select_related("territory"), pk=roadmap_pk)


def roadmap_exporters() -> list[exporters.Exporter]:
    return [e for e in exporters.for_model(Roadmap) if e.on_documents_page]


@read_or_edit_required
@require_http_methods(["GET", "POST"])
def roadmap_exports(request: TenantRequest, roadmap_pk: int) -> HttpResponse:
    roadmap = _roadmap(request, roadmap_pk)
    if request.method == "POST":
        kind = request.POST.get("kind", "")
        if kind not in {e.key for e in roadmap_exporters()}:
            messages.error(request, _("Type de document inconnu."))
        else:
            workflows.start_export(kind, roadmap, request.user)  # type: ignore[arg-type]
        return redirect("documents:exports", roadmap_pk=roadmap.pk)
    adopted_keys = [e.key for e in exporters.all_exporters() if e.adopted]
    jobs = roadmap.export_jobs.order_by("-created_at")
    return render(
        request,
        "documents/exports.html",
        {
            "roadmap": roadmap,
            # What the élus voted, apart from the documents produced from the roadmap as it is now.
            "adopted_jobs": list(jobs.filter(kind__in=adopted_keys)[:20]),
            "jobs": list(jobs.exclude(kind__in=adopted_keys)[:20]),
            "kinds": [(e.key, e.label) for e in roadmap_exporters()],
        },
    )


@member_required
@require_safe
def export_status(request: TenantRequest, exportjob_pk: int) -> HttpResponse:
    """The job's row; htmx polls it until the document is ready or has failed."""
    job = get_object_or_404(request.tenant.export_jobs, pk=exportjob_pk)
    return render(request, "documents/exports.html#job-row", {"job": job})


@editor_required
@require_POST
def export_retry(request: TenantRequest, exportjob_pk: int) -> HttpResponse:
    job = get_object_or_404(request.tenant.export_jobs, pk=exportjob_pk)
    job = workflows.retry_export(job)
    if request.htmx:
        return render(request, "documents/exports.html#job-row", {"job": job})
    return redirect("documents:exports", roadmap_pk=job.roadmap_id)


@member_required
@require_safe
def export_download(request: TenantRequest, exportjob_pk: int) -> HttpResponse:
    job = get_object_or_404(request.tenant.export_jobs, pk=exportjob_pk)
    if job.status != ExportJob.Status.DONE or not job.file:
        raise Http404
    return cast(HttpResponse, FileResponse(job.file.open("rb"), as_attachment=True, filename=job.download_name))
