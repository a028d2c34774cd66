"""The editors build questionnaires; read-only members see them and change nothing; other organisations and
outsiders get 404."""

from __future__ import annotations

import html
from typing import Any

from django.test import Client
from django.urls import reverse

from questionnaires import actions
from questionnaires.answering import read_answers
from questionnaires.models import Kind, Mode, Phase, Question, Questionnaire, RespondentCode, Response
from tests.conftest import Tenant
from tests.questionnaires.conftest import filled, make_questionnaire


def text(response: Any) -> str:
    return html.unescape(response.content.decode())


def q_url(name: str, questionnaire: Questionnaire) -> str:
    return reverse(f"questionnaires:{name}", kwargs={"questionnaire_pk": questionnaire.pk})


def test_an_editor_builds_a_questionnaire(tenant_a: Tenant) -> None:
    client = tenant_a.client_for(tenant_a.contributeur)
    list_url = reverse("questionnaires:questionnaire_list", kwargs={"roadmap_pk": tenant_a.roadmap.pk})
    response = client.post(
        list_url,
        {"title": "Bus numérique : avant les ateliers", "mode": Mode.OPEN, "opens_at": "2026-01-05T09:00"},
    )
    questionnaire = Questionnaire.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(q_url("questionnaire", questionnaire))
    assert questionnaire.organization == tenant_a.organization and questionnaire.roadmap == tenant_a.roadmap
    assert questionnaire.opens_at is not None and questionnaire.opens_at.hour == 8  # 9:00 in Paris, stored in UTC

    add = q_url("question_add", questionnaire)
    posts = [
        {"new-label": "Je sais envoyer un courriel", "new-kind": Kind.LIKERT, "new-required": "on"},
        {"new-label": "Vous venez", "new-kind": Kind.SINGLE, "new-choices_text": "Seul\nAccompagné\n"},
        {"new-label": "Vos équipements", "new-kind": Kind.MULTIPLE, "new-choices_text": "Ordinateur\nTéléphone"},
        {"new-label": "Nombre de séances", "new-kind": Kind.NUMBER, "new-min_value": "1", "new-max_value": "12"},
        {"new-label": "Un mot pour finir", "new-kind": Kind.TEXT},
    ]
    for data in posts:
        assert client.post(add, data).status_code == 302
    questions = list(questionnaire.questions.all())
    assert [q.kind for q in questions] == [Kind.LIKERT, Kind.SINGLE, Kind.MULTIPLE, Kind.NUMBER, Kind.TEXT]
    assert [q.position for q in questions] == [1, 2, 3, 4, 5]
    assert questions[1].choices == ["Seul", "Accompagné"]
    assert questions[3].min_value == 1 and questions[3].max_value == 12
    assert questions[0].required and not questions[4].required
    assert questions[0].labels[4] == "Tout à fait d'accord"

    page = text(client.get(q_url("questionnaire", questionnaire)))
    assert "Je sais envoyer un courriel" in page and "Seul · Accompagné" in page
    assert f"/repondre/{questionnaire.public_token}/" in page  # the address to share
    assert "<svg" in page  # its QR code

    # Move the text question up, then edit the Likert's scale labels.
    client.post(reverse("questionnaires:question_move", kwargs={"question_pk": questions[4].pk}), {"direction": "up"})
    assert list(questionnaire.questions.values_list("label", flat=True))[3:] == [
        "Un mot pour finir",
        "Nombre de séances",
    ]
    edit = reverse("questionnaires:question_edit", kwargs={"question_pk": questions[0].pk})
    assert client.get(edit).status_code == 200
    labels = "Jamais\nRarement\nParfois\nSouvent\nToujours"
    data = {"label": "J'envoie des courriels", "kind": Kind.LIKERT, "required": "on", "labels_text": labels}
    assert client.post(edit, data).status_code == 302
    assert Question.objects.get(pk=questions[0].pk).labels == labels.split("\n")


