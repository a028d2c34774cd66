"""Step 7's pages: overview, framing, theory of change, question and hypotheses, impact framework, indicators and
their values, interviews, the follow-up of the fiches, the analysis and its documents."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from documents.actions import start_export
from documents.models import ExportJob
from evaluation import actions as workflows
from evaluation.analysis import build_analysis, covered_refs, indicator_analyses
from evaluation.charts import theory_of_change_svg
from evaluation.followup import action_progress, realised_plan, roadmap_progress
from evaluation.forms import (
    EffectForm,
    FollowUpForm,
    FramingForm,
    IndicatorForm,
    IndicatorValueForm,
    InterviewForm,
    InterviewGuideForm,
    QuestionForm,
    RealisedForm,
    SynthesisForm,
    TheoryForm,
    ValuesImportForm,
    VerbatimForm,
)
from evaluation.importers import parse_values
from evaluation.internal import internal_indicators
from evaluation.models import Evaluation, FollowUp, Indicator
from projectgroup.actions import ChangedMeanwhile, guard_unchanged
from projectgroup.forms import GuardedForm
from roadmap.models import Roadmap
from tenancy.access import TenantRequest, editor_required, member_required, read_or_edit_required

EXPORT_KINDS = ("evaluation_report_pdf", "evaluation_values_csv")


def _roadmap(request: TenantRequest, roadmap_pk: int) -> Roadmap:
    return get_object_or_404(request.tenant.roadmaps.select_related("territory"), pk=roadmap_pk)


def _page(
    request: TenantRequest, template: str, roadmap: Roadmap, tab: str, status: int = 200, **context: Any
) -> HttpResponse:
    return render(request, template, {"roadmap": roadmap, "tab": tab, **context}, status=status)


@member_required
@require_safe
def overview(request: TenantRequest, roadmap_pk: int) -> HttpResponse:
    roadmap = _roadmap(request, roadmap_pk)
    evaluation = workflows.evaluation_of(roadmap)
    defis, whole = roadmap_progress(roadmap)
    covered = covered_refs(evaluation)
    return _page(
        request,
        "evaluation/overview.html",
        roadmap,
        "overview",
        evaluation=evaluation,
        theory_svg=theory_of_change_svg(evaluation, covered),
        effects=list(roadmap.evaluation_effects.order_by("order", "pk")),
        indicator_count=Indicator.objects.filter(roadmap=roadmap).count(),
        whole=whole,
    )


def _section(
    request: TenantRequest, roadmap_pk: int, form_class: Any, template: str, tab: str, done: str
) -> HttpResponse:
    roadmap = _roadmap(request, roadmap_pk)
    evaluation = workflows.evaluation_of(roadmap)
    kwargs = {"roadmap": roadmap} if form_class is TheoryForm else {}
    form = form_class(request.POST or None, instance=evaluation, **kwargs)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                _save_section(roadmap, form)
            except ChangedMeanwhile as refusal:
                form.show_changed_meanwhile(refusal)  # nothing saved; everything typed comes back, the saved beside
                status = 409
                evaluation = workflows.evaluation_of(Roadmap.objects.get(pk=roadmap.pk))
            else:
                messages.success(request, done)
                return redirect(request.path)
        else:
            messages.error(request, _("Rien n'a été enregistré : corrigez les points signalés ci-dessous."))
    covered = covered_refs(evaluation)
    return _page(
        request,
        template,
        roadmap,
        tab,
        evaluation=evaluation,
        form=form,
        theory_svg=theory_of_change_svg(evaluation, covered),
        effects=list(roadmap.evaluation_effects.order_by("order", "pk")),
        effect_form=EffectForm(),
        status=status,
    )


@transaction.atomic
def _save_section(roadmap: Roadmap, form: Any) -> None:
    """A section guarded against a save made meanwhile on its fields (GuardedForm) is checked under the locks that
    `save_evaluation_section` takes, in the same order (the roadmap's, then the evaluation's): two first saves of
    the evaluation meet there too."""
    if isinstance(form, GuardedForm):
        Roadmap.objects.select_for_update().filter(pk=roadmap.pk).values_list("pk", flat=True).first()
        guard_unchanged(form, Evaluation.objects.filter(roadmap=roadmap).first())
    workflows.save_evaluation_section(form)


@read_or_edit_required
@require_http_methods(["GET", "POST"])
def framing(request: TenantRequest, roadmap_pk: int) -> HttpResponse:
    return _section(request, roadmap_pk, FramingForm, "evaluation/framing.html", "framing", _("Cadrage enregistré."))


@read_or_edit_required
@require_http_methods(["GET", "POST"])
def theory(request: TenantRequest, roadmap_pk: int) -> HttpResponse:
    return _section(
        request, roadmap_pk, TheoryForm, "evaluation/theory.html", "theory", _("Théorie du changement enregistrée.")
    )


@read_or_edit_required
@require_http_methods(["GET", "POST"])
def question(request: TenantRequest, roadmap_pk: int) -> HttpResponse:
    return _section(
        request, roadmap_pk, QuestionForm, "evaluation/question.html", "question", _("Question évaluative enregistrée.")
    )


# Impact framework: effects (with their hypotheses) and indicators.


@read_or_edit_required
@require_http_methods(["GET", "POST"])
def framework(request: TenantRequest, roadmap_pk: int) -> HttpResponse:
    """The référentiel d'impact; a POST adds an effect (hypothesis)."""
    roadmap = _roadmap(request, roadmap_pk)
    form = EffectForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            effect = form.save(commit=False)
            effect.roadmap, effect.organization_id = roadmap, roadmap.organization_id
            effect.save()
            messages.success(request, _("Effet attendu ajouté : donnez-lui ses indicateurs."))
            return redirect("evaluation:framework", roadmap_pk=roadmap.pk)
        messages.error(request, _("Rien n'a été enregistré : corrigez les points signalés ci-dessous."))
    # The computed indicators show today's figure in the « dernière valeur » column, like the typed ones.
    computed = Indicator.objects.filter(roadmap=roadmap).exclude(internal="").exists()
    by_effect = indicator_analyses(roadmap, internal_indicators(roadmap) if computed else None)
    effects = [(e, by_effect.get(e.pk, [])) for e in roadmap.evaluation_effects.order_by("order", "pk")]
    return _page(
        request,
        "evaluation/framework.html",
        roadmap,
        "framework",
        effects=effects,
        effect_form=form,
        criteria_labels=Indicator.criteria_labels(),
    )


