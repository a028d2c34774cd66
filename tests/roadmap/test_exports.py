"""Exports: the roadmap PDF for élus, fiches as PDF/DOCX, the budget as XLSX; jobs, files and who may read them."""

from __future__ import annotations

import io
import re
import subprocess
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.test import Client, TestCase
from django.urls import reverse
from django.utils import timezone

from documents.models import ExportJob
from roadmap.models import Action
from tests.conftest import Tenant
from tests.roadmap.factories import ExportJobFactory
from tests.roadmap.richdata import rich_roadmap

pytestmark = pytest.mark.django_db


def _pages_text(content: bytes) -> list[str]:
    """Each page's text, one space between words: table cells wrap lines, French numbers use no-break spaces."""
    result = subprocess.run(["pdftotext", "-", "-"], input=content, capture_output=True, check=True)  # noqa: S607
    pages = result.stdout.decode().replace("\u202f", " ").replace("\u00a0", " ").split("\f")
    return [" ".join(page.split()) for page in pages[:-1]]  # the text ends with a form feed


def _pdf_text(content: bytes) -> str:
    return " ".join(_pages_text(content))


def _export(client: Client, url: str, kind: str) -> ExportJob:
    with TestCase.captureOnCommitCallbacks(execute=True):  # the task is sent once the job row is committed
        response = client.post(url, {"kind": kind})
    assert response.status_code == 302
    return ExportJob.objects.latest("pk")


def _download(client: Client, job: ExportJob) -> bytes:
    response = client.get(reverse("documents:export_download", args=[job.pk]))
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def test_the_roadmap_pdf_has_what_elus_read(tenant_a: Tenant, client_a: Client, media_root: Path) -> None:
    rich_roadmap(tenant_a.roadmap)
    job = _export(client_a, reverse("documents:exports", args=[tenant_a.roadmap.pk]), "roadmap_pdf")
    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE and job.progress == 100
    assert Path(job.file.path).is_relative_to(media_root / "tenants" / str(tenant_a.organization.pk))
    text = _pdf_text(_download(client_a, job))
    for title in (
        "Sommaire",
        "Le territoire et son diagnostic",
        "Pas encore de diagnostic",
        "Les enjeux",
        "Comment rapprocher la médiation numérique des habitants isolés ?",
        "Développer des services numériques itinérants",
        "Impulser des projets itinérants et ludiques",
        "La gouvernance",
        "Comité de pilotage de la feuille de route",
        "Les engagements des acteurs",
        "Médiathèque intercommunale",
        "Budget et plan de financement",
        "Calendrier",
        "Modalités d'évaluation",
        "Annexe : les fiches actions",
        "Des ateliers ludiques dans un bus numérique",
    ):
        assert title in text, title
    assert "2025 – 2028" in text
    assert "60 000,50 €" in text  # total cost, to the cent
    assert "48 000 €" in text  # financed
    assert "il manque 12 000,50 € de financement" in text
    assert re.search(r"Budget et plan de financement\s*\.{3,}\s*\d+", text)  # table of contents with page numbers
    assert job.pages and job.pages >= 8


def test_one_fiche_as_pdf_and_docx(tenant_a: Tenant, client_a: Client) -> None:
    action = rich_roadmap(tenant_a.roadmap)
    url = reverse("fiches:fiche_export", args=[action.pk])
    pdf_job = _export(client_a, url, "fiche_pdf")
    text = _pdf_text(_download(client_a, pdf_job))
    assert "Des ateliers ludiques dans un bus numérique" in text
    assert "Un guide des lieux de médiation" not in text  # only this fiche
    assert "Service numérique de la communauté de communes" in text and "1,5 ETP" in text
    assert "60 000,50 €" in text and "2026" in text

    from docx import Document

    docx_job = _export(client_a, url, "fiche_docx")
    document = Document(io.BytesIO(_download(client_a, docx_job)))
    texts = [p.text for p in document.paragraphs] + [
        cell.text for table in document.tables for row in table.rows for cell in row.cells
    ]
    joined = "\n".join(texts).replace("\u202f", " ").replace("\u00a0", " ")
    assert "Des ateliers ludiques dans un bus numérique" in joined
    assert "Camille Martin, cheffe de projet" in joined
    assert "Conseillers numériques" in joined and "Médiathèque intercommunale" in joined
    assert "60 000,50 €" in joined
    # Dates as in the web page and the PDF; the file says who made it, when, and that it is French (for Word's
    # spelling), not python-docx's template defaults.
    assert re.search(r"Créée le \d{1,2} [a-zéû]+ 20\d\d", joined)
    properties = document.core_properties
    assert properties.author == tenant_a.organization.name and "python-docx" not in (properties.comments or "")
    assert properties.language == "fr-FR" and properties.title.endswith("Des ateliers ludiques dans un bus numérique")
    assert properties.created is not None and properties.created.year >= 2026
    assert 'w:val="fr-FR"' in document.styles.element.xml


