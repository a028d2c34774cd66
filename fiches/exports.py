"""The documents produced from a roadmap: PDF (WeasyPrint), XLSX (XlsxWriter, live formulas with their values), DOCX."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Iterator, Mapping
from decimal import Decimal
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from documents import paged
from documents.pdf import Progress, Rendered, html_to_pdf, no_progress
from documents.typography import element_ref
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
    entries: list[tuple[str, str, int]] = []
    if (document.get("revision") or {}).get("modified"):
        entries.append(("modifications", _("Modifications depuis la version adoptée"), 1))
    entries += [
        ("territoire", _("Le territoire et son diagnostic"), 1),
        ("enjeux", _("Les enjeux"), 1),
        ("defis", _("Les défis et leurs chantiers"), 1),
    ]
    entries += [(f"defi-{i}", f"{d['ref']} · {d['title']}", 2) for i, d in enumerate(document["defis"], 1)]
    # The sections left out when empty (fiches/pdf/_body.html), out of the contents too.
    if document["roadmap"].get("resources"):
        entries.append(("ressources", _("Les ressources mobilisées"), 1))
    if document.get("governance"):
        entries.append(("gouvernance", _("La gouvernance"), 1))
    if document.get("engagements"):
        entries.append(("engagements", _("Les engagements des acteurs"), 1))
    entries += [
        ("budget", _("Budget et plan de financement"), 1),
        ("calendrier", _("Calendrier"), 1),
        ("evaluation", _("Modalités d'évaluation"), 1),
        ("annexe", _("Annexe : les fiches actions"), 1),
    ]
    entries += [(f"fiche-{f['pk']}", f"{f['ref']} · {f['title']}", 2) for f in document["fiches"]]
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
    from fiches.document import roadmap_document, with_revision

    document = with_revision(roadmap, roadmap_document(roadmap))
    progress(30)
    return roadmap_document_pdf(document, progress)


def fiches_pdf(roadmap: Roadmap, action: Action | None = None, progress: Progress = no_progress) -> Rendered:
    from fiches.document import fiche_document, roadmap_document, with_revision

    if action is not None:
        document = with_revision(roadmap, fiche_document(action), partial=True)
    else:
        document = with_revision(roadmap, roadmap_document(roadmap))
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


def working_version_mark(roadmap: Roadmap) -> str:
    """« Version de travail… » for a budget the élus have not adopted as it stands; "" for the adopted one (the same
    status as every other document of the roadmap: fiches.status)."""
    from fiches.status import roadmap_status

    return roadmap_status(roadmap).mark


def budget_xlsx(roadmap: Roadmap, progress: Progress = no_progress) -> Rendered:
    """The budget workbook: a synthesis, a sheet per défi, the detail of expenses and financing.

    Amounts are values; every total is a formula written with its computed value (XlsxWriter), so that a preview
    or a spreadsheet that does not recalculate shows the right totals, and one that does finds the same. Printed
    in landscape, one page wide, headers repeated.
    """
    import xlsxwriter
    from xlsxwriter.utility import xl_col_to_name, xl_rowcol_to_cell

    from fiches.budget import roadmap_plan
    from fiches.document import actions_queryset

    years = list(roadmap.years)
    n = len(years)
    actions = list(actions_queryset(roadmap))
    expenses: dict[tuple[int, str, int], Decimal] = {}
    for action_id, kind, year, amount in ActionExpense.objects.filter(
        action__roadmap=roadmap, year__in=years
    ).values_list("action_id", "kind", "year", "amount"):
        expenses[(action_id, kind, year)] = amount
    # Financing by action, category and funder's name ("" when the line names nobody).
    fundings: dict[tuple[int, str, str, int], Decimal] = {}
    for action_id, funder, name, year, amount in ActionFunding.objects.filter(
        action__roadmap=roadmap, year__in=years
    ).values_list("action_id", "funder", "funder_name", "year", "amount"):
        fundings[(action_id, funder, name, year)] = amount
    funder_names: dict[int, dict[str, list[str]]] = {}
    for action_id, funder, name, _year in fundings:
        names = funder_names.setdefault(action_id, {}).setdefault(funder, [])
        if name not in names:
            names.append(name)
    consolidated = roadmap_plan(roadmap)
    plan = consolidated.plan
    mark = working_version_mark(roadmap)
    progress(40)

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    book.set_properties(
        {
            "title": f"{_('Budget et plan de financement')} · {roadmap.title}",
            "author": roadmap.organization.name,
            "status": mark or str(_("Adoptée")),
        }
    )
    money_pattern = '#,##0.00\\ "€";-#,##0.00\\ "€";"–"'
    title_f = book.add_format({"bold": True, "font_size": 13})
    note_f = book.add_format({"italic": True, "font_color": "#5B6372"})
    mark_f = book.add_format({"bold": True, "font_color": "#B3261E"})
    head_f = book.add_format({"bold": True, "bg_color": "#E9EEF7", "border": 1, "text_wrap": True, "valign": "top"})
    year_f = book.add_format({"bold": True, "bg_color": "#E9EEF7", "border": 1, "num_format": "0", "align": "right"})
    label_f = book.add_format({"border": 1, "text_wrap": True, "valign": "top"})
    money_f = book.add_format({"border": 1, "num_format": money_pattern, "valign": "top"})
    total_label_f = book.add_format({"bold": True, "border": 1, "bg_color": "#F4F6FA"})
    total_f = book.add_format({"bold": True, "border": 1, "bg_color": "#F4F6FA", "num_format": money_pattern})
    share_f = book.add_format({"border": 1, "num_format": "0.0%"})
    gap_label_f = book.add_format({"bold": True, "border": 1, "font_color": "#B3261E", "bg_color": "#FDECEA"})
    gap_f = book.add_format(
        {"bold": True, "border": 1, "font_color": "#B3261E", "bg_color": "#FDECEA", "num_format": money_pattern}
    )
    zero_gap_f = book.add_format({"border": 1, "bg_color": "#FDECEA", "num_format": money_pattern})
    statement_f = book.add_format({"bold": True, "text_wrap": True, "valign": "top"})

    def print_setup(sheet: Any, header_rows: int, columns: int) -> None:
        sheet.set_landscape()
        sheet.set_paper(9)  # A4
        sheet.fit_to_pages(1, 0)  # one page wide, as many pages down as needed
        sheet.repeat_rows(0, header_rows - 1)
        sheet.set_margins(left=0.5, right=0.5, top=0.7, bottom=0.7)
        # A working version says so on every printed page, as the PDF does.
        middle = f'&C&8&"-,Bold"{mark.replace("&", "&&")}' if mark else ""
        sheet.set_header(f"&L&8{roadmap.title.replace('&', '&&')}{middle}&R&8{sheet.name}")
        sheet.set_footer(f"&L&8{roadmap.organization.name}&R&8&P / &N")
        sheet.print_area(0, 0, sheet.dim_rowmax or 0, columns - 1)

    def header(sheet: Any, row: int, first: list[str], last: list[str]) -> None:
        for c, text in enumerate(first):
            sheet.write_string(row, c, text, head_f)
        for i, y in enumerate(years):
            sheet.write_number(row, len(first) + i, y, year_f)
        for i, text in enumerate(last):
            sheet.write_string(row, len(first) + n + i, text, head_f)

    # Detail sheets: one row per action and kind of expense (or funder), with its défi; the total is a formula.
    def detail(
        title: str, first: str, rows: list[tuple[str, str, str, list[Decimal]]], total_label: str
    ) -> tuple[Any, int]:
        sheet = book.add_worksheet(title[:31])
        header(sheet, 0, [first, str(_("Défi")), str(_("Action"))], [str(_("Total"))])
        for r, (key, defi, label, amounts) in enumerate(rows, start=1):
            sheet.write_string(r, 0, key, label_f)
            sheet.write_string(r, 1, defi, label_f)
            sheet.write_string(r, 2, label, label_f)
            for i, amount in enumerate(amounts):
                sheet.write_number(r, 3 + i, amount, money_f)
            first_cell, last_cell = xl_rowcol_to_cell(r, 3), xl_rowcol_to_cell(r, 2 + n)
            sheet.write_formula(r, 3 + n, f"=SUM({first_cell}:{last_cell})", total_f, sum(amounts, Decimal(0)))
        total_row = len(rows) + 1
        sheet.write_string(total_row, 0, total_label, total_label_f)
        sheet.write_blank(total_row, 1, None, total_label_f)
        sheet.write_blank(total_row, 2, None, total_label_f)
        for i in range(n + 1):
            col = xl_col_to_name(3 + i)
            value = sum((row[3][i] if i < n else sum(row[3], Decimal(0)) for row in rows), Decimal(0))
            formula = f"=SUM({col}2:{col}{total_row})" if rows else "=0"
            sheet.write_formula(total_row, 3 + i, formula, total_f, value)
        sheet.set_column(0, 0, 26)
        sheet.set_column(1, 1, 30)
        sheet.set_column(2, 2, 46)
        sheet.set_column(3, 3 + n, 14)
        sheet.freeze_panes(1, 3)
        print_setup(sheet, 1, 4 + n)
        return sheet, total_row

    # Détail rows name their défi by its reference (D1, D2…), the key of the « Par défi » sheet's SUMIF: short, and
    # free of the quotes and wildcards a title may hold.
    no_defi = str(_("hors défi"))

    def defi_of(action: Action) -> str:
        defi = action.chantier.defi
        return f"D{defi.order}" if defi else no_defi

    from fiches.budget import NO_DEFI
    from roadmap.models import Defi

    defi_keys: dict[Any, str] = {
        pk: f"D{order}" for pk, order in Defi.objects.filter(roadmap=roadmap).values_list("pk", "order")
    }
    defi_keys[NO_DEFI] = no_defi

    expense_rows = [
        (
            str(label),
            defi_of(a),
            f"{element_ref(a.ref)} · {a.title}",
            [expenses.get((a.pk, kind, y), Decimal("0")) for y in years],
        )
        for a in actions
        for kind, label in ActionExpense.Kind.choices
        if any(expenses.get((a.pk, kind, y)) for y in years)
    ]

    def funded_action(action: Action, name: str) -> str:
        return f"{element_ref(action.ref)} · {action.title}" + (f" — {name}" if name else "")

    # One row per action, category and named funder: the category is the key the synthesis sums by.
    funding_rows = [
        (
            str(label),
            defi_of(a),
            funded_action(a, name),
            [fundings.get((a.pk, funder, name, y), Decimal("0")) for y in years],
        )
        for a in actions
        for funder, label in ActionFunding.Funder.choices
        for name in sorted(funder_names.get(a.pk, {}).get(funder, []), key=lambda n: (n.casefold(), n))
        if any(fundings.get((a.pk, funder, name, y)) for y in years)
    ]

    # The synthesis first: the sheet a reader opens.
    summary = book.add_worksheet(str(_("Synthèse"))[:31])
    by_defi = book.add_worksheet(str(_("Par défi"))[:31])
    expense_sheet, expense_total = detail(str(_("Dépenses")), str(_("Nature")), expense_rows, str(_("Coût total TTC")))
    funding_sheet, funding_total = detail(
        str(_("Financements")), str(_("Catégorie de financeur")), funding_rows, str(_("Total financé"))
    )
    named_sheet = book.add_worksheet(str(_("Par financeur"))[:31]) if plan.has_named_funders else None
    progress(70)

    def sumif(sheet: Any, last_row: int, key_col: int, key: str, year_index: int) -> str:
        keys = f"'{sheet.name}'!${xl_col_to_name(key_col)}$2:${xl_col_to_name(key_col)}${max(last_row, 2)}"
        col = xl_col_to_name(3 + year_index)
        values = f"'{sheet.name}'!{col}$2:{col}${max(last_row, 2)}"
        return f'=SUMIF({keys},"{key}",{values})'

    summary.write_string(0, 0, str(_("Budget et plan de financement")), title_f)
    summary.write_string(0, 1, roadmap.title, title_f)
    period = str(_("Période %(start)s–%(end)s · montants TTC, en euros")) % {"start": years[0], "end": years[-1]}
    if mark:
        summary.write_string(1, 0, f"{mark.upper()} · {period}", mark_f)
    else:
        summary.write_string(1, 0, period, note_f)
    total_col = 1 + n  # B.. are the years, then the total, then the share
    header(summary, 2, [str(_("Poste"))], [str(_("Total")), str(_("% du coût"))])
    row = 3
    cost = plan.cost

    def block(rows: list[tuple[str, list[Decimal]]], sheet: Any, last_row: int, first_row: int) -> int:
        r = first_row
        for label, amounts in rows:
            summary.write_string(r, 0, label, label_f)
            for i, amount in enumerate(amounts):
                summary.write_formula(r, 1 + i, sumif(sheet, last_row, 0, label, i), money_f, amount)
            total = sum(amounts, Decimal(0))
            summary.write_formula(r, total_col, f"=SUM(B{r + 1}:{xl_col_to_name(n)}{r + 1})", money_f, total)
            r += 1
        return r

    kinds = [(str(label), [plan.expenses.row(k).cells[i] for i in range(n)]) for k, label in ActionExpense.Kind.choices]
    start = row
    row = block(kinds, expense_sheet, expense_total, row)
    cost_row = row
    summary.write_string(cost_row, 0, str(_("Coût total TTC")), total_label_f)
    for i in range(n + 1):
        col = xl_col_to_name(1 + i)
        value = plan.expenses.year_totals[i] if i < n else cost
        summary.write_formula(cost_row, 1 + i, f"=SUM({col}{start + 1}:{col}{cost_row})", total_f, value)
    total_letter = xl_col_to_name(total_col)

    def share(r: int, part: Decimal) -> None:
        formula = f"=IF(${total_letter}${cost_row + 1}=0,0,{total_letter}{r + 1}/${total_letter}${cost_row + 1})"
        summary.write_formula(r, total_col + 1, formula, share_f, float(part / cost) if cost else 0)

    for r, (_label, amounts) in zip(range(start, cost_row), kinds, strict=True):
        share(r, sum(amounts, Decimal(0)))
    share(cost_row, cost)

    row = cost_row + 2
    header(summary, row, [str(_("Financeur"))], [str(_("Total")), str(_("% du coût"))])
    funders = [
        (str(label), [plan.fundings.row(k).cells[i] for i in range(n)]) for k, label in ActionFunding.Funder.choices
    ]
    start = row + 1
    row = block(funders, funding_sheet, funding_total, start)
    financed_row = row
    for r, (_label, amounts) in zip(range(start, financed_row), funders, strict=True):
        share(r, sum(amounts, Decimal(0)))
    summary.write_string(financed_row, 0, str(_("Total financé")), total_label_f)
    for i in range(n + 1):
        col = xl_col_to_name(1 + i)
        value = plan.fundings.year_totals[i] if i < n else plan.financed
        summary.write_formula(financed_row, 1 + i, f"=SUM({col}{start + 1}:{col}{financed_row})", total_f, value)
    share(financed_row, plan.financed)
    gap_row = financed_row + 1
    summary.write_string(gap_row, 0, str(_("Écart (coût − financement)")), gap_label_f)
    gaps = [*plan.year_gaps, plan.gap]
    for i, gap in enumerate(gaps):
        col = xl_col_to_name(1 + i)
        summary.write_formula(
            gap_row, 1 + i, f"={col}{cost_row + 1}-{col}{financed_row + 1}", gap_f if gap else zero_gap_f, gap
        )
    summary.merge_range(gap_row + 2, 0, gap_row + 2, total_col + 1, plan.balance_statement(), statement_f)
    summary.set_row(gap_row + 2, 48)
    summary.set_column(0, 0, 34)
    summary.set_column(1, total_col + 1, 15)
    print_setup(summary, 3, total_col + 2)

    # Per défi: cost by year (SUMIF on the expenses' défi column), financed, gap.
    header(by_defi, 0, [str(_("Défi"))], [str(_("Total")), str(_("Part")), str(_("Financé")), str(_("Écart"))])
    rows_by_defi = consolidated.defi_rows()
    for r, (grid_row, financed, gap) in enumerate(rows_by_defi, start=1):
        label = defi_keys[grid_row.key]
        by_defi.write_string(r, 0, str(grid_row.label), label_f)
        for i in range(n):
            keys = f"'{expense_sheet.name}'!$B$2:$B${max(expense_total, 2)}"
            col = xl_col_to_name(3 + i)
            values = f"'{expense_sheet.name}'!{col}$2:{col}${max(expense_total, 2)}"
            by_defi.write_formula(r, 1 + i, f'=SUMIF({keys},"{label}",{values})', money_f, grid_row.cells[i])
        by_defi.write_formula(r, 1 + n, f"=SUM(B{r + 1}:{xl_col_to_name(n)}{r + 1})", total_f, grid_row.total)
        by_defi.write_number(r, 2 + n, float(grid_row.share or 0) / 100, share_f)
        funded_keys = f"'{funding_sheet.name}'!$B$2:$B${max(funding_total, 2)}"
        funded_values = (
            f"'{funding_sheet.name}'!{xl_col_to_name(3 + n)}$2:{xl_col_to_name(3 + n)}${max(funding_total, 2)}"
        )
        by_defi.write_formula(r, 3 + n, f'=SUMIF({funded_keys},"{label}",{funded_values})', money_f, financed)
        by_defi.write_formula(
            r, 4 + n, f"={xl_col_to_name(1 + n)}{r + 1}-{xl_col_to_name(3 + n)}{r + 1}", gap_f if gap else money_f, gap
        )
    last = len(rows_by_defi) + 1
    by_defi.write_string(last, 0, str(_("Total")), total_label_f)
    for c in [*range(1, 2 + n), 3 + n, 4 + n]:
        col = xl_col_to_name(c)
        if c <= n:
            value = plan.expenses.year_totals[c - 1]
        elif c == 1 + n:
            value = plan.cost
        elif c == 3 + n:
            value = sum((f for _r, f, _g in rows_by_defi), Decimal(0))
        else:
            value = sum((g for _r, _f, g in rows_by_defi), Decimal(0))
        by_defi.write_formula(last, c, f"=SUM({col}2:{col}{last})" if rows_by_defi else "=0", total_f, value)
    by_defi.set_column(0, 0, 50)
    by_defi.set_column(1, 4 + n, 14)
    by_defi.freeze_panes(1, 1)
    print_setup(by_defi, 1, 5 + n)

    # By funder, when a line names one: each named funder and each category's unnamed lines, the same figures as
    # the page and the PDF (fiches.budget.Plan.by_funder); its total is the synthesis' « Total financé ».
    if named_sheet is not None and plan.by_funder is not None:
        header(named_sheet, 0, [str(_("Financeur (catégorie)"))], [str(_("Total")), str(_("% du coût"))])
        funder_rows = plan.by_funder.rows
        for r, grid_row in enumerate(funder_rows, start=1):
            named_sheet.write_string(r, 0, str(grid_row.label), label_f)
            for i, amount in enumerate(grid_row.cells):
                named_sheet.write_number(r, 1 + i, amount, money_f)
            named_sheet.write_formula(r, 1 + n, f"=SUM(B{r + 1}:{xl_col_to_name(n)}{r + 1})", total_f, grid_row.total)
            named_sheet.write_number(r, 2 + n, float(grid_row.share or 0) / 100, share_f)
        last = len(funder_rows) + 1
        named_sheet.write_string(last, 0, str(_("Total financé")), total_label_f)
        for c in range(1, 2 + n):
            col = xl_col_to_name(c)
            value = plan.by_funder.year_totals[c - 1] if c <= n else plan.by_funder.total
            named_sheet.write_formula(last, c, f"=SUM({col}2:{col}{last})", total_f, value)
        named_sheet.set_column(0, 0, 50)
        named_sheet.set_column(1, 2 + n, 15)
        named_sheet.freeze_panes(1, 1)
        print_setup(named_sheet, 1, 3 + n)

    book.close()
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


def _new_docx(title: str, organization: str, subject: str) -> Any:
    """An A4 Word document in French, with its own properties (python-docx's template says US Letter, English,
    « python-docx » and 2013)."""
    from docx import Document
    from docx.shared import Mm, Pt

    doc = Document()
    properties = doc.core_properties
    properties.title = title
    properties.author = properties.last_modified_by = organization
    properties.subject = subject
    properties.comments = properties.keywords = ""
    properties.language = "fr-FR"
    properties.created = properties.modified = timezone.now()
    properties.revision = 1
    for section in doc.sections:
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.left_margin = section.right_margin = Mm(18)
        section.top_margin = section.bottom_margin = Mm(18)
    style = doc.styles["Normal"]
    style.font.name = "DejaVu Sans"
    style.font.size = Pt(10)
    _set_language(doc, "fr-FR")  # so that Word checks the spelling in French
    return doc


DOCX_TEXT_WIDTH_MM = 174  # A4 less two margins of 18 mm


def _fixed_widths(table: Any, widths_mm: list[float]) -> None:
    """Fixed column widths (Word honours the cells' widths, LibreOffice the grid's): no word cut, no amount wrapped."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Mm

    table.autofit = False
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    table._tbl.tblPr.append(layout)
    for column, width in zip(table.columns, widths_mm, strict=True):
        column.width = Mm(width)
    for row in table.rows:
        for cell, width in zip(row.cells, widths_mm, strict=True):
            cell.width = Mm(width)


