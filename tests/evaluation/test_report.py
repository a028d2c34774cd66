"""The analysis as a page and as documents: the PDF report (same figures, same drawings) and the CSV of values."""

from __future__ import annotations

import datetime
import re
import subprocess
from pathlib import Path

from django.conf import settings
from django.test import Client, TestCase
from django.urls import reverse

from documents.models import ExportJob
from evaluation.models import Effect, Indicator
from questionnaires.models import Answer, Question, Response
from roadmap.models import Action
from tests.conftest import Tenant
from tests.evaluation.factories import (
    EffectFactory,
    EvaluationFactory,
    FollowUpFactory,
    IndicatorFactory,
    IndicatorValueFactory,
    InterviewFactory,
    VerbatimFactory,
)
from tests.evaluation.test_pages import NB, rm, text
from tests.factories import ActionFactory
from tests.questionnaires.factories import QuestionFactory, QuestionnaireFactory, ResponseFactory


def _build(tenant: Tenant) -> Indicator:
    EvaluationFactory(
        roadmap=tenant.roadmap,
        objectives="Rendre compte aux élus",
        need="Des habitants éloignés du numérique",
        impact="Des habitants autonomes",
        question_object="la feuille de route",
        question_verb="a-t-elle renforcé",
        question_effect="l'autonomie",
        question_public="des habitants",
        synthesis="La dynamique est lancée : les permanences trouvent leur public.",
    )
    effect = EffectFactory(roadmap=tenant.roadmap, title="Des habitants plus autonomes")
    indicator = IndicatorFactory(
        roadmap=tenant.roadmap,
        effect=effect,
        label="Personnes accompagnées",
        unit="personnes",
        target_value=300,
        target_date=datetime.date(2026, 12, 31),
    )
    for day, number in (
        (datetime.date(2025, 3, 1), 80),
        (datetime.date(2025, 9, 1), 170),
        (datetime.date(2026, 3, 1), 245),
    ):
        IndicatorValueFactory(indicator=indicator, date=day, number=number, source="Registre des permanences")
    IndicatorFactory(
        roadmap=tenant.roadmap, effect=effect, label="Confiance des habitants", kind="qualitatif", possible=False
    )
    VerbatimFactory(
        interview=InterviewFactory(roadmap=tenant.roadmap, interviewee="Usagère de Ribérac"),
        effect=effect,
        quote="Maintenant je fais ma déclaration seule",
    )
    action = ActionFactory(
        roadmap=tenant.roadmap, title="Permanences itinérantes", expected_results="300 habitants accompagnés en 2026"
    )
    questionnaire = QuestionnaireFactory(
        organization=tenant.organization, roadmap=tenant.roadmap, title="Satisfaction des usagers"
    )
    question: Question = QuestionFactory(
        organization=tenant.organization, questionnaire=questionnaire, label="Je me sens plus autonome"
    )
    for score in (4, 5, 5):
        response: Response = ResponseFactory(organization=tenant.organization, questionnaire=questionnaire)
        Answer.objects.create(organization=tenant.organization, response=response, question=question, number=score)
    FollowUpFactory(
        action=action,
        status="en_cours",
        progress=60,
        started_on=datetime.date(2025, 1, 6),
        note="245 personnes à mi-mars",
    )
    return indicator


def test_the_analysis_page_shows_values_against_targets(tenant_a: Tenant) -> None:
    _build(tenant_a)
    response = tenant_a.client_for(tenant_a.lecteur).get(reverse("evaluation:analysis", kwargs=rm(tenant_a)))
    page = text(response)
    assert f"82{NB}% de la cible" in page  # 245 out of 300
    assert "300 habitants accompagnés en 2026" in page and "245 personnes à mi-mars" in page
    assert f"«{NB}Maintenant je fais ma déclaration seule{NB}»" in page
    assert f"Indicateur à revoir{NB}: pas encore possible." in page
    assert "Produire le rapport" not in page  # a reader produces no document
    # The questionnaires' results, with their response counts and charts (questionnaires/_results.html).
    assert "Satisfaction des usagers (3)" in page and "Je me sens plus autonome" in page and "3 réponses" in page
    body = response.content.decode()
    assert body.count('class="indicator-chart"') == 1 and body.count('class="toc-diagram"') == 1


def _download(client: Client, job: ExportJob) -> bytes:
    response = client.get(reverse("documents:export_download", kwargs={"exportjob_pk": job.pk}))
    return b"".join(response.streaming_content)


def _export(tenant: Tenant, kind: str) -> tuple[ExportJob, bytes]:
    client = tenant.client_for(tenant.contributeur)
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(reverse("evaluation:export", kwargs=rm(tenant)), {"kind": kind})
    assert response.status_code == 302
    job = ExportJob.objects.latest("pk")
    assert job.status == ExportJob.Status.DONE, job.error
    return job, _download(tenant.client_for(tenant.lecteur), job)


