"""Exports bench: the roadmap PDF of a large roadmap (10 enjeux, 8 défis, 40 chantiers, 150 complete fiches actions)
and one fiche action's PDF, end to end through a real Celery worker (job row created, task sent, worker renders and
stores the file, the job row says « done »), plus WeasyPrint's own time on the same HTML for the overhead ratio.

The worker renders a large roadmap in parts, in parallel processes (documents.paged). So two ratios are printed:
`pdf_overhead_ratio`, the whole export over one plain WeasyPrint run on the whole document's HTML in this process
(below 1 when the parallel render wins back more than everything around it costs), and `export_overhead_ratio`, the
whole export over the render inside the job (what Celery, the database, the templates and the storage add).

    .venv/bin/python bench/exports.py
"""

from __future__ import annotations

import sys
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench import harness  # noqa: E402

TARGETS = {"roadmap_pdf_s": "<= 20", "fiche_pdf_s": "<= 1.5", "pdf_overhead_ratio": "<= 1.2"}

TEXT = (
    "Les permanences se tiennent dans les mairies et les tiers-lieux du territoire ; les partenaires "
    "associatifs accueillent les habitants sur rendez-vous et sans rendez-vous."
)


def fill_fiches(roadmap: Any) -> None:
    """Give every action a complete fiche: texts, partners, calendar, engagements, budget and financing."""
    from django.db import transaction

    from fiches.models import ActionExpense, ActionFunding, ActionPartner, ActionStep, Engagement, GovernanceBody
    from roadmap.models import Action

    years = list(roadmap.years)
    org = roadmap.organization_id
    actions = list(Action.objects.filter(roadmap=roadmap).order_by("pk"))
    with transaction.atomic():
        for i, action in enumerate(actions):
            action.referents = f"Référente n°{i + 1}, cheffe de projet inclusion numérique, 05 53 00 00 {i % 100:02d}"
            action.lead_structure = "Service numérique de la communauté de communes"
            action.places = "Mairies, médiathèques et tiers-lieux du territoire"
            action.objective = "Rapprocher l'accompagnement numérique des habitants qui en sont éloignés."
            action.key_activities = "Repérage des publics\nAteliers collectifs\nAccompagnement individuel"
            action.target_publics = "Personnes de plus de 60 ans ; jeunes de 16 à 25 ans sans solution."
            action.human_means = "Deux conseillers numériques à mi-temps"
            action.human_fte = Decimal("1.0")
            action.material_means = "Dix ordinateurs portables, une connexion mobile"
            action.vigilance = TEXT
            action.justification = TEXT
            action.expected_results = "On aura réussi si 300 personnes ont été accompagnées chaque année."
            action.indicators = "Nombre d'ateliers\nNombre de personnes accompagnées\nTaux de satisfaction"
            action.contract_links = "CRTE, SDIN"
            action.governance = "Comité technique trimestriel"
            action.other_resources = TEXT
        Action.objects.bulk_update(
            actions,
            [
                "referents",
                "lead_structure",
                "places",
                "objective",
                "key_activities",
                "target_publics",
                "human_means",
                "human_fte",
                "material_means",
                "vigilance",
                "justification",
                "expected_results",
                "indicators",
                "contract_links",
                "governance",
                "other_resources",
            ],
        )
        common = {"organization_id": org}
        ActionPartner.objects.bulk_create(
            ActionPartner(**common, action=a, name=f"Association partenaire {j + 1}", nature="Anime des ateliers")
            for a in actions
            for j in range(2)
        )
        ActionStep.objects.bulk_create(
            ActionStep(
                **common,
                action=a,
                label=label,
                start_year=years[0] + k,
                start_quarter=1 + k,
                end_year=years[-1] - (1 - k),
                end_quarter=4,
            )
            for a in actions
            for k, label in enumerate(("Préparation", "Déploiement"))
        )
        Engagement.objects.bulk_create(
            Engagement(**common, action=a, stakeholder=f"Centre social {j + 1}", level=level, conditions=TEXT[:80])
            for a in actions
            for j, level in enumerate((Engagement.Level.PORTERA, Engagement.Level.APPUI))
        )
        ActionExpense.objects.bulk_create(
            ActionExpense(**common, action=a, year=year, kind=kind, amount=Decimal("12345.67"))
            for a in actions
            for year in years
            for kind in (ActionExpense.Kind.FONCTIONNEMENT, ActionExpense.Kind.INVESTISSEMENT)
        )
        ActionFunding.objects.bulk_create(
            ActionFunding(**common, action=a, year=year, funder=funder, amount=Decimal("8000"))
            for a in actions
            for year in years
            for funder in (ActionFunding.Funder.ETAT, ActionFunding.Funder.DEPARTEMENT, ActionFunding.Funder.REGION)
        )
        for kind, name in (("copil", "Comité de pilotage"), ("cotech", "Comité technique")):
            GovernanceBody.objects.create(
                **common,
                roadmap=roadmap,
                kind=kind,
                name=name,
                members="Élus\nAgents\nPartenaires",
                frequency="Deux fois par an",
            )


