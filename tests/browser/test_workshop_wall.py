"""The wall: at 1280×720, 1024×768 and 1920×1080, every stage and the plenary show everything (30 items, a
3-line question, ties, post-its) inside the screen, in type the back of the room can read."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from tests.conftest import Tenant
from tests.workshops.factories import WorkshopFactory, WorkshopGroupFactory
from workshops.models import Item, Kind, MergeProposal, Participant, Placement, Stage, Vote, Workshop, WorkshopGroup

LIVE_TIMEOUT = 3_000
SIZES = [(1280, 720), (1024, 768), (1920, 1080)]
QUESTION = (
    "À quoi ressemblera la vie numérique des habitants, des associations, des entreprises et des services "
    "publics de notre territoire dans dix ans, et qu'est-ce qui aura changé pour celles et ceux qui en sont "
    "aujourd'hui éloignés ?"
)
LABELS = [
    "Fibre partout",
    "Coordination des acteurs de la médiation",
    "Aidants formés",
    "Bus numérique itinérant",
    "Tiers-lieux ouverts le soir",
    "Écoles équipées",
    "Démarches simplifiées",
    "Conseillers numériques",
    "Wifi public gratuit",
    "Ateliers intergénérationnels",
]
# What the room must read: the things to check inside the screen.
BOXES = (
    "#live li, .matrix .postit, .merge-stage, .question, .code, .qr, [data-testid=stage], [data-testid=timer],"
    " .y-axis .tick, .col-label, .plenary-cols li, .plenary-cols h2"
)


def build(tenant: Tenant, stage: str, *, items: int = 30, groups: int = 1) -> Workshop:
    """A session with `groups` groups at `stage`, each with `items` items, points with ties, post-its."""
    organization = tenant.organization
    workshop = WorkshopFactory(
        organization=organization, roadmap=tenant.roadmap, title="Atelier de Nontron", question=QUESTION
    )
    for g in range(groups):
        group: WorkshopGroup = WorkshopGroupFactory(
            organization=organization,
            workshop=workshop,
            name=f"Groupe {g + 1}",
            stage=stage,
            revealed=stage != Stage.COLLECTION,
            voting_open=False,
            envelope=items // 2,
            expected_participants=12,
        )
        created = Item.objects.bulk_create(
            Item(
                organization=organization,
                group=group,
                number=n + 1,
                label=LABELS[n % len(LABELS)] + ("" if n < len(LABELS) else f" {n + 1}"),
                # Ties: items 9 to 14 share the last place of the top 10.
                paper_points=0 if n >= 20 else (40 - 3 * n if n < 8 else (5 if n < 14 else 2)),
            )
            for n in range(items)
        )
        people = Participant.objects.bulk_create(
            Participant(organization=organization, group=group, first_name=f"P{n}", voted_at=timezone.now())
            for n in range(14)
        )
        Vote.objects.create(participant=people[0], item=created[0], points=2)
        if stage in (Stage.MATRIX, Stage.DONE):
            for item in group.top():
                for moment, x in (("aujourdhui", "faible"), ("horizon", "fort")):
                    Placement.objects.create(
                        organization=organization, item=item, moment=moment, x=x, reason="Parce que"
                    )
    return workshop


def outside(page: Page, selector: str = BOXES) -> list[Any]:
    """Every box of `selector` that is not wholly inside the viewport, and every text cut short."""
    return page.evaluate(
        """(selector) => {
          const bad = [];
          for (const el of document.querySelectorAll(selector)) {
            const r = el.getBoundingClientRect();
            if (r.width === 0 && r.height === 0) continue;
            if (r.left < -0.5 || r.top < -0.5 || r.right > innerWidth + 0.5 || r.bottom > innerHeight + 0.5)
              bad.push([el.className, el.textContent.trim().slice(0, 40), Math.round(r.left), Math.round(r.top),
                        Math.round(r.right), Math.round(r.bottom)]);
          }
          for (const el of document.querySelectorAll('#live .label, .plenary-cols .label, .question')) {
            if (el.scrollWidth > el.clientWidth + 1) bad.push(['cut', el.textContent.trim().slice(0, 40)]);
          }
          return bad;
        }""",
        selector,
    )


def item_font_px(page: Page, selector: str) -> float:
    return float(page.evaluate(f"() => parseFloat(getComputedStyle(document.querySelector('{selector}')).fontSize)"))


def settle(page: Page) -> None:
    """live.js has fitted the type (fit runs on load and on each refresh)."""
    page.wait_for_function("() => document.body.style.getPropertyValue('--fit') !== ''")


@pytest.mark.parametrize(("width", "height"), SIZES)
def test_every_stage_fits_the_wall(
    open_page: Callable[..., Page],
    login: Callable[..., Page],
    screenshot: Callable[..., Path],
    tenant_a: Tenant,
    width: int,
    height: int,
) -> None:
    page = login(open_page("projector", viewport={"width": width, "height": height}), tenant_a.lecteur)
    for stage in (Stage.QUESTION, Stage.COLLECTION, Stage.VOTE, Stage.RANKING, Stage.MATRIX, Stage.DONE):
        workshop = build(tenant_a, stage)
        group = workshop.groups.get()
        page.goto(reverse("workshops:workshopgroup_projector", kwargs={"workshopgroup_pk": group.pk}))
        settle(page)
        if stage in (Stage.COLLECTION, Stage.VOTE):
            expect(page.get_by_test_id("items").locator("li")).to_have_count(30)
            font = item_font_px(page, "#live li")
            # Read from the back of the room: 30 items stay at least this large.
            assert font >= 0.011 * height, (stage, font)
        if stage in (Stage.RANKING, Stage.DONE):
            rows = page.get_by_test_id("top").locator("li")
            expect(rows).to_have_count(9)  # 8 items ahead, then the 6 tied for the 9th place in one row
            expect(rows.last).to_contain_text("ex æquo")
        if stage == Stage.MATRIX:
            expect(page.locator(".matrix .postit")).to_have_count(28)
        bad = outside(page)
        assert not bad, (stage, width, height, bad)
        screenshot(page, f"wall-{stage}-{width}x{height}", full_page=False)


@pytest.mark.parametrize(("width", "height"), SIZES)
def test_the_merge_under_discussion_fits_and_the_plenary_too(
    open_page: Callable[..., Page],
    login: Callable[..., Page],
    screenshot: Callable[..., Path],
    tenant_a: Tenant,
    width: int,
    height: int,
) -> None:
    page = login(open_page("projector", viewport={"width": width, "height": height}), tenant_a.lecteur)
    workshop = build(tenant_a, Stage.RANKING)
    group = workshop.groups.get()
    proposal = MergeProposal.objects.create(
        organization=tenant_a.organization, group=group, label="Médiation itinérante et coordonnée"
    )
    proposal.items.set(group.items.filter(number__in=[2, 4]))
    page.goto(reverse("workshops:workshopgroup_projector", kwargs={"workshopgroup_pk": group.pk}))
    settle(page)
    stage = page.get_by_test_id("merge-stage")
    expect(stage).to_contain_text("Coordination des acteurs de la médiation")
    expect(stage).to_contain_text("Bus numérique itinérant")
    expect(stage).to_contain_text("Une objection annule la fusion")
    expect(page.get_by_test_id("merge-total")).to_have_text("68 points")  # 37 + 31
    assert not outside(page), outside(page)
    screenshot(page, f"wall-merge-{width}x{height}", full_page=False)

    plenary = build(tenant_a, Stage.MATRIX, groups=4)
    url = reverse("workshops:workshop_plenary", kwargs={"workshop_pk": plenary.pk})
    for view in ("", "?vue=matrices"):
        page.goto(url + view)
        settle(page)
        expect(page.get_by_role("heading", name="Groupe 4")).to_be_visible()
        bad = outside(page)
        assert not bad, (view, bad)
        screenshot(page, f"wall-plenary{view.replace('?vue=', '-')}-{width}x{height}", full_page=False)


def test_the_plenary_follows_the_groups_live(
    open_page: Callable[..., Page], login: Callable[..., Page], tenant_a: Tenant
) -> None:
    workshop = build(tenant_a, Stage.RANKING, items=6, groups=2)
    page = login(open_page("projector"), tenant_a.lecteur)
    page.goto(reverse("workshops:workshop_plenary", kwargs={"workshop_pk": workshop.pk}))
    group = workshop.groups.first()
    assert group is not None
    Item.objects.filter(group=group, number=6).update(paper_points=99, label="Covoiturage solidaire")
    WorkshopGroup.objects.filter(pk=group.pk).update(version=group.version + 1)
    expect(page.locator(".plenary-cols section").first.locator("li").first).to_contain_text(
        "Covoiturage solidaire", timeout=LIVE_TIMEOUT
    )


def test_the_tour_de_table_fits_too(
    open_page: Callable[..., Page], login: Callable[..., Page], tenant_a: Tenant
) -> None:
    from workshops.models import Answer

    workshop = WorkshopFactory(
        organization=tenant_a.organization, roadmap=tenant_a.roadmap, kind=Kind.TOUR_DE_TABLE, question=QUESTION
    )
    group: WorkshopGroup = WorkshopGroupFactory(
        organization=tenant_a.organization, workshop=workshop, stage=Stage.COLLECTION
    )
    Answer.objects.bulk_create(
        Answer(organization=tenant_a.organization, group=group, text="Pouvoir faire ses démarches seul " * 4)
        for _ in range(24)
    )
    page = login(open_page("projector"), tenant_a.lecteur)
    page.goto(reverse("workshops:workshopgroup_projector", kwargs={"workshopgroup_pk": group.pk}))
    settle(page)
    assert not outside(page, ".answers div, .question"), outside(page, ".answers div, .question")
