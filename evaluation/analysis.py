"""The analysis of the evaluation, as one structure read by the page and by the PDF report: the same figures and the
same drawings in both."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from evaluation.actions import evaluation_of
from evaluation.charts import Point, bars_svg, indicator_chart_svg, theory_of_change_svg
from evaluation.followup import ActionProgress, DefiProgress, Rollup, action_progress, roadmap_progress
from evaluation.internal import InternalIndicators, internal_indicators
from evaluation.models import Effect, Evaluation, Indicator, IndicatorValue, Verbatim, format_number
from questionnaires.results import summaries
from roadmap.models import Action, Roadmap


@dataclass
class IndicatorAnalysis:
    indicator: Indicator
    values: list[IndicatorValue]
    computed: Decimal | None = None  # today's value of an internal indicator
    chart: SafeString | str = ""

    @property
    def ok(self) -> list[str]:
        """The criteria the indicator meets."""
        return [c for c in Indicator.CRITERIA if getattr(self.indicator, c)]

    @property
    def latest(self) -> str:
        if self.computed is not None:
            return f"{format_number(self.computed)} {self.indicator.unit}".strip()
        return self.values[-1].display if self.values else ""

    @property
    def latest_number(self) -> Decimal | None:
        if self.computed is not None:
            return self.computed
        numbers = [v.number for v in self.values if v.number is not None]
        return numbers[-1] if numbers else None

    @property
    def target_reached(self) -> bool | None:
        """Whether the last measure reaches the target (indicators aim upwards); None: nothing to compare."""
        target, latest = self.indicator.target_value, self.latest_number
        if target is None or latest is None or not self.indicator.is_quantitative:
            return None
        return latest >= target

    @property
    def target_share(self) -> int | None:
        target, latest = self.indicator.target_value, self.latest_number
        if not target or latest is None:
            return None
        return round(latest * 100 / target)


@dataclass
class EffectAnalysis:
    effect: Effect
    indicators: list[IndicatorAnalysis] = field(default_factory=list)
    verbatims: list[Verbatim] = field(default_factory=list)


@dataclass
class Analysis:
    roadmap: Roadmap
    evaluation: Evaluation
    theory_svg: SafeString
    covered: list[str]
    effects: list[EffectAnalysis]
    untagged_verbatims: list[Verbatim]
    internal: InternalIndicators
    budget_svg: SafeString
    defis: list[DefiProgress]
    whole: Rollup
    success: list[ActionProgress]  # fiches with « on aura réussi si… », and how they stand
    questionnaires: list[Any] = field(default_factory=list)
    made_on: datetime.date = field(default_factory=timezone.localdate)

    @property
    def indicator_count(self) -> int:
        return sum(len(e.indicators) for e in self.effects)

    @property
    def value_count(self) -> int:
        return sum(len(i.values) for e in self.effects for i in e.indicators)


def covered_refs(evaluation: Evaluation) -> list[str]:
    if evaluation.pk is None:
        return []
    defis = [f"{d.ref} {d.title}" for d in evaluation.covered_defis.order_by("order")]
    actions = [
        f"{a.ref} {a.title}"
        for a in evaluation.covered_actions.select_related("chantier__defi").order_by("chantier__order", "order")
    ]
    return defis + actions


def indicator_analyses(roadmap: Roadmap, internal: InternalIndicators | None) -> dict[int, list[IndicatorAnalysis]]:
    """Indicators by effect id, each with its values and its chart (two queries)."""
    values: dict[int, list[IndicatorValue]] = defaultdict(list)
    for value in IndicatorValue.objects.filter(indicator__roadmap=roadmap).select_related("indicator"):
        values[value.indicator_id].append(value)
    found: dict[int, list[IndicatorAnalysis]] = defaultdict(list)
    today = timezone.localdate()
    for indicator in Indicator.objects.filter(roadmap=roadmap).select_related("effect"):
        item = IndicatorAnalysis(indicator, values[indicator.pk])
        if indicator.internal and internal is not None:
            item.computed = internal.value_of(indicator.internal)
        if indicator.is_quantitative:
            points = [Point(v.date, v.number) for v in item.values if v.number is not None]
            if item.computed is not None:
                points.append(Point(today, item.computed))
            if points or indicator.target_value is not None:
                item.chart = indicator_chart_svg(
                    points, indicator.target_value, indicator.target_date, indicator.unit, indicator.label
                )
        found[indicator.effect_id].append(item)
    return found


def build_analysis(roadmap: Roadmap) -> Analysis:
    evaluation = evaluation_of(roadmap)
    internal = internal_indicators(roadmap)
    by_effect = indicator_analyses(roadmap, internal)
    verbatims = list(
        Verbatim.objects.filter(interview__roadmap=roadmap).select_related("interview").order_by("effect_id", "pk")
    )
    effects = []
    for effect in roadmap.evaluation_effects.order_by("order", "pk"):
        effects.append(
            EffectAnalysis(effect, by_effect.get(effect.pk, []), [v for v in verbatims if v.effect_id == effect.pk])
        )
    defis, whole = roadmap_progress(roadmap)
    success = [
        action_progress(a, getattr(a, "follow_up", None))
        for a in Action.objects.filter(roadmap=roadmap)
        .exclude(expected_results="")
        .select_related("follow_up", "chantier__defi")
        .order_by("chantier__defi__order", "chantier__order", "order")
    ]
    series = [_("Prévu"), _("Engagé"), _("Réalisé")]
    budget_rows = [
        (str(line.year), [line.planned, line.committed, line.realised])
        for line in internal.budget[:-1]
        if line.planned or line.committed or line.realised
    ]
    covered = covered_refs(evaluation)
    return Analysis(
        roadmap=roadmap,
        evaluation=evaluation,
        theory_svg=theory_of_change_svg(evaluation, covered),
        covered=covered,
        effects=effects,
        untagged_verbatims=[v for v in verbatims if v.effect_id is None],
        internal=internal,
        budget_svg=bars_svg(budget_rows, series, _("Budget par année")) if budget_rows else SafeString(""),
        defis=defis,
        whole=whole,
        success=success,
        questionnaires=summaries(roadmap),
    )
