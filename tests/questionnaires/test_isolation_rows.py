"""Questionnaire rows stay in their organisation: a token, a respondent code or an answer field of another
organisation's questionnaire reaches nothing here, and no row is written naming a parent of another organisation."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from questionnaires import actions
from questionnaires.models import (
    Answer,
    Mode,
    Question,
    Questionnaire,
    RespondentCode,
    Response,
    ResponseLink,
)
from tests.conftest import Tenant
from tests.questionnaires.conftest import filled, make_questionnaire
from tests.questionnaires.test_public import respond_url, text


def test_a_respondent_code_or_an_answer_field_of_another_organisation_reaches_nothing(
    tenant_a: Tenant, tenant_b: Tenant
) -> None:
    ours = make_questionnaire(tenant_a, mode=Mode.CODE)
    theirs = make_questionnaire(tenant_b, mode=Mode.CODE)
    (their_code,) = actions.add_codes(theirs, 1)
    client = Client()
    url = respond_url(ours.public_token)
    refused = client.post(url, filled(ours) | {"code": their_code.code})
    assert refused.status_code == 400
    assert "ne correspond à aucun répondant de ce questionnaire" in text(refused)
    assert not Response.objects.exists()
    # With a code of ours, a field naming B's question is ignored: only our questions are read and stored.
    (our_code,) = actions.add_codes(ours, 1)
    their_question = theirs.questions.order_by("position").first()
    assert their_question is not None
    posted = filled(ours) | {"code": our_code.code, f"q-{their_question.pk}": "5"}
    assert client.post(url, posted).status_code == 302
    assert not Answer.objects.filter(question__questionnaire=theirs).exists()
    assert set(Answer.objects.values_list("organization", flat=True)) == {tenant_a.organization.pk}
    # B's invitation link opens B's questionnaire only, never ours with B's link.
    b_link = make_questionnaire(tenant_b, mode=Mode.LINK, title="Questionnaire de Bêta")
    (link,) = actions.add_links(b_link, 1)
    page = text(client.get(respond_url(link.token)))
    assert "Questionnaire de Bêta" in page and ours.title not in page


def _rows(a: Tenant, b: Tenant) -> dict[str, Any]:
    ours = make_questionnaire(a, mode=Mode.CODE)
    theirs = make_questionnaire(b, mode=Mode.CODE)
    (their_code,) = actions.add_codes(theirs, 1)
    (our_code,) = actions.add_codes(ours, 1)
    their_link = ResponseLink.objects.create(organization=b.organization, questionnaire=theirs, number=1)
    our_response = Response.objects.create(organization=a.organization, questionnaire=ours, code=our_code)
    return {
        "ours": ours,
        "theirs": theirs,
        "their_code": their_code,
        "their_link": their_link,
        "our_response": our_response,
        "their_question": theirs.questions.first(),
        "our_question": ours.questions.first(),
    }


WRITES: dict[str, Callable[[Any, dict[str, Any]], Any]] = {
    "questionnaire on their roadmap": lambda org, r: Questionnaire(
        organization=org, roadmap=r["theirs"].roadmap, title="x"
    ),
    "« après » of their questionnaire": lambda org, r: Questionnaire(
        organization=org, roadmap=r["ours"].roadmap, title="x", mode=Mode.CODE, phase="apres", before=r["theirs"]
    ),
    "question in their questionnaire": lambda org, r: Question(organization=org, questionnaire=r["theirs"], label="x"),
    "question paired with theirs": lambda org, r: Question(
        organization=org, questionnaire=r["ours"], label="x", before_question=r["their_question"]
    ),
    "link of their questionnaire": lambda org, r: ResponseLink(organization=org, questionnaire=r["theirs"]),
    "code of their questionnaire": lambda org, r: RespondentCode(organization=org, questionnaire=r["theirs"], code="X"),
    "response with their code": lambda org, r: Response(
        organization=org, questionnaire=r["ours"], code=r["their_code"]
    ),
    "response with their link": lambda org, r: Response(
        organization=org, questionnaire=r["ours"], link=r["their_link"]
    ),
    "answer to their question": lambda org, r: Answer(
        organization=org, response=r["our_response"], question=r["their_question"], text="x"
    ),
}


@pytest.mark.parametrize("write", WRITES, ids=list(WRITES))
def test_no_row_names_a_parent_of_another_organisation(write: str, tenant_a: Tenant, tenant_b: Tenant) -> None:
    rows = _rows(tenant_a, tenant_b)
    counts = {m: m.objects.count() for m in (Questionnaire, Question, ResponseLink, RespondentCode, Response, Answer)}
    row = WRITES[write](tenant_a.organization, rows)
    with pytest.raises(ValidationError):
        row.save()
    assert {m: m.objects.count() for m in counts} == counts
