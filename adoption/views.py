"""Presentation, adoption, frozen versions and the optional public page of a roadmap."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from adoption import actions as workflows
from adoption.forms import AdoptForm, PresentForm, PublicForm
from adoption.gaps import adoption_gaps, fingerprint
from adoption.public import public_snapshot
from documents.models import ExportJob
from roadmap.models import Roadmap
from tenancy.access import TenantRequest, member_required, read_or_adopt_required


def _roadmap(request: TenantRequest, roadmap_pk: int) -> Roadmap:
    return get_object_or_404(request.tenant.roadmaps.select_related("territory"), pk=roadmap_pk)


@read_or_adopt_required
@require_http_methods(["GET", "POST"])
def adoption(request: TenantRequest, roadmap_pk: int) -> HttpResponse:
    roadmap = _roadmap(request, roadmap_pk)
    step = request.POST.get("step", "")
    present_form = PresentForm(
        request.POST if step == "present" else None, initial={"presented_to": roadmap.presented_to}
    )
    # The assembly that adopted the previous version, or else the body it was presented to: usually the same.
    # What is still missing, shown before the adoption and confirmed explicitly (checked again by `adopt`).
    gaps = adoption_gaps(roadmap) if roadmap.status == Roadmap.Status.PRESENTEE else []
    adopt_form = AdoptForm(
        request.POST if step == "adopt" else None,
        initial={"adopted_by": roadmap.adopted_by or roadmap.presented_to, "gaps_fingerprint": fingerprint(gaps)},
    )
    public_form = PublicForm(request.POST if step == "public" else None, initial={"is_public": roadmap.is_public})
    if request.method == "POST":
        # No transaction around these: each workflow is atomic, and `adopt` must not run inside one (its snapshot
        # is computed before it takes the roadmap's lock, which would otherwise last until the end of the request).
        try:
            if step == "present" and present_form.is_valid():
                workflows.present(roadmap, **present_form.cleaned_data)
                messages.success(request, _("Feuille de route présentée."))
                return redirect("adoption:adoption", roadmap_pk=roadmap.pk)
            if step == "adopt" and adopt_form.is_valid():
                data = dict(adopt_form.cleaned_data)
                seen, confirmed = data.pop("gaps_fingerprint"), data.pop("confirm_gaps")
                adoption = workflows.Adoption(**data, confirmed_gaps=seen if confirmed else "")
                version = workflows.adopt(roadmap, adoption, request.user)  # type: ignore[arg-type]
                messages.success(
                    request,
                    _("Feuille de route adoptée : la version %(n)s est figée et reste consultable.")
                    % {"n": version.number},
                )
                return redirect("adoption:adoption", roadmap_pk=roadmap.pk)
            if step == "implement":
                workflows.start_implementation(roadmap)
                messages.success(request, _("La feuille de route est en mise en œuvre."))
                return redirect("adoption:adoption", roadmap_pk=roadmap.pk)
            if step == "reopen":
                workflows.reopen_draft(roadmap)
                messages.success(
                    request, _("Nouvelle version en préparation : les versions adoptées restent consultables.")
                )
                return redirect("adoption:adoption", roadmap_pk=roadmap.pk)
            if step == "public" and public_form.is_valid():
                workflows.set_public(roadmap, public_form.cleaned_data["is_public"])
                messages.success(request, _("Page publique mise à jour."))
                return redirect("adoption:adoption", roadmap_pk=roadmap.pk)
        except workflows.TransitionError as error:
            messages.error(request, str(error))
            return redirect("adoption:adoption", roadmap_pk=roadmap.pk)
        messages.error(request, _("Rien n'a été enregistré : complétez les champs signalés."))
    versions = list(roadmap.versions.select_related("created_by"))
    # Each version's PDF job (the last one), so that a PDF still being made, or failed, says so with a retry.
    pdf_jobs = {
        job.object_id: job
        for job in ExportJob.objects.filter(
            organization=request.tenant, kind="version_pdf", object_id__in=[v.pk for v in versions]
        ).order_by("pk")
    }
    for version in versions:
        version.pdf_job = pdf_jobs.get(version.pk)  # type: ignore[attr-defined]
    return render(
        request,
        "adoption/adoption.html",
        {
            "roadmap": roadmap,
            "present_form": present_form,
            "adopt_form": adopt_form,
            "public_form": public_form,
            "can_reopen": roadmap.status in workflows.REOPENABLE,
            "gaps": gaps,
            "versions": versions,
        },
    )


@member_required
@require_safe
def version_detail(request: TenantRequest, roadmapversion_pk: int) -> HttpResponse:
    version = get_object_or_404(request.tenant.roadmap_versions.select_related("roadmap"), pk=roadmapversion_pk)
    return render(
        request,
        "adoption/version_detail.html",
        {"roadmap": version.roadmap, "version": version, "doc": version.snapshot},
    )


@member_required
@require_safe
def version_pdf(request: TenantRequest, roadmapversion_pk: int) -> HttpResponse:
    version = get_object_or_404(request.tenant.roadmap_versions, pk=roadmapversion_pk)
    if not version.pdf:
        raise Http404
    return cast(
        HttpResponse,
        FileResponse(version.pdf.open("rb"), as_attachment=True, filename=f"feuille-de-route-v{version.number}.pdf"),
    )


def public_roadmap(request: Any, public_key: str) -> HttpResponse:
    """The adopted roadmap, read-only and without login, for a roadmap whose team opted in."""
    roadmap = get_object_or_404(Roadmap.objects.filter(is_public=True), public_key=public_key)
    version = roadmap.versions.order_by("-number").first()
    if version is None:
        raise Http404
    # A version adopted before the page was published (or before public PDFs existed) gets its public PDF now.
    workflows.ensure_public_pdf(version, None)
    context = {"version": version, "doc": public_snapshot(version.snapshot), "roadmap": roadmap}
    return render(request, "adoption/public.html", context)


def public_roadmap_pdf(request: Any, public_key: str) -> HttpResponse:
    roadmap = get_object_or_404(Roadmap.objects.filter(is_public=True), public_key=public_key)
    version = roadmap.versions.order_by("-number").first()
    # Only the public rendering, without contact details: never the members' PDF of the version.
    if version is None or not version.public_pdf:
        raise Http404
    return cast(
        HttpResponse,
        FileResponse(version.public_pdf.open("rb"), filename=f"feuille-de-route-v{version.number}.pdf"),
    )
