"""The follow-up of the roadmap as it lives: each action's status and progress, rolled up to chantiers and défis,
and the realised amounts of one fiche action beside its plan."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from evaluation.models import FollowUp
from fiches.budget import ZERO, Grid
from fiches.models import ActionExpense, ActionFunding
from roadmap.models import Action, Chantier, Defi, Roadmap

STATUS_LABELS = dict(FollowUp.Status.choices)


@dataclass
class ActionProgress:
    action: Action
    status: str
    progress: int  # 0–100; a realised action counts 100
    follow_up: FollowUp | None

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS[self.status])

    @property
    def counts(self) -> bool:
        """An abandoned action leaves the averages: it will never progress."""
        return self.status != FollowUp.Status.ABANDONNEE


@dataclass
class Rollup:
    """Actions under a chantier or a défi, their average progress and their statuses."""

    actions: list[ActionProgress] = field(default_factory=list)

    @property
    def progress(self) -> int | None:
        counted = [a.progress for a in self.actions if a.counts]
        return round(sum(counted) / len(counted)) if counted else None

    @property
    def statuses(self) -> list[tuple[str, int]]:
        counts = Counter(a.status for a in self.actions)
        return [(str(label), counts[key]) for key, label in FollowUp.Status.choices if counts[key]]


@dataclass
class ChantierProgress(Rollup):
    chantier: Chantier | None = None


@dataclass
class DefiProgress(Rollup):
    defi: Defi | None = None  # None: chantiers not yet in a défi
    chantiers: list[ChantierProgress] = field(default_factory=list)


def action_progress(action: Action, follow_up: FollowUp | None) -> ActionProgress:
    status = follow_up.status if follow_up else FollowUp.Status.A_VENIR
    progress = 100 if status == FollowUp.Status.REALISEE else (follow_up.progress if follow_up else 0)
    return ActionProgress(action, status, progress, follow_up)


def roadmap_progress(roadmap: Roadmap) -> tuple[list[DefiProgress], Rollup]:
    """Défis → chantiers → actions with their progress, and the whole roadmap's rollup (three queries)."""
    defis = list(roadmap.defis.order_by("order", "pk"))
    chantiers = list(roadmap.chantiers.select_related("defi").order_by("order", "pk"))
    actions = list(
        Action.objects.filter(roadmap=roadmap).select_related("follow_up", "chantier__defi").order_by("order", "pk")
    )
    by_chantier: dict[int, ChantierProgress] = {c.pk: ChantierProgress(chantier=c) for c in chantiers}
    whole = Rollup()
    for action in actions:
        item = action_progress(action, getattr(action, "follow_up", None))
        by_chantier[action.chantier_id].actions.append(item)
        whole.actions.append(item)
    by_defi: dict[int | None, DefiProgress] = {d.pk: DefiProgress(defi=d) for d in defis}
    for chantier in chantiers:
        group = by_defi.setdefault(chantier.defi_id, DefiProgress(defi=None))
        group.chantiers.append(by_chantier[chantier.pk])
        group.actions += by_chantier[chantier.pk].actions
    ordered = [by_defi[d.pk] for d in defis]
    if None in by_defi:
        ordered.append(by_defi[None])
    return ordered, whole


@dataclass
class RealisedPlan:
    """One fiche action's planned and realised amounts by row and year."""

    years: list[int]
    planned_expenses: Grid
    realised_expenses: Grid
    planned_fundings: Grid
    realised_fundings: Grid

    @property
    def expense_rows(self) -> list[tuple[str, list[tuple[Decimal, Decimal]], Decimal, Decimal]]:
        return _paired(self.planned_expenses, self.realised_expenses)

    @property
    def funding_rows(self) -> list[tuple[str, list[tuple[Decimal, Decimal]], Decimal, Decimal]]:
        return _paired(self.planned_fundings, self.realised_fundings)


def _paired(planned: Grid, realised: Grid) -> list[tuple[str, list[tuple[Decimal, Decimal]], Decimal, Decimal]]:
    rows = []
    for p, r in zip(planned.rows, realised.rows, strict=True):
        if p.total or r.total:
            rows.append((str(p.label), list(zip(p.cells, r.cells, strict=True)), p.total, r.total))
    return rows


def realised_plan(action: Action) -> RealisedPlan:
    """Plan and realised amounts of one action (four queries)."""
    years = list(action.roadmap.years)
    kinds = ActionExpense.Kind.choices
    funders = ActionFunding.Funder.choices

    def amounts(rows: object) -> dict[tuple[str, int], Decimal]:
        return {(k, y): a for k, y, a in rows}  # type: ignore[attr-defined]

    return RealisedPlan(
        years,
        Grid.build(years, kinds, amounts(action.expenses.values_list("kind", "year", "amount"))),
        Grid.build(years, kinds, amounts(action.realised_expenses.values_list("kind", "year", "amount"))),
        Grid.build(years, funders, amounts(action.fundings.values_list("funder", "year", "amount"))),
        Grid.build(years, funders, amounts(action.realised_fundings.values_list("funder", "year", "amount"))),
    )


__all__ = ["ZERO", "ActionProgress", "DefiProgress", "RealisedPlan", "realised_plan", "roadmap_progress"]
