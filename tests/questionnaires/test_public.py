"""The respondents' public page: answering without an account, and every refusal (French, nothing stored, the
typed answers back in the form)."""

from __future__ import annotations

import html
import re
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from questionnaires import actions, throttle
from questionnaires.models import Answer, Kind, Mode, Response
from tests.conftest import Tenant
from tests.questionnaires.conftest import filled, make_questionnaire


def respond_url(token: str) -> str:
    return reverse("questionnaires:respond", kwargs={"token": token})


def text(response: Any) -> str:
    """The page as a reader sees it (entities unescaped)."""
    return html.unescape(response.content.decode())


def test_a_respondent_answers_without_an_account(tenant_a: Tenant) -> None:
    questionnaire = make_questionnaire(tenant_a)
    client = Client()
    page = client.get(respond_url(questionnaire.public_token))
    assert page.status_code == 200
    assert "Je me sens à l'aise pour faire mes démarches en ligne" in text(page)
    assert "Tout à fait d'accord" in text(page)  # the scale's labels

    response = client.post(respond_url(questionnaire.public_token), filled(questionnaire))
    assert response.status_code == 302
    assert response["Location"] == reverse("questionnaires:thanks", kwargs={"token": questionnaire.public_token})
    assert "Merci, votre réponse est enregistrée." in text(client.get(response["Location"]))

    stored = Response.objects.get(questionnaire=questionnaire)
    assert stored.organization == tenant_a.organization
    by_kind = {a.question.kind: a for a in stored.answers.select_related("question")}
    assert by_kind[Kind.LIKERT].number == 4
    assert by_kind[Kind.SINGLE].text == "CCAS"
    assert by_kind[Kind.MULTIPLE].choices == ["Courriel", "Santé"]
    assert by_kind[Kind.NUMBER].number == 67
    assert by_kind[Kind.TEXT].text == "Très utile, merci à l'animatrice."


def test_the_public_page_shows_nothing_else_of_the_organisation(tenant_a: Tenant) -> None:
    questionnaire = make_questionnaire(tenant_a, intro="Cinq questions, deux minutes.")
    page = text(Client().get(respond_url(questionnaire.public_token)))
    assert tenant_a.organization.name not in page
    assert tenant_a.organization.slug not in page
    assert tenant_a.roadmap.title not in page
    assert "Cap Partagé" not in page  # not even the application's own navigation
    assert "<nav" not in page and "<header" not in page
    links = re.findall(r'(?:href|src|action)="([^"]*)"', page)
    assert links, "the page links its stylesheet and script"
    for link in links:
        assert link.startswith("/static/") or link in ("", "data:,"), link
    assert '<form method="post"' in page


def test_a_required_question_left_blank_is_refused_and_the_answers_come_back(tenant_a: Tenant) -> None:
    questionnaire = make_questionnaire(tenant_a)
    data = filled(questionnaire, likert=None, text="Ma remarque tapée avec soin")
    response = Client().post(respond_url(questionnaire.public_token), data)
    assert response.status_code == 400
    page = text(response)
    assert "Cette question est obligatoire : répondez-y pour envoyer le questionnaire." in page
    assert "rien n'a encore été enregistré" in page
    assert "Ma remarque tapée avec soin</textarea>" in page
    assert 'value="CCAS" checked' in page
    assert 'value="Courriel" checked' in page and 'value="Santé" checked' in page
    assert 'value="67"' in page
    assert not Response.objects.exists() and not Answer.objects.exists()


@pytest.mark.parametrize(
    ("kind", "value", "message"),
    [
        ("likert", "7", "Choisissez une valeur de l'échelle, de 1 à 5."),
        ("likert", "trois", "Choisissez une valeur de l'échelle, de 1 à 5."),
        ("number", "vingt", "Saisissez un nombre (par exemple 12 ou 12,5)."),
        ("number", "150", "Saisissez un nombre entre 0 et 120."),
        ("number", "-3", "Saisissez un nombre entre 0 et 120."),
        ("single", "Internet", "Choisissez une des réponses proposées."),
        ("multiple", ["Courriel", "Pêche"], "Choisissez parmi les réponses proposées."),
        ("single", ["Mairie", "CCAS"], "Une seule réponse est attendue à cette question."),
        ("text", "x" * 5001, "Votre réponse dépasse 5\u202f000 caractères"),
    ],
)
def test_a_value_of_the_wrong_type_or_outside_the_scale_is_refused(
    tenant_a: Tenant, kind: str, value: object, message: str
) -> None:
    questionnaire = make_questionnaire(tenant_a)
    response = Client().post(respond_url(questionnaire.public_token), filled(questionnaire, **{kind: value}))
    assert response.status_code == 400
    assert message in text(response)
    assert not Response.objects.exists()


def test_numbers_are_read_the_french_way(tenant_a: Tenant) -> None:
    questionnaire = make_questionnaire(tenant_a)
    response = Client().post(respond_url(questionnaire.public_token), filled(questionnaire, number="67,5"))
    assert response.status_code == 302
    assert Answer.objects.get(question__kind=Kind.NUMBER).number == pytest.approx(67.5)


def test_a_closed_or_not_yet_open_questionnaire_refuses_answers(tenant_a: Tenant) -> None:
    now = timezone.now()
    closed = make_questionnaire(tenant_a, opens_at=now - timedelta(days=10), closes_at=now - timedelta(days=1))
    upcoming = make_questionnaire(tenant_a, opens_at=now + timedelta(days=2))
    client = Client()
    for questionnaire, words in ((closed, "est clos depuis le"), (upcoming, "n'est pas encore ouvert")):
        assert words in text(client.get(respond_url(questionnaire.public_token)))
        response = client.post(respond_url(questionnaire.public_token), filled(questionnaire))
        assert response.status_code == 403
        assert words in text(response)
    assert not Response.objects.exists()
    with pytest.raises(actions.Refused, match="clos"):
        actions.submit(closed, {})


