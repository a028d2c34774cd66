"""Step 6 pages: fiches actions (content, budget, engagements, history), défis board, consolidated budget,
timeline, governance, adoption and versions, exports, and the optional public page."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import messages
from django.db import transaction
from django.db.models import Q
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from roadmap import actions as workflows
from roadmap.budget import roadmap_plan
from roadmap.document import fiche_document, fiches_data, plan_data
from roadmap.forms import BudgetForm, FicheForm, PartnerFormSet, StepFormSet, Textarea
from roadmap.gaps import roadmap_gaps
from roadmap.models import Action, Defi, Engagement, Enjeu, ExportJob, GovernanceBody, Roadmap
from roadmap.views import _roadmap
from tenancy.access import TenantRequest, editor_required, member_required, read_or_edit_required


def _action(request: TenantRequest, action_pk: int) -> Action:
    return get_object_or_404(
        request.tenant.actions.select_related("roadmap__territory", "chantier__defi"), pk=action_pk
    )


# --- Fiche action ---------------------------------------------------------------------------------


@member_required
@require_safe
def fiche(request: TenantRequest, action_pk: int) -> HttpResponse:
    action = _action(request, action_pk)
    document = fiche_document(action)
    context = {
        "action": action,
        "roadmap": action.roadmap,
        "fiche": document["fiches"][0],
        "labels": document["field_labels"],
        "years": document["years"],
        "enjeux": _answered_enjeux(action),
        "jobs": list(action.export_jobs.order_by("-created_at")[:4]),
        "engagement_form": EngagementForm(),
    }
    return render(request, "roadmap/fiche.html", context)


def _answered_enjeux(action: Action) -> list[Enjeu]:
    """The enjeux the action serves: its chantier's, and its défi's."""
    chantier = action.chantier
    filters = Q(chantiers=chantier) | (Q(defis=chantier.defi_id) if chantier.defi_id else Q(pk__in=[]))
    return list(Enjeu.objects.filter(filters, roadmap_id=action.roadmap_id).distinct().order_by("order"))


def _fiche_formsets(request: TenantRequest, action: Action) -> tuple[Any, Any]:
    data = request.POST if request.method == "POST" else None
    partners = PartnerFormSet(data, instance=action, prefix="partners")
    steps = StepFormSet(data, instance=action, prefix="steps", form_kwargs={"roadmap": action.roadmap})
    return partners, steps


@editor_required
@require_http_methods(["GET", "POST"])
def fiche_edit(request: TenantRequest, action_pk: int) -> HttpResponse:
    action = _action(request, action_pk)
    form = FicheForm(request.POST or None, instance=action, roadmap=action.roadmap)
    partners, steps = _fiche_formsets(request, action)
    if request.method == "POST":
        if form.is_valid() and partners.is_valid() and steps.is_valid():
            workflows.save_fiche(form, request.user, partners, steps)  # type: ignore[arg-type]
            messages.success(request, _("Fiche action enregistrée."))
            return redirect("roadmap:fiche", action_pk=action.pk)
        messages.error(request, _("La fiche n'a pas été enregistrée : corrigez les points signalés ci-dessous."))
    return render(
        request,
        "roadmap/fiche_form.html",
        {"action": action, "roadmap": action.roadmap, "form": form, "partners": partners, "steps": steps},
    )


@editor_required
@require_http_methods(["GET", "POST"])
def fiche_create(request: TenantRequest, chantier_pk: int) -> HttpResponse:
    """A new fiche action, created from its chantier."""
    chantier = get_object_or_404(request.tenant.chantiers.select_related("roadmap"), pk=chantier_pk)
    roadmap = chantier.roadmap
    action = Action(roadmap=roadmap, organization=roadmap.organization, chantier=chantier)
    form = FicheForm(request.POST or None, instance=action, roadmap=roadmap, initial={"chantier": chantier.pk})
    if request.method == "POST" and form.is_valid():
        action = workflows.save_fiche(form, request.user)  # type: ignore[arg-type]
        messages.success(request, _("Fiche action créée : complétez son budget et son calendrier."))
        return redirect("roadmap:fiche", action_pk=action.pk)
    return render(
        request,
        "roadmap/fiche_form.html",
        {"action": None, "chantier": chantier, "roadmap": roadmap, "form": form},
    )


@editor_required
@require_http_methods(["GET", "POST"])
def fiche_budget(request: TenantRequest, action_pk: int) -> HttpResponse:
    action = _action(request, action_pk)
    form = BudgetForm(request.POST or None, action=action)
    if request.method == "POST":
        if form.is_valid():
            workflows.save_budget(form, request.user)  # type: ignore[arg-type]
            messages.success(request, _("Budget et plan de financement enregistrés."))
            return redirect("roadmap:fiche", action_pk=action.pk)
        messages.error(request, _("Le budget n'a pas été enregistré : corrigez les montants signalés."))
    plan = fiche_document(action)["fiches"][0]["plan"]
    return render(
        request,
        "roadmap/fiche_budget.html",
        {"action": action, "roadmap": action.roadmap, "form": form, "plan": plan},
    )


@member_required
@require_safe
def fiche_history(request: TenantRequest, action_pk: int) -> HttpResponse:
    action = _action(request, action_pk)
    changes = action.changes.select_related("user").order_by("-changed_at", "-pk")
    return render(
        request, "roadmap/fiche_history.html", {"action": action, "roadmap": action.roadmap, "changes": changes}
    )


class EngagementForm(forms.ModelForm):
    class Meta:
        model = Engagement
        fields = ["stakeholder", "level", "conditions"]
        widgets = {"conditions": Textarea(attrs={"rows": 2})}


@editor_required
@require_POST
def engagement_create(request: TenantRequest, action_pk: int) -> HttpResponse:
    action = _action(request, action_pk)
    form = EngagementForm(request.POST)
    if form.is_valid():
        engagement = form.save(commit=False)
        engagement.action, engagement.organization = action, request.tenant
        engagement.save()
        messages.success(request, _("Engagement de « %(who)s » ajouté.") % {"who": engagement.stakeholder})
    else:
        messages.error(request, _("Engagement non ajouté : indiquez l'acteur et son niveau d'engagement."))
    return redirect(f"{action.get_fiche_url()}#engagements")


@editor_required
@require_POST
def engagement_delete(request: TenantRequest, engagement_pk: int) -> HttpResponse:
    engagement = get_object_or_404(request.tenant.engagements.select_related("action"), pk=engagement_pk)
    engagement.delete()
    messages.success(request, _("Engagement retiré."))
    return redirect(f"{engagement.action.get_fiche_url()}#engagements")


# --- Défis board, consolidated budget, timeline ---------------------------------------------------


@read_or_edit_required
@require_http_methods(["GET", "POST"])
def defi_board(request: TenantRequest, roadmap_pk: int) -> HttpResponse:
    """The défis as columns of chantiers; a chantier moves by drag-and-drop or with its « Placer dans » menu.

    An htmx move gets the board back, and out of band the gaps list, which a move can open or close."""
    roadmap = _roadmap(request, roadmap_pk)
    if request.method == "POST":
        chantier = get_object_or_404(request.tenant.chantiers.filter(roadmap=roadmap), pk=request.POST.get("chantier"))
        target = request.POST.get("defi") or None
        defi = get_object_or_404(request.tenant.defis.filter(roadmap=roadmap), pk=target) if target else None
        try:
            position = max(1, int(request.POST.get("position") or 0))
        except ValueError:
            position = 0
        workflows.place_chantier(chantier, defi, position or None)
        if not request.htmx:
            messages.success(request, _("Chantier « %(title)s » placé.") % {"title": chantier.title})
            return redirect("roadmap:defi_board", roadmap_pk=roadmap.pk)
    defis = list(Defi.objects.filter(roadmap=roadmap).prefetch_related("enjeux").order_by("order", "pk"))
    chantiers = list(roadmap.chantiers.select_related("defi").prefetch_related("actions").order_by("order", "pk"))
    columns: list[tuple[Defi | None, list[Any]]] = [(d, [c for c in chantiers if c.defi_id == d.pk]) for d in defis]
    columns.append((None, [c for c in chantiers if c.defi_id is None]))
    context = {"roadmap": roadmap, "columns": columns, "defis": defis, "gaps": roadmap_gaps(roadmap)}
    if request.htmx:
        return render(request, "roadmap/defi_board.html#board_update", context)
    return render(request, "roadmap/defi_board.html", context)


@member_required
@require_safe
def roadmap_budget(request: TenantRequest, roadmap_pk: int) -> HttpResponse:
    roadmap = _roadmap(request, roadmap_pk)
    consolidated = roadmap_plan(roadmap)
    return render(
        request,
        "roadmap/roadmap_budget.html",
        {
            "roadmap": roadmap,
            "plan": plan_data(consolidated.plan),
            "defi_rows": consolidated.defi_rows(),
            "years": list(roadmap.years),
            "jobs": list(roadmap.export_jobs.filter(kind=ExportJob.Kind.BUDGET_XLSX)[:3]),
        },
    )


@member_required
@require_safe
def roadmap_timeline(request: TenantRequest, roadmap_pk: int) -> HttpResponse:
    roadmap = _roadmap(request, roadmap_pk)
    return render(
        request,
        "roadmap/timeline.html",
        {"roadmap": roadmap, "fiches": fiches_data(roadmap), "years": list(roadmap.years)},
    )


# --- Governance -----------------------------------------------------------------------------------


class GovernanceBodyForm(forms.ModelForm):
    class Meta:
        model = GovernanceBody
        fields = ["kind", "name", "members", "frequency", "role"]
        widgets = {"members": Textarea(attrs={"rows": 3}), "role": Textarea(attrs={"rows": 2})}


@read_or_edit_required
@require_http_methods(["GET", "POST"])
def governance(request: TenantRequest, roadmap_pk: int) -> HttpResponse:
    roadmap = _roadmap(request, roadmap_pk)
    form = GovernanceBodyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        body = form.save(commit=False)
        body.roadmap, body.organization = roadmap, request.tenant
        body.save()
        messages.success(request, _("Instance « %(name)s » ajoutée.") % {"name": body.name})
        return redirect("roadmap:governance", roadmap_pk=roadmap.pk)
    bodies = roadmap.governance_bodies.all()
    return render(request, "roadmap/governance.html", {"roadmap": roadmap, "bodies": bodies, "form": form})


@editor_required
@require_http_methods(["GET", "POST"])
def governance_edit(request: TenantRequest, governancebody_pk: int) -> HttpResponse:
    body = get_object_or_404(request.tenant.governance_bodies.select_related("roadmap"), pk=governancebody_pk)
    form = GovernanceBodyForm(request.POST or None, instance=body)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Instance enregistrée."))
        return redirect("roadmap:governance", roadmap_pk=body.roadmap_id)
    return render(request, "roadmap/governance_form.html", {"roadmap": body.roadmap, "body": body, "form": form})


@editor_required
@require_POST
def governance_delete(request: TenantRequest, governancebody_pk: int) -> HttpResponse:
    body = get_object_or_404(request.tenant.governance_bodies, pk=governancebody_pk)
    body.delete()
    messages.success(request, _("Instance « %(name)s » supprimée.") % {"name": body.name})
    return redirect("roadmap:governance", roadmap_pk=body.roadmap_id)


# --- Adoption and versions ------------------------------------------------------------------------


class DatePickerInput(forms.DateInput):
    """The browser's date picker, which takes and gives ISO dates and stops at today."""

    input_type = "date"

    def __init__(self) -> None:
        # ISO, not the French 12/03/2026 a DateInput shows: a date input refuses it and shows an empty box.
        super().__init__(format="%Y-%m-%d")

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        return super().get_context(name, value, {**(attrs or {}), "max": timezone.localdate().isoformat()})


