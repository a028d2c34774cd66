"""Budget (expenses TTC) and financing plans, of one fiche action or consolidated for a roadmap.

Every sum is done by PostgreSQL (`Sum` over DecimalFields) or with `Decimal` in Python: never a float, so that
totals are right to the cent. A plan whose financing does not match its cost shows the gap; nothing is adjusted.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Sum
from django.utils import numberformat
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from fiches.models import ActionExpense, ActionFunding
from roadmap.models import Action, Defi, Roadmap

ZERO = Decimal("0.00")
CENT = Decimal("0.01")


def percent(part: Decimal, whole: Decimal) -> Decimal | None:
    """`part` as a percentage of `whole`, to one decimal; None when there is no whole to divide."""
    if not whole:
        return None
    return (part * 100 / whole).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass
class GridRow:
    key: Any
    label: str | Promise
    cells: list[Decimal]
    total: Decimal
    share: Decimal | None = None  # percentage of the grid's reference total


@dataclass
class Grid:
    """Amounts by row (a kind of expense, a funder, a défi) and by year, with totals both ways."""

    years: list[int]
    rows: list[GridRow]
    year_totals: list[Decimal]
    total: Decimal

    @classmethod
    def build(
        cls,
        years: Sequence[int],
        row_labels: Iterable[tuple[Any, str | Promise]],
        amounts: dict[tuple[Any, int], Decimal],
        keep_empty_rows: bool = True,
    ) -> Grid:
        rows = []
        for key, label in row_labels:
            cells = [amounts.get((key, year), ZERO) for year in years]
            total = sum(cells, ZERO)
            if keep_empty_rows or total:
                rows.append(GridRow(key, label, cells, total))
        year_totals = [sum((row.cells[i] for row in rows), ZERO) for i in range(len(years))]
        grid = cls(list(years), rows, year_totals, sum(year_totals, ZERO))
        return grid

    def with_shares(self, reference: Decimal) -> Grid:
        for row in self.rows:
            row.share = percent(row.total, reference)
        return self

    def row(self, key: Any) -> GridRow:
        return next(r for r in self.rows if r.key == key)


@dataclass
class Plan:
    """An expense grid and a financing grid over the same years, and what separates them."""

    years: list[int]
    expenses: Grid
    fundings: Grid  # by category of funder (the guide's list)
    out_of_period: list[str] = field(default_factory=list)
    # By funder: a category's line without a name, and each named funder, apart. Sums to the same as `fundings`.
    by_funder: Grid | None = None

    @property
    def has_named_funders(self) -> bool:
        return self.by_funder is not None and any(row.key[1] for row in self.by_funder.rows)

    @property
    def cost(self) -> Decimal:
        return self.expenses.total

    @property
    def financed(self) -> Decimal:
        return self.fundings.total

    @property
    def gap(self) -> Decimal:
        """Cost not yet financed (positive) or financing beyond the cost (negative)."""
        return self.cost - self.financed

    @property
    def year_gaps(self) -> list[Decimal]:
        return [c - f for c, f in zip(self.expenses.year_totals, self.fundings.year_totals, strict=True)]

    @property
    def is_balanced(self) -> bool:
        """Balanced only when every year's financing covers exactly that year's cost (hence the whole too)."""
        return self.gap == 0 and not any(self.year_gaps)

    @property
    def is_balanced_overall(self) -> bool:
        """The totals match, whatever the years say (a shift between years)."""
        return self.gap == 0

    @property
    def year_gap_cells(self) -> list[dict[str, Any]]:
        """The Écart row: each year's gap (amount None for a year without cost nor financing, written « – »)."""
        return [
            {"amount": None if not c and not f else c - f, "nonzero": c != f}
            for c, f in zip(self.expenses.year_totals, self.fundings.year_totals, strict=True)
        ]

    def balance_statement(self) -> str:
        """One sentence, the same in the page and every document: balanced, or which years are short or over."""
        return balance_statement(self.years, self.year_gaps, self.gap, self.is_empty)

    @property
    def financed_share(self) -> Decimal | None:
        return percent(self.financed, self.cost)

    @property
    def is_empty(self) -> bool:
        return not self.cost and not self.financed


EXPENSE_ROWS = list(ActionExpense.Kind.choices)
FUNDER_ROWS = list(ActionFunding.Funder.choices)
FUNDER_LABELS = dict(ActionFunding.Funder.choices)

