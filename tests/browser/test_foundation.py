"""The foundation as a person uses it, with mouse and keyboard: the roadmap home, editing the enjeux in place
(htmx), reordering, read-only access, another organisation's URL, and the phone width."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from django.urls import reverse
from playwright.sync_api import Page, expect

from roadmap.models import Enjeu
from roadmap.steps import roadmap_steps
from tests.conftest import Tenant
from tests.factories import EnjeuFactory

STEP_TITLES = [
    "Organiser la démarche",
    "Connaître le sujet",
    "Définir les enjeux",
    "Chantiers et ressources",
    "S'inspirer",
    "Formaliser la feuille de route",
    "Évaluer",
]
NO_RELOAD_MARKER = "window.__pageNotReloaded"


def enjeu_list_url(tenant: Tenant) -> str:
    return reverse("roadmap:enjeu_list", kwargs={"roadmap_pk": tenant.roadmap.pk})


def titles(page: Page) -> list[str]:
    return [text.strip() for text in page.locator("#spine-items .spine-title").all_text_contents()]


def test_admin_opens_the_roadmap_home_and_sees_the_seven_steps(
    page: Page, login: Callable[..., Page], screenshot: Callable[..., Path], tenant_a: Tenant
) -> None:
    roadmap = tenant_a.roadmap
    EnjeuFactory.create_batch(2, roadmap=roadmap)
    expected = roadmap_steps(roadmap)

    login(page, tenant_a.admin)
    page.get_by_role("link", name=roadmap.title).click()

    expect(page).to_have_url(re.compile(reverse("roadmap:detail", kwargs={"roadmap_pk": roadmap.pk}) + "$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(roadmap.title)
    steps = page.locator("ol.steps > li")
    expect(steps).to_have_count(7)
    expect(steps.locator("h2 a")).to_have_text(STEP_TITLES)
    expect(steps.locator(".step-status")).to_have_text([str(step.status_label) for step in expected])
    expect(steps.nth(2)).to_contain_text("2 enjeux formulés")
    screenshot(page, "foundation-roadmap-home")

    steps.nth(2).get_by_role("link", name="Définir les enjeux").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Étape 3 · Définir les enjeux")
    page.get_by_role("link", name="Les enjeux", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Enjeux")
    expect(page.locator("#spine-items .spine-item")).to_have_count(2)


def test_admin_edits_an_enjeu_in_place_with_the_keyboard(
    page: Page, login: Callable[..., Page], screenshot: Callable[..., Path], tenant_a: Tenant
) -> None:
    enjeu = EnjeuFactory(roadmap=tenant_a.roadmap, question="Comment toucher les publics isolés ?")
    login(page, tenant_a.admin, next_url=enjeu_list_url(tenant_a))
    page.evaluate(f"{NO_RELOAD_MARKER} = true")
    row = page.locator(f"#enjeu-{enjeu.pk}")

    row.get_by_role("link", name="Modifier").click()
    question = row.get_by_label("Question")
    expect(question).to_be_focused()
    expect(question).to_have_value("Comment toucher les publics isolés ?")
    screenshot(page, "foundation-enjeu-inline-edit")
    question.fill("Comment aller vers les habitants qui ne viennent jamais ?")
    question.press("Enter")

    expect(row.locator(".spine-title")).to_have_text("Comment aller vers les habitants qui ne viennent jamais ?")
    expect(row.locator("form.spine-body")).to_have_count(0)
    assert page.evaluate(NO_RELOAD_MARKER) is True, "the edit reloaded the page instead of swapping the row"

    page.reload()
    expect(row.locator(".spine-title")).to_have_text("Comment aller vers les habitants qui ne viennent jamais ?")


def test_a_question_without_question_mark_is_refused_in_french_and_cancel_restores_the_row(
    page: Page, login: Callable[..., Page], screenshot: Callable[..., Path], tenant_a: Tenant
) -> None:
    enjeu = EnjeuFactory(roadmap=tenant_a.roadmap, question="Comment former les aidants ?")
    login(page, tenant_a.admin, next_url=enjeu_list_url(tenant_a))
    page.evaluate(f"{NO_RELOAD_MARKER} = true")
    row = page.locator(f"#enjeu-{enjeu.pk}")

    row.get_by_role("link", name="Modifier").click()
    row.get_by_label("Question").fill("Former les aidants")
    row.get_by_label("Question").press("Enter")

    expect(row.locator(".errorlist")).to_have_text(
        "Un enjeu se formule comme une question : terminez-la par un point d'interrogation."
    )
    expect(row.get_by_label("Question")).to_have_value("Former les aidants")
    screenshot(page, "foundation-enjeu-inline-error")
    enjeu.refresh_from_db()
    assert enjeu.question == "Comment former les aidants ?"

    row.get_by_role("link", name="Annuler").click()
    expect(row.locator(".spine-title")).to_have_text("Comment former les aidants ?")
    expect(row.get_by_label("Question")).to_have_count(0)
    expect(row.get_by_role("link", name="Modifier")).to_be_visible()
    assert page.evaluate(NO_RELOAD_MARKER) is True


def test_admin_reorders_with_the_arrows_and_adds_an_enjeu(
    page: Page, login: Callable[..., Page], screenshot: Callable[..., Path], tenant_a: Tenant
) -> None:
    for question in ["Comment A ?", "Comment B ?", "Comment C ?"]:
        EnjeuFactory(roadmap=tenant_a.roadmap, question=question)
    login(page, tenant_a.admin, next_url=enjeu_list_url(tenant_a))
    items = page.locator("#spine-items .spine-item")

    items.nth(0).get_by_role("button", name="Descendre").click()
    expect(items.locator(".spine-title")).to_have_text(["Comment B ?", "Comment A ?", "Comment C ?"])
    expect(items.locator(".spine-ref")).to_have_text(["E1", "E2", "E3"])
    items.nth(2).get_by_role("button", name="Monter").click()
    expect(items.locator(".spine-title")).to_have_text(["Comment B ?", "Comment C ?", "Comment A ?"])
    # With the keyboard: the focus stays on the moved item's ↓, so Enter twice moves it down twice.
    items.nth(0).get_by_role("button", name="Descendre").focus()
    page.keyboard.press("Enter")
    expect(items.locator(".spine-title")).to_have_text(["Comment C ?", "Comment B ?", "Comment A ?"])
    expect(items.nth(1).get_by_role("button", name="Descendre")).to_be_focused()
    page.keyboard.press("Enter")
    expect(items.locator(".spine-title")).to_have_text(["Comment C ?", "Comment A ?", "Comment B ?"])
    page.reload()
    expect(items.locator(".spine-title")).to_have_text(["Comment C ?", "Comment A ?", "Comment B ?"])

    add_form = page.locator("form", has=page.get_by_role("button", name="Ajouter"))
    add_form.get_by_label("Question").fill("Comment mesurer les progrès")
    add_form.get_by_role("button", name="Ajouter").click()
    expect(add_form.locator(".errorlist")).to_contain_text("terminez-la par un point d'interrogation")
    add_form.get_by_label("Question").fill("Comment mesurer les progrès ?")
    add_form.get_by_role("button", name="Ajouter").click()
    expect(items.locator(".spine-title")).to_have_text(
        ["Comment C ?", "Comment A ?", "Comment B ?", "Comment mesurer les progrès ?"]
    )
    expect(items.nth(3).locator(".spine-ref")).to_have_text("E4")
    expect(add_form.get_by_label("Question")).to_have_value("")
    screenshot(page, "foundation-enjeu-list")
    assert list(Enjeu.objects.filter(roadmap=tenant_a.roadmap).values_list("question", flat=True)) == [
        "Comment C ?",
        "Comment A ?",
        "Comment B ?",
        "Comment mesurer les progrès ?",
    ]


def test_a_lecteur_reads_without_edit_buttons(
    page: Page, login: Callable[..., Page], screenshot: Callable[..., Path], tenant_a: Tenant
) -> None:
    EnjeuFactory.create_batch(2, roadmap=tenant_a.roadmap)
    login(page, tenant_a.lecteur, next_url=enjeu_list_url(tenant_a))

    expect(page.locator(".readonly-banner")).to_have_text(
        "Accès en lecture seule : vous pouvez tout consulter, sans rien modifier."
    )
    expect(page.locator("#spine-items .spine-item")).to_have_count(2)
    expect(page.get_by_role("link", name="Modifier")).to_have_count(0)
    expect(page.get_by_role("button", name="Descendre")).to_have_count(0)
    expect(page.get_by_role("button", name="Ajouter")).to_have_count(0)
    screenshot(page, "foundation-lecteur-enjeux")

    page.goto(reverse("roadmap:detail", kwargs={"roadmap_pk": tenant_a.roadmap.pk}))
    expect(page.locator(".readonly-banner")).to_be_visible()
    expect(page.locator("ol.steps > li")).to_have_count(7)
    expect(page.get_by_role("link", name="Modifier la démarche")).to_have_count(0)


def test_a_member_of_another_organisation_typing_the_url_gets_the_french_404(
    page: Page, login: Callable[..., Page], screenshot: Callable[..., Path], tenant_a: Tenant, tenant_b: Tenant
) -> None:
    login(page, tenant_b.admin)

    for url in [
        reverse("roadmap:detail", kwargs={"roadmap_pk": tenant_a.roadmap.pk}),
        enjeu_list_url(tenant_a),
    ]:
        response = page.goto(url)
        assert response is not None and response.status == 404
        expect(page.get_by_role("heading", level=1)).to_have_text("Page introuvable")
        expect(page.locator("main")).to_contain_text("n'appartient pas à votre organisation")
        expect(page.locator("main")).not_to_contain_text(tenant_a.roadmap.title)
    screenshot(page, "foundation-404")
    page.get_by_role("link", name="Retour à l'accueil").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(tenant_b.organization.name)


def test_roadmap_pages_fit_a_phone_without_horizontal_scrolling(
    open_page: Callable[..., Page], login: Callable[..., Page], screenshot: Callable[..., Path], tenant_a: Tenant
) -> None:
    EnjeuFactory(
        roadmap=tenant_a.roadmap,
        question="Comment rendre les démarches administratives dématérialisées accessibles à tous les habitants ?",
        description="Les permanences France Services sont saturées le lundi.",
    )
    phone = open_page("phone")
    login(phone, tenant_a.admin)

    for name, url in [
        ("roadmap-home", reverse("roadmap:detail", kwargs={"roadmap_pk": tenant_a.roadmap.pk})),
        ("enjeux", enjeu_list_url(tenant_a)),
        ("step-3", reverse("roadmap:step", kwargs={"roadmap_pk": tenant_a.roadmap.pk, "number": 3})),
        ("territories", reverse("roadmap:territory_list")),  # tables scroll inside themselves
        ("members", reverse("tenancy:members")),
    ]:
        phone.goto(url)
        width = phone.evaluate("document.scrollingElement.scrollWidth")
        screenshot(phone, f"foundation-phone-{name}")
        assert width <= 360, f"{url} scrolls horizontally on a 360 px phone ({width} px wide)"
