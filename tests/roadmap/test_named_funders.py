"""Named funders (#12 point 11): each financing line has its category and, optionally, the funder's name; the
consolidated plan reads by category and by funder, with the same figures in the page, the PDF, the DOCX and the
workbook. And the workbook of a roadmap the élus have not adopted as it stands says « Version de travail »."""

from __future__ import annotations

import io
import re
import subprocess
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from fiches.budget import action_plan, roadmap_plan
from fiches.models import ActionFunding
from roadmap.models import Action
from tests.conftest import Tenant
from tests.roadmap.richdata import rich_roadmap
from tests.roadmap.test_adoption_truth import _adopt
from tests.roadmap.test_council_documents import _docx_texts
from tests.roadmap.test_exports import _download, _export, _pdf_text
from tests.roadmap.test_fiche import _budget_data

pytestmark = pytest.mark.django_db


def _flat(text: str) -> str:
    return " ".join(str(text).replace("\u202f", " ").replace("\u00a0", " ").split())


def _name_funders(client: Client, action: Action) -> Any:
    """Through the budget form: the State line named, two European funds (FEDER on the Europe row, FSE+ below)."""
    data = _budget_data(
        action,
        client,
        funding_etat_name="ANCT",
        funding_europe_name="FEDER",
        funding_europe_2026="6000",
        fundingx_0_funder="europe",
        fundingx_0_name="FSE+",
        fundingx_0_2026="4 000,50",
    )
    return client.post(reverse("fiches:fiche_budget", args=[action.pk]), data)


def test_a_financing_line_names_its_funder_and_two_funders_share_a_category(tenant_a: Tenant, client_a: Client) -> None:
    action = rich_roadmap(tenant_a.roadmap)
    assert _name_funders(client_a, action).status_code == 302
    lines = set(action.fundings.values_list("funder", "funder_name", "year", "amount"))
    assert ("etat", "ANCT", 2025, Decimal("24000.00")) in lines
    assert ("europe", "FEDER", 2026, Decimal("6000.00")) in lines
    assert ("europe", "FSE+", 2026, Decimal("4000.50")) in lines
    assert ("departement", "", 2026, Decimal("12000.00")) in lines  # unnamed lines stay as they were
    plan = action_plan(action)
    assert plan.fundings.row("europe").total == Decimal("10000.50")  # by category: the two funds
    by_funder = {row.label: row.total for row in plan.by_funder.rows}  # type: ignore[union-attr]
    assert by_funder["FEDER — Europe (fonds)"] == Decimal("6000.00")
    assert by_funder["FSE+ — Europe (fonds)"] == Decimal("4000.50")
    assert by_funder["Département"] == Decimal("12000.00")
    assert sum(by_funder.values()) == plan.financed == Decimal("58000.50")
    # The form shows the names back, FSE+ on an extra line, and what each category covers.
    page = client_a.get(reverse("fiches:fiche_budget", args=[action.pk])).content.decode()
    assert 'value="FEDER"' in page
    assert 'value="FSE+"' in page and "Fonds européens (FEDER, FSE+, LEADER…)" in page
    # Saving the same form again changes nothing.
    before = set(action.fundings.values_list("funder", "funder_name", "year", "amount"))
    client_a.post(reverse("fiches:fiche_budget", args=[action.pk]), _budget_data(action, client_a))
    assert set(action.fundings.values_list("funder", "funder_name", "year", "amount")) == before


@pytest.mark.parametrize(
    ("extra", "field", "message"),
    [
        ({"fundingx_0_funder": "prive", "fundingx_0_2026": "100"}, "fundingx_0_name", "Nommez ce financeur"),
        ({"fundingx_0_name": "Fondation X", "fundingx_0_2026": "100"}, "fundingx_0_funder", "Choisissez la catégorie"),
        (
            {"fundingx_0_funder": "europe", "fundingx_0_name": "FEDER", "fundingx_0_2027": "100"},
            "fundingx_0_name",
            "« FEDER » figure déjà dans cette catégorie",
        ),
    ],
)
def test_an_extra_funder_needs_a_category_and_a_name_of_its_own(
    tenant_a: Tenant, client_a: Client, extra: dict[str, str], field: str, message: str
) -> None:
    action = rich_roadmap(tenant_a.roadmap)
    before = set(action.fundings.values_list("funder", "funder_name", "year", "amount"))
    data = _budget_data(action, client_a, funding_europe_name="FEDER", funding_europe_2026="6000", **extra)
    response = client_a.post(reverse("fiches:fiche_budget", args=[action.pk]), data)
    assert response.status_code == 200
    assert message in response.content.decode().replace("&#x27;", "'").replace("&quot;", '"')
    assert set(action.fundings.values_list("funder", "funder_name", "year", "amount")) == before  # nothing saved