def test_the_fiche_pdf_keeps_every_part_of_the_fiche(tenant_a: Tenant, client_a: Client) -> None:
    """The print markup of the fiche is its own (lean, for speed): it must still carry what the web fiche shows."""
    action = rich_roadmap(tenant_a.roadmap)
    text = _pdf_text(
        _download(client_a, _export(client_a, reverse("fiches:fiche_export", args=[action.pk]), "fiche_pdf"))
    )
    for part in (
        "Partenaires",
        "Conseillers numériques",
        "Description du projet",
        "Nombre d'ateliers par an",
        "Engagement des acteurs",
        "Médiathèque intercommunale",
        "Calendrier de mise en œuvre",
        "Achat et aménagement du bus",
        "T2 2025",
        "Dépenses (TTC)",
        "Plan de financement",
        "Coût total",
        "Total financé",
    ):
        assert part.casefold() in text.casefold(), part  # headings are printed in capitals


def test_a_render_leaves_the_garbage_collector_as_it_was() -> None:
    """The collector is paused during a render (it costs a fifth of a big one), never left off in the worker."""
    import gc

    from fiches import exports

    assert gc.isenabled()
    rendered = exports.html_to_pdf("<p>Bonjour</p>")
    assert rendered.content.startswith(b"%PDF") and rendered.pages == 1
    assert gc.isenabled()


def test_all_fiches_as_one_pdf(tenant_a: Tenant, client_a: Client) -> None:
    rich_roadmap(tenant_a.roadmap)
    job = _export(client_a, reverse("documents:exports", args=[tenant_a.roadmap.pk]), "fiches_pdf")
    text = _pdf_text(_download(client_a, job))
    assert "Des ateliers ludiques dans un bus numérique" in text and "Un guide des lieux de médiation" in text
    assert "Sommaire" not in text


# A tiny evaluator for the formulas the workbook uses (SUM, SUMIF, IF, + - * /), so the test checks that what
# Excel will compute adds up, without a spreadsheet program.
def _evaluate(workbook: Any, sheet: Any, value: Any) -> Decimal:
    if not isinstance(value, str) or not value.startswith("="):
        return Decimal(str(value or 0))
    expression = value[1:]

    def rng(ref: str) -> list[Any]:
        target = sheet
        if "!" in ref:
            name, ref = ref.split("!")
            target = workbook[name.strip("'")]
        cells = target[ref.replace("$", "")]
        flat = [c for row in cells for c in row] if isinstance(cells, tuple) else [cells]
        return [(target, c) for c in flat]

    def sumif(match: re.Match[str]) -> str:
        keys, criterion, values = rng(match[1]), match[2], rng(match[3])
        total = sum(
            (
                _evaluate(workbook, s, c.value)
                for (_k, k), (s, c) in zip(keys, values, strict=True)
                if k.value == criterion
            ),
            Decimal(0),
        )
        return str(total)

    expression = re.sub(r'SUMIF\(([^,]+),"([^"]*)",([^)]+)\)', sumif, expression)
    expression = re.sub(
        r"SUM\(([^)]+)\)",
        lambda m: str(sum((_evaluate(workbook, s, c.value) for s, c in rng(m[1])), Decimal(0))),
        expression,
    )
    if_match = re.fullmatch(r"IF\(([^=]+)=0,0,([^/]+)/([^)]+)\)", expression)
    if if_match:
        whole = _evaluate(workbook, sheet, "=" + if_match[1])
        return Decimal(0) if not whole else _evaluate(workbook, sheet, "=" + if_match[2]) / whole
    expression = re.sub(
        r"\$?([A-Z]+)\$?(\d+)", lambda m: str(_evaluate(workbook, sheet, sheet[f"{m[1]}{m[2]}"].value)), expression
    )
    assert re.fullmatch(r"[-+*/. \d()]+", expression), expression
    return Decimal(eval(expression))  # noqa: S307 - digits and operators only, checked above