class PastDateField(forms.DateField):
    """The date of a meeting that took place: a presentation or an adoption is recorded afterwards."""

    widget = DatePickerInput

    def validate(self, value: Any) -> None:
        super().validate(value)
        if value and value > timezone.localdate():
            raise forms.ValidationError(
                _(
                    "Cette date est dans le futur : indiquez la date de la séance, qui a déjà eu lieu "
                    "(aujourd'hui au plus tard)."
                ),
                code="future",
            )


class PresentForm(forms.Form):
    presented_to = forms.CharField(label=_("Instance devant laquelle elle est présentée"), max_length=300)
    presented_on = PastDateField(label=_("Date de présentation"))


class AdoptForm(forms.Form):
    adopted_by = forms.CharField(label=_("Assemblée délibérante"), max_length=300)
    adopted_on = PastDateField(label=_("Date d'adoption"))
    deliberation_number = forms.CharField(label=_("N° de délibération"), max_length=100)


class PublicForm(forms.Form):
    is_public = forms.BooleanField(label=_("Publier la dernière version adoptée (lecture seule)"), required=False)


@read_or_edit_required
@require_http_methods(["GET", "POST"])
def adoption(request: TenantRequest, roadmap_pk: int) -> HttpResponse:
    roadmap = _roadmap(request, roadmap_pk)
    step = request.POST.get("step", "")
    present_form = PresentForm(
        request.POST if step == "present" else None, initial={"presented_to": roadmap.presented_to}
    )
    # The assembly that adopted the previous version, or else the body it was presented to: usually the same.
    adopt_form = AdoptForm(
        request.POST if step == "adopt" else None,
        initial={"adopted_by": roadmap.adopted_by or roadmap.presented_to},
    )
    public_form = PublicForm(request.POST if step == "public" else None, initial={"is_public": roadmap.is_public})
    if request.method == "POST":
        try:
            with transaction.atomic():
                if step == "present" and present_form.is_valid():
                    workflows.present(roadmap, **present_form.cleaned_data)
                    messages.success(request, _("Feuille de route présentée."))
                    return redirect("roadmap:adoption", roadmap_pk=roadmap.pk)
                if step == "adopt" and adopt_form.is_valid():
                    version = workflows.adopt(roadmap, workflows.Adoption(**adopt_form.cleaned_data), request.user)  # type: ignore[arg-type]
                    messages.success(
                        request,
                        _("Feuille de route adoptée : la version %(n)s est figée et reste consultable.")
                        % {"n": version.number},
                    )
                    return redirect("roadmap:adoption", roadmap_pk=roadmap.pk)
                if step == "implement":
                    workflows.start_implementation(roadmap)
                    messages.success(request, _("La feuille de route est en mise en œuvre."))
                    return redirect("roadmap:adoption", roadmap_pk=roadmap.pk)
                if step == "reopen":
                    workflows.reopen_draft(roadmap)
                    messages.success(
                        request, _("Nouvelle version en préparation : les versions adoptées restent consultables.")
                    )
                    return redirect("roadmap:adoption", roadmap_pk=roadmap.pk)
                if step == "public" and public_form.is_valid():
                    Roadmap.objects.filter(pk=roadmap.pk).update(is_public=public_form.cleaned_data["is_public"])
                    messages.success(request, _("Page publique mise à jour."))
                    return redirect("roadmap:adoption", roadmap_pk=roadmap.pk)
        except workflows.TransitionError as error:
            messages.error(request, str(error))
            return redirect("roadmap:adoption", roadmap_pk=roadmap.pk)
        messages.error(request, _("Rien n'a été enregistré : complétez les champs signalés."))
    versions = roadmap.versions.select_related("created_by")
    return render(
        request,
        "roadmap/adoption.html",
        {
            "roadmap": roadmap,
            "present_form": present_form,
            "adopt_form": adopt_form,
            "public_form": public_form,
            "can_reopen": roadmap.status in workflows.REOPENABLE,
            "versions": versions,
        },
    )


