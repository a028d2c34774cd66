"""Results: counts, distributions, means, free texts, before/after pairs; the page (fixed queries), the CSV,
the step's progress, and the interface evaluation/ uses (summaries, response_counts, _results.html)."""

from __future__ import annotations

import csv
import html
import io
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse

from questionnaires import actions
from questionnaires.answering import read_answers
from questionnaires.models import Mode, Questionnaire, RespondentCode
from questionnaires.results import response_counts, summaries
from roadmap.steps import roadmap_steps
from tests.conftest import Tenant
from tests.questionnaires.conftest import filled, make_questionnaire


def text(response: Any) -> str:
    return html.unescape(response.content.decode())


def answer(questionnaire: Questionnaire, code: RespondentCode | None = None, **values: Any) -> None:
    data = {k: ([v] if isinstance(v, str) else v) for k, v in filled(questionnaire, **values).items()}
    reading = read_answers(list(questionnaire.questions.all()), data)
    assert reading.valid, reading.errors
    actions.submit(questionnaire, reading.values, code=code)


def test_summaries_count_and_average_each_question(tenant_a: Tenant) -> None:
    questionnaire = make_questionnaire(tenant_a)
    answer(questionnaire, likert="5", single="Mairie", multiple=["Courriel", "Santé"], number="20", text="Bien")
    answer(questionnaire, likert="4", single="Mairie", multiple=["Courriel"], number="40", text="Trop court")
    answer(questionnaire, likert="2", single="CCAS", multiple=None, number=None, text=None)
    make_questionnaire(tenant_a, title="Sans réponse")

    (summary, empty) = summaries(tenant_a.roadmap)
    assert (summary.title, summary.responses, empty.responses) == ("Ateliers numériques : votre avis", 3, 0)
    likert, single, multiple, number, free = summary.questions
    assert likert.answered == 3 and likert.mean == pytest.approx(11 / 3)
    assert [b.count for b in likert.bars] == [0, 1, 0, 1, 1]
    assert likert.bars[4].label == "5 – Tout à fait d'accord"
    assert [(b.label, b.count, b.percent) for b in single.bars] == [
        ("Mairie", 2, 67),
        ("CCAS", 1, 33),
        ("Affiche", 0, 0),
    ]
    assert multiple.answered == 2
    assert [(b.label, b.count) for b in multiple.bars] == [("Courriel", 2), ("Impôts", 0), ("Santé", 1), ("Visio", 0)]
    assert number.answered == 2 and number.mean == pytest.approx(30)
    assert free.texts == ["Bien", "Trop court"]
    assert "<svg" in likert.chart and "Mairie" in single.chart
    assert response_counts(tenant_a.roadmap) == {summary.questionnaire.pk: 3, empty.questionnaire.pk: 0}


def test_before_and_after_are_compared_over_the_same_respondents(tenant_a: Tenant) -> None:
    before = make_questionnaire(tenant_a, title="Avant les ateliers")
    after = actions.create_after(before)
    before.refresh_from_db()
    alice, bruno, chloe = actions.add_codes(before, 3)
    answer(before, alice, likert="2", number="30")
    answer(before, bruno, likert="1", number="50")
    answer(before, chloe, likert="3", number="40")  # never answers « après »: left out of the comparison
    answer(after, alice, likert="4", number="30")
    answer(after, bruno, likert="4", number="52")

    by_title = {s.title: s for s in summaries(tenant_a.roadmap)}
    s_before, s_after = by_title["Avant les ateliers"], by_title["Avant les ateliers (après)"]
    assert (s_before.pairs_matched, s_after.pairs_matched) == (2, 2)
    assert s_after.partner_title == "Avant les ateliers"
    likert, number = s_after.comparisons
    assert (likert.pairs, likert.before_mean, likert.after_mean) == (2, 1.5, 4.0)
    assert likert.delta_display == "+2,50"
    assert (number.before_mean, number.after_mean) == (40.0, 41.0)
    assert "avant 1,50" in s_after.comparison_chart and "après 4,00" in s_after.comparison_chart
    assert not s_before.comparisons  # shown once, on the « après »


