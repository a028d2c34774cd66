"""A whole workshop as people run it: the animator's laptop, the projector (1280×720) and three phones (360 px)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from pathlib import Path

from django.urls import reverse
from playwright.sync_api import Page, expect

from tenancy.models import User
from tests.conftest import Tenant
from tests.workshops.factories import ItemFactory, WorkshopFactory, WorkshopGroupFactory
from workshops.models import Stage, WorkshopGroup

LIVE_TIMEOUT = 3_000  # ms: the projector polls every 400 ms, phones every 1.5 s


def make_group(tenant: Tenant, items: int = 0, stage: str = Stage.COLLECTION) -> WorkshopGroup:
    workshop = WorkshopFactory(
        organization=tenant.organization,
        roadmap=tenant.roadmap,
        title="Atelier de Ribérac",
        date=date(2026, 12, 6),
        question="À quoi ressemblera le numérique sur notre territoire dans 10 ans ?",
        reformulation="Qu'est-ce qui aura changé pour les habitants, les associations, les mairies ?",
    )
    group = WorkshopGroupFactory(organization=tenant.organization, workshop=workshop, name="Groupe 1", stage=stage)
    labels = ["Fibre partout", "Aidants formés", "Bus numérique", "Tiers-lieux ouverts", "Écoles équipées"]
    for n in range(items):
        label = labels[n] if n < len(labels) else f"Idée numéro {n + 1}"
        ItemFactory(organization=tenant.organization, group=group, number=n + 1, label=label)
    return group


def group_url(name: str, group: WorkshopGroup) -> str:
    return reverse(f"workshops:{name}", kwargs={"workshopgroup_pk": group.pk})


def logged_in(login: Callable[..., Page], page: Page, user: User, url: str) -> Page:
    login(page, user)
    page.goto(url)
    return page


def join(phone: Page, group: WorkshopGroup, first_name: str) -> None:
    phone.goto("/atelier/")
    phone.get_by_label("Code affiché à l'écran").fill(group.code.lower())
    phone.get_by_role("button", name="Continuer").click()
    phone.get_by_label("Votre prénom (facultatif)").fill(first_name)
    phone.get_by_role("button", name="Participer").click()
    expect(phone.get_by_role("heading", name="Vos idées")).to_be_visible()


def test_a_whole_workshop_with_a_projector_and_three_phones(
    open_page: Callable[..., Page],
    login: Callable[..., Page],
    screenshot: Callable[..., Path],
    tenant_a: Tenant,
) -> None:
    group = make_group(tenant_a, items=3)
    animator = logged_in(login, open_page("desktop"), tenant_a.animateur, group_url("workshopgroup_presenter", group))
    projector = logged_in(
        login, open_page("projector"), tenant_a.animateur, group_url("workshopgroup_projector", group)
    )
    expect(projector.get_by_test_id("code")).to_have_text(group.code)
    phones = [open_page("phone") for _ in range(3)]
    for phone, name in zip(phones, ["Alix", "Sam", "Lou"], strict=True):
        join(phone, group, name)

    # Collection: a phone proposes, the animator accepts it reworded; it appears numbered on the projector.
    phones[0].get_by_label("Votre idée").fill("bus numerik")
    phones[0].get_by_role("button", name="Proposer").click()
    expect(phones[0].get_by_text("Votre idée est transmise")).to_be_visible()
    animator.reload()
    animator.get_by_label("Intitulé").last.fill("Médiation itinérante")
    animator.get_by_role("button", name="Accepter").click()
    animator.get_by_label("Nouvel item").fill("Démarches simples")
    animator.get_by_role("button", name="Ajouter l'item").click()
    items = projector.get_by_test_id("items").locator("li")
    expect(items).to_have_count(5, timeout=LIVE_TIMEOUT)
    expect(items.nth(3)).to_contain_text("4Médiation itinérante")
    screenshot(projector, "workshops-projector-collection", full_page=False)

    # Points: the animator presses N on the projector; phones switch to their ballot (envelope 5 ÷ 2 = 2).
    projector.keyboard.press("n")
    expect(projector.get_by_test_id("stage")).to_have_text("Points", timeout=LIVE_TIMEOUT)
    for phone in phones:
        expect(phone.get_by_role("heading", name="Distribuez vos points")).to_be_visible(timeout=LIVE_TIMEOUT)
    alix, sam, lou = phones
    expect(alix.get_by_test_id("remaining")).to_have_text("2")
    alix.get_by_role("button", name="Ajouter un point").nth(3).click()
    alix.get_by_role("button", name="Ajouter un point").nth(3).click()
    expect(alix.get_by_test_id("remaining")).to_have_text("0")
    expect(alix.get_by_role("button", name="Ajouter un point").first).to_be_disabled()
    screenshot(alix, "workshops-phone-ballot")
    alix.get_by_role("button", name="Valider mes points").click()
    expect(alix.get_by_text("Vos points sont enregistrés.")).to_be_visible()

    # Over the envelope (typed in directly): refused with a French message, nothing recorded.
    sam.get_by_label("Fibre partout").fill("3")
    sam.get_by_role("button", name="Valider mes points").click()
    expect(sam.get_by_test_id("error")).to_contain_text("Vous distribuez 3 points pour une enveloppe de 2")
    expect(sam.get_by_label("Fibre partout")).to_have_value("3")  # shown as typed, to correct it
    expect(sam.get_by_test_id("remaining")).to_have_text("-1")
    screenshot(sam, "workshops-phone-refused")
    sam.get_by_label("Fibre partout").fill("1")
    sam.get_by_label("Aidants formés").fill("1")
    sam.get_by_role("button", name="Valider mes points").click()
    expect(sam.get_by_text("Vos points sont enregistrés.")).to_be_visible()
    expect(projector.get_by_test_id("voters")).to_contain_text("2 sur 3 participants ont voté", timeout=LIVE_TIMEOUT)
    # Lou votes on paper: the animator types the raised hands, reading from the last item.
    animator.goto(group_url("workshopgroup_presenter", group) + "?ordre=inverse")
    animator.get_by_label("Démarches simples").fill("2")
    animator.get_by_role("button", name="Enregistrer les totaux").click()
    expect(projector.get_by_test_id("items")).not_to_contain_text("Démarches simples2")  # hidden until revealed

    # Close the vote (V), reveal (R), strike the items without points (B), rank (N).
    projector.keyboard.press("v")
    expect(projector.get_by_test_id("voters")).to_contain_text("vote fermé", timeout=LIVE_TIMEOUT)
    projector.keyboard.press("r")
    expect(items.nth(3).locator(".pts")).to_have_text("2", timeout=LIVE_TIMEOUT)
    projector.keyboard.press("b")
    expect(projector.locator("li.struck")).to_have_count(1, timeout=LIVE_TIMEOUT)
    screenshot(projector, "workshops-projector-revealed", full_page=False)
    projector.keyboard.press("n")
    top = projector.get_by_test_id("top").locator("li")
    expect(top).to_have_count(4, timeout=LIVE_TIMEOUT)
    expect(top.nth(0)).to_contain_text("Médiation itinérante")
    expect(lou.get_by_text("Médiation itinérante — 2 pts")).to_be_visible(timeout=LIVE_TIMEOUT)
    screenshot(projector, "workshops-projector-top", full_page=False)

    # Matrix: the animator places the first item's two post-its; the projector shows them.
    projector.keyboard.press("n")
    expect(projector.get_by_test_id("matrix")).to_be_visible(timeout=LIVE_TIMEOUT)
    animator.goto(group_url("workshopgroup_presenter", group))
    first = animator.locator("form", has=animator.get_by_role("heading", name="1. Médiation itinérante"))
    first.get_by_role("radio", name="Faible").first.check()
    first.get_by_label("Pourquoi cette place ?").first.fill("Peu de bénévoles aujourd'hui")
    first.get_by_role("radio", name="Fort").last.check()
    first.get_by_label("Pourquoi cette place ?").last.fill("Un réseau de médiateurs formé")
    # The workshop is of December 2026: « dans 10 ans » is 2036, on the presenter and on the wall's legend.
    first.get_by_label("Que faudrait-il pour atteindre le post-it 2036 ?").fill("Un bus équipé et deux médiateurs")
    first.get_by_role("button", name="Placer").click()
    expect(projector.locator(".matrix .postit.horizon")).to_contain_text("Médiation itinérante", timeout=LIVE_TIMEOUT)
    expect(projector.locator(".legend .postit.horizon")).to_have_text("Dans 10 ans (2036)")
    # On the projector, a post-it moves with the keyboard (focus, ←/→) or by drag-and-drop; its reason stays.
    horizon = projector.locator(".matrix .postit.horizon")
    horizon.focus()
    projector.keyboard.press("ArrowLeft")
    expect(projector.locator('.col[data-x="moyen"] .postit.horizon')).to_be_visible(timeout=LIVE_TIMEOUT)
    expect(projector.get_by_test_id("stage")).to_have_text("Matrice")  # the arrow did not change the stage
    today = projector.locator(".matrix .postit.aujourdhui")
    today.drag_to(projector.locator('.col[data-x="fort"]'))
    expect(projector.locator('.col[data-x="fort"] .postit.aujourdhui')).to_be_visible(timeout=LIVE_TIMEOUT)
    expect(projector.locator('.col[data-x="fort"] .postit.aujourdhui')).to_have_attribute(
        "title", "Peu de bénévoles aujourd'hui"
    )
    screenshot(projector, "workshops-projector-matrix", full_page=False)
    screenshot(animator, "workshops-presenter-matrix")

    # Plenary: the groups side by side (a second group that voted on paper).
    other = WorkshopGroupFactory(organization=tenant_a.organization, workshop=group.workshop, name="Groupe 2")
    for n, (label, points) in enumerate([("Covoiturage solidaire", 7), ("Wifi en mairie", 4)], start=1):
        ItemFactory(organization=tenant_a.organization, group=other, number=n, label=label, paper_points=points)
    projector.goto(reverse("workshops:workshop_plenary", kwargs={"workshop_pk": group.workshop.pk}))
    expect(projector.get_by_role("heading", name="Groupe 2")).to_be_visible()
    expect(projector.get_by_test_id("plenary").get_by_text("Covoiturage solidaire")).to_be_visible()
    screenshot(projector, "workshops-plenary", full_page=False)


def test_the_projector_fits_twenty_items_without_scrolling(
    open_page: Callable[..., Page], login: Callable[..., Page], screenshot: Callable[..., Path], tenant_a: Tenant
) -> None:
    group = make_group(tenant_a, items=20)
    projector = logged_in(login, open_page("projector"), tenant_a.lecteur, group_url("workshopgroup_projector", group))
    expect(projector.get_by_test_id("items").locator("li")).to_have_count(20)
    sizes = projector.evaluate(
        "() => [document.documentElement.scrollHeight, window.innerHeight,"
        " document.documentElement.scrollWidth, window.innerWidth]"
    )
    assert sizes[0] <= sizes[1] and sizes[2] <= sizes[3], sizes
    last = projector.get_by_test_id("items").locator("li").last.bounding_box()
    assert last is not None and last["y"] + last["height"] <= 720
    screenshot(projector, "workshops-projector-20-items", full_page=False)


def test_a_phone_keeps_its_votes_after_a_reload(
    open_page: Callable[..., Page], screenshot: Callable[..., Path], tenant_a: Tenant
) -> None:
    from workshops import actions

    group = make_group(tenant_a, items=5)
    phone = open_page("phone")
    join(phone, group, "Noa")
    actions.set_stage(group, Stage.VOTE)
    expect(phone.get_by_role("heading", name="Distribuez vos points")).to_be_visible(timeout=LIVE_TIMEOUT)
    phone.get_by_label("Bus numérique").fill("2")
    phone.get_by_role("button", name="Valider mes points").click()
    expect(phone.get_by_role("button", name="Modifier mes points")).to_be_visible()  # saved: only then reload
    phone.reload()
    expect(phone.get_by_label("Bus numérique")).to_have_value("2")
    expect(phone.get_by_test_id("remaining")).to_have_text("0")
    width = phone.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 360, width


def test_an_animator_prepares_a_workshop_from_the_roadmap(
    open_page: Callable[..., Page], login: Callable[..., Page], screenshot: Callable[..., Path], tenant_a: Tenant
) -> None:
    page = login(open_page("desktop"), tenant_a.animateur)
    page.goto(tenant_a.roadmap.get_absolute_url())
    page.get_by_role("link", name="Les ateliers participatifs").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ateliers participatifs")
    page.get_by_label("Titre").fill("Idées reçues à Nontron")
    page.get_by_label("Type d'atelier").select_option(label="Idées reçues")
    page.get_by_label("Question de départ").fill("Quelles idées reçues sur le numérique entendez-vous ?")
    page.get_by_label("Nombre de groupes").fill("3")
    page.get_by_role("button", name="Préparer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Idées reçues à Nontron")
    expect(page.get_by_role("link", name="Animer")).to_have_count(3)
    screenshot(page, "workshops-session")
    page.get_by_role("link", name="Animer").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Groupe 1")
    page.get_by_label("Nouvel item").fill("Trop vieux pour ça")
    page.keyboard.press("Enter")
    expect(page.get_by_label("Intitulé")).to_have_value("Trop vieux pour ça")
    screenshot(page, "workshops-presenter-collection")


def test_the_question_stage_invites_the_room_to_join(
    open_page: Callable[..., Page], login: Callable[..., Page], screenshot: Callable[..., Path], tenant_a: Tenant
) -> None:
    group = make_group(tenant_a, stage=Stage.QUESTION)
    projector = logged_in(
        login, open_page("projector"), tenant_a.animateur, group_url("workshopgroup_projector", group)
    )
    expect(projector.get_by_test_id("stage")).to_have_text("Question")
    expect(projector.get_by_text("Rejoignez l'atelier avec le code")).to_be_visible()
    projector.keyboard.press("t")  # the timer starts: 10:00 counting down
    expect(projector.get_by_test_id("timer")).not_to_have_class("timer paused", timeout=LIVE_TIMEOUT)
    expect(projector.get_by_test_id("timer")).to_have_text(re.compile(r"^9:5\d$"), timeout=LIVE_TIMEOUT)
    screenshot(projector, "workshops-projector-question", full_page=False)
    phone = open_page("phone")
    phone.goto(reverse("workshops:participant_page", kwargs={"code": group.code}))
    phone.get_by_role("button", name="Participer").click()
    expect(phone.get_by_role("heading", name="Bienvenue !")).to_be_visible()
    screenshot(phone, "workshops-phone-question")
