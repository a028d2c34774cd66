"""A respondent on a phone (360×740): answers without an account, is refused with their answers kept, then sends;
an editor builds a questionnaire and reads its results with charts."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from django.urls import reverse
from playwright.sync_api import Page, expect

from questionnaires import actions
from questionnaires.models import Kind, Mode, Questionnaire, Response
from tests.conftest import Tenant
from tests.questionnaires.conftest import make_questionnaire


def no_horizontal_overflow(page: Page) -> None:
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], width  # type: ignore[index]


def test_a_respondent_on_a_phone_keeps_their_answers_after_a_refusal(
    open_page: Callable[..., Page], screenshot: Callable[..., Path], tenant_a: Tenant
) -> None:
    questionnaire = make_questionnaire(tenant_a, mode=Mode.CODE, intro="Cinq questions, deux minutes. Merci !")
    (code,) = actions.add_codes(questionnaire, 1)
    phone = open_page("phone")
    assert phone.viewport_size == {"width": 360, "height": 740}
    phone.goto(reverse("questionnaires:respond", kwargs={"token": questionnaire.public_token}))
    expect(phone.get_by_role("heading", name="Ateliers numériques : votre avis")).to_be_visible()
    no_horizontal_overflow(phone)
    screenshot(phone, "questionnaire-phone-empty")

    # The required Likert question is forgotten; the code is mistyped.
    phone.get_by_label("Votre code de répondant").fill("zzzzzz")
    phone.get_by_label("CCAS").check()
    phone.get_by_label("Courriel").check()
    phone.get_by_label("Santé").check()
    phone.get_by_label("Votre âge").fill("67")
    phone.get_by_label("Une remarque ?").fill("Les séances du mardi me conviennent bien.")
    phone.get_by_role("button", name="Envoyer mes réponses").click()

    expect(phone.get_by_text("Le code « ZZZZZZ » ne correspond à aucun répondant")).to_be_visible()
    expect(phone.get_by_text("Cette question est obligatoire")).to_be_visible()
    expect(phone.get_by_text("2 réponses sont à corriger")).to_be_visible()
    expect(phone.get_by_label("CCAS")).to_be_checked()
    expect(phone.get_by_label("Courriel")).to_be_checked()
    expect(phone.get_by_label("Santé")).to_be_checked()
    expect(phone.get_by_label("Impôts")).not_to_be_checked()
    expect(phone.get_by_label("Votre âge")).to_have_value("67")
    expect(phone.get_by_label("Une remarque ?")).to_have_value("Les séances du mardi me conviennent bien.")
    no_horizontal_overflow(phone)
    screenshot(phone, "questionnaire-phone-refused")
    assert not Response.objects.exists()

    phone.get_by_label("Votre code de répondant").fill(code.code.lower())
    phone.get_by_label("4 Plutôt d'accord").check()
    phone.get_by_role("button", name="Envoyer mes réponses").click()
    expect(phone.get_by_text("Merci, votre réponse est enregistrée.")).to_be_visible()
    screenshot(phone, "questionnaire-phone-thanks")
    stored = Response.objects.get()
    assert stored.code == code and stored.answers.count() == 5

    # Back to the page, the same code again: refused clearly, the answers kept.
    phone.goto(reverse("questionnaires:respond", kwargs={"token": questionnaire.public_token}))
    phone.get_by_label("Votre code de répondant").fill(code.code)
    phone.get_by_label("2 Plutôt pas d'accord").check()
    phone.get_by_label("Mairie").check()
    phone.get_by_role("button", name="Envoyer mes réponses").click()
    expect(phone.get_by_text("Une réponse a déjà été enregistrée avec ce code")).to_be_visible()
    expect(phone.get_by_label("2 Plutôt pas d'accord")).to_be_checked()
    assert Response.objects.count() == 1


def test_an_editor_builds_a_questionnaire_and_reads_its_results(
    open_page: Callable[..., Page], login: Callable[..., Page], screenshot: Callable[..., Path], tenant_a: Tenant
) -> None:
    page = open_page("desktop")
    login(page, tenant_a.contributeur)
    page.goto(tenant_a.url("questionnaires:questionnaire_list", roadmap_pk=tenant_a.roadmap.pk))
    page.get_by_label("Titre").fill("Après le bus numérique")
    page.get_by_role("button", name="Créer le questionnaire").click()
    expect(page.get_by_text("Questionnaire créé")).to_be_visible()

    form = page.locator("form[data-question-form]")
    form.get_by_label("Question").fill("Combien de fois êtes-vous venu ?")
    form.get_by_label("Type").select_option(Kind.NUMBER)
    expect(form.get_by_label("Réponses proposées")).to_be_hidden()  # only the settings of the chosen type
    form.get_by_label("Minimum").fill("1")
    form.get_by_role("button", name="Ajouter la question").click()
    expect(page.get_by_text("Question ajoutée.")).to_be_visible()
    form = page.locator("form[data-question-form]")
    form.get_by_label("Question").fill("Vous êtes venu")
    form.get_by_label("Type").select_option(Kind.SINGLE)
    form.get_by_label("Réponses proposées").fill("Seul\nEn famille\nAvec un aidant")
    form.get_by_role("button", name="Ajouter la question").click()
    expect(page.get_by_text("Seul · En famille · Avec un aidant")).to_be_visible()
    screenshot(page, "questionnaire-builder")

    questionnaire = Questionnaire.objects.get()
    for times, who in ((1, "Seul"), (3, "Seul"), (2, "En famille")):
        client_page = open_page("phone")
        client_page.goto(reverse("questionnaires:respond", kwargs={"token": questionnaire.public_token}))
        client_page.get_by_label("Combien de fois êtes-vous venu ?").fill(str(times))
        client_page.get_by_label(who, exact=True).check()
        client_page.get_by_role("button", name="Envoyer mes réponses").click()
        expect(client_page.get_by_text("Merci")).to_be_visible()

    page.get_by_role("link", name="Voir les résultats").click()
    expect(page.get_by_text("3 réponses", exact=True)).to_be_visible()
    expect(page.get_by_text("moyenne 2,00")).to_be_visible()
    charts = page.locator("svg.q-chart")
    expect(charts).to_have_count(2)
    for index in range(2):
        box = charts.nth(index).bounding_box()
        assert box is not None and box["width"] > 300 and box["x"] + box["width"] <= 1280
    screenshot(page, "questionnaire-results")


def test_a_reader_sees_the_before_after_comparison_and_the_printable_codes(
    open_page: Callable[..., Page], login: Callable[..., Page], screenshot: Callable[..., Path], tenant_a: Tenant
) -> None:
    from demo.questionnaires import build_questionnaires_demo

    build_questionnaires_demo(tenant_a.roadmap)
    after = Questionnaire.objects.get(phase="apres")
    page = open_page("desktop")
    login(page, tenant_a.lecteur)
    page.goto(tenant_a.url("questionnaires:results", questionnaire_pk=after.pk))
    expect(page.get_by_text("9 répondants appariés", exact=False)).to_be_visible()
    expect(page.get_by_role("heading", name="Avant / après (mêmes répondants)")).to_be_visible()
    expect(page.get_by_role("cell", name="Je sais envoyer un courriel avec une pièce jointe")).to_be_visible()
    no_horizontal_overflow(page)
    screenshot(page, "questionnaire-results-pair")
    page.goto(tenant_a.url("questionnaires:codes", questionnaire_pk=after.pk))
    expect(page.locator(".q-slip")).to_have_count(14)
    expect(page.get_by_role("button", name="Créer des codes")).to_have_count(0)  # a reader prints, creates nothing
    screenshot(page, "questionnaire-codes")