def test_one_answer_per_invitation_link(tenant_a: Tenant) -> None:
    questionnaire = make_questionnaire(tenant_a, mode=Mode.LINK)
    first, second = actions.add_links(questionnaire, 2)
    client = Client()
    # The questionnaire's own address does not open a questionnaire answered by invitation.
    assert client.get(respond_url(questionnaire.public_token)).status_code == 404
    assert client.post(respond_url(first.token), filled(questionnaire)).status_code == 302
    again = client.post(respond_url(first.token), filled(questionnaire))
    assert again.status_code == 409
    assert "Ce lien a déjà servi" in text(again)
    assert "Ce lien a déjà servi" in text(client.get(respond_url(first.token)))
    assert client.post(respond_url(second.token), filled(questionnaire)).status_code == 302
    assert Response.objects.filter(questionnaire=questionnaire).count() == 2


def test_respondent_codes(tenant_a: Tenant) -> None:
    questionnaire = make_questionnaire(tenant_a, mode=Mode.CODE)
    (code,) = actions.add_codes(questionnaire, 1)
    client = Client()
    url = respond_url(questionnaire.public_token)
    assert "Votre code de répondant" in text(client.get(url))
    # The QR code of a printed slip carries its code: the page opens with it typed.
    assert f'value="{code.code}"' in text(client.get(f"{url}?code={code.code.lower()}"))

    missing = client.post(url, filled(questionnaire))
    assert missing.status_code == 400 and "Saisissez votre code de répondant." in text(missing)

    unknown = client.post(url, filled(questionnaire, text="Gardez ma phrase") | {"code": "ZZZZZZ"})
    assert unknown.status_code == 400
    assert "Le code « ZZZZZZ » ne correspond à aucun répondant de ce questionnaire" in text(unknown)
    assert "Gardez ma phrase</textarea>" in text(unknown)
    assert 'value="ZZZZZZ"' in text(unknown)

    # Typed in lower case with a dash, as people do.
    typed = code.code.lower()[:3] + "-" + code.code.lower()[3:]
    assert client.post(url, filled(questionnaire) | {"code": typed}).status_code == 302
    twice = client.post(url, filled(questionnaire, text="Encore moi") | {"code": code.code})
    assert twice.status_code == 409
    assert "Une réponse a déjà été enregistrée avec ce code" in text(twice)
    assert "Encore moi</textarea>" in text(twice)
    assert Response.objects.get().code == code


def test_wrong_tokens_and_codes_are_throttled_per_address_but_a_right_link_still_works(tenant_a: Tenant) -> None:
    questionnaire = make_questionnaire(tenant_a, mode=Mode.CODE)
    (code,) = actions.add_codes(questionnaire, 1)
    client = Client()
    for n in range(throttle.MISSES_ALLOWED):
        assert client.get(respond_url(f"faux-jeton-{n}")).status_code == 404
    blocked = client.get(respond_url("encore-un-faux"))
    assert blocked.status_code == 429
    assert "Trop de liens ou de codes erronés" in text(blocked)
    wrong_code = client.post(respond_url(questionnaire.public_token), filled(questionnaire) | {"code": "ZZZZZZ"})
    assert wrong_code.status_code == 429
    # The right questionnaire and the right code are never refused.
    assert client.get(respond_url(questionnaire.public_token)).status_code == 200
    ok = client.post(respond_url(questionnaire.public_token), filled(questionnaire) | {"code": code.code})
    assert ok.status_code == 302
    # Another address is not affected.
    other = Client(REMOTE_ADDR="10.1.2.3")
    assert other.get(respond_url("faux-jeton")).status_code == 404


def test_an_open_questionnaire_limits_answers_per_address(tenant_a: Tenant, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(throttle, "OPEN_SUBMITS_ALLOWED", 3)
    questionnaire = make_questionnaire(tenant_a)
    client = Client()
    for _ in range(3):
        assert client.post(respond_url(questionnaire.public_token), filled(questionnaire)).status_code == 302
    refused = client.post(respond_url(questionnaire.public_token), filled(questionnaire, text="Ma phrase"))
    assert refused.status_code == 429
    assert "Trop de réponses ont été envoyées depuis cette connexion" in text(refused)
    assert "Ma phrase</textarea>" in text(refused)
    assert Response.objects.count() == 3


def test_an_optional_question_may_stay_blank(tenant_a: Tenant) -> None:
    questionnaire = make_questionnaire(tenant_a)
    data = filled(questionnaire, multiple=None, number="", text="  ")
    assert Client().post(respond_url(questionnaire.public_token), data).status_code == 302
    assert Answer.objects.count() == 2  # the Likert and the single choice only


def test_an_unknown_link(tenant_a: Tenant) -> None:
    response = Client().get(respond_url("n-existe-pas"))
    assert response.status_code == 404
    assert "Ce lien ne correspond à aucun questionnaire" in text(response)


def test_a_questionnaire_without_questions_is_not_answered(tenant_a: Tenant) -> None:
    questionnaire = actions.create_questionnaire(tenant_a.roadmap, title="En préparation")
    client = Client()
    assert "n'est pas encore prêt" in text(client.get(respond_url(questionnaire.public_token)))
    client.post(respond_url(questionnaire.public_token), {})
    assert not Response.objects.exists()