def _docx_plan(doc: Any, plan: dict[str, Any]) -> None:
    """The expenses and financing tables, the Écart row when a year does not balance, and the balance statement:
    the same as the PDF's."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.shared import Pt

    from fiches.budget import euros, percent_text

    years = plan["years"]
    label_mm, total_mm, share_mm = 40.0, 27.0, 15.0
    year_mm = (DOCX_TEXT_WIDTH_MM - label_mm - total_mm - share_mm) / max(len(years), 1)
    widths = [label_mm, *[year_mm] * len(years), total_mm, share_mm]

    def fill(cells: Any, values: list[str], bold: bool = False) -> None:
        for i, (cell, value) in enumerate(zip(cells, values, strict=True)):
            paragraph = cell.paragraphs[0]
            run = paragraph.add_run(value)
            run.font.size = Pt(8)
            run.bold = bold
            if i:
                paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
                cell._tc.get_or_add_tcPr().append(OxmlElement("w:noWrap"))

    def money(value: Any) -> str:
        return euros(Decimal(value))

    grids = [
        (plan["expenses"], _("Dépenses (TTC)"), _("Coût total")),
        (plan["fundings"], _("Financements"), _("Total financé")),
    ]
    if plan.get("named_funders"):
        grids.append((plan["by_funder"], _("Financement par financeur"), _("Total financé")))
    for grid, title, total_label in grids:
        t = doc.add_table(rows=0, cols=len(years) + 3)
        t.style = "Table Grid"
        fill(t.add_row().cells, [title, *map(str, years), _("Total"), _("% du coût")], bold=True)
        for row in grid["rows"]:
            share = percent_text(Decimal(row["share"])) if row["share"] is not None else "—"
            cells = [money(c) if Decimal(c) else "–" for c in row["cells"]]
            fill(t.add_row().cells, [row["label"], *cells, money(row["total"]), share])
        fill(
            t.add_row().cells,
            [total_label, *[money(c) for c in grid["year_totals"]], money(grid["total"]), ""],
            bold=True,
        )
        if grid is plan["fundings"] and not plan["balanced"]:
            gaps = ["–" if g["amount"] is None else money(g["amount"]) for g in plan["year_gap_cells"]]
            fill(t.add_row().cells, [_("Écart (coût − financement)"), *gaps, money(plan["gap"]), ""], bold=True)
        _fixed_widths(t, widths)
        doc.add_paragraph()
    doc.add_paragraph(plan["balance_statement"])


def _docx_fiche(doc: Any, fiche: dict[str, Any], level: int = 1) -> None:
    """One fiche action: the guide's template, its sections left out when empty, its budget as in the PDF."""
    from fiches.document import FIELD_LABELS as labels
    from fiches.templatetags.fiches_extras import etp, frdate, quarters, referents_label_text

    doc.add_paragraph(f"{_('Fiche action')} {fiche['ref']} — {fiche['chantier_ref']} {fiche['chantier']}")
    doc.add_heading(fiche["title"], level=level)
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
        _fixed_widths(t, [55, DOCX_TEXT_WIDTH_MM - 55])

    table(
        [
            (labels["completed_by"], fiche["completed_by"]),
            (referents_label_text(fiche["referents"]), fiche["referents"]),
            *[(labels[f], fiche[f]) for f in ("places", "objective", "lead_structure")],
        ]
    )
    if fiche["partners"]:
        doc.add_heading(_("Partenaires"), level=level + 1)
        table([(p["name"], p["nature"]) for p in fiche["partners"]])
    doc.add_heading(_("Description du projet"), level=level + 1)
    fte = fiche["human_fte"]  # « 1,5 ETP », as in the PDF
    table(
        [
            (_("Ce projet consiste à…"), fiche["description"]),
            (labels["key_activities"], fiche["key_activities"]),
            (labels["target_publics"], fiche["target_publics"]),
            (labels["human_fte"], etp(fte)),
            (labels["human_means"], fiche["human_means"]),
            (labels["material_means"], fiche["material_means"]),
            (labels["vigilance"], fiche["vigilance"]),
        ]
    )
    doc.add_heading(_("Justification du projet"), level=level + 1)
    table([(labels[f], fiche[f]) for f in ("justification", "expected_results", "indicators", "contract_links")])
    doc.add_heading(_("Gouvernance et ressources"), level=level + 1)
    table([(labels[f], fiche[f]) for f in ("governance", "other_resources")])
    if fiche["engagements"]:
        doc.add_heading(_("Engagement des acteurs"), level=level + 1)
        table([(e["stakeholder"], f"{e['level']}. {e['conditions']}".strip()) for e in fiche["engagements"]])
    if fiche["steps"]:
        doc.add_heading(_("Calendrier de mise en œuvre"), level=level + 1)
        table([(s["label"], quarters(s["span"])) for s in fiche["steps"]])
    if not fiche["plan"]["empty"]:
        doc.add_heading(_("Budget (TTC) et plan de financement"), level=level + 1)
        _docx_plan(doc, fiche["plan"])


