"""The results of questionnaires, for the results page, the evaluation report (evaluation/ includes
`questionnaires/_results.html` with `summaries`) and its PDF.

`summaries(roadmap)` and `summarize(questionnaires)` run a fixed number of queries whatever the number of
questionnaires, questions and answers: the distributions are counted by the database (grouped), only free texts
and multiple choices come back row by row.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from questionnaires.charts import bar_chart, comparison_chart
from questionnaires.models import Answer, Kind, Phase, Question, Questionnaire, Response, format_number
from roadmap.models import Roadmap

NUMBER_BINS = 5
DISTINCT_NUMBERS_SHOWN = 10


@dataclass
class Bar:
    label: str
    count: int
    percent: int


@dataclass
class QuestionResult:
    question: Question
    answered: int = 0
    bars: list[Bar] = field(default_factory=list)
    mean: float | None = None
    texts: list[str] = field(default_factory=list)
    chart: SafeString | str = ""

    @property
    def label(self) -> str:
        return self.question.label

    @property
    def kind(self) -> str:
        return self.question.kind

    @property
    def mean_display(self) -> str:
        return "" if self.mean is None else f"{self.mean:.2f}".replace(".", ",")


@dataclass
class Comparison:
    """One question of a before/after pair, over the respondents who answered it both times."""

    label: str
    pairs: int
    before_mean: float | None
    after_mean: float | None
    scale: float

    @property
    def delta(self) -> float | None:
        if self.before_mean is None or self.after_mean is None:
            return None
        return self.after_mean - self.before_mean

    @property
    def delta_display(self) -> str:
        if self.delta is None:
            return "–"
        return f"{self.delta:+.2f}".replace(".", ",")

    @staticmethod
    def show(value: float | None) -> str:
        return "–" if value is None else f"{value:.2f}".replace(".", ",")

    @property
    def before_display(self) -> str:
        return self.show(self.before_mean)

    @property
    def after_display(self) -> str:
        return self.show(self.after_mean)


@dataclass
class QuestionnaireSummary:
    questionnaire: Questionnaire
    title: str
    responses: int
    questions: list[QuestionResult] = field(default_factory=list)
    phase: str = ""
    partner_title: str = ""  # the other questionnaire of its before/after pair
    pairs_matched: int | None = None  # respondents (codes) who answered both, for a pair
    comparisons: list[Comparison] = field(default_factory=list)  # on the « après » questionnaire
    comparison_chart: SafeString | str = ""


def with_response_counts() -> Coalesce:
    """An annotation: the questionnaire's number of responses (a scalar subquery, no join)."""
    per_questionnaire = (
        Response.objects.filter(questionnaire=OuterRef("pk"))
        .order_by()
        .values("questionnaire")
        .annotate(c=Count("pk"))
        .values("c")
    )
    return Coalesce(Subquery(per_questionnaire), 0)


def response_counts(roadmap: Roadmap) -> dict[int, int]:
    """Questionnaire pk → number of responses, for every questionnaire of the roadmap (one query)."""
    rows = Questionnaire.objects.filter(organization_id=roadmap.organization_id, roadmap=roadmap)
    return dict(rows.annotate(n=with_response_counts()).values_list("pk", "n"))


def summaries(roadmap: Roadmap) -> list[QuestionnaireSummary]:
    """Every questionnaire of the roadmap with its results (a fixed number of queries)."""
    rows = (
        Questionnaire.objects.filter(organization_id=roadmap.organization_id, roadmap=roadmap)
        .select_related("before")
        .annotate(n_responses=with_response_counts())
        .order_by("created_at", "pk")
    )
    return summarize(list(rows))