def test_the_budget_workbook_adds_up_with_real_formulas(tenant_a: Tenant, client_a: Client) -> None:
    from openpyxl import load_workbook

    rich_roadmap(tenant_a.roadmap)
    job = _export(client_a, reverse("documents:exports", args=[tenant_a.roadmap.pk]), "budget_xlsx")
    workbook = load_workbook(io.BytesIO(_download(client_a, job)))
    summary = workbook["Synthèse"]
    rows = {summary.cell(r, 1).value: r for r in range(1, summary.max_row + 1)}
    total_col = 2 + 4  # B..E are 2025..2028, F the total

    def value(label: str, column: int) -> Decimal:
        cell = summary.cell(rows[label], column)
        assert str(cell.value).startswith("="), (label, cell.value)  # a formula, not a pasted number
        return _evaluate(workbook, summary, cell.value)

    assert value("Coût total TTC", total_col) == Decimal("60000.50")
    assert value("Coût total TTC", 2) == Decimal("30000.50")  # 2025
    assert value("Investissement", total_col) == Decimal("30000.50")
    assert value("État", total_col) == Decimal("24000")
    assert value("Total financé", total_col) == Decimal("48000")
    assert value("Écart (coût − financement)", total_col) == Decimal("12000.50")
    assert value("Département", total_col + 1) == Decimal("12000") / Decimal("60000.50")  # share of the cost
    # The financing block has its own header, and the spreadsheet recomputes every formula when opened.
    assert [c.value for c in summary[rows["Financeur"]]][:3] == ["Financeur", 2025, 2026]
    assert workbook.calculation.fullCalcOnLoad


