"""A table edits its chantier's resource map with the keyboard and the mouse; a reader only looks."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from django.urls import reverse
from playwright.sync_api import Page, expect

from demo.resourcemaps import build_resourcemaps_demo
from resourcemaps.models import Resource
from roadmap.models import Chantier
from tests.conftest import Tenant
from tests.factories import ChantierFactory
from tests.resourcemaps.factories import ResourceFactory


def _saved(page: Page, count: int) -> None:
    """Wait until the page has heard back from `count` saved positions (the map counts them in data-saved)."""
    expect(page.locator("#resourcemap")).to_have_attribute("data-saved", str(count))


def test_editing_a_resource_map_with_the_keyboard_and_a_drag(
    open_page: Callable[..., Page],
    login: Callable[..., Page],
    screenshot: Callable[..., Path],
    tenant_a: Tenant,
) -> None:
    chantier: Chantier = ChantierFactory(roadmap=tenant_a.roadmap, title="Développer des actions pour les 3-14 ans")
    caf = ResourceFactory(
        organization=tenant_a.organization, chantier=chantier, nature="financiere", label="CAF", link="none"
    )
    animateurs = ResourceFactory(
        organization=tenant_a.organization, chantier=chantier, nature="humaine", label="Animateurs ALSH", link="solid"
    )
    ResourceFactory(
        organization=tenant_a.organization,
        chantier=chantier,
        nature="materielle",
        label="Robots et tablettes",
        link="dotted",
        availability="a_creer",
        horizon="moyen",
    )
    page = login(open_page("desktop"), tenant_a.animateur)
    page.goto(reverse("resourcemaps:map", kwargs={"chantier_pk": chantier.pk}))
    expect(page.locator("#resourcemap[data-ready='1']")).to_be_attached()
    graph = page.locator("#resourcemap").bounding_box()
    assert graph and graph["width"] > 600 and graph["height"] > 500
    screenshot(page, "resourcemap-initial")

    # Tab from the last control before the map lands on its first resource (financière: the CAF).
    page.get_by_role("button", name="Fiche PDF").focus()
    page.keyboard.press("Tab")
    focused = page.locator(".rm-key:focus")
    expect(focused).to_have_attribute("aria-label", "CAF — Financière, aucun trait")
    assert page.evaluate("window.resourceMap.$(':selected').data('name')") == "CAF"
    box = focused.bounding_box()
    assert box and graph["x"] <= box["x"] and box["x"] + box["width"] <= graph["x"] + graph["width"]

    # Arrows move it (saved once the hand stops), L draws a dotted line, then a solid one.
    before = page.evaluate(f"window.resourceMap.$id('r{caf.pk}').position()")
    for _ in range(3):
        page.keyboard.press("ArrowRight")
    page.keyboard.press("Shift+ArrowDown")
    _saved(page, 1)
    expect(page.locator("#resourcemap-status")).to_have_text("«\u00a0CAF\u00a0» déplacée, position enregistrée.")
    caf.refresh_from_db()
    assert (caf.x, caf.y) == (round(before["x"] + 30, 1), round(before["y"] + 50, 1))
    page.keyboard.press("l")
    expect(page.locator(f'[data-link-cell="{caf.pk}"]')).to_have_text("pointillé")
    expect(page.locator("#resourcemap-status")).to_contain_text("Lien avec «\u00a0CAF\u00a0»\u00a0: Pointillé")
    assert page.evaluate(f"window.resourceMap.$id('e{caf.pk}').classes()") == ["dotted"]
    page.keyboard.press("L")
    expect(page.locator(f'[data-link-cell="{caf.pk}"]')).to_have_text("trait plein")
    caf.refresh_from_db()
    assert caf.link == "solid"
    screenshot(page, "resourcemap-keyboard")

    # Tab goes on to the next resource; L three times comes back to where it was.
    page.keyboard.press("Tab")
    expect(page.locator(".rm-key:focus")).to_have_attribute("aria-label", "Animateurs ALSH — Humaine, trait plein")
    page.keyboard.press("l")
    expect(page.locator(f'[data-link-cell="{animateurs.pk}"]')).to_have_text("aucun trait")
    assert page.evaluate(f"window.resourceMap.$id('e{animateurs.pk}').length") == 0  # no line at all

    # A drag with the mouse.
    target = page.evaluate(f"window.resourceMap.$id('r{animateurs.pk}').renderedPosition()")
    start_x, start_y = graph["x"] + target["x"], graph["y"] + target["y"]
    page.mouse.move(start_x, start_y)
    page.mouse.down()
    page.mouse.move(start_x - 60, start_y + 40, steps=8)
    page.mouse.up()
    _saved(page, 2)
    animateurs.refresh_from_db()
    assert animateurs.x is not None and animateurs.y is not None
    moved = page.evaluate(f"window.resourceMap.$id('r{animateurs.pk}').position()")
    assert (round(moved["x"], 1), round(moved["y"], 1)) == (animateurs.x, animateurs.y)

    # Saved places come back on reload.
    page.reload()
    expect(page.locator("#resourcemap[data-ready='1']")).to_be_attached()
    again = page.evaluate(f"window.resourceMap.$id('r{caf.pk}').position()")
    assert (again["x"], again["y"]) == (caf.x, caf.y)
    assert page.evaluate(f"window.resourceMap.$id('e{caf.pk}').classes()") == ["solid"]
    screenshot(page, "resourcemap-after-reload")


def test_a_reader_sees_the_map_but_cannot_move_it(
    open_page: Callable[..., Page], login: Callable[..., Page], screenshot: Callable[..., Path], tenant_a: Tenant
) -> None:
    chantier: Chantier = ChantierFactory(roadmap=tenant_a.roadmap, title="Développer des actions pour les jeunes")
    build_resourcemaps_demo(tenant_a.roadmap)  # the demo's eight resources, all five natures
    caf = ResourceFactory(organization=tenant_a.organization, chantier=chantier, label="CAF", link="dotted")
    page = login(open_page("desktop"), tenant_a.lecteur)
    page.goto(reverse("resourcemaps:map", kwargs={"chantier_pk": chantier.pk}))
    expect(page.locator("#resourcemap[data-ready='1']")).to_be_attached()
    # Every resource's shape lies inside the map's frame.
    frame = page.locator("#resourcemap").bounding_box()
    boxes = page.evaluate("window.resourceMap.nodes('.resource').map(n => n.renderedBoundingBox())")
    assert frame and len(boxes) == 9
    assert all(
        0 <= b["x1"] and b["x2"] <= frame["width"] and 0 <= b["y1"] and b["y2"] <= frame["height"] for b in boxes
    )
    screenshot(page, "resourcemap-reader")
    page.locator(".rm-key").first.focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("l")
    expect(page.locator("#resourcemap-status")).to_have_text("Lecture seule\u00a0: la carte ne peut pas être modifiée.")
    assert page.evaluate("window.resourceMap.autoungrabify()") is True
    caf.refresh_from_db()
    assert (caf.x, caf.link) == (None, "dotted")
    assert Resource.objects.count() == 9
