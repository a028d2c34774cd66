"""The plenary matrices, worst case: a dozen items tied on the same points and placed in the same column, in
every group. Every post-it stays inside the wall and its text readable from the back of the room."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from tests.browser.test_workshop_wall import LABELS, SIZES, build, outside, settle
from tests.conftest import Tenant
from workshops.models import Item, Placement, Stage, Vote, Workshop

# The back of a room of 40 reads text down to this share of the screen's height (11.5 px at 720 lines).
MIN_TEXT = 0.016


def tie_everything(workshop: Workshop, *, tied: int = 12) -> None:
    """In every group, `tied` items on the same points, all their post-its in the same column."""
    for group in workshop.groups.all():
        Placement.objects.filter(item__group=group).delete()
        Vote.objects.filter(item__group=group).delete()
        items = list(group.items.order_by("number"))
        for n, item in enumerate(items):
            item.label = LABELS[n % len(LABELS)] + ("" if n < len(LABELS) else f" {n + 1}")
            item.paper_points = 7 if n < tied else 0
        Item.objects.bulk_update(items, ["label", "paper_points"])
        for item in items[:tied]:
            for moment in (Placement.Moment.AUJOURDHUI, Placement.Moment.HORIZON):
                Placement.objects.create(
                    organization=workshop.organization, item=item, moment=moment, x="faible", reason="Parce que"
                )


def readable(page: Page) -> dict[str, list]:
    """What the room reads of the matrices: each shown text (a post-it's label or a line of the key) with its font
    size, and every post-it or key line that its group's column cuts off."""
    return page.evaluate(
        r"""() => {
          const shown = (el) => el.getClientRects().length > 0;
          const texts = [], sizes = [], cut = [];
          for (const el of document.querySelectorAll('.plenary-cols .pile-entry, .plenary-cols .legend-item')) {
            if (!shown(el)) continue;
            sizes.push(parseFloat(getComputedStyle(el).fontSize));
            const label = el.querySelector('.txt');
            if (!label || shown(label)) texts.push(el.textContent.replace(/^\s*\d+\s*/, '').trim());
            const box = el.getBoundingClientRect(), area = el.closest('section').getBoundingClientRect();
            if (box.top < area.top - 1 || box.bottom > area.bottom + 1 || box.left < area.left - 1
                || box.right > area.right + 1) cut.push(el.textContent.trim());
          }
          for (const el of document.querySelectorAll('.plenary-cols .postit')) {
            const box = el.getBoundingClientRect(), area = el.closest('.matrix').getBoundingClientRect();
            if (box.top < area.top - 1 || box.bottom > area.bottom + 1) cut.push(el.textContent.trim());
            if (el.scrollWidth > el.clientWidth + 1 || el.scrollHeight > el.clientHeight + 1)
              cut.push('squeezed ' + el.textContent.trim());
          }
          return {texts, sizes, cut};
        }"""
    )


@pytest.mark.parametrize(("width", "height"), SIZES)
def test_tied_post_its_stay_inside_and_readable(
    open_page: Callable[..., Page],
    login: Callable[..., Page],
    screenshot: Callable[..., Path],
    tenant_a: Tenant,
    width: int,
    height: int,
) -> None:
    workshop = build(tenant_a, Stage.MATRIX, items=14, groups=4)
    tie_everything(workshop)
    page = login(open_page("projector", viewport={"width": width, "height": height}), tenant_a.lecteur)
    page.goto(reverse("workshops:workshop_plenary", kwargs={"workshop_pk": workshop.pk}) + "?vue=matrices")
    settle(page)
    expect(page.get_by_role("heading", name="Groupe 4")).to_be_visible()
    screenshot(page, f"plenary-ties-{width}x{height}", full_page=False)
    seen = readable(page)
    bad = outside(page)
    assert not bad, bad
    assert not seen["cut"], seen["cut"]
    # Every item of every group is read somewhere (on its post-it, or in the key under a crowded matrix)...
    for n in range(12):
        label = LABELS[n % len(LABELS)] + ("" if n < len(LABELS) else f" {n + 1}")
        assert seen["texts"].count(label) >= 4, (label, seen["texts"])
    # ... in type the back of the room can read.
    assert min(seen["sizes"]) >= MIN_TEXT * height, (min(seen["sizes"]), MIN_TEXT * height)
    # Each group's 24 tied post-its (12 items, today and in ten years, in the same column) make one pile.
    expect(page.locator(".matrix .pile[data-count='12']")).to_have_count(4)

    page.goto(reverse("workshops:workshop_plenary", kwargs={"workshop_pk": workshop.pk}))
    settle(page)
    bad = outside(page)
    assert not bad, bad
    size = float(
        page.evaluate("() => parseFloat(getComputedStyle(document.querySelector('.plenary-cols li')).fontSize)")
    )
    assert size >= MIN_TEXT * height, size
    screenshot(page, f"plenary-ties-top-{width}x{height}", full_page=False)


@pytest.mark.parametrize(("width", "height"), SIZES)
def test_a_group_s_projector_too(
    open_page: Callable[..., Page],
    login: Callable[..., Page],
    screenshot: Callable[..., Path],
    tenant_a: Tenant,
    width: int,
    height: int,
) -> None:
    """One group's wall, same worst case: 24 post-its (12 items, today and in ten years) at one height in one
    column show their numbers, wrapped around that height, and the key beside; all readable, all inside."""
    workshop = build(tenant_a, Stage.MATRIX, items=14, groups=1)
    tie_everything(workshop)
    page = login(open_page("projector", viewport={"width": width, "height": height}), tenant_a.lecteur)
    page.goto(reverse("workshops:workshopgroup_projector", kwargs={"workshopgroup_pk": workshop.groups.get().pk}))
    settle(page)
    expect(page.locator(".matrix .postit")).to_have_count(24)
    seen = page.evaluate(
        """() => {
          const shown = (el) => el.getClientRects().length > 0;
          const sizes = [], texts = [], cut = [];
          const plot = document.querySelector('.matrix').getBoundingClientRect();
          for (const el of document.querySelectorAll('.matrix .postit, .legend-item')) {
            if (!shown(el)) continue;
            sizes.push(parseFloat(getComputedStyle(el).fontSize));
            const box = el.getBoundingClientRect();
            if (el.classList.contains('postit') && (box.top < plot.top - 1 || box.bottom > plot.bottom + 1))
              cut.push(el.textContent.trim());
            // A number or a label squeezed out of its post-it (a lane too narrow) is not read either.
            if (el.scrollWidth > el.clientWidth + 1 || el.scrollHeight > el.clientHeight + 1)
              cut.push('squeezed ' + el.textContent.trim());
            if (el.classList.contains('legend-item')) texts.push(el.textContent.replace(/^\\s*\\d+\\s*/, '').trim());
          }
          return {sizes, texts, cut};
        }"""
    )
    screenshot(page, f"projector-ties-{width}x{height}", full_page=False)
    bad = outside(page, "#live li, .matrix .postit, .question, .code, .qr, .legend-item")
    assert not bad, bad
    assert not seen["cut"], seen["cut"]
    for n in range(12):
        assert LABELS[n % len(LABELS)] + ("" if n < len(LABELS) else f" {n + 1}") in seen["texts"]
    assert min(seen["sizes"]) >= MIN_TEXT * height, (min(seen["sizes"]), MIN_TEXT * height)
    # The post-its still lie wholly apart from each other.
    overlaps = page.evaluate(
        """() => {
          const boxes = Array.from(document.querySelectorAll('.matrix .postit')).map((p) => p.getBoundingClientRect());
          let n = 0;
          for (let a = 0; a < boxes.length; a++) for (let b = a + 1; b < boxes.length; b++) {
            const x = Math.min(boxes[a].right, boxes[b].right) - Math.max(boxes[a].left, boxes[b].left);
            const y = Math.min(boxes[a].bottom, boxes[b].bottom) - Math.max(boxes[a].top, boxes[b].top);
            if (x > 1 && y > 1) n++;
          }
          return n;
        }"""
    )
    assert overlaps == 0