def test_a_question_form_refuses_what_cannot_be_answered(tenant_a: Tenant) -> None:
    questionnaire = make_questionnaire(tenant_a)
    client = tenant_a.client_for(tenant_a.admin)
    add = q_url("question_add", questionnaire)
    cases = [
        (
            {"new-label": "Choix", "new-kind": Kind.SINGLE, "new-choices_text": "Un seul"},
            "Proposez au moins deux réponses",
        ),
        (
            {"new-label": "Doublon", "new-kind": Kind.MULTIPLE, "new-choices_text": "A\nA"},
            "Deux réponses proposées sont",
        ),
        (
            {"new-label": "Bornes", "new-kind": Kind.NUMBER, "new-min_value": "5", "new-max_value": "2"},
            "Le maximum doit",
        ),
        ({"new-label": "Échelle", "new-kind": Kind.LIKERT, "new-labels_text": "Un\nDeux"}, "Écrivez cinq libellés"),
        ({"new-label": "", "new-kind": Kind.TEXT}, "Ce champ est obligatoire"),
    ]
    for data, message in cases:
        response = client.post(add, data)
        assert response.status_code == 400, data
        assert message in text(response), message
    assert questionnaire.questions.count() == 5


def test_answers_already_given_are_protected(tenant_a: Tenant) -> None:
    questionnaire = make_questionnaire(tenant_a)
    questions = list(questionnaire.questions.all())
    actions.submit(
        questionnaire,
        read_answers(questions, {k: [v] if isinstance(v, str) else v for k, v in filled(questionnaire).items()}).values,
    )
    client = tenant_a.client_for(tenant_a.admin)
    likert = questions[0]
    delete = client.post(reverse("questionnaires:question_delete", kwargs={"question_pk": likert.pk}), follow=True)
    assert "Des réponses ont déjà été données à cette question" in text(delete)
    edit = reverse("questionnaires:question_edit", kwargs={"question_pk": likert.pk})
    refused = client.post(edit, {"label": likert.label, "kind": Kind.TEXT})
    assert refused.status_code == 400 and "le type de cette question ne peut plus changer" in text(refused)
    settings = client.post(q_url("questionnaire", questionnaire), {"title": "Autre", "mode": Mode.LINK})
    assert settings.status_code == 400 and "le mode de réponse ne peut plus changer" in text(settings)
    assert Questionnaire.objects.get().mode == Mode.OPEN and Question.objects.get(pk=likert.pk).kind == Kind.LIKERT
    # Deleting the questionnaire asks to confirm that its answers go with it.
    client.post(q_url("delete", questionnaire))
    assert Questionnaire.objects.exists()
    client.post(q_url("delete", questionnaire), {"confirm": "yes"})
    assert not Questionnaire.objects.exists() and not Response.objects.exists()


def test_links_and_codes_are_generated_and_printable(tenant_a: Tenant) -> None:
    client = tenant_a.client_for(tenant_a.admin)
    by_link = make_questionnaire(tenant_a, mode=Mode.LINK)
    assert client.post(q_url("links", by_link), {"count": "3"}).status_code == 302
    page = text(client.get(q_url("links", by_link)))
    tokens = list(by_link.links.values_list("token", flat=True))
    assert len(tokens) == 3 and all(f"/repondre/{t}/" in page for t in tokens)
    assert page.count("<svg") >= 3
    refused = client.post(q_url("links", by_link), {"count": "0"}, follow=True)
    assert "Indiquez un nombre de liens entre 1 et 500." in text(refused)

    by_code = make_questionnaire(tenant_a, mode=Mode.CODE)
    client.post(q_url("codes", by_code), {"count": "25"})
    codes = list(RespondentCode.objects.filter(questionnaire=by_code).values_list("code", flat=True))
    assert len(set(codes)) == 25
    page = text(client.get(q_url("codes", by_code)))
    assert all(code in page for code in codes)
    qr = client.get(q_url("qr", by_code))
    assert qr["Content-Type"] == "image/svg+xml" and qr.content.startswith(b"<?xml")
    assert client.get(q_url("qr", by_link)).status_code == 404  # each invitation link has its own QR code


