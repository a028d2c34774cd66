"""A plan is « équilibré » only when every year balances; otherwise each view and document names the years."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from fiches.budget import action_plan, roadmap_plan
from fiches.models import ActionExpense, ActionFunding
from roadmap.models import Action
from tests.conftest import Tenant
from tests.factories import ActionFactory, ChantierFactory
from tests.roadmap.factories import ActionExpenseFactory, ActionFundingFactory
from tests.roadmap.test_exports import _download, _export, _pdf_text

pytestmark = pytest.mark.django_db

OP = ActionExpense.Kind.FONCTIONNEMENT
F = ActionFunding.Funder


def _flat(text: str) -> str:
    return " ".join(text.replace("\u202f", " ").replace("\u00a0", " ").split())


def shifted_action(tenant: Tenant) -> Action:
    """Yearly gaps −10 499,50 / +2 499,50 / 0 / +8 000 € (2025–2028): the totals match, the years do not."""
    action: Action = ActionFactory(
        roadmap=tenant.roadmap, chantier=ChantierFactory(roadmap=tenant.roadmap), title="Bus numérique"
    )
    for year, cost, financed in ((2025, "1000", "11499.50"), (2026, "5000", "2500.50"), (2027, "3000", "3000")):
        ActionExpenseFactory(action=action, year=year, kind=OP, amount=Decimal(cost))
        ActionFundingFactory(action=action, year=year, funder=F.ETAT, amount=Decimal(financed))
    ActionExpenseFactory(action=action, year=2028, kind=OP, amount=Decimal("8000"))
    return action


SHIFTED = (
    "Plan équilibré sur la période mais pas chaque année : il manque 2 499,50 € en 2026 et 8 000 € en 2028 ; "
    "les financements dépassent le coût de 10 499,50 € en 2025."
)


def test_overall_balance_with_yearly_gaps_is_not_balanced(tenant_a: Tenant) -> None:
    plan = action_plan(shifted_action(tenant_a))
    assert plan.gap == 0
    assert plan.year_gaps == [Decimal("-10499.50"), Decimal("2499.50"), Decimal("0"), Decimal("8000")]
    assert not plan.is_balanced and plan.is_balanced_overall
    assert _flat(plan.balance_statement()).startswith(SHIFTED)


def test_a_small_overall_gap_still_names_the_years_that_are_short(tenant_a: Tenant) -> None:
    action = shifted_action(tenant_a)
    ActionExpenseFactory(action=action, year=2025, kind=ActionExpense.Kind.INVESTISSEMENT, amount=Decimal("10000"))
    statement = _flat(action_plan(action).balance_statement())
    assert statement == (
        "Plan déséquilibré : il manque 10 000 € de financement pour couvrir le coût. Par année : il manque "
        "2 499,50 € en 2026 et 8 000 € en 2028 ; les financements dépassent le coût de 499,50 € en 2025."
    )


def test_a_plan_balanced_every_year_says_so(tenant_a: Tenant) -> None:
    action: Action = ActionFactory(roadmap=tenant_a.roadmap)
    ActionExpenseFactory(action=action, year=2026, kind=OP, amount=Decimal("900.10"))
    ActionFundingFactory(action=action, year=2026, funder=F.ETAT, amount=Decimal("900.10"))
    plan = action_plan(action)
    assert plan.is_balanced
    assert (
        _flat(plan.balance_statement())
        == "Plan équilibré : chaque année, les financements couvrent exactement le coût."
    )


def test_the_fiche_page_and_the_consolidated_budget_show_the_yearly_gaps(tenant_a: Tenant) -> None:
    action = shifted_action(tenant_a)
    client = tenant_a.client_for(tenant_a.lecteur)
    for url in (reverse("fiches:fiche", args=[action.pk]), reverse("fiches:budget", args=[tenant_a.roadmap.pk])):
        page = _flat(client.get(url).content.decode())
        assert "Plan équilibré :" not in page, url
        assert SHIFTED in page, url
        row = page.split("Écart (coût − financement)</th>", 1)[1].split("</tr>", 1)[0]
        # Red only where non-zero: 2027 balances, so its cell is not marked.
        assert row.startswith(
            '<td class="gap-cell">-10 499,50 €</td><td class="gap-cell">2 499,50 €</td><td>0 €</td>'
            '<td class="gap-cell">8 000 €</td>'
        ), url
    assert not roadmap_plan(tenant_a.roadmap).plan.is_balanced


def test_an_empty_year_reads_a_dash_in_the_gap_row(tenant_a: Tenant) -> None:
    action: Action = ActionFactory(roadmap=tenant_a.roadmap)
    ActionExpenseFactory(action=action, year=2025, kind=OP, amount=Decimal("100"))
    ActionFundingFactory(action=action, year=2026, funder=F.ETAT, amount=Decimal("100"))
    page = _flat(tenant_a.client_for(tenant_a.lecteur).get(reverse("fiches:fiche", args=[action.pk])).content.decode())
    row = page.split("Écart (coût − financement)</th>", 1)[1].split("</tr>", 1)[0]
    assert row.startswith('<td class="gap-cell">100 €</td><td class="gap-cell">-100 €</td><td>–</td><td>–</td>')


def test_the_fiche_pdf_docx_and_the_workbook_carry_the_same_statement(tenant_a: Tenant, client_a: Client) -> None:
    from docx import Document
    from openpyxl import load_workbook

    action = shifted_action(tenant_a)
    url = reverse("fiches:fiche_export", args=[action.pk])
    pdf = _flat(_pdf_text(_download(client_a, _export(client_a, url, "fiche_pdf"))))
    assert SHIFTED in pdf and "Plan équilibré :" not in pdf
    # Column widths may glue a short amount to its sign in the extracted text (« 0€ »).
    assert "Écart (coût − financement) -10 499,50€ 2 499,50€ 0€ 8 000€ 0€" in pdf.replace(" €", "€")

    document = Document(io.BytesIO(_download(client_a, _export(client_a, url, "fiche_docx"))))
    texts = [p.text for p in document.paragraphs]
    cells = [[c.text for c in row.cells] for t in document.tables for row in t.rows]
    assert any(SHIFTED in _flat(t) for t in texts)
    gap_row = next(row for row in cells if row[0] == "Écart (coût − financement)")
    assert [_flat(c) for c in gap_row[1:6]] == ["-10 499,50 €", "2 499,50 €", "0 €", "8 000 €", "0 €"]

    exports_url = reverse("documents:exports", args=[tenant_a.roadmap.pk])
    workbook = load_workbook(io.BytesIO(_download(client_a, _export(client_a, exports_url, "budget_xlsx"))))
    texts = [_flat(str(c.value)) for row in workbook.worksheets[0].iter_rows() for c in row if c.value]
    assert any(t.startswith(SHIFTED) for t in texts)


def test_the_roadmap_pdf_names_the_short_years(tenant_a: Tenant, client_a: Client) -> None:
    shifted_action(tenant_a)
    job = _export(client_a, reverse("documents:exports", args=[tenant_a.roadmap.pk]), "roadmap_pdf")
    text = _flat(_pdf_text(_download(client_a, job)))
    assert "Plan équilibré :" not in text
    assert SHIFTED in text