# A financing amount's key by funder: (category, name); the name is "" for a line that names nobody.
FunderKey = tuple[str, str]


def funder_label(key: FunderKey) -> str:
    """« FEDER — Europe (fonds) », or the category alone for a line without a name."""
    category = str(FUNDER_LABELS.get(key[0], key[0]))
    return f"{key[1]} — {category}" if key[1] else category


def _funder_order(key: FunderKey) -> tuple[int, str, str]:
    order = [k for k, _label in FUNDER_ROWS]
    return (order.index(key[0]) if key[0] in order else len(order), key[1].casefold(), key[1])


def _plan(
    years: list[int],
    expense_rows: Any,
    named_rows: dict[tuple[FunderKey, int], Decimal],
    out_of_period: list[str],
) -> Plan:
    """`named_rows`: financing by ((category, name), year); the category grid is its sum over the names."""
    funding_rows: dict[tuple[str, int], Decimal] = defaultdict(lambda: ZERO)
    for ((category, _name), year), amount in named_rows.items():
        funding_rows[(category, year)] += amount
    expenses = Grid.build(years, EXPENSE_ROWS, expense_rows)
    fundings = Grid.build(years, FUNDER_ROWS, dict(funding_rows))
    funder_keys = sorted({key for key, _year in named_rows}, key=_funder_order)
    by_funder = Grid.build(years, [(k, funder_label(k)) for k in funder_keys], named_rows, keep_empty_rows=False)
    expenses.with_shares(expenses.total)
    fundings.with_shares(expenses.total)
    by_funder.with_shares(expenses.total)
    return Plan(years, expenses, fundings, out_of_period, by_funder)


def _out_of_period(rows: Iterable[tuple[int, Decimal]], years: range) -> list[str]:
    return sorted({str(year) for year, amount in rows if year not in years and amount})


def action_plan(action: Action) -> Plan:
    """The plan of one fiche action (two queries)."""
    years = action.roadmap.years
    expenses = list(action.expenses.values_list("kind", "year", "amount"))
    fundings = list(action.fundings.values_list("funder", "funder_name", "year", "amount"))
    out = _out_of_period([(y, a) for _k, y, a in expenses] + [(y, a) for _k, _n, y, a in fundings], years)
    return _plan(
        list(years),
        {(k, y): a for k, y, a in expenses},
        {((k, n), y): a for k, n, y, a in fundings},
        out,
    )


def plans_by_action(roadmap: Roadmap) -> dict[int, Plan]:
    """The plan of every action of the roadmap that has an amount, from two queries."""
    years = roadmap.years
    expenses: dict[int, dict[tuple[str, int], Decimal]] = defaultdict(dict)
    fundings: dict[int, dict[tuple[FunderKey, int], Decimal]] = defaultdict(dict)
    all_rows: dict[int, list[tuple[int, Decimal]]] = defaultdict(list)
    for action_id, kind, year, amount in ActionExpense.objects.filter(action__roadmap=roadmap).values_list(
        "action_id", "kind", "year", "amount"
    ):
        expenses[action_id][(kind, year)] = amount
        all_rows[action_id].append((year, amount))
    for action_id, funder, name, year, amount in ActionFunding.objects.filter(action__roadmap=roadmap).values_list(
        "action_id", "funder", "funder_name", "year", "amount"
    ):
        fundings[action_id][((funder, name), year)] = amount
        all_rows[action_id].append((year, amount))
    return {
        i: _plan(list(years), expenses.get(i, {}), fundings.get(i, {}), _out_of_period(all_rows[i], years))
        for i in set(expenses) | set(fundings)
    }


def empty_plan(years: list[int]) -> Plan:
    """The plan of an action without any amount."""
    return _plan(years, {}, {}, [])


@dataclass
class Consolidated:
    """The whole roadmap's plan, plus cost and financing by défi."""

    plan: Plan
    by_defi: Grid  # expenses by défi and year
    funding_by_defi: dict[Any, Decimal]

    def defi_rows(self) -> list[tuple[GridRow, Decimal, Decimal]]:
        """Each défi's cost row with its financing and its gap."""
        rows = []
        for row in self.by_defi.rows:
            financed = self.funding_by_defi.get(row.key, ZERO)
            rows.append((row, financed, row.total - financed))
        return rows


NO_DEFI = 0


