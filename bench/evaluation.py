"""Questionnaires of step 7: 100 respondents submitting a 20-question questionnaire at once, against gunicorn.

- a questionnaire of 20 questions (Likert, single and multiple choice, numbers, free text), one answer per
  invitation link; 100 respondents, each on their own link (a phone: csrf cookie from the page, then the POST);
- they all send within the same 2-second window, as a room does when the animator says « à vous ! »
  (`questionnaire_submit_p95_ms`: response time of one submit, p95; the median too); then the worst case, 100
  respondents of an open questionnaire released by a barrier at the same instant (`questionnaire_submit_burst_p95_ms`),
  and 30 submits one after the other (`questionnaire_submit_sequential_p50_ms`, the cost of one request alone);
- 20 of the respondents tap twice (the same link sent twice at the same instant): exactly one answer may stand
  (`duplicate_responses`: links holding more than one response, must be 0; `duplicate_refused`: second submits
  refused with the French message);
- after the run, the database is read back: every answer each accepted respondent sent is there with its value
  (`answers_lost`: answers missing or altered, plus those of a respondent whose request failed; must be 0);
- the internal indicators of the evaluation (meetings, participants, structures, actions by status, budget per
  year, responses) cost the same number of queries for 5 and for 50 of everything (`internal_indicators_queries_*`).

    .venv/bin/python bench/evaluation.py        (or: make bench only=evaluation)
"""

from __future__ import annotations

import random
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench import harness  # noqa: E402

TARGETS = {
    "questionnaire_submit_p95_ms": "<= 100",
    "answers_lost": "== 0",
    "duplicate_responses": "== 0",
    "internal_indicators_queries_large": "== internal_indicators_queries_small",
}
SMALL, LARGE = 5, 50  # meetings, actions (with budget, follow-up, engagement), indicators and questionnaires each

RESPONDENTS = 100
QUESTIONS = 20
DOUBLE_TAPPERS = 20
WINDOW_S = 2.0
SEQUENTIAL = 30
CHOICES = ["Mairie", "CCAS", "Médiathèque", "France services", "Association"]
USES = ["Courriel", "Impôts", "Santé", "Visio", "Banque", "Emploi"]


def setup_questionnaires() -> tuple[Any, Any]:
    """A questionnaire of QUESTIONS questions answered by link (RESPONDENTS links), and its open twin."""
    from decimal import Decimal

    from questionnaires import actions
    from questionnaires.models import Kind, Mode
    from roadmap.models import Roadmap
    from tenancy.models import Organization
    from territories.models import Territory

    organization = Organization.objects.create(name="Banc d'essai questionnaires")
    territory = Territory.objects.create(organization=organization, name="Territoire du banc")
    roadmap = Roadmap.objects.create(
        organization=organization, territory=territory, title="Feuille de route", period_start=2026, period_end=2030
    )
    made = []
    for title, mode in (("Après les ateliers", Mode.LINK), ("Ouvert à tous", Mode.OPEN)):
        questionnaire = actions.create_questionnaire(roadmap, title=title, mode=mode)
        kinds = [Kind.LIKERT, Kind.SINGLE, Kind.MULTIPLE, Kind.NUMBER, Kind.TEXT]
        for n in range(QUESTIONS):
            kind = kinds[n % len(kinds)]
            fields: dict[str, Any] = {"kind": kind, "label": f"Question {n + 1}", "required": n % 3 != 2}
            if kind == Kind.SINGLE:
                fields["choices"] = CHOICES
            elif kind == Kind.MULTIPLE:
                fields["choices"] = USES
            elif kind == Kind.NUMBER:
                fields |= {"min_value": Decimal(0), "max_value": Decimal(120)}
            actions.add_question(questionnaire, **fields)
        made.append(questionnaire)
    by_link, open_one = made
    actions.add_links(by_link, RESPONDENTS)
    return by_link, open_one


def random_answers(questions: list[tuple[int, str]]) -> dict[str, Any]:
    """A full answer: every question answered (the optional ones too), as a browser posts it."""
    form: dict[str, Any] = {}
    for pk, kind in questions:
        name = f"q-{pk}"
        if kind == "likert":
            form[name] = str(random.randint(1, 5))  # noqa: S311 - test data
        elif kind == "single":
            form[name] = random.choice(CHOICES)  # noqa: S311
        elif kind == "multiple":
            form[name] = random.sample(USES, random.randint(1, 3))  # noqa: S311
        elif kind == "number":
            form[name] = str(random.randint(0, 120))  # noqa: S311
        else:
            form[name] = f"Réponse libre n° {random.randint(1, 10**6)}, avec des accents : éàç."  # noqa: S311
    return form