@member_required
@require_safe
def version_detail(request: TenantRequest, roadmapversion_pk: int) -> HttpResponse:
    version = get_object_or_404(request.tenant.roadmap_versions.select_related("roadmap"), pk=roadmapversion_pk)
    return render(
        request,
        "roadmap/version_detail.html",
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
    return render(request, "roadmap/public.html", {"version": version, "doc": version.snapshot, "roadmap": roadmap})


def public_roadmap_pdf(request: Any, public_key: str) -> HttpResponse:
    roadmap = get_object_or_404(Roadmap.objects.filter(is_public=True), public_key=public_key)
    version = roadmap.versions.order_by("-number").first()
    if version is None or not version.pdf:
        raise Http404
    return cast(HttpResponse, FileResponse(version.pdf.open("rb"), filename=f"feuille-de-route-v{version.number}.pdf"))


# --- Exports --------------------------------------------------------------------------------------

ROADMAP_EXPORTS = (ExportJob.Kind.ROADMAP_PDF, ExportJob.Kind.FICHES_PDF, ExportJob.Kind.BUDGET_XLSX)
FICHE_EXPORTS = (ExportJob.Kind.FICHE_PDF, ExportJob.Kind.FICHE_DOCX)


@read_or_edit_required
@require_http_methods(["GET", "POST"])
def roadmap_exports(request: TenantRequest, roadmap_pk: int) -> HttpResponse:
    roadmap = _roadmap(request, roadmap_pk)
    if request.method == "POST":
        kind = request.POST.get("kind", "")
        if kind not in ROADMAP_EXPORTS:
            messages.error(request, _("Type de document inconnu."))
        else:
            workflows.start_export(roadmap, kind, request.user)  # type: ignore[arg-type]
        return redirect("roadmap:exports", roadmap_pk=roadmap.pk)
    jobs = roadmap.export_jobs.select_related("action").order_by("-created_at")[:20]
    return render(
        request,
        "roadmap/exports.html",
        {"roadmap": roadmap, "jobs": jobs, "kinds": [(k, ExportJob.Kind(k).label) for k in ROADMAP_EXPORTS]},
    )


@editor_required
@require_POST
def fiche_export(request: TenantRequest, action_pk: int) -> HttpResponse:
    action = _action(request, action_pk)
    kind = request.POST.get("kind", "")
    if kind not in FICHE_EXPORTS:
        messages.error(request, _("Type de document inconnu."))
    else:
        workflows.start_export(action.roadmap, kind, request.user, action)  # type: ignore[arg-type]
    return redirect(f"{action.get_fiche_url()}#exports")


@member_required
@require_safe
def export_status(request: TenantRequest, exportjob_pk: int) -> HttpResponse:
    """The job's row; htmx polls it until the document is ready or has failed."""
    job = get_object_or_404(request.tenant.export_jobs.select_related("action"), pk=exportjob_pk)
    return render(request, "roadmap/exports.html#job-row", {"job": job})


@editor_required
@require_POST
def export_retry(request: TenantRequest, exportjob_pk: int) -> HttpResponse:
    job = get_object_or_404(request.tenant.export_jobs, pk=exportjob_pk)
    job = workflows.retry_export(job)
    if request.htmx:
        return render(request, "roadmap/exports.html#job-row", {"job": job})
    return redirect("roadmap:exports", roadmap_pk=job.roadmap_id)


@member_required
@require_safe
def export_download(request: TenantRequest, exportjob_pk: int) -> HttpResponse:
    job = get_object_or_404(request.tenant.export_jobs.select_related("action", "roadmap"), pk=exportjob_pk)
    if job.status != ExportJob.Status.DONE or not job.file:
        raise Http404
    subject = job.action.ref if job.action else job.roadmap.title
    filename = f"{job.get_kind_display()} - {subject}.{job.extension}".replace("/", "-")
    return cast(HttpResponse, FileResponse(job.file.open("rb"), as_attachment=True, filename=filename))