def test_the_results_template_renders_for_the_report(tenant_a: Tenant) -> None:
    questionnaire = make_questionnaire(tenant_a)
    answer(questionnaire, text="Des ateliers le samedi, s'il vous plaît")
    out = html.unescape(render_to_string("questionnaires/_results.html", {"summaries": summaries(tenant_a.roadmap)}))
    assert "1 réponse" in out and "Des ateliers le samedi, s'il vous plaît" in out
    assert out.count("<svg") == 4  # Likert, single, multiple, number; the free text is listed
    assert "style=" not in out


def _fill(tenant: Tenant, questionnaires: int, respondents: int) -> list[Questionnaire]:
    made = []
    for n in range(questionnaires):
        questionnaire = make_questionnaire(tenant, title=f"Questionnaire {n}", mode=Mode.CODE)
        codes = actions.add_codes(questionnaire, respondents)
        for i, code in enumerate(codes):
            answer(questionnaire, code, likert=str(1 + i % 5), number=str(i), text=f"Réponse {i}")
        made.append(questionnaire)
    return made


def test_the_results_page_costs_the_same_queries_at_two_sizes(tenant_a: Tenant, django_assert_num_queries: Any) -> None:
    small, large, paired = _fill(tenant_a, 1, 2)[0], _fill(tenant_a, 1, 40)[0], _fill(tenant_a, 1, 30)[0]
    after = actions.create_after(paired)
    for code in list(paired.codes.all())[:15]:
        answer(after, code, likert="5")
    client = tenant_a.client_for(tenant_a.lecteur)

    def results(questionnaire: Questionnaire) -> str:
        return text(client.get(reverse("questionnaires:results", kwargs={"questionnaire_pk": questionnaire.pk})))

    results(small)  # warms what is cached per process (content types, templates)
    # session, user, membership (3) · questionnaire with its count (1) · questions (1) · grouped counts (1) ·
    # multiple choices (1) · free texts (1) · the organisation switcher of base.html (1)
    with django_assert_num_queries(9):
        assert "2 réponses" in results(small)
    with django_assert_num_queries(9):
        assert "40 réponses" in results(large)
    # A pair: the codes answered on both sides (1) and the paired values (1); the « avant » looks its « après » up.
    with django_assert_num_queries(11):
        page = results(after)
    assert "15 réponses" in page and "15 répondants appariés" in page and "Avant / après" in page
    with django_assert_num_queries(12):
        assert "15 répondants appariés" in results(paired)


def test_summaries_run_a_fixed_number_of_queries(tenant_a: Tenant, django_assert_num_queries: Any) -> None:
    _fill(tenant_a, 1, 3)
    with django_assert_num_queries(5):
        summaries(tenant_a.roadmap)
    _fill(tenant_a, 4, 12)
    with django_assert_num_queries(5):
        assert len(summaries(tenant_a.roadmap)) == 5
    with django_assert_num_queries(1):
        assert sorted(response_counts(tenant_a.roadmap).values()) == [3, 12, 12, 12, 12]


def test_the_csv_holds_the_raw_answers_of_this_organisation_only(tenant_a: Tenant, tenant_b: Tenant) -> None:
    other = make_questionnaire(tenant_b)
    answer(other, text="Réponse de Bêta")  # answered before: its id comes first in the database
    questionnaire = make_questionnaire(tenant_a, mode=Mode.CODE)
    (code,) = actions.add_codes(questionnaire, 1)
    answer(questionnaire, code, multiple=["Courriel", "Visio"], number="12,5", text='=HYPERLINK("x")')
    url = reverse("questionnaires:csv", kwargs={"questionnaire_pk": questionnaire.pk})
    response = tenant_a.client_for(tenant_a.lecteur).get(url)
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:4] == ["reponse", "date", "code_repondant", "lien"]
    assert rows[0][4] == "Q1. Je me sens à l'aise pour faire mes démarches en ligne"
    assert len(rows) == 2
    assert rows[1][0] == "1"  # this questionnaire's first answer, whatever other territories answered
    assert rows[1][2] == code.code
    assert rows[1][4:] == ["4", "CCAS", "Courriel | Visio", "12,5", '\'=HYPERLINK("x")']
    assert "Bêta" not in response.content.decode("utf-8-sig")
    assert tenant_b.client_for(tenant_b.admin).get(url).status_code == 404