def test_the_pdf_report_carries_the_same_figures_and_drawings(tenant_a: Tenant) -> None:
    _build(tenant_a)
    job, content = _export(tenant_a, "evaluation_report_pdf")
    assert job.roadmap == tenant_a.roadmap and job.organization == tenant_a.organization
    pdf = subprocess.run(["pdftotext", "-layout", "-", "-"], input=content, capture_output=True, check=True)  # noqa: S607
    words = " ".join(pdf.stdout.decode().split())
    for expected in (
        "Rapport d'évaluation",
        "Dans quelle mesure la feuille de route a-t-elle renforcé l'autonomie des habitants",
        "La dynamique est lancée",
        "BESOIN SOCIAL",
        "Des habitants éloignés du numérique",
        "Personnes accompagnées",
        "82 % de la cible",
        "Cible : 300 personnes",  # the chart's target line, drawn in the PDF too
        "245",
        "300 habitants accompagnés en 2026",
        "Maintenant je fais ma déclaration seule",
        "Satisfaction des usagers",
        "Je me sens plus autonome",
    ):
        assert expected in words.replace(NB, " "), expected
    # Look at the pages: the theory of change and the chart are drawn (saved for a person to look at).
    out = Path(settings.BASE_DIR) / "var" / "screenshots" / "evaluation-report"
    out.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-", str(out)], input=content, check=True)  # noqa: S607
    assert list(out.parent.glob("evaluation-report-*.png"))


def test_the_csv_export_holds_every_value_and_reads_back(tenant_a: Tenant, tenant_b: Tenant) -> None:
    indicator = _build(tenant_a)
    IndicatorValueFactory(indicator=IndicatorFactory(roadmap=tenant_b.roadmap), number=999)
    job, content = _export(tenant_a, "evaluation_values_csv")
    assert job.download_name.endswith(".csv")
    lines = content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("indicateur;intitulé;effet")
    assert len(lines) == 4 and not any("999" in line for line in lines)
    assert lines[2].startswith(f"{indicator.ref};Personnes accompagnées;Des habitants plus autonomes;")
    assert ";01/09/2025;170;Registre des permanences;" in lines[2]
    # The export reads back in the import (same column names), once the values are removed.
    indicator.values.all().delete()
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("valeurs.csv", content, content_type="text/csv")
    client = tenant_a.client_for(tenant_a.contributeur)
    assert client.post(reverse("evaluation:values_import", kwargs=rm(tenant_a)), {"file": upload}).status_code == 302
    assert indicator.values.count() == 3


def _luminance(colour: str) -> float:
    red, green, blue = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.299 * red + 0.587 * green + 0.114 * blue


def test_the_budget_bars_stay_apart_in_black_and_white() -> None:
    import re
    from decimal import Decimal

    from evaluation.charts import bars_svg

    svg = bars_svg([("2025", [Decimal(100), Decimal(60), Decimal(30)])], ["Prévu", "Engagé", "Réalisé"], "Budget")
    bars = re.findall(r'<rect x="70" y="(\d+)" width="[\d.]+" height="12" fill="(#[0-9a-f]{6})"', svg)
    fills = [fill for y, fill in bars if int(y) > 20]  # the bars, not the legend's squares above them
    assert len(fills) == 3
    greys = sorted(_luminance(f) for f in fills)
    # Printed in grey, each series differs from the others by a clear step (a white bar is outlined).
    assert all(b - a >= 50 for a, b in zip(greys, greys[1:], strict=False)), greys
    assert 'fill="#ffffff" stroke="#1b1f2a"' in svg
    # Amounts read as in the tables beside the chart: cents when there are cents.
    cents = bars_svg([("2025", [Decimal("117000.5")])], ["Prévu"], "Budget")
    assert "117\u202f000,50\u00a0€" in cents or "117\u202f000,50 €" in cents


def test_a_long_theory_of_change_is_drawn_whole() -> None:
    from evaluation.charts import theory_of_change_svg
    from evaluation.models import Evaluation

    need = " ".join(f"constat{n} sur les habitants éloignés du numérique" for n in range(9))  # ~450 characters
    svg = theory_of_change_svg(Evaluation(need=need, impact="Des habitants autonomes"))
    assert "constat8" in svg and "…" not in svg
    svg_short = theory_of_change_svg(Evaluation(need="Court"))
    height = lambda s: int(s.split('viewBox="0 0 ')[1].split('"')[0].split()[1])  # noqa: E731
    assert height(svg) > height(svg_short)  # the boxes grew to hold the text