@editor_required
@require_http_methods(["GET", "POST"])
def effect_edit(request: TenantRequest, effect_pk: int) -> HttpResponse:
    effect = get_object_or_404(request.tenant.evaluation_effects.select_related("roadmap"), pk=effect_pk)
    form = EffectForm(request.POST or None, instance=effect)
    if request.method == "POST":
        if form.is_valid():
            form.save()
            messages.success(request, _("Effet attendu enregistré."))
            return redirect("evaluation:framework", roadmap_pk=effect.roadmap_id)
        messages.error(request, _("Rien n'a été enregistré : corrigez les points signalés ci-dessous."))
    return _page(request, "evaluation/effect_form.html", effect.roadmap, "framework", form=form, effect=effect)


@editor_required
@require_POST
def effect_delete(request: TenantRequest, effect_pk: int) -> HttpResponse:
    effect = get_object_or_404(request.tenant.evaluation_effects, pk=effect_pk)
    if effect.indicators.exists():
        messages.error(request, _("Cet effet a des indicateurs : supprimez-les ou déplacez-les d'abord."))
    else:
        effect.delete()
        messages.success(request, _("Effet attendu supprimé."))
    return redirect("evaluation:framework", roadmap_pk=effect.roadmap_id)


@editor_required
@require_http_methods(["GET", "POST"])
def indicator_create(request: TenantRequest, effect_pk: int) -> HttpResponse:
    effect = get_object_or_404(request.tenant.evaluation_effects.select_related("roadmap"), pk=effect_pk)
    roadmap = effect.roadmap
    form = IndicatorForm(request.POST or None, roadmap=roadmap, initial={"effect": effect.pk})
    if request.method == "POST":
        if form.is_valid():
            indicator = form.save()
            if not indicator.meets_criteria:
                messages.warning(request, _("Indicateur ajouté, mais il ne remplit pas encore les quatre critères."))
            else:
                messages.success(request, _("Indicateur ajouté."))
            return redirect("evaluation:framework", roadmap_pk=roadmap.pk)
        messages.error(request, _("Rien n'a été enregistré : corrigez les points signalés ci-dessous."))
    return _page(request, "evaluation/indicator_form.html", roadmap, "framework", form=form, effect=effect)