def summarize(questionnaires: list[Questionnaire]) -> list[QuestionnaireSummary]:
    """Results of the given questionnaires, loaded with `select_related("before")` and `n_responses`."""
    if not questionnaires:
        return []
    pks = [q.pk for q in questionnaires]
    partners: dict[int, tuple[int, str]] = {}  # questionnaire pk → (its partner's pk, title)
    for q in questionnaires:
        if q.before_id is not None and q.before is not None:
            partners[q.pk] = (q.before_id, q.before.title)
    if any(q.phase == Phase.BEFORE for q in questionnaires):
        afters = Questionnaire.objects.filter(before_id__in=pks).values_list("pk", "before_id", "title")
        for after_pk, before_pk, title in afters:
            partners[before_pk] = (after_pk, title)
    partner_pks = {p for p, _ in partners.values()}

    questions = list(Question.objects.filter(questionnaire_id__in=set(pks) | partner_pks).order_by("position", "pk"))
    by_questionnaire: dict[int, list[Question]] = defaultdict(list)
    for question in questions:
        by_questionnaire[question.questionnaire_id].append(question)
    shown = [question for pk in pks for question in by_questionnaire[pk]]
    results = {question.pk: QuestionResult(question) for question in shown}

    grouped_ids = [q.pk for q in shown if q.kind in (Kind.LIKERT, Kind.SINGLE, Kind.NUMBER)]
    counts: dict[int, list[tuple[Decimal | None, str, int]]] = defaultdict(list)
    if grouped_ids:
        rows = (
            Answer.objects.filter(question_id__in=grouped_ids)
            .order_by()
            .values_list("question_id", "number", "text")
            .annotate(n=Count("pk"))
        )
        for question_pk, number, text, n in rows:
            counts[question_pk].append((number, text, n))
    multiple_ids = [q.pk for q in shown if q.kind == Kind.MULTIPLE]
    picked: dict[int, list[list[str]]] = defaultdict(list)
    if multiple_ids:
        for question_pk, choices in Answer.objects.filter(question_id__in=multiple_ids).values_list(
            "question_id", "choices"
        ):
            picked[question_pk].append(choices or [])
    text_ids = [q.pk for q in shown if q.kind == Kind.TEXT]
    if text_ids:
        texts = Answer.objects.filter(question_id__in=text_ids).exclude(text="").order_by("pk")
        for question_pk, text in texts.values_list("question_id", "text"):
            results[question_pk].texts.append(text)
            results[question_pk].answered += 1

    for question in shown:
        result = results[question.pk]
        if question.kind == Kind.LIKERT:
            _likert(result, counts[question.pk])
        elif question.kind == Kind.SINGLE:
            _single(result, counts[question.pk])
        elif question.kind == Kind.NUMBER:
            _number(result, counts[question.pk])
        elif question.kind == Kind.MULTIPLE:
            _multiple(result, picked[question.pk])

    pairs = _pairs(questionnaires, partners, by_questionnaire) if partners else {}
    out = []
    for q in questionnaires:
        summary = QuestionnaireSummary(
            questionnaire=q,
            title=q.title,
            responses=getattr(q, "n_responses", 0),
            questions=[results[question.pk] for question in by_questionnaire[q.pk]],
            phase=q.phase,
        )
        if q.pk in partners:
            summary.partner_title = partners[q.pk][1]
            summary.pairs_matched, summary.comparisons = pairs.get(q.pk, (0, []))
            if summary.comparisons:
                summary.comparison_chart = comparison_chart(
                    [(c.label, c.before_mean, c.after_mean, c.scale) for c in summary.comparisons],
                    _("Moyennes avant et après, répondants appariés"),
                )
        out.append(summary)
    return out


def _percent(count: int, total: int) -> int:
    return round(100 * count / total) if total else 0


def _caption(count: int, total: int) -> str:
    return f"{count} · {_percent(count, total)}\u00a0%"


def _finish(result: QuestionResult, rows: list[tuple[str, int]]) -> None:
    total = result.answered
    result.bars = [Bar(label, n, _percent(n, total)) for label, n in rows]
    result.chart = bar_chart([(label, n, _caption(n, total)) for label, n in rows], result.label, total)


def _likert(result: QuestionResult, rows: list[tuple[Decimal | None, str, int]]) -> None:
    per_value = {int(number): n for number, _, n in rows if number is not None}
    result.answered = sum(per_value.values())
    if result.answered:
        result.mean = sum(v * n for v, n in per_value.items()) / result.answered
    labels = result.question.labels
    _finish(result, [(f"{v} – {labels[v - 1]}", per_value.get(v, 0)) for v in range(1, 6)])


def _single(result: QuestionResult, rows: list[tuple[Decimal | None, str, int]]) -> None:
    per_choice = {text: n for _, text, n in rows if text}
    result.answered = sum(per_choice.values())
    options = list(result.question.choices)
    # An option renamed or removed after answers came in keeps its answers, listed after the current ones.
    options += sorted(c for c in per_choice if c not in options)
    _finish(result, [(option, per_choice.get(option, 0)) for option in options])