def _docx_field(paragraph: Any, instruction: str) -> None:
    """A field Word and LibreOffice compute when they lay the page out (PAGE, NUMPAGES)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt

    run = paragraph.add_run()
    run.font.size = Pt(8)
    for kind, text in (("begin", None), (None, instruction), ("separate", None), (None, "1"), ("end", None)):
        if kind is not None:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        elif text == instruction:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = f" {instruction} "
        else:
            element = OxmlElement("w:t")
            element.text = text
        run._r.append(element)


def _docx_marks(doc: Any, status: Any) -> None:
    """On every page: the working-version mark in the header (none for the adopted version), « page n / N » in the
    footer, as in the PDF."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt, RGBColor

    section = doc.sections[0]
    if status.mark:
        header = section.header.paragraphs[0]
        header.text = status.mark
        header.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = header.runs[0]
        run.bold = True
        run.font.size = Pt(8)
        run.font.color.rgb = RGBColor(0xB3, 0x26, 0x1E)
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    _docx_field(footer, "PAGE")
    footer.add_run(" / ").font.size = Pt(8)
    _docx_field(footer, "NUMPAGES")


def _docx_bytes(doc: Any) -> Rendered:
    buffer = io.BytesIO()
    doc.save(buffer)
    return Rendered(buffer.getvalue())


