"""Documents ready for a council: the workbook (headers, a sheet per défi, landscape one page wide, formulas with
their values) and the Word documents (A4, fixed columns, the Écart row and the balance statement, the whole roadmap)."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import Tenant
from tests.roadmap.richdata import rich_roadmap
from tests.roadmap.test_exports import _download, _export

pytestmark = pytest.mark.django_db


def _flat(text: str) -> str:
    return " ".join(str(text).replace("\u202f", " ").replace("\u00a0", " ").split())


def test_the_workbook_is_ready_to_print_and_shows_its_totals_without_recalculating(
    tenant_a: Tenant, client_a: Client
) -> None:
    from openpyxl import load_workbook

    rich_roadmap(tenant_a.roadmap)
    job = _export(client_a, reverse("documents:exports", args=[tenant_a.roadmap.pk]), "budget_xlsx")
    content = _download(client_a, job)
    cached = load_workbook(io.BytesIO(content), data_only=True)  # what a preview shows: the stored values
    assert cached.sheetnames[:2] == ["Synthèse", "Par défi"]
    summary = cached["Synthèse"]
    rows = {summary.cell(r, 1).value: r for r in range(1, summary.max_row + 1)}
    assert [summary.cell(rows["Coût total TTC"], c).value for c in range(2, 7)] == [
        30000.5,
        10000,
        10000,
        10000,
        60000.5,
    ]
    assert summary.cell(rows["Total financé"], 6).value == 48000
    assert summary.cell(rows["Écart (coût − financement)"], 6).value == 12000.5
    # Year headers are years, not money.
    header = 3
    assert [summary.cell(header, c).value for c in range(2, 6)] == [2025, 2026, 2027, 2028]
    assert all(summary.cell(header, c).number_format == "0" for c in range(2, 6))
    assert any(
        "il manque 12 000,50 € de financement" in _flat(c.value) for row in summary.iter_rows() for c in row if c.value
    )

    per_defi = cached["Par défi"]
    defi_row = next(r for r in per_defi.iter_rows(min_row=2) if "Développer des services" in str(r[0].value))
    assert [c.value for c in defi_row[1:6]] == [30000.5, 10000, 10000, 10000, 60000.5]
    assert defi_row[7].value == 48000 and defi_row[8].value == 12000.5  # financed, gap

    for sheet in cached.worksheets:
        setup = sheet.page_setup
        assert setup.orientation == "landscape" and str(setup.paperSize) == "9", sheet.title
        assert sheet.sheet_properties.pageSetUpPr.fitToPage and setup.fitToWidth in (1, "1", None)
        assert str(setup.fitToHeight) == "0", sheet.title
        assert sheet.print_title_rows, sheet.title

    formulas = load_workbook(io.BytesIO(content))
    assert str(formulas["Par défi"][f"B{defi_row[0].row}"].value).startswith("=SUMIF(")


def _docx_texts(content: bytes) -> tuple[Any, list[str], list[list[str]]]:
    from docx import Document

    document = Document(io.BytesIO(content))
    paragraphs = [_flat(p.text) for p in document.paragraphs]
    tables = [[_flat(c.text) for c in row.cells] for t in document.tables for row in t.rows]
    return document, paragraphs, tables


def test_the_fiche_docx_is_a4_with_fixed_columns_and_the_balance(tenant_a: Tenant, client_a: Client) -> None:
    from docx.shared import Mm

    action = rich_roadmap(tenant_a.roadmap)
    job = _export(client_a, reverse("fiches:fiche_export", args=[action.pk]), "fiche_docx")
    document, paragraphs, tables = _docx_texts(_download(client_a, job))
    section = document.sections[0]
    assert abs(section.page_width - Mm(210)) < Mm(1) and abs(section.page_height - Mm(297)) < Mm(1)
    budget = next(t for t in document.tables if t.rows[0].cells[0].text == "Dépenses (TTC)")
    assert 'w:type="fixed"' in budget._tbl.xml
    assert budget.columns[0].width >= Mm(35)  # « Fonctionnement » fits on one line
    gap = next(row for row in tables if row[0] == "Écart (coût − financement)")
    assert gap[1:6] == ["6 000,50 €", "-2 000 €", "-2 000 €", "10 000 €", "12 000,50 €"]
    assert any(p.startswith("Plan déséquilibré : il manque 12 000,50 € de financement") for p in paragraphs)


def test_the_whole_roadmap_as_one_docx(tenant_a: Tenant, client_a: Client) -> None:
    rich_roadmap(tenant_a.roadmap)
    job = _export(client_a, reverse("documents:exports", args=[tenant_a.roadmap.pk]), "roadmap_docx")
    assert job.download_name.endswith(".docx")
    _document, paragraphs, tables = _docx_texts(_download(client_a, job))
    text = "\n".join(paragraphs + [" | ".join(row) for row in tables])
    for expected in (
        "Les enjeux",
        "Comment rapprocher la médiation numérique des habitants isolés ?",
        "Développer des services numériques itinérants",
        "La gouvernance",
        "Comité de pilotage de la feuille de route",
        "Budget et plan de financement",
        "Des ateliers ludiques dans un bus numérique",
        "Un guide des lieux de médiation",
    ):
        assert expected in text, expected
    assert "Coût total | 30 000,50 € | 10 000 € | 10 000 € | 10 000 € | 60 000,50 €" in text
    assert Decimal("60000.50")  # the same total as the page, the PDF and the workbook