def _indicator(request: TenantRequest, indicator_pk: int) -> Indicator:
    return get_object_or_404(
        request.tenant.evaluation_indicators.select_related("roadmap__territory", "effect"), pk=indicator_pk
    )


@editor_required
@require_http_methods(["GET", "POST"])
def indicator_edit(request: TenantRequest, indicator_pk: int) -> HttpResponse:
    indicator = _indicator(request, indicator_pk)
    form = IndicatorForm(request.POST or None, instance=indicator, roadmap=indicator.roadmap)
    if request.method == "POST":
        if form.is_valid():
            form.save()
            messages.success(request, _("Indicateur enregistré."))
            return redirect("evaluation:indicator", indicator_pk=indicator.pk)
        messages.error(request, _("Rien n'a été enregistré : corrigez les points signalés ci-dessous."))
    return _page(
        request, "evaluation/indicator_form.html", indicator.roadmap, "framework", form=form, indicator=indicator
    )


@editor_required
@require_POST
def indicator_delete(request: TenantRequest, indicator_pk: int) -> HttpResponse:
    indicator = _indicator(request, indicator_pk)
    count = indicator.values.count()
    indicator.delete()
    messages.success(
        request,
        ngettext(
            "Indicateur supprimé, avec %(count)s valeur.", "Indicateur supprimé, avec ses %(count)s valeurs.", count
        )
        % {"count": count},
    )
    return redirect("evaluation:framework", roadmap_pk=indicator.roadmap_id)


@read_or_edit_required
@require_http_methods(["GET", "POST"])
def indicator(request: TenantRequest, indicator_pk: int) -> HttpResponse:
    """An indicator, its values over time against its target; a POST adds a value."""
    indicator = _indicator(request, indicator_pk)
    roadmap = indicator.roadmap
    form = IndicatorValueForm(request.POST or None, indicator=indicator)
    if request.method == "POST" and indicator.internal:
        messages.error(request, _("Cet indicateur est calculé par l'application : il ne se saisit pas."))
    elif request.method == "POST":
        if form.is_valid():
            value = form.save(commit=False)
            value.created_by = request.user
            value.save()
            messages.success(request, _("Valeur enregistrée."))
            return redirect("evaluation:indicator", indicator_pk=indicator.pk)
        messages.error(request, _("La valeur n'a pas été enregistrée : corrigez les points signalés ci-dessous."))
    internal = internal_indicators(roadmap) if indicator.internal else None
    analysis = next(
        a for items in indicator_analyses(roadmap, internal).values() for a in items if a.indicator.pk == indicator.pk
    )
    return _page(
        request,
        "evaluation/indicator.html",
        roadmap,
        "framework",
        item=analysis,
        form=form,
        criteria_labels=Indicator.criteria_labels(),
    )


@editor_required
@require_POST
def value_delete(request: TenantRequest, indicatorvalue_pk: int) -> HttpResponse:
    value = get_object_or_404(request.tenant.indicator_values, pk=indicatorvalue_pk)
    value.delete()
    messages.success(request, _("Valeur supprimée."))
    return redirect("evaluation:indicator", indicator_pk=value.indicator_id)


@editor_required
@require_http_methods(["GET", "POST"])
def values_import(request: TenantRequest, roadmap_pk: int) -> HttpResponse:
    roadmap = _roadmap(request, roadmap_pk)
    form = ValuesImportForm(request.POST or None, request.FILES or None)
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        parsed = parse_values(roadmap, form.cleaned_data["file"].read())
        errors = parsed.errors
        if not errors:
            count = workflows.import_values(parsed.values, request.user)  # type: ignore[arg-type]
            messages.success(
                request,
                ngettext("%(count)s valeur importée.", "%(count)s valeurs importées.", count) % {"count": count},
            )
            return redirect("evaluation:framework", roadmap_pk=roadmap.pk)
        messages.error(
            request, _("Le fichier n'a pas été importé (aucune valeur enregistrée) : corrigez-le puis renvoyez-le.")
        )
    indicators = list(Indicator.objects.filter(roadmap=roadmap, internal="").select_related("effect"))
    return _page(
        request, "evaluation/values_import.html", roadmap, "framework", form=form, errors=errors, indicators=indicators
    )


# Interviews: guides, transcripts and verbatims.