def fiche_docx(action: Action, progress: Progress = no_progress) -> Rendered:
    """The fiche action as a Word document, for those who keep editing it there."""
    from fiches.document import fiche_document, with_revision
    from fiches.status import document_status

    document = with_revision(action.roadmap, fiche_document(action), partial=True)
    fiche = document["fiches"][0]
    doc = _new_docx(
        f"{_('Fiche action')} {fiche['ref']} · {fiche['title']}",
        document["roadmap"]["organization"],
        document["roadmap"]["title"],
    )
    status = document_status(document)
    _docx_marks(doc, status)
    if status.mark:
        doc.add_paragraph(status.mark).runs[0].bold = True
    progress(60)
    _docx_fiche(doc, fiche)
    return _docx_bytes(doc)


def roadmap_docx(roadmap: Roadmap, progress: Progress = no_progress) -> Rendered:
    """The whole roadmap as one Word document: the PDF's sections, then every fiche action on its own page."""
    from docx.enum.text import WD_BREAK

    from fiches.document import evaluation_lines, roadmap_document, with_revision
    from fiches.status import document_status

    document = with_revision(roadmap, roadmap_document(roadmap))
    r = document["roadmap"]
    doc = _new_docx(r["title"], r["organization"], str(_("Feuille de route territoriale d'inclusion numérique")))
    progress(30)
    doc.add_paragraph(r["organization"])
    doc.add_heading(r["title"], level=0)
    doc.add_paragraph(f"{document['territory']['name']} · {r['period_start']} – {r['period_end']}")
    status = document_status(document)
    _docx_marks(doc, status)
    doc.add_paragraph(status.line).runs[0].bold = True
    if status.detail:
        doc.add_paragraph(status.detail)
    revision = document.get("revision") or {}
    if revision.get("modified"):
        doc.add_paragraph(_("Changements depuis la version adoptée :"))
        for change in revision["changes"]:
            doc.add_paragraph(f"{change['what']} : {change['before']} → {change['after']}", style="List Bullet")
    if r["introduction"]:
        doc.add_paragraph(r["introduction"])

    doc.add_heading(_("Les enjeux"), level=1)
    for e in document["enjeux"]:
        doc.add_paragraph(f"{e['ref']} · {e['question']}", style="List Bullet")
    doc.add_heading(_("Les défis et leurs chantiers"), level=1)
    for d in document["defis"]:
        doc.add_heading(f"{d['ref']} · {d['title']}", level=2)
        if d["description"]:
            doc.add_paragraph(d["description"])
        for c in d["chantiers"]:
            doc.add_paragraph(f"{c['ref']} · {c['title']}", style="List Bullet")
            for a in c["actions"]:
                doc.add_paragraph(f"{a['ref']} · {a['title']}", style="List Bullet 2")
    if document["chantiers_without_defi"]:
        doc.add_heading(document["labels"]["no_defi"], level=2)
        for c in document["chantiers_without_defi"]:
            doc.add_paragraph(f"{c['ref']} · {c['title']}", style="List Bullet")
            for a in c["actions"]:
                doc.add_paragraph(f"{a['ref']} · {a['title']}", style="List Bullet 2")
    if r["resources"]:
        doc.add_heading(_("Les ressources mobilisées"), level=1)
        doc.add_paragraph(r["resources"])
    if document["governance"]:
        doc.add_heading(_("La gouvernance"), level=1)
        for b in document["governance"]:
            # One member a line, as in the PDF: a linked member's line has its own commas (function, structure).
            doc.add_paragraph(f"{b['name']} ({b['kind']})", style="List Bullet")
            for member in b["members"]:
                doc.add_paragraph(member, style="List Bullet 2")
    if document["engagements"]:
        doc.add_heading(_("Les engagements des acteurs"), level=1)
        for e in document["engagements"]:
            doc.add_paragraph(f"{e['action']} · {e['stakeholder']} : {e['level']}", style="List Bullet")
    doc.add_heading(_("Budget et plan de financement"), level=1)
    _docx_plan(doc, document["plan"])
    evaluation = evaluation_lines(document)
    if r["evaluation_arrangements"] or evaluation:
        doc.add_heading(_("Modalités d'évaluation"), level=1)
        if r["evaluation_arrangements"]:
            doc.add_paragraph(r["evaluation_arrangements"])
        for line in evaluation:
            doc.add_paragraph(line)
    progress(60)
    for fiche in document["fiches"]:
        doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        _docx_fiche(doc, fiche)
    return _docx_bytes(doc)