def roadmap_plan(roadmap: Roadmap) -> Consolidated:
    """The consolidated plan by year, by défi, by category of funder and by named funder, in five queries whatever
    the roadmap's size."""
    years = roadmap.years
    expenses = ActionExpense.objects.filter(action__roadmap=roadmap)
    fundings = ActionFunding.objects.filter(action__roadmap=roadmap)
    expense_sums = list(expenses.order_by().values_list("kind", "year").annotate(s=Sum("amount")))
    funding_sums = list(fundings.order_by().values_list("funder", "funder_name", "year").annotate(s=Sum("amount")))
    defi_sums = list(expenses.order_by().values_list("action__chantier__defi", "year").annotate(s=Sum("amount")))
    defi_funding = list(fundings.order_by().values_list("action__chantier__defi").annotate(s=Sum("amount")))
    defis = list(Defi.objects.filter(roadmap=roadmap).order_by("order", "pk").values_list("pk", "order", "title"))

    out = _out_of_period([(y, a) for _k, y, a in expense_sums] + [(y, a) for _k, _n, y, a in funding_sums], years)
    plan = _plan(
        list(years),
        {(k, y): a for k, y, a in expense_sums},
        {((k, n), y): a for k, n, y, a in funding_sums},
        out,
    )
    defi_labels: list[tuple[Any, str | Promise]] = [(pk, f"D{order} · {title}") for pk, order, title in defis]
    defi_labels.append((NO_DEFI, _("Chantiers hors défi")))
    by_defi = Grid.build(
        list(years), defi_labels, {(d or NO_DEFI, y): a for d, y, a in defi_sums}, keep_empty_rows=False
    )
    by_defi.with_shares(plan.cost)
    return Consolidated(plan, by_defi, {d or NO_DEFI: a for d, a in defi_funding})


def _and_list(parts: list[str]) -> str:
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + str(_(" et ")) + parts[-1]


def balance_statement(years: Sequence[int], year_gaps: Sequence[Decimal], gap: Decimal, empty: bool = False) -> str:
    """« Plan équilibré… », or the overall gap and, year by year, where financing is short or beyond the cost.

    A plan balances only when every year does: an overall match that hides a year without money is said as such.
    """
    if empty:
        return str(_("Budget non renseigné."))
    short = [(y, g) for y, g in zip(years, year_gaps, strict=True) if g > 0]
    over = [(y, -g) for y, g in zip(years, year_gaps, strict=True) if g < 0]
    if not short and not over and gap == 0:
        return str(_("Plan équilibré : chaque année, les financements couvrent exactement le coût."))
    details = []
    if short:
        details.append(
            str(_("il manque %(amounts)s"))
            % {"amounts": _and_list([str(_("%(a)s en %(y)s")) % {"a": euros(g), "y": y} for y, g in short])}
        )
    if over:
        details.append(
            str(_("les financements dépassent le coût de %(amounts)s"))
            % {"amounts": _and_list([str(_("%(a)s en %(y)s")) % {"a": euros(g), "y": y} for y, g in over])}
        )
    by_year = " ; ".join(details)
    if gap == 0:
        return str(
            _(
                "Plan équilibré sur la période mais pas chaque année : %(by_year)s. Un financement devra être "
                "avancé ou reporté d'une année sur l'autre."
            )
        ) % {"by_year": by_year}
    if gap > 0:
        overall = str(_("Plan déséquilibré : il manque %(amount)s de financement pour couvrir le coût.")) % {
            "amount": euros(gap)
        }
    else:
        overall = str(_("Plan déséquilibré : les financements dépassent le coût de %(amount)s.")) % {
            "amount": euros(-gap)
        }
    return overall + " " + str(_("Par année : %(by_year)s.")) % {"by_year": by_year}


def euros(value: Decimal | str | int | None, cents: bool = False) -> str:
    """French money format: « 12 345 € » or « 12 345,67 € » (no-break spaces)."""
    if value is None or value == "":
        return "—"
    value = Decimal(value)
    quantum = CENT if cents or value != value.to_integral_value() else Decimal("1")
    rounded = value.quantize(quantum, rounding=ROUND_HALF_UP)
    if rounded == 0:
        rounded = abs(rounded)  # never « -0,00 € »
    # Explicit separators rather than the active locale: documents are also built in Celery workers.
    text = numberformat.format(rounded, ",", grouping=3, thousand_sep="\u202f", force_grouping=True)
    return f"{text} €"


def percent_text(value: Decimal | str | None) -> str:
    if value is None or value == "":
        return "—"
    return f"{Decimal(value):f}".replace(".", ",") + " %"
