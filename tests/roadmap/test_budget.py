"""Budget TTC and financing plans: exact to the cent, gaps shown, consolidated in a fixed number of queries."""

from __future__ import annotations

from decimal import Decimal

import pytest

from fiches.budget import action_plan, euros, percent, roadmap_plan
from fiches.models import ActionExpense, ActionFunding
from roadmap.models import Action
from tests.conftest import Tenant
from tests.factories import ActionFactory, ChantierFactory, DefiFactory
from tests.roadmap.factories import ActionExpenseFactory, ActionFundingFactory

pytestmark = pytest.mark.django_db

OP, INV = ActionExpense.Kind.FONCTIONNEMENT, ActionExpense.Kind.INVESTISSEMENT
F = ActionFunding.Funder


def test_euros_are_written_the_french_way() -> None:
    assert euros(Decimal("1234567.5")) == "1\u202f234\u202f567,50\u00a0€"
    assert euros(Decimal("12000.00")) == "12\u202f000\u00a0€"
    assert euros(Decimal("0.1") + Decimal("0.2")) == "0,30\u00a0€"
    assert euros(Decimal("-250")) == "-250\u00a0€"
    assert percent(Decimal("1"), Decimal("3")) == Decimal("33.3")
    assert percent(Decimal("1"), Decimal("0")) is None


def test_an_action_plan_adds_up_to_the_cent_and_shows_its_gap(tenant_a: Tenant) -> None:
    action: Action = ActionFactory(roadmap=tenant_a.roadmap)  # 2025–2028
    for year, amount in ((2025, "10000.10"), (2026, "0.10"), (2027, "0.10")):
        ActionExpenseFactory(action=action, year=year, kind=OP, amount=Decimal(amount))
    ActionExpenseFactory(action=action, year=2026, kind=INV, amount=Decimal("4999.70"))
    ActionFundingFactory(action=action, year=2025, funder=F.ETAT, amount=Decimal("7500.00"))
    ActionFundingFactory(action=action, year=2026, funder=F.REGION, amount=Decimal("2500.00"))

    plan = action_plan(action)

    assert plan.years == [2025, 2026, 2027, 2028]
    assert plan.cost == Decimal("15000.00")
    assert plan.expenses.row(OP).total == Decimal("10000.30")
    assert plan.expenses.year_totals == [Decimal("10000.10"), Decimal("4999.80"), Decimal("0.10"), Decimal("0")]
    assert plan.expenses.row(INV).share == Decimal("33.3")
    assert plan.fundings.row(F.ETAT).share == Decimal("50.0")
    assert plan.financed == Decimal("10000.00")
    assert plan.gap == Decimal("5000.00")
    assert not plan.is_balanced
    assert plan.year_gaps == [Decimal("2500.10"), Decimal("2499.80"), Decimal("0.10"), Decimal("0")]
    # The gap is shown, never filled in: nothing was added to balance the plan.
    assert ActionFunding.objects.filter(action=action).count() == 2


def test_amounts_outside_the_period_are_flagged_not_counted(tenant_a: Tenant) -> None:
    action: Action = ActionFactory(roadmap=tenant_a.roadmap)
    ActionExpenseFactory(action=action, year=2025, amount=Decimal("100"))
    ActionExpenseFactory(action=action, year=2031, amount=Decimal("900"))
    plan = action_plan(action)
    assert plan.cost == Decimal("100")
    assert plan.out_of_period == ["2031"]


def _fill(roadmap: object, n_actions: int) -> None:
    defis = [DefiFactory(roadmap=roadmap) for _ in range(2)]
    for i in range(n_actions):
        chantier = ChantierFactory(roadmap=roadmap, defi=defis[i % 2])
        action: Action = ActionFactory(roadmap=roadmap, chantier=chantier)
        ActionExpenseFactory(action=action, year=2025, kind=OP, amount=Decimal("1000.01"))
        ActionExpenseFactory(action=action, year=2027, kind=INV, amount=Decimal("500"))
        ActionFundingFactory(action=action, year=2025, funder=F.DEPARTEMENT, amount=Decimal("750.50"))


@pytest.mark.parametrize("n_actions", [2, 12])
def test_the_consolidated_plan_takes_five_queries_at_any_size(
    tenant_a: Tenant, tenant_b: Tenant, n_actions: int, django_assert_num_queries: object
) -> None:
    _fill(tenant_a.roadmap, n_actions)
    _fill(tenant_b.roadmap, 3)  # another tenant's money never counts
    with django_assert_num_queries(5):  # type: ignore[operator]
        consolidated = roadmap_plan(tenant_a.roadmap)
    plan = consolidated.plan
    assert plan.cost == Decimal("1500.01") * n_actions
    assert plan.expenses.year_totals[0] == Decimal("1000.01") * n_actions
    assert plan.fundings.row(F.DEPARTEMENT).total == Decimal("750.50") * n_actions
    assert plan.gap == (Decimal("1500.01") - Decimal("750.50")) * n_actions
    rows = consolidated.defi_rows()
    assert len(rows) == 2
    assert sum(row.total for row, _financed, _gap in rows) == plan.cost
    assert sum(financed for _row, financed, _gap in rows) == plan.financed


def test_the_consolidated_page_writes_an_empty_year_as_a_dash_in_every_table(tenant_a: Tenant) -> None:
    from django.urls import reverse

    defi = DefiFactory(roadmap=tenant_a.roadmap, title="Former les aidants")
    action = ActionFactory(roadmap=tenant_a.roadmap, chantier=ChantierFactory(roadmap=tenant_a.roadmap, defi=defi))
    ActionExpenseFactory(action=action, year=tenant_a.roadmap.period_start + 1, kind=OP, amount=Decimal("5000"))
    page = tenant_a.client_for(tenant_a.lecteur).get(reverse("fiches:budget", args=[tenant_a.roadmap.pk]))
    by_defi = page.content.decode().split("Former les aidants</th>", 1)[1].split("</tr>")[0]
    years = len(tenant_a.roadmap.years)
    cells = [
        cell.split(">", 1)[1].replace("\u202f", " ").replace("\u00a0", " ") for cell in by_defi.split("</td>")[:-1]
    ]
    # Years without expense read « – », as in the plans' tables (they read « 0 € » before).
    assert cells[:years] == ["–", "5 000 €", *["–"] * (years - 2)]