def test_the_consolidated_plan_by_funder_is_the_same_in_the_page_pdf_docx_and_workbook(
    tenant_a: Tenant, client_a: Client
) -> None:
    from openpyxl import load_workbook

    roadmap = tenant_a.roadmap
    action = rich_roadmap(roadmap)
    _name_funders(client_a, action)
    consolidated = roadmap_plan(roadmap).plan
    assert consolidated.has_named_funders
    expected = {
        "ANCT — État": "24 000 €",
        "FEDER — Europe (fonds)": "6 000 €",
        "FSE+ — Europe (fonds)": "4 000,50 €",
        "Collectivité": "12 000 €",
    }

    page = _flat(client_a.get(reverse("fiches:budget", args=[roadmap.pk])).content.decode())
    assert "Financement par financeur" in page
    by_funder_table = page.split("<caption>Financement par financeur</caption>")[1]
    for label, amount in expected.items():
        assert amount in by_funder_table.split(f"{label}</th>")[1].split("</tr>")[0], label
    # By category as well: Europe is the two funds.
    europe_row = page.split("Europe (fonds)</th>")[1].split("</tr>")[0]
    assert "10 000,50 €" in europe_row

    exports_url = reverse("documents:exports", args=[roadmap.pk])
    content = _download(client_a, _export(client_a, exports_url, "roadmap_pdf"))
    assert "Financement par financeur" in _pdf_text(content)
    # Row by row, as laid out on the page: the total of each funder's row, then its share of the cost.
    layout = subprocess.run(["pdftotext", "-layout", "-", "-"], input=content, capture_output=True, check=True)  # noqa: S607
    lines = layout.stdout.decode().split("Financement par financeur", 1)[1].splitlines()
    for label, amount in expected.items():
        row = _flat(next(line for line in lines if line.strip().startswith(label.split(" (")[0])))
        assert re.search(rf"{re.escape(amount)} [\d,]+ %$", row), (label, row)

    _document, paragraphs, tables = _docx_texts(_download(client_a, _export(client_a, exports_url, "roadmap_docx")))
    docx_rows = {row[0]: row for row in tables}
    for label, amount in expected.items():
        assert amount in docx_rows[label], (label, docx_rows.get(label))
    assert "Financement par financeur" in docx_rows

    content = _download(client_a, _export(client_a, exports_url, "budget_xlsx"))
    cached = load_workbook(io.BytesIO(content), data_only=True)
    sheet = cached["Par financeur"]
    rows = {sheet.cell(r, 1).value: r for r in range(1, sheet.max_row + 1)}
    total_col = 2 + 4
    figures = {label: Decimal(str(sheet.cell(rows[label], total_col).value)) for label in expected}
    assert figures == {
        "ANCT — État": Decimal("24000"),
        "FEDER — Europe (fonds)": Decimal("6000"),
        "FSE+ — Europe (fonds)": Decimal("4000.5"),
        "Collectivité": Decimal("12000"),
    }
    assert Decimal(str(sheet.cell(rows["Total financé"], total_col).value)) == consolidated.financed
    summary = cached["Synthèse"]
    summary_rows = {summary.cell(r, 1).value: r for r in range(1, summary.max_row + 1)}
    assert Decimal(str(summary.cell(summary_rows["Europe (fonds)"], total_col).value)) == Decimal("10000.5")
    assert Decimal(str(summary.cell(summary_rows["Total financé"], total_col).value)) == consolidated.financed
    # The detail sheet names the funder of each line.
    detail = [str(c.value) for row in cached["Financements"].iter_rows() for c in row if c.value]
    assert any(text.endswith("— FSE+") for text in detail)


def test_a_frozen_version_without_funders_names_still_renders(tenant_a: Tenant) -> None:
    from fiches.document import plan_data

    rich_roadmap(tenant_a.roadmap)
    data = plan_data(roadmap_plan(tenant_a.roadmap).plan)
    assert data["named_funders"] is False and data["by_funder"]["rows"]
    assert ActionFunding._meta.get_field("funder_name").help_text


def _workbook_marks(client: Client, roadmap: Any) -> tuple[str, str]:
    from openpyxl import load_workbook

    content = _download(client, _export(client, reverse("documents:exports", args=[roadmap.pk]), "budget_xlsx"))
    book = load_workbook(io.BytesIO(content))
    summary = book["Synthèse"]
    return _flat(summary["A2"].value), _flat(summary.oddHeader.center.text or "")


def test_the_workbook_of_a_roadmap_not_adopted_as_it_stands_says_version_de_travail(
    tenant_a: Tenant, client_a: Client
) -> None:
    roadmap = tenant_a.roadmap
    action = rich_roadmap(roadmap)
    note, header = _workbook_marks(client_a, roadmap)
    assert note.startswith("VERSION DE TRAVAIL — FEUILLE DE ROUTE NON ADOPTÉE")
    assert header == "Version de travail — feuille de route non adoptée"

    _adopt(client_a, roadmap)
    note, header = _workbook_marks(client_a, roadmap)
    assert note.startswith("Période 2025–2028") and header == ""  # the adopted budget, as voted

    action.title = "Un autre titre"
    action.save()
    note, header = _workbook_marks(client_a, roadmap)
    assert header == "Version de travail — modifiée depuis l'adoption du 1er mars 2026"
    assert note.startswith("VERSION DE TRAVAIL — MODIFIÉE DEPUIS L'ADOPTION")
