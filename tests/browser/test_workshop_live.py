"""The live workshop as the animator and the room use it: the presenter in step with the projector, shortcuts
that only act at their stage and never while typing, « Annuler », phones that keep what is being typed."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from django.urls import reverse
from playwright.sync_api import Page, expect

from tests.conftest import Tenant
from tests.workshops.factories import ItemFactory, WorkshopFactory, WorkshopGroupFactory
from workshops import actions
from workshops.models import Item, Participant, Stage, WorkshopGroup

LIVE_TIMEOUT = 3_000


def make_group(tenant: Tenant, items: int = 4, stage: str = Stage.COLLECTION) -> WorkshopGroup:
    workshop = WorkshopFactory(organization=tenant.organization, roadmap=tenant.roadmap, title="Atelier de Thiviers")
    group = WorkshopGroupFactory(organization=tenant.organization, workshop=workshop, name="Groupe 1", stage=stage)
    for n in range(items):
        ItemFactory(organization=tenant.organization, group=group, number=n + 1, label=f"Idée {n + 1}")
    return group


def url(name: str, group: WorkshopGroup) -> str:
    return reverse(f"workshops:{name}", kwargs={"workshopgroup_pk": group.pk})


def open_as(
    open_page: Callable[..., Page],
    login: Callable[..., Page],
    tenant: Tenant,
    kind: str,
    name: str,
    group: WorkshopGroup,
) -> Page:
    page = login(open_page(kind), tenant.animateur)
    page.goto(url(name, group))
    page.wait_for_function("() => document.querySelector('[data-allowed]') !== null")
    return page


def test_the_presenter_follows_the_projector_and_keeps_what_is_typed(
    open_page: Callable[..., Page], login: Callable[..., Page], screenshot: Callable[..., Path], tenant_a: Tenant
) -> None:
    group = make_group(tenant_a)
    presenter = open_as(open_page, login, tenant_a, "desktop", "workshopgroup_presenter", group)
    projector = open_as(open_page, login, tenant_a, "projector", "workshopgroup_projector", group)

    # The animator types a new item (the field has focus): the letters are text, never shortcuts.
    field = presenter.get_by_label("Nouvel item")
    expect(field).to_be_focused()
    field.press_sequentially("Bus numérique")
    expect(field).to_have_value("Bus numérique")
    assert WorkshopGroup.objects.get(pk=group.pk).stage == Stage.COLLECTION  # « n », « b »… typed, not run
    # Meanwhile phones propose ideas: they appear on the presenter while the field keeps its text and focus.
    participant = Participant.objects.create(organization=tenant_a.organization, group=group, first_name="Lou")
    for label in ("Tiers-lieux", "Fibre partout"):
        actions.add_item(group, label, participant)
    expect(presenter.get_by_label("Intitulé proposé « Fibre partout »")).to_be_visible(timeout=LIVE_TIMEOUT)
    expect(field).to_have_value("Bus numérique")
    expect(field).to_be_focused()
    field.press_sequentially(" itinérant")
    expect(field).to_have_value("Bus numérique itinérant")

    # A shortcut on the projector (Shift held: « N »): the presenter shows the new stage by itself.
    projector.keyboard.press("Shift+N")
    expect(projector.get_by_test_id("stage")).to_have_text("Points", timeout=LIVE_TIMEOUT)
    current = presenter.locator(".stage-bar [aria-current=step]")
    expect(current).to_contain_text("3. Points", timeout=LIVE_TIMEOUT)
    # Its next click is not refused as « another animator's »: it knows the stage.
    presenter.get_by_role("button", name=re.compile("^Étape suivante")).click()
    expect(presenter.locator(".stage-bar [aria-current=step]")).to_contain_text("4. Classement")
    expect(presenter.get_by_text("Un autre")).to_have_count(0)
    screenshot(presenter, "workshop-presenter-in-sync")


def test_shortcuts_act_only_at_their_stage_and_can_be_undone(
    open_page: Callable[..., Page], login: Callable[..., Page], screenshot: Callable[..., Path], tenant_a: Tenant
) -> None:
    group = make_group(tenant_a)
    projector = open_as(open_page, login, tenant_a, "projector", "workshopgroup_projector", group)
    # « B » during the collection: explained, nothing struck.
    projector.keyboard.press("b")
    expect(projector.locator(".flash")).to_contain_text("ne sert pas à cette étape")
    assert not Item.objects.filter(group=group, struck=True).exists()
    # Caps Lock on: « N » still moves on; « Annuler » is offered, and Ctrl+Z puts the stage back.
    projector.keyboard.press("N")
    expect(projector.get_by_test_id("stage")).to_have_text("Points", timeout=LIVE_TIMEOUT)
    toast = projector.locator(".toast")
    expect(toast).to_contain_text("Passage à l'étape « Points »")
    screenshot(projector, "workshop-projector-undo-toast", full_page=False)
    projector.keyboard.press("Control+z")
    expect(projector.get_by_test_id("stage")).to_have_text("Collecte des items", timeout=LIVE_TIMEOUT)
    group.refresh_from_db()
    assert group.stage == Stage.COLLECTION and not group.voting_open
    # Points counted, vote closed: « B » strikes the items without a point, and the toast's button undoes it.
    projector.keyboard.press("n")
    expect(projector.get_by_test_id("stage")).to_have_text("Points", timeout=LIVE_TIMEOUT)
    actions.set_paper_points(group, {group.items.get(number=1).pk: 4})
    projector.keyboard.press("v")
    expect(projector.get_by_test_id("voters")).to_contain_text("vote fermé", timeout=LIVE_TIMEOUT)
    projector.keyboard.press("b")
    expect(projector.locator("li.struck")).to_have_count(3, timeout=LIVE_TIMEOUT)
    projector.locator(".toast").get_by_role("button", name="Annuler (Ctrl+Z)").click()
    expect(projector.locator("li.struck")).to_have_count(0, timeout=LIVE_TIMEOUT)


def test_a_phone_keeps_what_it_types_while_others_propose(
    open_page: Callable[..., Page], screenshot: Callable[..., Path], tenant_a: Tenant
) -> None:
    group = make_group(tenant_a)
    phone = open_page("phone")
    phone.goto(reverse("workshops:participant_page", kwargs={"code": group.code}))
    phone.get_by_role("button", name="Participer").click()
    expect(phone.get_by_role("heading", name="Vos idées")).to_be_visible()
    idea = phone.get_by_label("Votre idée")
    idea.fill("Cafés numériques")
    idea.blur()  # the participant looks up at the wall: the field has lost focus, the text must stay
    others = Participant.objects.create(organization=tenant_a.organization, group=group, first_name="Sam")
    actions.add_item(group, "Wifi en mairie", others)
    actions.add_item(group, "Ateliers seniors", others)
    # The page has refreshed (a new version) and still holds the text.
    phone.wait_for_timeout(3_500)
    expect(idea).to_have_value("Cafés numériques")
    # Voting: points chosen but not yet sent survive another phone's ballot refreshing the page.
    actions.set_stage(group, Stage.VOTE)
    expect(phone.get_by_role("heading", name="Distribuez vos points")).to_be_visible(timeout=LIVE_TIMEOUT)
    phone.get_by_role("button", name="Ajouter un point").first.click()
    WorkshopGroup.objects.filter(pk=group.pk).update(version=group.version + 50)  # something changed: refresh
    phone.wait_for_timeout(3_500)
    expect(phone.get_by_label("Idée 1")).to_have_value("1")
    expect(phone.get_by_test_id("remaining")).to_have_text("1")
    screenshot(phone, "workshop-phone-kept")


def test_the_current_stage_reads_without_colour_and_with_contrast(
    open_page: Callable[..., Page], login: Callable[..., Page], tenant_a: Tenant
) -> None:
    group = make_group(tenant_a)
    presenter = open_as(open_page, login, tenant_a, "desktop", "workshopgroup_presenter", group)
    current = presenter.locator(".stage-bar [aria-current=step]")
    expect(current).to_have_text(re.compile(r"^▶ 2\. Collecte des items"))
    ratio = presenter.evaluate(
        """() => {
          const el = document.querySelector('.stage-bar [aria-current=step]');
          const lum = (c) => {
            const [r, g, b] = c.match(/\\d+/g).slice(0, 3).map((v) => {
              v = Number(v) / 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
            return 0.2126 * r + 0.7152 * g + 0.0722 * b;
          };
          const style = getComputedStyle(el);
          const [a, b] = [lum(style.color), lum(style.backgroundColor)].sort((x, y) => y - x);
          return (a + 0.05) / (b + 0.05);
        }"""
    )
    assert ratio >= 4.5, ratio
