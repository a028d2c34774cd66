"""Step 7 (évaluer): what is done and what is missing, in one query."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from evaluation.models import THEORY_BOXES, FollowUp, Indicator, IndicatorValue
from roadmap.models import Action, Roadmap
from roadmap.steps import Link, Step, step_contributor

EVALUATION_FIELDS = (
    "objectives",
    "targets",
    "method",
    "question_object",
    "question_verb",
    "question_effect",
    "question_public",
) + tuple(name for name, _t, _h in THEORY_BOXES)


def _count(queryset: QuerySet[Any], roadmap_field: str = "roadmap") -> Coalesce:
    rows = (
        queryset.filter(**{roadmap_field: OuterRef("pk")}).order_by().values(roadmap_field).annotate(c=Count("pk"))
    ).values("c")
    return Coalesce(Subquery(rows), 0)


def _figures(roadmap: Roadmap) -> dict[str, Any]:
    criteria = {name: True for name in Indicator.CRITERIA}
    annotations = {
        "ev_indicators": _count(Indicator.objects.all()),
        "ev_indicators_ok": _count(Indicator.objects.filter(**criteria)),
        "ev_values": _count(IndicatorValue.objects.all(), "indicator__roadmap"),
        "ev_actions": _count(Action.objects.all()),
        "ev_followed": _count(FollowUp.objects.exclude(status=FollowUp.Status.A_VENIR), "action__roadmap"),
    }
    row = Roadmap.objects.filter(pk=roadmap.pk).annotate(**annotations)
    values = row.values(*annotations, *(f"evaluation__{f}" for f in EVALUATION_FIELDS)).get()
    return {key.removeprefix("ev_").removeprefix("evaluation__"): value for key, value in values.items()}


@step_contributor(7)
def evaluate(step: Step, roadmap: Roadmap) -> None:
    f = _figures(roadmap)
    filled = {name: bool((f.get(name) or "").strip()) for name in EVALUATION_FIELDS}
    if filled["objectives"] and filled["targets"] and filled["method"]:
        step.done.append(_("Évaluation cadrée : objectifs, cibles et méthode."))
    else:
        step.missing.append(
            gettext_lazy("Cadrez l'évaluation : ses objectifs, pour qui, rétrospective ou prospective.")
        )
    if all(filled[name] for name, _t, _h in THEORY_BOXES):
        step.done.append(_("Théorie du changement complète (six cases)."))
    else:
        step.missing.append(gettext_lazy("Complétez les six cases de la théorie du changement."))
    if all(filled[name] for name in ("question_object", "question_verb", "question_effect", "question_public")):
        step.done.append(_("Question évaluative formulée."))
    else:
        step.missing.append(gettext_lazy("Formulez la question évaluative « Dans quelle mesure… ? »."))
    indicators, ok = f["indicators"], f["indicators_ok"]
    if indicators:
        step.done.append(
            ngettext(
                "%(count)s indicateur dans le référentiel d'impact.",
                "%(count)s indicateurs dans le référentiel d'impact.",
                indicators,
            )
            % {"count": indicators}
        )
    else:
        step.missing.append(gettext_lazy("Choisissez les indicateurs du référentiel d'impact."))
    if indicators - ok:
        step.missing.append(
            ngettext(
                "%(count)s indicateur ne remplit pas encore les quatre critères.",
                "%(count)s indicateurs ne remplissent pas encore les quatre critères.",
                indicators - ok,
            )
            % {"count": indicators - ok}
        )
    if f["values"]:
        step.done.append(
            ngettext("%(count)s valeur relevée.", "%(count)s valeurs relevées.", f["values"]) % {"count": f["values"]}
        )
    elif indicators:
        step.missing.append(gettext_lazy("Relevez les premières valeurs des indicateurs."))
    if f["followed"]:
        step.done.append(
            ngettext(
                "%(count)s fiche action suivie sur %(total)s.",
                "%(count)s fiches actions suivies sur %(total)s.",
                f["followed"],
            )
            % {"count": f["followed"], "total": f["actions"]}
        )
    elif f["actions"]:
        step.missing.append(gettext_lazy("Suivez l'avancement des fiches actions."))
    pk = {"roadmap_pk": roadmap.pk}
    step.links += [
        Link(gettext_lazy("Évaluation"), reverse("evaluation:overview", kwargs=pk)),
        Link(gettext_lazy("Référentiel d'impact"), reverse("evaluation:framework", kwargs=pk)),
        Link(gettext_lazy("Suivi des actions"), reverse("evaluation:follow_up", kwargs=pk)),
        Link(gettext_lazy("Analyse et rapport"), reverse("evaluation:analysis", kwargs=pk)),
    ]