def test_the_report_of_a_full_roadmap_keeps_headings_with_what_follows(tenant_a: Tenant) -> None:
    from django.utils import timezone

    from demo.evaluation import build_evaluation_demo
    from evaluation.exporters import report_document
    from fiches.models import ActionExpense, ActionFunding
    from tests.factories import ChantierFactory, DefiFactory
    from tests.projectgroup.factories import AttendanceFactory, MeetingFactory

    roadmap = tenant_a.roadmap
    for d in range(3):
        defi = DefiFactory(roadmap=roadmap, title=f"Défi numéro {d} : accompagner les publics éloignés du numérique")
        for c in range(2):
            chantier = ChantierFactory(roadmap=roadmap, defi=defi, title=f"Chantier {d}.{c}")
            for n in range(2):
                action: Action = ActionFactory(
                    roadmap=roadmap,
                    chantier=chantier,
                    title=f"Permanences itinérantes {d}.{c}.{n} dans les communes rurales",
                    expected_results="300 habitants accompagnés en 2026 et un annuaire des aidants à jour.",
                )
                for year in roadmap.years:
                    ActionExpense.objects.create(
                        organization=roadmap.organization,
                        action=action,
                        year=year,
                        kind="fonctionnement",
                        amount=2000 + year,
                    )
                    ActionFunding.objects.create(
                        organization=roadmap.organization, action=action, year=year, funder="collectivite", amount=1000
                    )
    past = timezone.now() - datetime.timedelta(days=3)
    for _n in range(4):
        AttendanceFactory(organization=roadmap.organization, meeting=MeetingFactory(roadmap=roadmap, starts_at=past))
    questionnaire = QuestionnaireFactory(
        organization=tenant_a.organization, roadmap=roadmap, title="Satisfaction des usagers"
    )
    question: Question = QuestionFactory(
        organization=tenant_a.organization, questionnaire=questionnaire, label="Je me sens plus autonome"
    )
    for score in (3, 4, 5, 5, 2):
        response: Response = ResponseFactory(organization=tenant_a.organization, questionnaire=questionnaire)
        Answer.objects.create(organization=tenant_a.organization, response=response, question=question, number=score)
    build_evaluation_demo(roadmap)
    rendered = report_document(roadmap, lambda _n: None)
    assert rendered.pages and rendered.pages >= 5
    headings = {"Synthèse", "Cadrage", "Théorie du changement", "Questionnaires", "Satisfaction des usagers"}
    headings |= {e.title for e in Effect.objects.filter(roadmap=roadmap)} | {"Budget : prévu, engagé, réalisé"}
    for page in range(1, rendered.pages + 1):
        out = subprocess.run(  # noqa: S603
            ["pdftotext", "-layout", "-f", str(page), "-l", str(page), "-", "-"],  # noqa: S607
            input=rendered.content,
            capture_output=True,
            check=True,
        ).stdout.decode()
        lines = [" ".join(line.replace(NB, " ").split()) for line in out.splitlines() if line.strip()]
        body = [line for line in lines if not line.endswith(f"/ {rendered.pages}")]  # the page number
        last = body[-1] if body else ""
        assert not any(last.endswith(h.replace(NB, " ")) for h in headings), (page, last)  # no orphan heading
        assert not re.fullmatch(r"\d+ réponses?", last), page  # nor a questionnaire's title away from its questions
        if "1. Je me sens plus autonome" in lines:
            assert any("Tout à fait d'accord" in line for line in lines), page  # the question with its chart
        if any(line.startswith("Budget : prévu") for line in lines):
            assert any(line.startswith("Total") for line in lines), page  # the heading with its table


def test_the_roadmap_states_its_evaluation_framework(tenant_a: Tenant, tenant_b: Tenant) -> None:
    """« Modalités d'évaluation » in the roadmap the élus adopt says what step 7 set up, not only the fiches'."""
    from fiches.document import evaluation_lines, roadmap_document
    from tests.evaluation.factories import EffectFactory, EvaluationFactory, IndicatorFactory

    roadmap = tenant_a.roadmap
    assert not any("cadre d'évaluation" in line for line in evaluation_lines(roadmap_document(roadmap)))
    effect = EffectFactory(roadmap=roadmap)
    IndicatorFactory(roadmap=roadmap, effect=effect)
    IndicatorFactory(roadmap=roadmap, effect=effect)
    EvaluationFactory(
        roadmap=roadmap,
        question_object="la feuille de route",
        question_verb="a-t-elle renforcé",
        question_effect="l'autonomie numérique",
        question_public="des habitants",
    )
    IndicatorFactory(roadmap=tenant_b.roadmap)  # another territory's indicator counts for nothing here
    lines = " ".join(evaluation_lines(roadmap_document(roadmap))).replace("\u00a0", " ")
    assert "retient 1 effet attendu, suivis par 2 indicateurs" in lines
    assert "Question évaluative : « Dans quelle mesure la feuille de route a-t-elle renforcé l'autonomie" in lines
