"""The documents produced from a roadmap: PDF (WeasyPrint), XLSX (openpyxl, with live formulas), DOCX."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Iterator, Mapping
from decimal import Decimal
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from documents import paged
from documents.pdf import Progress, Rendered, html_to_pdf, no_progress
from fiches.models import ActionExpense, ActionFunding
from roadmap.models import Action, Roadmap

# A roadmap with this many fiches actions or more is rendered in parts, in parallel (documents.paged); below, one
# WeasyPrint run is as fast as starting the processes.
PARTS_FROM_FICHES = 16


# Fiches per part: small enough to share the work evenly between the processes, big enough that each part's own
# costs (its style sheet, its fonts in the PDF) stay small.
FICHES_PER_PART = (8, 20)


def roadmap_html(document: dict[str, Any]) -> str:
    """The whole roadmap as one HTML document (WeasyPrint numbers the table of contents itself)."""
    return render_to_string("fiches/pdf/roadmap.html", {"doc": document, "toc": toc_entries(document)})


def fiches_title(document: dict[str, Any]) -> str:
    fiches = document["fiches"]
    if len(fiches) == 1:
        return f"{fiches[0]['ref']} · {fiches[0]['title']}"
    return f"{_('Fiches actions')} · {document['roadmap']['title']}"


def fiches_html(document: dict[str, Any]) -> str:
    return render_to_string("fiches/pdf/fiches.html", {"doc": document, "title": fiches_title(document)})


def toc_entries(document: dict[str, Any]) -> list[dict[str, Any]]:
    """The table of contents (and the PDF's outline): sections, their défis, the fiches of the annex."""
    entries: list[tuple[str, str, int]] = [
        ("territoire", _("Le territoire et son diagnostic"), 1),
        ("enjeux", _("Les enjeux"), 1),
        ("defis", _("Les défis et leurs chantiers"), 1),
    ]
    entries += [
        (f"defi-{i}", f"{d['ref']} · {Truncator(d['title']).chars(90)}", 2) for i, d in enumerate(document["defis"], 1)
    ]
    entries += [
        ("ressources", _("Les ressources mobilisées"), 1),
        ("gouvernance", _("La gouvernance"), 1),
        ("engagements", _("Les engagements des acteurs"), 1),
        ("budget", _("Budget et plan de financement"), 1),
        ("calendrier", _("Calendrier"), 1),
        ("evaluation", _("Modalités d'évaluation"), 1),
        ("annexe", _("Annexe : les fiches actions"), 1),
    ]
    entries += [(f"fiche-{f['pk']}", f"{f['ref']} · {Truncator(f['title']).chars(90)}", 2) for f in document["fiches"]]
    return [{"anchor": anchor, "title": title, "level": level, "page": None} for anchor, title, level in entries]


def _outline(entries: list[dict[str, Any]]) -> list[paged.OutlineEntry]:
    return [paged.OutlineEntry(e["anchor"], e["title"], e["level"]) for e in entries]


def _fiche_parts(fiches: list[dict[str, Any]], workers: int) -> list[list[dict[str, Any]]]:
    """The fiches in parts; the last ones smaller, so that the processes finish together, none waiting on another."""
    low, high = FICHES_PER_PART
    size = min(high, max(low, -(-len(fiches) // (4 * workers))))
    small = max(1, size // 4)
    parts, start = [], 0
    while start < len(fiches):
        step = size if len(fiches) - start > size * workers else small
        parts.append(fiches[start : start + step])
        start += step
    return parts


def _in_parts(document: dict[str, Any]) -> bool:
    return len(document["fiches"]) >= PARTS_FROM_FICHES and paged.processes() > 1


def _joined(
    document: dict[str, Any],
    parts: Iterable[str],
    *,
    front: Callable[[Mapping[str, int]], str] | None,
    whole: Callable[[], str],
    title: str,
    outline: list[paged.OutlineEntry],
    numbered_from: int,
    progress: Progress,
) -> Rendered:
    joined = paged.render_joined(
        parts,
        front=front,
        whole=whole,
        outline=outline,
        page_numbers=lambda labels: render_to_string("fiches/pdf/page_numbers.html", {"labels": labels}),
        numbered_from=numbered_from,
        title=title,
        author=document["roadmap"]["organization"],
        progress=lambda done: progress(40 + int(45 * done)),
    )
    return Rendered(joined.content, joined.pages, joined.seconds)


def roadmap_document_pdf(document: dict[str, Any], progress: Progress = no_progress) -> Rendered:
    """The roadmap PDF of a roadmap document (the live roadmap's, or the frozen snapshot of an adopted version)."""
    if not _in_parts(document):
        return html_to_pdf(roadmap_html(document))
    template = "fiches/pdf/part.html"

    def parts() -> Iterator[str]:
        yield render_to_string(template, {"doc": document, "part": "body"})
        for i, chunk in enumerate(_fiche_parts(document["fiches"], paged.processes())):
            yield render_to_string(template, {"doc": document, "part": "annex", "fiches": chunk, "continued": i > 0})

    toc = toc_entries(document)

    def front(pages: Mapping[str, int]) -> str:
        # Before the parts are laid out, a placeholder as wide as a real number stands for every page.
        numbered = [{**entry, "page": pages.get(entry["anchor"], paged.PLACEHOLDER_PAGE)} for entry in toc]
        return render_to_string(template, {"doc": document, "part": "front", "toc": numbered})

    return _joined(
        document,
        parts(),
        front=front,
        whole=lambda: roadmap_html(document),
        title=document["roadmap"]["title"],
        outline=_outline(toc),
        numbered_from=1,
        progress=progress,
    )


def roadmap_pdf(roadmap: Roadmap, progress: Progress = no_progress) -> Rendered:
    from fiches.document import roadmap_document

    document = roadmap_document(roadmap)
    progress(30)
    return roadmap_document_pdf(document, progress)


def fiches_pdf(roadmap: Roadmap, action: Action | None = None, progress: Progress = no_progress) -> Rendered:
    from fiches.document import fiche_document, roadmap_document

    document = fiche_document(action) if action is not None else roadmap_document(roadmap)
    progress(30)
    if not _in_parts(document):
        return html_to_pdf(fiches_html(document))
    chunks = _fiche_parts(document["fiches"], paged.processes())
    title = fiches_title(document)
    parts = (
        render_to_string(
            "fiches/pdf/fiches.html",
            {"doc": document, "title": title, "fiches": chunk, "in_parts": True, "continued": i > 0},
        )
        for i, chunk in enumerate(chunks)
    )
    fiche_entries = [e for e in toc_entries(document) if e["anchor"].startswith("fiche-")]
    outline = [paged.OutlineEntry(e["anchor"], e["title"], 1) for e in fiche_entries]
    return _joined(
        document,
        parts,
        front=None,
        whole=lambda: fiches_html(document),
        title=title,
        outline=outline,
        numbered_from=0,
        progress=progress,
    )


def budget_xlsx(roadmap: Roadmap, progress: Progress = no_progress) -> Rendered:
    """One sheet per kind of table: the amounts are values, every total is a formula, so it adds up in Excel."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    from fiches.document import actions_queryset

    years = list(roadmap.years)
    actions = list(actions_queryset(roadmap))
    expenses: dict[tuple[int, str, int], Decimal] = {}
    for action_id, kind, year, amount in ActionExpense.objects.filter(
        action__roadmap=roadmap, year__in=years
    ).values_list("action_id", "kind", "year", "amount"):
        expenses[(action_id, kind, year)] = amount
    fundings: dict[tuple[int, str, int], Decimal] = {}
    for action_id, funder, year, amount in ActionFunding.objects.filter(
        action__roadmap=roadmap, year__in=years
    ).values_list("action_id", "funder", "year", "amount"):
        fundings[(action_id, funder, year)] = amount
    progress(40)

    money = '#,##0.00\\ "€"'
    bold = Font(bold=True)
    head_fill = PatternFill("solid", fgColor="E9EEF7")
    workbook = Workbook()
    n = len(years)
    last_year_col = get_column_letter(2 + n)

    def header(sheet: Any, first: str) -> None:
        sheet.append([first, _("Action"), *years, _("Total")])
        for cell in sheet[1]:
            cell.font, cell.fill = bold, head_fill
        sheet.column_dimensions["A"].width = 26
        sheet.column_dimensions["B"].width = 60
        for i in range(n + 1):
            sheet.column_dimensions[get_column_letter(3 + i)].width = 15
        sheet.freeze_panes = "C2"

    def fill(sheet: Any, rows: list[tuple[str, str, list[Decimal]]], total_label: str) -> int:
        for first, label, amounts in rows:
            sheet.append([first, label, *amounts])
            r = sheet.max_row
            sheet.cell(r, 3 + n, f"=SUM(C{r}:{last_year_col}{r})")
        last = sheet.max_row
        total_row = last + 1
        sheet.cell(total_row, 1, total_label).font = bold
        for i in range(n + 1):
            col = get_column_letter(3 + i)
            c = sheet.cell(total_row, 3 + i, f"=SUM({col}2:{col}{last})" if last >= 2 else 0)
            c.font = bold
        for row in sheet.iter_rows(min_row=2, min_col=3, max_col=3 + n):
            for cell in row:
                cell.number_format = money
                cell.alignment = Alignment(horizontal="right")
        return total_row

    sheet = workbook.active
    sheet.title = _("Dépenses")[:31]
    header(sheet, _("Nature"))
    expense_rows = [
        (str(label), f"{a.ref} · {a.title}", [expenses.get((a.pk, kind, y), Decimal("0")) for y in years])
        for a in actions
        for kind, label in ActionExpense.Kind.choices
        if any(expenses.get((a.pk, kind, y)) for y in years)
    ]
    expense_total_row = fill(sheet, expense_rows, _("Coût total TTC"))

    funding_sheet = workbook.create_sheet(_("Financements")[:31])
    header(funding_sheet, _("Financeur"))
    funding_rows = [
        (str(label), f"{a.ref} · {a.title}", [fundings.get((a.pk, funder, y), Decimal("0")) for y in years])
        for a in actions
        for funder, label in ActionFunding.Funder.choices
        if any(fundings.get((a.pk, funder, y)) for y in years)
    ]
    funding_total_row = fill(funding_sheet, funding_rows, _("Total financé"))
    progress(70)

    # Synthesis: by funder (SUMIF on the detail sheet), totals, percentages and the gap, all as formulas.
    summary = workbook.create_sheet(_("Synthèse")[:31], 0)
    summary.append([_("Budget et plan de financement"), roadmap.title])
    summary["A1"].font = Font(bold=True, size=13)
    summary.append([])
    summary.append([_("Poste"), *years, _("Total"), _("% du coût")])
    for cell in summary[3]:
        cell.font, cell.fill = bold, head_fill
    dep, fin = f"'{sheet.title}'", f"'{funding_sheet.title}'"
    rows_spec = [(str(label), dep, str(label)) for _kind, label in ActionExpense.Kind.choices]
    start_kind = summary.max_row + 1
    for label, src, key in rows_spec:
        summary.append([label])
        r = summary.max_row
        for i in range(n):
            col = get_column_letter(3 + i)
            summary.cell(
                r,
                2 + i,
                f'=SUMIF({src}!$A$2:$A${expense_total_row - 1},"{key}",{src}!{col}$2:{col}${expense_total_row - 1})',
            )
    cost_row = summary.max_row + 1
    summary.append([_("Coût total TTC")])
    for i in range(n + 1):
        col = get_column_letter(2 + i)
        summary.cell(cost_row, 2 + i, f"=SUM({col}{start_kind}:{col}{cost_row - 1})").font = bold
    summary.cell(cost_row, 1).font = bold
    total_col = get_column_letter(2 + n)
    for r in range(start_kind, cost_row):
        summary.cell(r, 2 + n, f"=SUM(B{r}:{get_column_letter(1 + n)}{r})")
        summary.cell(r, 3 + n, f"=IF(${total_col}${cost_row}=0,0,{total_col}{r}/${total_col}${cost_row})")
    summary.append([])
    summary.append([_("Financeur"), *years, _("Total"), _("% du coût")])
    for cell in summary[summary.max_row]:
        cell.font, cell.fill = bold, head_fill
    start_funder = summary.max_row + 1
    for _funder, funder_label in ActionFunding.Funder.choices:
        summary.append([str(funder_label)])
        r = summary.max_row
        for i in range(n):
            col = get_column_letter(3 + i)
            summary.cell(
                r,
                2 + i,
                f'=SUMIF({fin}!$A$2:$A${funding_total_row - 1},"{funder_label}",'
                f"{fin}!{col}$2:{col}${funding_total_row - 1})",
            )
        summary.cell(r, 2 + n, f"=SUM(B{r}:{get_column_letter(1 + n)}{r})")
        summary.cell(r, 3 + n, f"=IF(${total_col}${cost_row}=0,0,{total_col}{r}/${total_col}${cost_row})")
    financed_row = summary.max_row + 1
    summary.append([_("Total financé")])
    for i in range(n + 1):
        col = get_column_letter(2 + i)
        summary.cell(financed_row, 2 + i, f"=SUM({col}{start_funder}:{col}{financed_row - 1})").font = bold
    summary.cell(
        financed_row, 3 + n, f"=IF(${total_col}${cost_row}=0,0,{total_col}{financed_row}/${total_col}${cost_row})"
    )
    summary.cell(financed_row, 1).font = bold
    gap_row = financed_row + 1
    summary.cell(gap_row, 1, _("Écart (coût − financement)")).font = Font(bold=True, color="B3261E")
    for i in range(n + 1):
        col = get_column_letter(2 + i)
        summary.cell(gap_row, 2 + i, f"={col}{cost_row}-{col}{financed_row}").font = Font(bold=True, color="B3261E")
    summary.column_dimensions["A"].width = 34
    for i in range(n + 2):
        summary.column_dimensions[get_column_letter(2 + i)].width = 15
    for row in summary.iter_rows(min_row=4, min_col=2, max_col=2 + n):
        for cell in row:
            cell.number_format = money
    for row in summary.iter_rows(min_row=4, min_col=3 + n, max_col=3 + n):
        for cell in row:
            cell.number_format = "0.0%"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return Rendered(buffer.getvalue())


def _set_language(doc: Any, language: str) -> None:
    """The language of the document's default run properties (python-docx has no setting for it)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    defaults = doc.styles.element.find(qn("w:docDefaults"))
    run_properties = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    lang = run_properties.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        run_properties.append(lang)
    for attribute in ("w:val", "w:eastAsia", "w:bidi"):
        lang.set(qn(attribute), language)


def fiche_docx(action: Action, progress: Progress = no_progress) -> Rendered:
    """The fiche action as a Word document, for those who keep editing it there."""
    from docx import Document
    from docx.shared import Pt

    from fiches.budget import euros, percent_text
    from fiches.document import FIELD_LABELS as labels
    from fiches.document import fiche_document
    from fiches.templatetags.fiches_extras import frdate

    document = fiche_document(action)
    fiche = document["fiches"][0]
    doc = Document()
    # The file's own properties: python-docx's template would say « python-docx », 2013 and English.
    properties = doc.core_properties
    properties.title = f"{_('Fiche action')} {fiche['ref']} · {fiche['title']}"
    properties.author = properties.last_modified_by = document["roadmap"]["organization"]
    properties.subject = document["roadmap"]["title"]
    properties.comments = properties.keywords = ""
    properties.language = "fr-FR"
    properties.created = properties.modified = timezone.now()
    properties.revision = 1
    style = doc.styles["Normal"]
    style.font.name = "DejaVu Sans"
    style.font.size = Pt(10)
    _set_language(doc, "fr-FR")  # so that Word checks the spelling in French
    doc.add_paragraph(f"{_('Fiche action')} {fiche['ref']} — {fiche['chantier_ref']} {fiche['chantier']}")
    doc.add_heading(fiche["title"], level=1)
    doc.add_paragraph(
        _("Créée le %(created)s, mise à jour le %(updated)s")
        % {"created": frdate(fiche["created_at"]), "updated": frdate(fiche["updated_at"])}
    )

    def table(rows: list[tuple[str, str]]) -> None:
        t = doc.add_table(rows=0, cols=2)
        t.style = "Table Grid"
        for label, value in rows:
            cells = t.add_row().cells
            cells[0].text = label[:1].upper() + label[1:]
            cells[1].text = value or "—"

    table([(labels[f], fiche[f]) for f in ("completed_by", "referents", "places", "objective", "lead_structure")])
    doc.add_heading(_("Partenaires"), level=2)
    table([(p["name"], p["nature"]) for p in fiche["partners"]] or [(_("Partenaire"), "")])
    doc.add_heading(_("Description du projet"), level=2)
    fte = fiche["human_fte"]
    table(
        [
            (_("Ce projet consiste à…"), fiche["description"]),
            (labels["key_activities"], fiche["key_activities"]),
            (labels["target_publics"], fiche["target_publics"]),
            (labels["human_fte"], (fte.replace(".", ",") + " ETP") if fte else ""),
            (labels["human_means"], fiche["human_means"]),
            (labels["material_means"], fiche["material_means"]),
            (labels["vigilance"], fiche["vigilance"]),
        ]
    )
    doc.add_heading(_("Justification du projet"), level=2)
    table([(labels[f], fiche[f]) for f in ("justification", "expected_results", "indicators", "contract_links")])
    doc.add_heading(_("Gouvernance et ressources"), level=2)
    table([(labels[f], fiche[f]) for f in ("governance", "other_resources")])
    doc.add_heading(_("Engagement des acteurs"), level=2)
    table(
        [(e["stakeholder"], f"{e['level']}. {e['conditions']}".strip()) for e in fiche["engagements"]]
        or [(_("Acteur"), "")]
    )
    doc.add_heading(_("Calendrier de mise en œuvre"), level=2)
    table([(s["label"], s["span"]) for s in fiche["steps"]] or [(_("Étape"), "")])
    progress(60)

    plan = fiche["plan"]
    doc.add_heading(_("Budget (TTC) et plan de financement"), level=2)
    for grid, title, total_label in (
        (plan["expenses"], _("Dépenses"), _("Coût total")),
        (plan["fundings"], _("Financements"), _("Total financé")),
    ):
        t = doc.add_table(rows=1, cols=len(plan["years"]) + 3)
        t.style = "Table Grid"
        head = t.rows[0].cells
        head[0].text = title
        for i, y in enumerate(plan["years"]):
            head[1 + i].text = str(y)
        head[-2].text, head[-1].text = _("Total"), _("% du coût")
        for row in grid["rows"]:
            cells = t.add_row().cells
            cells[0].text = row["label"]
            for i, c in enumerate(row["cells"]):
                cells[1 + i].text = euros(Decimal(c))
            cells[-2].text = euros(Decimal(row["total"]))
            cells[-1].text = percent_text(Decimal(row["share"])) if row["share"] is not None else "—"
        cells = t.add_row().cells
        cells[0].text = total_label
        for i, c in enumerate(grid["year_totals"]):
            cells[1 + i].text = euros(Decimal(c))
        cells[-2].text = euros(Decimal(grid["total"]))
    if not plan["balanced"]:
        doc.add_paragraph(
            _("Plan déséquilibré : écart de %(gap)s entre le coût et les financements.")
            % {"gap": euros(Decimal(plan["gap"]))}
        )
    buffer = io.BytesIO()
    doc.save(buffer)
    return Rendered(buffer.getvalue())