def test_the_after_questionnaire_copies_the_questions_and_shares_the_codes(tenant_a: Tenant) -> None:
    before = make_questionnaire(tenant_a)
    client = tenant_a.client_for(tenant_a.admin)
    response = client.post(q_url("after", before))
    after = Questionnaire.objects.get(before=before)
    assert response["Location"].endswith(q_url("questionnaire", after))
    before.refresh_from_db()
    assert (before.phase, before.mode, after.phase, after.mode) == (Phase.BEFORE, Mode.CODE, Phase.AFTER, Mode.CODE)
    assert [q.before_question_id for q in after.questions.all()] == [q.pk for q in before.questions.all()]
    # Codes made from either page are the pair's: one code answers both.
    client.post(q_url("codes", after), {"count": "2"})
    assert before.codes.count() == 2 and after.codes.count() == 0
    code = before.codes.first()
    assert code is not None
    for questionnaire in (before, after):
        url = reverse("questionnaires:respond", kwargs={"token": questionnaire.public_token})
        assert Client().post(url, filled(questionnaire) | {"code": code.code}).status_code == 302
    assert Response.objects.filter(code=code).count() == 2
    # A pair must keep its codes; a second « après » is refused.
    assert client.post(q_url("questionnaire", after), {"title": "Après", "mode": Mode.OPEN}).status_code == 400
    again = client.post(q_url("after", before), follow=True)
    assert "a déjà son questionnaire « après »" in text(again)
    refused = client.post(q_url("delete", before), {"confirm": "yes"}, follow=True)
    assert "Supprimez d'abord son questionnaire « après »" in text(refused)


def test_a_reader_sees_but_changes_nothing(tenant_a: Tenant) -> None:
    questionnaire = make_questionnaire(tenant_a)
    question = questionnaire.questions.first()
    assert question is not None
    client = tenant_a.client_for(tenant_a.lecteur)
    page = client.get(q_url("questionnaire", questionnaire))
    assert page.status_code == 200
    assert "Ajouter la question" not in text(page) and "Réglages" not in text(page)
    assert client.get(q_url("results", questionnaire)).status_code == 200
    assert client.get(q_url("csv", questionnaire)).status_code == 200
    list_url = reverse("questionnaires:questionnaire_list", kwargs={"roadmap_pk": tenant_a.roadmap.pk})
    assert "Nouveau questionnaire" not in text(client.get(list_url))
    assert client.post(list_url, {"title": "X", "mode": Mode.OPEN}).status_code == 403
    assert (
        client.post(q_url("question_add", questionnaire), {"new-label": "X", "new-kind": Kind.TEXT}).status_code == 403
    )
    assert client.post(q_url("codes", questionnaire), {"count": "5"}).status_code == 403
    assert client.post(q_url("after", questionnaire)).status_code == 403
    edit = reverse("questionnaires:question_edit", kwargs={"question_pk": question.pk})
    assert client.post(edit, {"label": "X", "kind": Kind.TEXT}).status_code == 403
    assert Questionnaire.objects.count() == 1 and questionnaire.questions.count() == 5
    assert not RespondentCode.objects.exists()


def test_another_organisation_and_an_outsider_get_404(
    tenant_a: Tenant, tenant_b: Tenant, outsider_client: Client
) -> None:
    questionnaire = make_questionnaire(tenant_a)
    question = questionnaire.questions.first()
    assert question is not None
    other = tenant_b.client_for(tenant_b.admin)
    names = ["questionnaire", "results", "csv", "links", "codes", "qr"]
    for name in names:
        assert other.get(q_url(name, questionnaire)).status_code == 404, name
        assert outsider_client.get(tenant_a.path(q_url(name, questionnaire))).status_code == 404, name
    for name in ["question_add", "after", "delete", "codes", "links"]:
        assert other.post(q_url(name, questionnaire), {"count": "3"}).status_code == 404, name
    edit = reverse("questionnaires:question_edit", kwargs={"question_pk": question.pk})
    assert other.post(edit, {"label": "X", "kind": Kind.TEXT}).status_code == 404
    other_list = reverse("questionnaires:questionnaire_list", kwargs={"roadmap_pk": tenant_a.roadmap.pk})
    assert other.post(other_list, {"title": "Intrus", "mode": Mode.OPEN}).status_code == 404
    own_list = reverse("questionnaires:questionnaire_list", kwargs={"roadmap_pk": tenant_b.roadmap.pk})
    assert questionnaire.title not in text(other.get(own_list))
    assert Questionnaire.objects.count() == 1