def run_job(roadmap: Any, kind: str, action: Any = None, timeout_s: float = 300) -> tuple[float, Any]:
    """Create the job and send its task as the page does; wait until the worker reports it done."""
    from django.db import transaction

    from documents.actions import start_export
    from documents.models import ExportJob

    started = time.perf_counter()
    with transaction.atomic():
        job = start_export(kind, action if action is not None else roadmap, None)
    while True:
        job.refresh_from_db()
        if job.status in (ExportJob.Status.DONE, ExportJob.Status.FAILED):
            break
        if time.perf_counter() - started > timeout_s:
            raise RuntimeError(f"export {kind} not finished after {timeout_s}s")
        time.sleep(0.05)
    elapsed = time.perf_counter() - started
    if job.status != ExportJob.Status.DONE:
        raise RuntimeError(f"export {kind} failed: {job.error}")
    return elapsed, job


def main() -> None:
    with harness.bench_database("exports", collectstatic=False) as env:
        from django.utils.translation import override

        from fiches import exports
        from fiches.document import roadmap_document
        from tenancy.models import Organization

        organization = Organization.objects.create(name="Communauté du banc d'essai des exports")
        roadmap = harness.build_large_roadmap(organization, enjeux=10, defis=8, chantiers=40, actions=150)
        fill_fiches(roadmap)
        action = roadmap.actions.order_by("pk").first()

        with harness.celery_worker(concurrency=1, env=env):
            run_job(roadmap, "fiche_pdf", action)  # warm-up: the worker's first render loads fonts
            fiche_times = [run_job(roadmap, "fiche_pdf", action)[0] for _ in range(3)]
            roadmap_s, job = run_job(roadmap, "roadmap_pdf")
            fiches_s, fiches_job = run_job(roadmap, "fiches_pdf")
            # The council's other documents: the budget workbook (XlsxWriter) and the whole roadmap in Word.
            xlsx_s, _xlsx_job = run_job(roadmap, "budget_xlsx")
            docx_s, _docx_job = run_job(roadmap, "roadmap_docx")

        with override("fr"):
            html = exports.roadmap_html(roadmap_document(roadmap))
        weasy = exports.html_to_pdf(html)  # WeasyPrint alone, in one process, on the whole document at once

        harness.emit("roadmap_pdf_s", roadmap_s, "s")
        harness.emit("roadmap_pdf_pages", job.pages or 0, "pages")
        harness.emit("weasyprint_alone_pages", weasy.pages or 0, "pages")
        harness.emit("fiche_pdf_s", harness.percentile(fiche_times, 50), "s")
        harness.emit("all_fiches_pdf_s", fiches_s, "s")
        harness.emit("all_fiches_pdf_pages", fiches_job.pages or 0, "pages")
        harness.emit("budget_xlsx_s", xlsx_s, "s")
        harness.emit("roadmap_docx_s", docx_s, "s")
        # The render inside the job (parts laid out in parallel, front matter, joining), and one plain WeasyPrint
        # run on the same document here.
        harness.emit("render_in_job_s", job.render_seconds, "s")
        harness.emit("weasyprint_alone_s", weasy.render_seconds, "s")
        harness.emit("pdf_overhead_ratio", roadmap_s / weasy.render_seconds)
        harness.emit("export_overhead_ratio", roadmap_s / job.render_seconds)


if __name__ == "__main__":
    harness.run_main(main)
