"""The plenary's matrices read from the back of the room: a key says in words which colour is today and which is
in ten years, and no text of the matrices (axes, scale, post-its, key) is smaller than 12 px."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from tests.browser.test_workshop_plenary_ties import tie_everything
from tests.browser.test_workshop_wall import SIZES, build, outside, settle
from tests.conftest import Tenant
from workshops.models import Stage

MIN_PX = 12
YELLOW, BLUE = "rgb(255, 224, 102)", "rgb(143, 211, 255)"

# Every text the matrices show (not hidden), with its font size.
TEXTS = """() => {
  const out = [];
  const selector = '.plenary-cols .y-label, .plenary-cols .tick, .plenary-cols .col-label, .plenary-cols .pile-entry,'
    + ' .plenary-cols .legend-item, [data-testid=matrix-key] *';
  for (const el of document.querySelectorAll(selector)) {
    if (!el.getClientRects().length || !el.textContent.trim()) continue;
    out.push([el.className, el.textContent.trim().slice(0, 30), parseFloat(getComputedStyle(el).fontSize)]);
  }
  return out;
}"""


def key_swatches(page: Page) -> list[Any]:
    return page.evaluate(
        """() => [...document.querySelectorAll('[data-testid=matrix-key] .postit')].map((el) => [
          el.textContent.trim(), getComputedStyle(el).backgroundColor, getComputedStyle(el).backgroundImage])"""
    )


@pytest.mark.parametrize(("width", "height"), SIZES)
@pytest.mark.parametrize("tied", [False, True])
def test_the_plenary_matrices_have_a_key_and_readable_axes(
    open_page: Callable[..., Page],
    login: Callable[..., Page],
    screenshot: Callable[..., Path],
    tenant_a: Tenant,
    width: int,
    height: int,
    tied: bool,
) -> None:
    workshop = build(tenant_a, Stage.MATRIX, items=14 if tied else 30, groups=4)
    workshop.date = date(2026, 12, 6)
    workshop.save()
    if tied:
        tie_everything(workshop)
    page = login(open_page("projector", viewport={"width": width, "height": height}), tenant_a.lecteur)
    page.goto(reverse("workshops:workshop_plenary", kwargs={"workshop_pk": workshop.pk}) + "?vue=matrices")
    settle(page)
    expect(page.get_by_role("heading", name="Groupe 4")).to_be_visible()
    screenshot(page, f"plenary-key-{'ties-' if tied else ''}{width}x{height}", full_page=False)

    # The key, once for the wall: each colour with its words.
    key = page.get_by_test_id("matrix-key")
    expect(key).to_be_visible()
    swatches = key_swatches(page)
    assert [(text, colour) for text, colour, _image in swatches[:2]] == [
        ("Aujourd'hui", YELLOW),
        ("Dans 10 ans (2036)", BLUE),
    ], swatches
    both = swatches[2]  # an item at the same place today and in ten years: half yellow, half blue
    assert "Même place aujourd'hui et dans 10 ans" == both[0] and YELLOW in both[2] and BLUE in both[2], both

    texts = page.evaluate(TEXTS)
    assert {text for _class, text, _size in texts} >= {"Impact", "Faible", "Moyen", "Fort", "Aujourd'hui"}
    small = [text for text in texts if text[2] < MIN_PX]
    assert not small, small
    bad = outside(page, "[data-testid=matrix-key], .plenary-cols .postit, .y-axis .tick, .col-label, .plenary-cols h2")
    assert not bad, bad
    assert not outside(page), outside(page)


def test_an_idees_recues_plenary_has_no_today_and_tomorrow_key(
    open_page: Callable[..., Page], login: Callable[..., Page], tenant_a: Tenant
) -> None:
    workshop = build(tenant_a, Stage.MATRIX, items=6, groups=2)
    workshop.kind = "idees_recues"
    workshop.save()
    page = login(open_page("projector"), tenant_a.lecteur)
    page.goto(reverse("workshops:workshop_plenary", kwargs={"workshop_pk": workshop.pk}) + "?vue=matrices")
    settle(page)
    expect(page.get_by_role("heading", name="Groupe 2")).to_be_visible()
    expect(page.locator(".plenary-cols .y-label").first).to_have_text("Répandue")
    expect(page.get_by_test_id("matrix-key")).to_have_count(0)  # one post-it per item: no colour to explain