def test_step_seven_counts_questionnaires_and_responses(tenant_a: Tenant) -> None:
    def step_seven() -> Any:
        return next(s for s in roadmap_steps(tenant_a.roadmap) if s.number == 7)

    assert not any("questionnaire" in d for d in step_seven().done)
    questionnaire = make_questionnaire(tenant_a)
    assert "Diffusez vos questionnaires : aucune réponse pour l'instant." in step_seven().missing
    answer(questionnaire)
    assert "1 questionnaire, 1 réponse" in step_seven().done
    assert not any("Diffusez" in str(m) for m in step_seven().missing)
    make_questionnaire(tenant_a, title="Deuxième")
    for _ in range(3):
        answer(questionnaire)
    assert "2 questionnaires, 4 réponses" in step_seven().done
    assert any(link.label == "Les questionnaires" for link in step_seven().links)


def test_step_seven_contribution_is_one_query_at_two_sizes(tenant_a: Tenant, django_assert_num_queries: Any) -> None:
    from questionnaires.progress import questionnaires as contribute
    from roadmap.steps import Step

    _fill(tenant_a, 1, 2)
    with django_assert_num_queries(1):
        contribute(Step(7, "", "questionnaires", ""), tenant_a.roadmap)
    _fill(tenant_a, 3, 15)
    step = Step(7, "", "questionnaires", "")
    with django_assert_num_queries(1):
        contribute(step, tenant_a.roadmap)
    assert step.done == ["4 questionnaires, 47 réponses"]


def test_the_results_print_in_a_pdf_with_their_charts(tenant_a: Tenant, tmp_path: Any) -> None:
    """evaluation/'s report includes _results.html in its PDF: the SVG charts must come out of WeasyPrint."""
    import subprocess

    from documents.pdf import html_to_pdf

    questionnaire = make_questionnaire(tenant_a)
    for likert in ("5", "4", "4"):
        answer(questionnaire, likert=likert, text="Des ateliers le samedi")
    body = render_to_string("questionnaires/_results.html", {"summaries": summaries(tenant_a.roadmap)})
    pdf = tmp_path / "results.pdf"
    pdf.write_bytes(html_to_pdf(f"<html lang='fr'><body>{body}</body></html>").content)
    text_of_pdf = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout  # noqa: S603, S607
    assert "3 réponses" in text_of_pdf
    assert "4 – Plutôt d'accord" in text_of_pdf  # a label drawn inside the SVG chart
    assert "2 · 67" in text_of_pdf  # its count and share
    assert "Des ateliers le samedi" in text_of_pdf
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "page")], check=True)  # noqa: S603, S607
    (png,) = tmp_path.glob("page*.png")
    folder = Path(settings.BASE_DIR) / "var" / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    png.replace(folder / "questionnaire-results-pdf.png")


def test_a_bar_is_the_share_of_the_respondents_not_of_the_largest_answer(tenant_a: Tenant) -> None:
    """An élu reads a bar drawn to the end of its track as « everyone »: 1 answer of 3 is a third of the track."""
    import re

    from questionnaires.charts import BAR_MAX

    questionnaire = make_questionnaire(tenant_a)
    answer(questionnaire, likert="5", single="Mairie", multiple=["Courriel"], number="20", text="Bien")
    answer(questionnaire, likert="4", single="CCAS", multiple=["Courriel"], number="40", text="Oui")
    answer(questionnaire, likert="2", single="Affiche", multiple=["Courriel"], number=None, text=None)
    single, multiple = summaries(tenant_a.roadmap)[0].questions[1:3]
    widths = [float(w) for w in re.findall(r'width="([\d.]+)" height="\d+" fill="#2f5d8a"', single.chart)]
    tracks = {float(w) for w in re.findall(r'width="([\d.]+)" height="\d+" fill="#eef1f4"', single.chart)}
    assert tracks == {BAR_MAX}
    assert widths == [pytest.approx(BAR_MAX / 3, abs=0.1)] * 3  # 1 of 3 each: a third, not the whole track
    # Everyone gave the same answer: that bar, and only then, fills its track.
    assert f'width="{BAR_MAX}" height="14" fill="#2f5d8a"' in multiple.chart
