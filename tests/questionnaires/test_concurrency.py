"""Simultaneous submits against a real (threaded) server: one answer per link or code stands, the other is refused
clearly; nothing half-saved, nothing lost."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import requests
from django.db import IntegrityError, transaction
from django.urls import reverse

from questionnaires import actions
from questionnaires.models import Answer, Mode, Response
from tests.conftest import Tenant
from tests.questionnaires.conftest import filled, make_questionnaire

PAIRS = 10  # links each submitted twice at the same instant
OPEN_RESPONDENTS = 20


def _session(url: str) -> requests.Session:
    session = requests.Session()
    assert session.get(url, timeout=30).status_code == 200
    session.headers["X-CSRFToken"] = session.cookies["csrftoken"]
    return session


def test_two_simultaneous_submits_of_one_link_store_one_answer(
    transactional_db: None, live_server: Any, tenant_a: Tenant
) -> None:
    questionnaire = make_questionnaire(tenant_a, mode=Mode.LINK)
    links = actions.add_links(questionnaire, PAIRS)
    open_questionnaire = make_questionnaire(tenant_a, title="Ouvert à tous")
    data, open_data = filled(questionnaire), filled(open_questionnaire)
    jobs: list[tuple[str, dict[str, Any]]] = []
    for link in links:
        url = live_server.url + reverse("questionnaires:respond", kwargs={"token": link.token})
        jobs += [(url, data), (url, data)]  # a double tap, or the same link in two tabs
    coded = make_questionnaire(tenant_a, mode=Mode.CODE, title="Par code")
    codes = actions.add_codes(coded, PAIRS)
    coded_url = live_server.url + reverse("questionnaires:respond", kwargs={"token": coded.public_token})
    for code in codes:
        form = filled(coded) | {"code": code.code}
        jobs += [(coded_url, form), (coded_url, form)]
    open_url = live_server.url + reverse("questionnaires:respond", kwargs={"token": open_questionnaire.public_token})
    jobs += [(open_url, open_data)] * OPEN_RESPONDENTS
    sessions = [_session(url) for url, _ in jobs]
    barrier = threading.Barrier(len(jobs))

    def submit(index: int) -> tuple[int, str]:
        url, form = jobs[index]
        barrier.wait(timeout=60)
        response = sessions[index].post(url, form, allow_redirects=False, timeout=60)
        return response.status_code, response.text

    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        results = list(pool.map(submit, range(len(jobs))))

    for pair in range(PAIRS):
        statuses = sorted(status for status, _ in results[2 * pair : 2 * pair + 2])
        assert statuses == [302, 409], statuses
        refused = next(body for status, body in results[2 * pair : 2 * pair + 2] if status == 409)
        assert "Ce lien a déjà servi" in refused
    for pair in range(PAIRS, 2 * PAIRS):
        statuses = sorted(status for status, _ in results[2 * pair : 2 * pair + 2])
        assert statuses == [302, 409], statuses
        refused = next(body for status, body in results[2 * pair : 2 * pair + 2] if status == 409)
        assert "Une réponse a déjà été enregistrée avec ce code" in refused
    assert all(status == 302 for status, _ in results[4 * PAIRS :])
    assert Response.objects.filter(questionnaire=questionnaire).count() == PAIRS
    assert Response.objects.filter(questionnaire=coded).count() == PAIRS
    assert Response.objects.filter(questionnaire=open_questionnaire).count() == OPEN_RESPONDENTS
    # Every stored response holds all its answers (the multiple choice's and the others): nothing half-saved.
    assert Answer.objects.count() == (2 * PAIRS + OPEN_RESPONDENTS) * 5


def test_the_database_refuses_a_second_response_for_a_link_or_a_code(tenant_a: Tenant) -> None:
    """The unique constraints are the last guard, under the locks of actions.submit."""
    questionnaire = make_questionnaire(tenant_a, mode=Mode.LINK)
    (link,) = actions.add_links(questionnaire, 1)
    Response.objects.create(organization=tenant_a.organization, questionnaire=questionnaire, link=link)
    with pytest.raises(IntegrityError), transaction.atomic():
        Response.objects.create(organization=tenant_a.organization, questionnaire=questionnaire, link=link)
    coded = make_questionnaire(tenant_a, mode=Mode.CODE)
    (code,) = actions.add_codes(coded, 1)
    Response.objects.create(organization=tenant_a.organization, questionnaire=coded, code=code)
    with pytest.raises(IntegrityError), transaction.atomic():
        Response.objects.create(organization=tenant_a.organization, questionnaire=coded, code=code)
