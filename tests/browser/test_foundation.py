"""The foundation as a person uses it, with mouse and keyboard: the roadmap home, editing the enjeux in place
(htmx), reordering, read-only access, another organisation's URL, and the phone width."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from pathlib import Path

from django.conf import settings
from django.urls import reverse
from playwright.sync_api import Page, expect

from adoption.models import RoadmapVersion
from diagnostics.importers import Scope, import_folder
from fiches.document import roadmap_document as snapshot
from roadmap.models import Enjeu, Roadmap
from roadmap.steps import roadmap_steps
from territories.models import Commune
from tests.browser.conftest import wait_for_htmx
from tests.conftest import Tenant
from tests.factories import ActionFactory, EnjeuFactory
from tests.roadmap.richdata import rich_roadmap

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
    wait_for_htmx(page)
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
    wait_for_htmx(page)  # the inline form is live once settled; Enter before that would post the plain form
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
    wait_for_htmx(page)
    items.nth(2).get_by_role("button", name="Monter").click()
    expect(items.locator(".spine-title")).to_have_text(["Comment B ?", "Comment C ?", "Comment A ?"])
    wait_for_htmx(page)
    # With the keyboard: the focus stays on the moved item's ↓, so Enter twice moves it down twice.
    items.nth(0).get_by_role("button", name="Descendre").focus()
    page.keyboard.press("Enter")
    expect(items.locator(".spine-title")).to_have_text(["Comment C ?", "Comment B ?", "Comment A ?"])
    expect(items.nth(1).get_by_role("button", name="Descendre")).to_be_focused()
    wait_for_htmx(page)
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


def test_the_steps_offer_each_member_only_the_links_they_can_follow(
    open_page: Callable[..., Page], login: Callable[..., Page], screenshot: Callable[..., Path], tenant_a: Tenant
) -> None:
    home = reverse("roadmap:detail", kwargs={"roadmap_pk": tenant_a.roadmap.pk})
    documents = reverse("documents:exports", args=[tenant_a.roadmap.pk])
    lecteur = login(open_page("desktop"), tenant_a.lecteur, next_url=home)
    steps = lecteur.locator("ol.steps > li")
    expect(steps.nth(0).get_by_role("link", name="Le territoire")).to_be_visible()
    expect(steps.nth(0).get_by_role("link", name="Les membres")).to_have_count(0)
    expect(steps.nth(1).get_by_role("link", name="Lancer un tour de table")).to_have_count(0)
    expect(steps.nth(2).get_by_role("link", name="Les ateliers participatifs")).to_be_visible()  # reading is fine
    screenshot(lecteur, "foundation-lecteur-roadmap-home")
    # Every link left on the home page opens for a read-only member: no 403 behind any of them.
    hrefs = lecteur.locator("ol.steps a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    statuses = {href: lecteur.request.get(href).status for href in set(hrefs)}
    assert statuses and set(statuses.values()) == {200}, statuses
    lecteur.goto(reverse("roadmap:step", kwargs={"roadmap_pk": tenant_a.roadmap.pk, "number": 1}))
    expect(lecteur.locator("main .links")).to_contain_text("Le territoire")
    expect(lecteur.get_by_role("link", name="Les membres")).to_have_count(0)

    # The documents page: no « keep working » for someone who produces nothing; where the Word files are, for all.
    lecteur.goto(documents)
    expect(lecteur.locator("main")).not_to_contain_text("continuer à travailler")
    expect(lecteur.locator("main")).to_contain_text("Les documents produits par l'équipe, à télécharger.")
    expect(lecteur.locator("#word")).to_contain_text("Le document Word se produit fiche par fiche")
    lecteur.get_by_role("link", name="Ouvrir la liste des actions").click()
    expect(lecteur.get_by_role("heading", level=1)).to_contain_text("Actions")

    contributeur = login(open_page("desktop"), tenant_a.contributeur, next_url=home)
    contributeur_step_2 = contributeur.locator("ol.steps > li").nth(1)
    expect(contributeur_step_2.get_by_role("link", name="Lancer un tour de table")).to_be_visible()
    expect(contributeur.get_by_role("link", name="Les membres")).to_have_count(0)

    admin = login(open_page("desktop"), tenant_a.admin, next_url=home)
    steps = admin.locator("ol.steps > li")
    steps.nth(0).get_by_role("link", name="Les membres").click()
    expect(admin).to_have_url(re.compile(reverse("tenancy:members") + "$"))
    admin.goto(home)
    expect(steps.nth(1).get_by_role("link", name="Lancer un tour de table")).to_be_visible()
    admin.goto(documents)
    expect(admin.locator(".lead")).to_contain_text("vous pouvez continuer à travailler")
    expect(admin.locator("#word")).to_be_visible()


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
    page.get_by_role("link", name="revenir à l'accueil de votre organisation").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(tenant_b.organization.name)


def _publish(roadmap: Roadmap) -> None:
    """Publish an adopted version directly: the adoption workflow (and its PDF) is tested in tests/roadmap."""
    roadmap.is_public = True
    roadmap.save()
    RoadmapVersion.objects.create(
        organization_id=roadmap.organization_id,
        roadmap=roadmap,
        number=1,
        adopted_by="Conseil communautaire",
        adopted_on=date(2026, 3, 12),
        deliberation_number="DEL-2026-042",
        snapshot=snapshot(roadmap),
    )


def test_roadmap_pages_fit_a_phone_without_horizontal_scrolling(
    open_page: Callable[..., Page],
    login: Callable[..., Page],
    screenshot: Callable[..., Path],
    tenant_a: Tenant,
) -> None:
    roadmap = tenant_a.roadmap
    EnjeuFactory(
        roadmap=roadmap,
        question="Comment rendre les démarches administratives dématérialisées accessibles à tous les habitants ?",
        description="Les permanences France Services sont saturées le lundi.",
    )
    # A fiche with steps over the four years and a four-year budget: the widest tables and charts of the app.
    action = rich_roadmap(roadmap)
    ActionFactory(
        roadmap=roadmap,
        chantier=action.chantier,
        title="Interopérabilité des téléprocédures intercommunales dématérialisées",
    )
    roadmap.governance_bodies.all().delete()  # the public page then says so instead of showing an empty list
    _publish(roadmap)
    import_folder(Path(settings.CAP_DATA_DIR), Scope.for_departements("24"))  # the real sample files (SOURCES.md)
    roadmap.territory.communes.set(Commune.objects.filter(epci_siren="200041572"))
    phone = open_page("phone")
    login(phone, tenant_a.admin)

    too_wide: dict[str, int] = {}
    for name, url in [
        ("roadmap-home", reverse("roadmap:detail", kwargs={"roadmap_pk": roadmap.pk})),
        ("enjeux", enjeu_list_url(tenant_a)),
        ("step-3", reverse("roadmap:step", kwargs={"roadmap_pk": roadmap.pk, "number": 3})),
        ("territories", reverse("territories:territory_list")),  # tables scroll inside themselves
        ("members", reverse("tenancy:members")),
        ("fiche", reverse("fiches:fiche", args=[action.pk])),  # the calendar scrolls inside its box
        ("fiche-budget", reverse("fiches:fiche_budget", args=[action.pk])),
        ("diagnostic", reverse("diagnostics:territory", args=[roadmap.territory.pk])),
        ("chain", reverse("roadmap:chain", args=[roadmap.pk])),
        ("documents", reverse("documents:exports", args=[roadmap.pk])),
        ("public", reverse("adoption:public", args=[roadmap.public_key])),
    ]:
        phone.goto(url)
        # A mobile browser widens its layout viewport to the page: innerWidth alone would follow the overflow.
        width, viewport = phone.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        screenshot(phone, f"foundation-phone-{name}")
        if not width <= viewport == 360:
            too_wide[url] = width
    assert not too_wide, f"Pages wider than a 360 px phone (px): {too_wide}"

    # The year inputs of the budget form are reachable: their table scrolls, and is labelled for a screen reader.
    phone.goto(reverse("fiches:fiche_budget", args=[action.pk]))
    region = phone.get_by_role("region", name="Dépenses TTC (€)")
    last_year = region.get_by_label("Investissement 2028")
    last_year.fill("1000")
    expect(last_year).to_be_in_viewport()
    phone.goto(reverse("adoption:public", args=[roadmap.public_key]))
    expect(phone.locator("main")).to_contain_text("Gouvernance non renseignée.")


def test_wide_tables_keep_their_full_width_on_a_projector(
    open_page: Callable[..., Page], login: Callable[..., Page], screenshot: Callable[..., Path], tenant_a: Tenant
) -> None:
    action = rich_roadmap(tenant_a.roadmap)
    projector = login(open_page("projector"), tenant_a.admin, next_url=reverse("fiches:fiche", args=[action.pk]))
    screenshot(projector, "foundation-projector-fiche")
    # Nothing to scroll at 1280 px: the calendar and the budget tables are shown whole.
    overflowing = projector.evaluate(
        "[...document.querySelectorAll('.scroll-region')].filter(e => e.scrollWidth > e.clientWidth).length"
    )
    assert overflowing == 0
    assert projector.evaluate("document.documentElement.scrollWidth") <= 1280