@read_or_edit_required
@require_http_methods(["GET", "POST"])
def interviews(request: TenantRequest, roadmap_pk: int) -> HttpResponse:
    """Guides and interviews; a POST adds a guide (`add=guide`) or an interview (`add=interview`)."""
    roadmap = _roadmap(request, roadmap_pk)
    adding = request.POST.get("add") if request.method == "POST" else None
    guide_form = InterviewGuideForm(request.POST if adding == "guide" else None, prefix="guide")
    interview_form = InterviewForm(request.POST if adding == "interview" else None, roadmap=roadmap, prefix="interview")
    if adding in ("guide", "interview"):
        form = guide_form if adding == "guide" else interview_form
        if form.is_valid():
            item = form.save(commit=False)
            item.roadmap, item.organization_id = roadmap, roadmap.organization_id
            item.save()
            if adding == "interview":
                messages.success(request, _("Entretien ajouté : relevez-en les verbatims."))
                return redirect("evaluation:interview", interview_pk=item.pk)
            messages.success(request, _("Trame d'entretien ajoutée."))
            return redirect("evaluation:interviews", roadmap_pk=roadmap.pk)
        messages.error(request, _("Rien n'a été enregistré : corrigez les points signalés ci-dessous."))
    return _page(
        request,
        "evaluation/interviews.html",
        roadmap,
        "interviews",
        guides=list(roadmap.interview_guides.all()),
        interview_list=list(roadmap.interviews.select_related("guide").prefetch_related("verbatims")),
        guide_form=guide_form,
        interview_form=interview_form,
    )


@editor_required
@require_http_methods(["GET", "POST"])
def guide_edit(request: TenantRequest, interviewguide_pk: int) -> HttpResponse:
    guide = get_object_or_404(request.tenant.interview_guides.select_related("roadmap"), pk=interviewguide_pk)
    form = InterviewGuideForm(request.POST or None, instance=guide)
    if request.method == "POST":
        if form.is_valid():
            form.save()
            messages.success(request, _("Trame d'entretien enregistrée."))
            return redirect("evaluation:interviews", roadmap_pk=guide.roadmap_id)
        messages.error(request, _("Rien n'a été enregistré : corrigez les points signalés ci-dessous."))
    return _page(request, "evaluation/guide_form.html", guide.roadmap, "interviews", form=form, guide=guide)


@read_or_edit_required
@require_http_methods(["GET", "POST"])
def interview(request: TenantRequest, interview_pk: int) -> HttpResponse:
    """A transcript and its verbatims; a POST adds a verbatim tagged to an effect."""
    item = get_object_or_404(request.tenant.interviews.select_related("roadmap", "guide"), pk=interview_pk)
    form = VerbatimForm(request.POST or None, interview=item)
    if request.method == "POST":
        if form.is_valid():
            form.save()
            messages.success(request, _("Verbatim ajouté."))
            return redirect("evaluation:interview", interview_pk=item.pk)
        messages.error(request, _("Le verbatim n'a pas été enregistré : corrigez les points signalés ci-dessous."))
    return _page(
        request,
        "evaluation/interview.html",
        item.roadmap,
        "interviews",
        interview=item,
        verbatims=list(item.verbatims.select_related("effect")),
        form=form,
    )


@editor_required
@require_http_methods(["GET", "POST"])
def interview_edit(request: TenantRequest, interview_pk: int) -> HttpResponse:
    item = get_object_or_404(request.tenant.interviews.select_related("roadmap"), pk=interview_pk)
    form = InterviewForm(request.POST or None, instance=item, roadmap=item.roadmap)
    if request.method == "POST":
        if form.is_valid():
            form.save()
            messages.success(request, _("Entretien enregistré."))
            return redirect("evaluation:interview", interview_pk=item.pk)
        messages.error(request, _("Rien n'a été enregistré : corrigez les points signalés ci-dessous."))
    return _page(request, "evaluation/interview_form.html", item.roadmap, "interviews", form=form, interview=item)


@editor_required
@require_POST
def guide_delete(request: TenantRequest, interviewguide_pk: int) -> HttpResponse:
    """The guide goes; the interviews held with it stay (their transcripts are the evidence)."""
    guide = get_object_or_404(request.tenant.interview_guides, pk=interviewguide_pk)
    guide.delete()
    messages.success(request, _("Trame d'entretien supprimée ; les entretiens menés avec elle restent."))
    return redirect("evaluation:interviews", roadmap_pk=guide.roadmap_id)