class Respondent:
    def __init__(self, url: str) -> None:
        import requests

        self.url = url
        self.session = requests.Session()
        self.session.get(url, timeout=30).raise_for_status()
        self.session.headers["X-CSRFToken"] = self.session.cookies["csrftoken"]
        self.sent: dict[str, Any] = {}
        self.ok = False

    def submit(self, form: dict[str, Any]) -> tuple[float, int, str]:
        start = time.perf_counter()
        response = self.session.post(self.url, form, allow_redirects=False, timeout=60)
        elapsed = (time.perf_counter() - start) * 1000
        if response.status_code == 302:
            self.ok, self.sent = True, form
        return elapsed, response.status_code, response.text


def expected_rows(form: dict[str, Any], kinds: dict[int, str]) -> dict[int, Any]:
    """What the database must hold for a form: question pk → value as stored."""
    from decimal import Decimal

    rows: dict[int, Any] = {}
    for name, value in form.items():
        pk = int(name.removeprefix("q-"))
        kind = kinds[pk]
        if kind in ("likert", "number"):
            rows[pk] = Decimal(value)
        elif kind == "multiple":
            rows[pk] = [u for u in USES if u in value]
        else:
            rows[pk] = value
    return rows


def internal_indicator_queries(size: int) -> int:
    """Queries of the internal indicators (step 7) of a roadmap holding `size` of everything they count: the same
    rows as the fixed-queries test builds (tests/evaluation/test_follow_up.py), another organisation beside."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from evaluation.internal import internal_indicators
    from tests.conftest import make_tenant
    from tests.evaluation.test_follow_up import _populate

    tenant = make_tenant(f"Banc indicateurs internes {size}")
    _populate(tenant, size)
    with CaptureQueriesContext(connection) as queries:
        figures = internal_indicators(tenant.roadmap)
    if figures.participation.meetings_held != size or figures.actions_total != size:
        raise RuntimeError(f"internal indicators miscounted: {figures.participation.meetings_held}, {size}")
    return len(queries)


def main() -> None:
    with harness.bench_database("evaluation") as env:
        from django.urls import reverse

        from questionnaires.models import Answer, Response

        by_link, open_one = setup_questionnaires()
        questions = list(by_link.questions.values_list("pk", "kind"))
        open_questions = list(open_one.questions.values_list("pk", "kind"))
        kinds = dict(questions) | dict(open_questions)
        links = list(by_link.links.order_by("number"))

        def url(base: str, token: str) -> str:
            return base + reverse("questionnaires:respond", kwargs={"token": token})

        with harness.gunicorn_server(workers=4, env=env) as base_url:
            with ThreadPoolExecutor(max_workers=8) as pool:
                crowd = list(pool.map(lambda link: Respondent(url(base_url, link.token)), links))
                tappers = list(pool.map(lambda r: Respondent(r.url), crowd[:DOUBLE_TAPPERS]))
                burst = list(pool.map(lambda _: Respondent(url(base_url, open_one.public_token)), range(RESPONDENTS)))
            # Warm the workers (imports, connections, templates) on the open questionnaire.
            open_sent: list[tuple[Respondent, dict[str, Any]]] = []
            for _ in range(8):
                warm = Respondent(url(base_url, open_one.public_token))
                open_sent.append((warm, random_answers(open_questions)))
                warm.submit(open_sent[-1][1])

            # The room answers within a 2-second window; 20 of them send their form twice at the same instant.
            forms = [random_answers(questions) for _ in crowd]
            delays = [random.uniform(0, WINDOW_S) for _ in crowd]  # noqa: S311 - test data
            jobs = [(r, f, d) for r, f, d in zip(crowd, forms, delays, strict=True)]
            jobs += [(t, forms[i], delays[i]) for i, t in enumerate(tappers)]
            start = time.perf_counter()

            def answer(job: tuple[Respondent, dict[str, Any], float]) -> tuple[float, int, str]:
                respondent, form, delay = job
                time.sleep(max(0.0, start + delay - time.perf_counter()))
                return respondent.submit(form)

            with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
                results = list(pool.map(answer, jobs))
            window_ms = [ms for ms, status, _ in results if status in (302, 409)]
            failed = [status for _, status, _ in results if status not in (302, 409)]
            refused = sum(1 for _, status, body in results if status == 409 and "Ce lien a déjà servi" in body)

            # Worst case: 100 respondents of the open questionnaire at the same instant.
            barrier = threading.Barrier(len(burst))
            burst_forms = [random_answers(open_questions) for _ in burst]

            def burst_answer(args: tuple[Respondent, dict[str, Any]]) -> float:
                barrier.wait(timeout=60)
                return args[0].submit(args[1])[0]

            with ThreadPoolExecutor(max_workers=len(burst)) as pool:
                burst_ms = list(pool.map(burst_answer, zip(burst, burst_forms, strict=True)))
            open_sent += list(zip(burst, burst_forms, strict=True))

            # For comparison, submits one after the other (the cost of one request on this machine, no queueing).
            sequential_ms = []
            for _ in range(SEQUENTIAL):
                alone = Respondent(url(base_url, open_one.public_token))
                open_sent.append((alone, random_answers(open_questions)))
                sequential_ms.append(alone.submit(open_sent[-1][1])[0])

        # Read back: each accepted respondent's answers, value by value.
        lost = 0
        stored = {r.link_id: r for r in Response.objects.filter(questionnaire=by_link)}
        values: dict[int, dict[int, Any]] = {}
        for response_pk, question_pk, number, text, choices in Answer.objects.filter(
            response__questionnaire__in=[by_link, open_one]
        ).values_list("response_id", "question_id", "number", "text", "choices"):
            kind = kinds[question_pk]
            value = number if kind in ("likert", "number") else choices if kind == "multiple" else text
            values.setdefault(response_pk, {})[question_pk] = value
        for link, respondent in zip(links, crowd, strict=True):
            tapper_ok = any(t.ok for t in tappers if t.url == respondent.url)
            if not (respondent.ok or tapper_ok):
                lost += QUESTIONS  # the request failed: all its answers are lost
                continue
            response = stored.get(link.pk)
            sent = expected_rows(forms[crowd.index(respondent)], kinds)
            held = values.get(response.pk, {}) if response else {}
            lost += sum(1 for pk, value in sent.items() if held.get(pk) != value)
        open_count = Answer.objects.filter(response__questionnaire=open_one).count()
        open_expected = sum(len(form) for respondent, form in open_sent if respondent.ok)
        lost += sum(len(form) for respondent, form in open_sent if not respondent.ok)
        lost += max(0, open_expected - open_count)
        link_ids = list(Response.objects.filter(questionnaire=by_link).values_list("link_id", flat=True))
        duplicates = len(link_ids) - len(set(link_ids))  # the unique constraint makes it 0, or the run fails
        answers_stored = Answer.objects.filter(response__questionnaire=by_link).count()
        queries_small, queries_large = internal_indicator_queries(SMALL), internal_indicator_queries(LARGE)

    harness.emit("questionnaire_submit_p50_ms", harness.percentile(window_ms, 50), "ms")
    harness.emit("questionnaire_submit_p95_ms", harness.percentile(window_ms, 95), "ms")
    harness.emit("questionnaire_submit_burst_p95_ms", harness.percentile(burst_ms, 95), "ms")
    harness.emit("questionnaire_submit_sequential_p50_ms", harness.percentile(sequential_ms, 50), "ms")
    harness.emit("answers_lost", lost, "answers")
    harness.emit("answers_stored", answers_stored, f"answers ({RESPONDENTS} respondents × {QUESTIONS} questions)")
    harness.emit("duplicate_responses", duplicates, "links")
    harness.emit("duplicate_refused", refused, f"of {DOUBLE_TAPPERS} double taps")
    harness.emit("failed_requests", len(failed), "requests")
    harness.emit("internal_indicators_queries_small", queries_small, f"queries ({SMALL} of each)")
    harness.emit("internal_indicators_queries_large", queries_large, f"queries ({LARGE} of each)")


if __name__ == "__main__":
    harness.run_main(main)
