"""Fiches actions (content, budget, engagements, history, exports), the consolidated budget, the timeline and the
roadmap's governance bodies."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from documents import exporters
from documents.actions import start_export
from documents.models import ExportJob
from fiches import actions as workflows
from fiches.budget import roadmap_plan
from fiches.document import fiche_document, fiches_data, plan_data
from fiches.forms import (
    BudgetForm,
    EngagementForm,
    FicheForm,
    GovernanceBodyForm,
    PartnerFormSet,
    StepFormSet,
    show_conflicts,
)
from roadmap.actions import StaleEdit
from roadmap.models import Action, Enjeu, Roadmap
from roadmap.revision_notice import warn_once_if_adopted
from tenancy.access import TenantRequest, editor_required, member_required, read_or_edit_required


def _roadmap(request: TenantRequest, roadmap_pk: int) -> Roadmap:
    return get_object_or_404(request.tenant.roadmaps.select_related("territory"), pk=roadmap_pk)


def _action(request: TenantRequest, action_pk: int) -> Action:
    return get_object_or_404(
        request.tenant.actions.select_related("roadmap__territory", "chantier__defi"), pk=action_pk
    )


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
        "jobs": list(ExportJob.objects.filter(organization=request.tenant).of(action).order_by("-created_at")[:4]),
        "engagement_form": EngagementForm(action=action),
    }
    return render(request, "fiches/fiche.html", context)


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
    warn_once_if_adopted(request, action.roadmap)
    form = FicheForm(request.POST or None, instance=action, roadmap=action.roadmap)
    partners, steps = _fiche_formsets(request, action)
    if request.method == "POST":
        if form.is_valid() and partners.is_valid() and steps.is_valid():
            try:
                workflows.save_fiche(form, request.user, partners, steps)  # type: ignore[arg-type]
            except workflows.SectionConflict as conflict:
                show_conflicts(form, conflict)  # the same fields changed meanwhile: typed input kept, newer beside
            except StaleEdit as stale:
                form.refuse_stale_edit(stale)  # nothing saved; the form comes back with what was typed
            else:
                messages.success(request, _("Fiche action enregistrée."))
                return redirect("fiches:fiche", action_pk=action.pk)
        messages.error(request, _("La fiche n'a pas été enregistrée : corrigez les points signalés ci-dessous."))
    return render(
        request,
        "fiches/fiche_form.html",
        {"action": action, "roadmap": action.roadmap, "form": form, "partners": partners, "steps": steps},
    )


@editor_required
@require_http_methods(["GET", "POST"])
def fiche_create(request: TenantRequest, chantier_pk: int) -> HttpResponse:
    """A new fiche action, created from its chantier."""
    chantier = get_object_or_404(request.tenant.chantiers.select_related("roadmap"), pk=chantier_pk)
    roadmap = chantier.roadmap
    warn_once_if_adopted(request, roadmap)
    action = Action(roadmap=roadmap, organization=roadmap.organization, chantier=chantier)
    form = FicheForm(request.POST or None, instance=action, roadmap=roadmap, initial={"chantier": chantier.pk})
    if request.method == "POST" and form.is_valid():
        action = workflows.save_fiche(form, request.user)  # type: ignore[arg-type]
        messages.success(request, _("Fiche action créée : complétez son budget et son calendrier."))
        return redirect("fiches:fiche", action_pk=action.pk)
    return render(
        request,
        "fiches/fiche_form.html",
        {"action": None, "chantier": chantier, "roadmap": roadmap, "form": form},
    )


@editor_required
@require_http_methods(["GET", "POST"])
def fiche_budget(request: TenantRequest, action_pk: int) -> HttpResponse:
    action = _action(request, action_pk)
    warn_once_if_adopted(request, action.roadmap)
    form = BudgetForm(request.POST or None, action=action)
    if request.method == "POST":
        if form.is_valid():
            try:
                workflows.save_budget(form, request.user)  # type: ignore[arg-type]
            except workflows.SectionConflict as conflict:
                show_conflicts(form, conflict)
            except StaleEdit as stale:
                form.refuse_stale_edit(stale)  # nothing saved; the grid comes back with the amounts typed
            else:
                messages.success(request, _("Budget et plan de financement enregistrés."))
                return redirect("fiches:fiche", action_pk=action.pk)
        messages.error(request, _("Le budget n'a pas été enregistré : corrigez les montants signalés."))
    plan = fiche_document(action)["fiches"][0]["plan"]
    return render(
        request,
        "fiches/fiche_budget.html",
        {"action": action, "roadmap": action.roadmap, "form": form, "plan": plan},
    )


@member_required
@require_safe
def fiche_history(request: TenantRequest, action_pk: int) -> HttpResponse:
    action = _action(request, action_pk)
    changes = action.changes.select_related("user").order_by("-changed_at", "-pk")
    return render(
        request, "fiches/fiche_history.html", {"action": action, "roadmap": action.roadmap, "changes": changes}
    )


@editor_required
@require_POST
def engagement_create(request: TenantRequest, action_pk: int) -> HttpResponse:
    action = _action(request, action_pk)
    form = EngagementForm(request.POST, action=action)
    if form.is_valid():
        engagement = form.save()
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


@member_required
@require_safe
def roadmap_budget(request: TenantRequest, roadmap_pk: int) -> HttpResponse:
    roadmap = _roadmap(request, roadmap_pk)
    consolidated = roadmap_plan(roadmap)
    return render(
        request,
        "fiches/roadmap_budget.html",
        {
            "roadmap": roadmap,
            "plan": plan_data(consolidated.plan),
            "defi_rows": consolidated.defi_rows(),
            "years": list(roadmap.years),
            "jobs": list(roadmap.export_jobs.filter(kind="budget_xlsx", object_id=roadmap.pk)[:3]),
        },
    )


@member_required
@require_safe
def roadmap_timeline(request: TenantRequest, roadmap_pk: int) -> HttpResponse:
    roadmap = _roadmap(request, roadmap_pk)
    return render(
        request,
        "fiches/timeline.html",
        {"roadmap": roadmap, "fiches": fiches_data(roadmap), "years": list(roadmap.years)},
    )


@read_or_edit_required
@require_http_methods(["GET", "POST"])
def governance(request: TenantRequest, roadmap_pk: int) -> HttpResponse:
    roadmap = _roadmap(request, roadmap_pk)
    form = GovernanceBodyForm(request.POST or None, roadmap=roadmap)
    if request.method == "POST" and form.is_valid():
        body = form.save()
        messages.success(request, _("Instance « %(name)s » ajoutée.") % {"name": body.name})
        return redirect("fiches:governance", roadmap_pk=roadmap.pk)
    bodies = roadmap.governance_bodies.all()
    return render(request, "fiches/governance.html", {"roadmap": roadmap, "bodies": bodies, "form": form})


@editor_required
@require_http_methods(["GET", "POST"])
def governance_edit(request: TenantRequest, governancebody_pk: int) -> HttpResponse:
    body = get_object_or_404(request.tenant.governance_bodies.select_related("roadmap"), pk=governancebody_pk)
    form = GovernanceBodyForm(request.POST or None, instance=body, roadmap=body.roadmap)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Instance enregistrée."))
        return redirect("fiches:governance", roadmap_pk=body.roadmap_id)
    return render(request, "fiches/governance_form.html", {"roadmap": body.roadmap, "body": body, "form": form})


@editor_required
@require_POST
def governance_delete(request: TenantRequest, governancebody_pk: int) -> HttpResponse:
    body = get_object_or_404(request.tenant.governance_bodies, pk=governancebody_pk)
    body.delete()
    messages.success(request, _("Instance « %(name)s » supprimée.") % {"name": body.name})
    return redirect("fiches:governance", roadmap_pk=body.roadmap_id)


@editor_required
@require_POST
def fiche_export(request: TenantRequest, action_pk: int) -> HttpResponse:
    action = _action(request, action_pk)
    kind = request.POST.get("kind", "")
    if kind not in {e.key for e in exporters.for_model(Action)}:
        messages.error(request, _("Type de document inconnu."))
    else:
        start_export(kind, action, request.user)  # type: ignore[arg-type]
    return redirect(f"{action.get_fiche_url()}#exports")
