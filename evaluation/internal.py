"""Internal indicators: what the application already records, computed, never typed by hand.

Meetings and participation come from step 1 (projectgroup.indicators), the actions' statuses from the follow-up,
the budget from the fiches (planned expenses and financing) and from the follow-up (realised amounts), the
questionnaires' response counts from questionnaires.results. A fixed number of queries whatever the roadmap's size
(tests/evaluation/test_internal.py counts them at two sizes).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Sum

from evaluation.models import FollowUp, Indicator, RealisedExpense, RealisedFunding
from fiches.budget import ZERO
from fiches.models import ActionExpense, ActionFunding, Engagement
from projectgroup.indicators import ParticipationCounts, participation_counts
from projectgroup.models import Family, MeetingKind
from questionnaires.models import Questionnaire
from questionnaires.results import response_counts
from roadmap.models import Action, Roadmap

STARTED = (FollowUp.Status.EN_COURS, FollowUp.Status.REALISEE)


@dataclass
class BudgetYear:
    year: int | None  # None: the total line
    planned: Decimal = ZERO  # expenses of the fiches (TTC)
    committed: Decimal = ZERO  # planned expenses of the actions under way or done: money the territory engaged
    realised: Decimal = ZERO  # expenses really paid (follow-up)
    financing_planned: Decimal = ZERO
    financing_received: Decimal = ZERO

    @property
    def realised_share(self) -> int | None:
        return round(self.realised * 100 / self.planned) if self.planned else None


@dataclass
class InternalIndicators:
    participation: ParticipationCounts
    actions_total: int
    actions_by_status: list[tuple[str, str, int]]  # (key, label, count), every status
    budget: list[BudgetYear]
    engagements: list[tuple[str, int]]  # (label, count) of the fiches' engagement table
    questionnaire_responses: list[tuple[str, int]] = field(default_factory=list)  # (title, responses)
    families: list[tuple[str, int]] = field(default_factory=list)
    meetings_by_kind: list[tuple[str, int]] = field(default_factory=list)

    def status_count(self, key: str) -> int:
        return next((n for k, _label, n in self.actions_by_status if k == key), 0)

    @property
    def budget_total(self) -> BudgetYear:
        return self.budget[-1]

    def value_of(self, internal: str) -> Decimal | None:
        """The computed value of an Indicator.Internal key."""
        values = {
            Indicator.Internal.MEETINGS: self.participation.meetings_held,
            Indicator.Internal.PARTICIPANTS: self.participation.participants,
            Indicator.Internal.STRUCTURES: self.participation.structures,
            Indicator.Internal.ACTIONS_EN_COURS: self.status_count(FollowUp.Status.EN_COURS),
            Indicator.Internal.ACTIONS_REALISEES: self.status_count(FollowUp.Status.REALISEE),
            Indicator.Internal.RESPONSES: sum(n for _title, n in self.questionnaire_responses),
        }
        value = values.get(internal)  # type: ignore[call-overload]
        return None if value is None else Decimal(value)


def _by_year(rows: Any) -> dict[int, Decimal]:
    return {year: total for year, total in rows}


def internal_indicators(roadmap: Roadmap) -> InternalIndicators:
    """Every internal indicator of the roadmap (3 queries for participation, 7 here, 2 for the questionnaires)."""
    participation = participation_counts(roadmap)  # 3 queries
    statuses = _status_counts(roadmap)  # query 4
    expenses = ActionExpense.objects.filter(action__roadmap=roadmap).order_by().values_list("year")
    planned = _by_year(expenses.annotate(t=Sum("amount")))  # query 5
    committed = _by_year(  # query 6
        expenses.filter(action__follow_up__status__in=STARTED).annotate(t=Sum("amount"))
    )
    realised = _by_year(  # query 7
        RealisedExpense.objects.filter(action__roadmap=roadmap).order_by().values_list("year").annotate(t=Sum("amount"))
    )
    financing = _by_year(  # query 8
        ActionFunding.objects.filter(action__roadmap=roadmap).order_by().values_list("year").annotate(t=Sum("amount"))
    )
    received = _by_year(  # query 9
        RealisedFunding.objects.filter(action__roadmap=roadmap).order_by().values_list("year").annotate(t=Sum("amount"))
    )
    engagement_counts = dict(  # query 10
        Engagement.objects.filter(action__roadmap=roadmap).order_by().values_list("level").annotate(n=Count("pk"))
    )
    years = sorted(set(roadmap.years) | set(planned) | set(realised) | set(financing) | set(received))
    budget = [
        BudgetYear(
            year,
            planned.get(year, ZERO),
            committed.get(year, ZERO),
            realised.get(year, ZERO),
            financing.get(year, ZERO),
            received.get(year, ZERO),
        )
        for year in years
    ]
    total = BudgetYear(None)
    for line in budget:
        total.planned += line.planned
        total.committed += line.committed
        total.realised += line.realised
        total.financing_planned += line.financing_planned
        total.financing_received += line.financing_received
    family_labels = dict(Family.choices)
    kind_labels = dict(MeetingKind.choices)
    return InternalIndicators(
        participation=participation,
        actions_total=sum(statuses.values()),
        actions_by_status=[(key, str(label), statuses.get(key, 0)) for key, label in FollowUp.Status.choices],
        budget=[*budget, total],
        engagements=[
            (str(label), engagement_counts[key]) for key, label in Engagement.Level.choices if key in engagement_counts
        ],
        questionnaire_responses=questionnaire_response_counts(roadmap),
        families=[(str(family_labels[k]), n) for k, n in participation.families.items() if n],
        meetings_by_kind=[(str(kind_labels.get(k, k)), n) for k, n in participation.meetings_by_kind.items()],
    )


def _status_counts(roadmap: Roadmap) -> dict[str, int]:
    """Actions by follow-up status in one query; an action nobody followed yet is « à venir »."""
    rows = Action.objects.filter(roadmap=roadmap).order_by().values_list("follow_up__status").annotate(n=Count("pk"))
    counts: dict[str, int] = {}
    for status, n in rows:
        key = status or FollowUp.Status.A_VENIR
        counts[key] = counts.get(key, 0) + n
    return counts


def questionnaire_response_counts(roadmap: Roadmap) -> list[tuple[str, int]]:
    """Responses by questionnaire title, from the questionnaires module (two queries)."""
    counts = response_counts(roadmap)
    titles = Questionnaire.objects.filter(roadmap=roadmap, pk__in=counts).order_by("created_at", "pk")
    return [(title, counts[pk]) for pk, title in titles.values_list("pk", "title")]
