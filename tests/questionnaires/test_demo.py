"""The demo's before/after pair (demo/questionnaires.py): made once, with answers that compare."""

from __future__ import annotations

from demo.questionnaires import build_questionnaires_demo
from questionnaires.models import Questionnaire, Response
from questionnaires.results import summaries
from tests.conftest import Tenant


def test_the_demo_pair_is_made_once_with_matched_answers(tenant_a: Tenant) -> None:
    first = build_questionnaires_demo(tenant_a.roadmap)
    assert build_questionnaires_demo(tenant_a.roadmap) == first
    assert Questionnaire.objects.count() == 2 and Response.objects.count() == 21
    after = next(s for s in summaries(tenant_a.roadmap) if s.phase == "apres")
    assert after.pairs_matched == 9
    assert len(after.comparisons) == 4  # three Likert questions and the number of hours
    assert all(c.delta is not None and c.delta > 0 for c in after.comparisons)