def test_a_failed_export_is_shown_with_a_retry(
    tenant_a: Tenant, client_a: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    from fiches import exports

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("panne")

    monkeypatch.setattr(exports, "budget_xlsx", broken)
    job = _export(client_a, reverse("documents:exports", args=[tenant_a.roadmap.pk]), "budget_xlsx")
    job.refresh_from_db()
    assert job.status == ExportJob.Status.FAILED
    row = client_a.get(reverse("documents:export_status", args=[job.pk]), headers={"HX-Request": "true"})
    assert "Réessayer" in row.content.decode() and "a échoué" in row.content.decode()
    assert client_a.get(reverse("documents:export_download", args=[job.pk])).status_code == 404

    monkeypatch.undo()
    with TestCase.captureOnCommitCallbacks(execute=True):
        client_a.post(reverse("documents:export_retry", args=[job.pk]), headers={"HX-Request": "true"})
    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE
    assert _download(client_a, job)[:2] == b"PK"


def test_a_running_job_is_polled_and_a_finished_one_is_not(tenant_a: Tenant, client_a: Client) -> None:
    job = ExportJobFactory(roadmap=tenant_a.roadmap, status=ExportJob.Status.RUNNING, progress=40, file=None)
    row = client_a.get(reverse("documents:export_status", args=[job.pk]), headers={"HX-Request": "true"})
    assert 'hx-trigger="every 1s"' in row.content.decode() and "40 %" in row.content.decode()
    job.status = ExportJob.Status.DONE
    job.save()
    row = client_a.get(reverse("documents:export_status", args=[job.pk]), headers={"HX-Request": "true"})
    assert "hx-trigger" not in row.content.decode() and "Télécharger" in row.content.decode()


def test_the_task_is_idempotent(tenant_a: Tenant) -> None:
    from documents.tasks import run_export

    job = ExportJobFactory(roadmap=tenant_a.roadmap, status=ExportJob.Status.PENDING, kind="budget_xlsx", file=None)
    run_export(job.pk)
    job.refresh_from_db()
    first_name, finished = job.file.name, job.finished_at
    run_export(job.pk)  # delivered twice (worker restart with acks_late): nothing is redone
    job.refresh_from_db()
    assert job.file.name == first_name and job.finished_at == finished
    run_export(10**9)  # a job that does not exist (deleted): no error


def test_files_are_for_members_only(
    tenant_a: Tenant, client_b: Client, outsider_client: Client, client_a: Client
) -> None:
    job = ExportJobFactory(roadmap=tenant_a.roadmap)
    url = reverse("documents:export_download", args=[job.pk])
    assert client_b.get(url).status_code == 404
    assert outsider_client.get(url).status_code == 302
    assert tenant_a.client_for(tenant_a.lecteur).get(url).status_code == 200
    assert client_a.get(url).status_code == 200
    # Export requests from a reader or another organisation are refused.
    action: Action = rich_roadmap(tenant_a.roadmap)
    assert client_b.post(reverse("fiches:fiche_export", args=[action.pk]), {"kind": "fiche_pdf"}).status_code == 404
    lecteur = tenant_a.client_for(tenant_a.lecteur)
    exports_url = reverse("documents:exports", args=[tenant_a.roadmap.pk])
    assert lecteur.post(exports_url, {"kind": "roadmap_pdf"}).status_code == 403


def test_a_job_stuck_for_long_is_offered_a_retry(tenant_a: Tenant, client_a: Client) -> None:
    job = ExportJobFactory(roadmap=tenant_a.roadmap, status=ExportJob.Status.RUNNING, kind="budget_xlsx", file=None)
    ExportJob.objects.filter(pk=job.pk).update(updated_at=timezone.now() - timedelta(minutes=11))
    row = client_a.get(reverse("documents:export_status", args=[job.pk]), headers={"HX-Request": "true"})
    content = row.content.decode()
    assert "hx-trigger" not in content and "Réessayer" in content and "plus de dix minutes" in content
    with TestCase.captureOnCommitCallbacks(execute=True):
        client_a.post(reverse("documents:export_retry", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE


def test_the_diagnostic_synthesis_goes_into_the_roadmap_document(
    tenant_a: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    from types import SimpleNamespace

    from fiches import exports
    from fiches.document import roadmap_document

    synthesis = SimpleNamespace(
        territory_name="Dronne et Belle",
        synthesis="Un territoire rural où l'accompagnement manque dans les bourgs.",
        figures=[
            SimpleNamespace(
                label="Part des 75 ans et plus",
                territory="14,2 %",
                departement="12,1 %",
                source="INSEE",
                vintage="2021",
            )
        ],
        coverage="1 200 habitant(s) à plus de 10 km d'un lieu d'accompagnement.",
        publics=[("Personnes âgées", "3 100", "estimation")],
        gaps=[],
        images={"coverage": b"\x89PNG fake"},
        image_format="png",
    )
    monkeypatch.setattr("diagnostics.synthesis.for_roadmap", lambda roadmap: synthesis)
    html = exports.roadmap_html(roadmap_document(tenant_a.roadmap))
    assert "Part des 75 ans et plus" in html and "14,2 %" in html and "data:image/png;base64," in html
    assert "Pas encore de diagnostic" not in html

    def broken(roadmap: object) -> None:
        raise RuntimeError("données absentes")

    monkeypatch.setattr("diagnostics.synthesis.for_roadmap", broken)
    html = exports.roadmap_html(roadmap_document(tenant_a.roadmap))
    assert "La synthèse du diagnostic n'a pas pu être produite" in html

    monkeypatch.setattr("diagnostics.synthesis.for_roadmap", lambda roadmap: None)
    assert "Pas encore de diagnostic" in exports.roadmap_html(roadmap_document(tenant_a.roadmap))