@editor_required
@require_POST
def interview_delete(request: TenantRequest, interview_pk: int) -> HttpResponse:
    item = get_object_or_404(request.tenant.interviews, pk=interview_pk)
    item.delete()
    messages.success(request, _("Entretien supprimé, avec ses verbatims."))
    return redirect("evaluation:interviews", roadmap_pk=item.roadmap_id)


@editor_required
@require_POST
def verbatim_delete(request: TenantRequest, verbatim_pk: int) -> HttpResponse:
    verbatim = get_object_or_404(request.tenant.verbatims, pk=verbatim_pk)
    verbatim.delete()
    messages.success(request, _("Verbatim supprimé."))
    return redirect("evaluation:interview", interview_pk=verbatim.interview_id)


# Following the roadmap as it lives.


@member_required
@require_safe
def follow_up(request: TenantRequest, roadmap_pk: int) -> HttpResponse:
    roadmap = _roadmap(request, roadmap_pk)
    defis, whole = roadmap_progress(roadmap)
    return _page(request, "evaluation/follow_up.html", roadmap, "follow_up", defis=defis, whole=whole)


@read_or_edit_required
@require_http_methods(["GET", "POST"])
def action_follow_up(request: TenantRequest, action_pk: int) -> HttpResponse:
    action = get_object_or_404(
        request.tenant.actions.select_related("roadmap__territory", "chantier__defi"), pk=action_pk
    )
    current = FollowUp.objects.filter(action=action).first()
    instance = current or FollowUp(action=action, organization_id=action.organization_id)
    form = FollowUpForm(request.POST or None, instance=instance)
    realised = RealisedForm(request.POST or None, action=action)
    if request.method == "POST":
        valid = [form.is_valid(), realised.is_valid()]  # both, so that every error shows at once
        if all(valid):
            workflows.save_follow_up(action, form, realised, request.user)  # type: ignore[arg-type]
            messages.success(request, _("Suivi de l'action enregistré."))
            return redirect("evaluation:follow_up", roadmap_pk=action.roadmap_id)
        messages.error(request, _("Le suivi n'a pas été enregistré : corrigez les points signalés ci-dessous."))
    return _page(
        request,
        "evaluation/action_follow_up.html",
        action.roadmap,
        "follow_up",
        action=action,
        item=action_progress(action, current),
        form=form,
        realised=realised,
        plan=realised_plan(action),
    )


# Analysis and documents.


def _jobs(request: TenantRequest, roadmap: Roadmap) -> list[ExportJob]:
    return list(
        ExportJob.objects.filter(organization=request.tenant, roadmap=roadmap, kind__in=EXPORT_KINDS).order_by(
            "-created_at"
        )[:6]
    )


@read_or_edit_required
@require_http_methods(["GET", "POST"])
def analysis(request: TenantRequest, roadmap_pk: int) -> HttpResponse:
    """Values against targets, internal indicators, the fiches' success criteria, verbatims; a POST saves the
    synthesis."""
    roadmap = _roadmap(request, roadmap_pk)
    form = SynthesisForm(request.POST or None, instance=workflows.evaluation_of(roadmap))
    if request.method == "POST":
        if form.is_valid():
            workflows.save_evaluation_section(form)
            messages.success(request, _("Synthèse enregistrée."))
            return redirect("evaluation:analysis", roadmap_pk=roadmap.pk)
        messages.error(request, _("La synthèse n'a pas été enregistrée."))
    return _page(
        request,
        "evaluation/analysis.html",
        roadmap,
        "analysis",
        a=build_analysis(roadmap),
        form=form,
        jobs=_jobs(request, roadmap),
    )


@editor_required
@require_POST
def export(request: TenantRequest, roadmap_pk: int) -> HttpResponse:
    roadmap = _roadmap(request, roadmap_pk)
    kind = request.POST.get("kind", "")
    if kind not in EXPORT_KINDS:
        messages.error(request, _("Type de document inconnu."))
    else:
        start_export(kind, roadmap, request.user)  # type: ignore[arg-type]
        messages.success(request, _("Document en préparation : il apparaît ci-dessous dès qu'il est prêt."))
    return redirect(reverse("evaluation:analysis", kwargs={"roadmap_pk": roadmap.pk}) + "#documents")