def _multiple(result: QuestionResult, answers: list[list[str]]) -> None:
    answers = [a for a in answers if a]
    result.answered = len(answers)
    per_choice: dict[str, int] = defaultdict(int)
    for choices in answers:
        for choice in choices:
            per_choice[choice] += 1
    options = list(result.question.choices) + sorted(c for c in per_choice if c not in result.question.choices)
    # Percentages of the respondents who answered: they add up to more than 100 %.
    _finish(result, [(option, per_choice.get(option, 0)) for option in options])


def _number(result: QuestionResult, rows: list[tuple[Decimal | None, str, int]]) -> None:
    values = sorted((number, n) for number, _, n in rows if number is not None)
    result.answered = sum(n for _, n in values)
    if not result.answered:
        _finish(result, [])
        return
    result.mean = float(sum(v * n for v, n in values)) / result.answered
    if len(values) <= DISTINCT_NUMBERS_SHOWN:
        _finish(result, [(format_number(v), n) for v, n in values])
        return
    low, high = values[0][0], values[-1][0]
    step = (high - low) / NUMBER_BINS
    bins = [0] * NUMBER_BINS
    for value, n in values:
        index = min(int((value - low) / step), NUMBER_BINS - 1) if step else 0
        bins[index] += n
    labels = [
        _("de %(low)s à %(high)s")
        % {
            "low": format_number((low + step * i).quantize(Decimal("0.01"))),
            "high": format_number((low + step * (i + 1)).quantize(Decimal("0.01"))),
        }
        for i in range(NUMBER_BINS)
    ]
    _finish(result, list(zip(labels, bins, strict=True)))


def _pairs(
    questionnaires: list[Questionnaire],
    partners: dict[int, tuple[int, str]],
    by_questionnaire: dict[int, list[Question]],
) -> dict[int, tuple[int, list[Comparison]]]:
    """For each questionnaire of a pair: respondents matched by their code, and (on the « après ») per question
    the means before and after over the respondents who answered both times."""
    involved = set(partners) | {p for p, _ in partners.values()}
    answered = Response.objects.filter(questionnaire_id__in=involved, code__isnull=False).values_list(
        "questionnaire_id", "code_id"
    )
    codes: dict[int, set[int]] = defaultdict(set)
    for questionnaire_pk, code_pk in answered:
        codes[questionnaire_pk].add(code_pk)
    numeric = (
        Answer.objects.filter(
            response__questionnaire_id__in=involved,
            response__code__isnull=False,
            question__kind__in=(Kind.LIKERT, Kind.NUMBER),
            number__isnull=False,
        )
        .order_by()
        .values_list("question_id", "response__code_id", "number")
    )
    values: dict[int, dict[int, float]] = defaultdict(dict)  # question pk → code pk → value
    for question_pk, code_pk, number in numeric:
        if number is not None:
            values[question_pk][code_pk] = float(number)

    out: dict[int, tuple[int, list[Comparison]]] = {}
    for q in questionnaires:
        if q.pk not in partners:
            continue
        partner_pk = partners[q.pk][0]
        matched = len(codes[q.pk] & codes[partner_pk])
        comparisons = []
        if q.phase == Phase.AFTER:
            befores = by_questionnaire[partner_pk]
            for question in by_questionnaire[q.pk]:
                if not question.is_numeric:
                    continue
                twin = next((b for b in befores if b.pk == question.before_question_id), None) or next(
                    (b for b in befores if b.position == question.position and b.kind == question.kind), None
                )
                if twin is None:
                    continue
                after, before = values[question.pk], values[twin.pk]
                both = set(after) & set(before)
                before_mean = sum(before[c] for c in both) / len(both) if both else None
                after_mean = sum(after[c] for c in both) / len(both) if both else None
                if question.kind == Kind.LIKERT:
                    scale = 5.0
                else:
                    scale = max([abs(v) for c in both for v in (before[c], after[c])], default=1.0) or 1.0
                comparisons.append(Comparison(question.label, len(both), before_mean, after_mean, scale))
        out[q.pk] = (matched, comparisons)
    return out
