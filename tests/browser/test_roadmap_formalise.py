"""Step 6 in a browser: moving chantiers between défis (mouse and keyboard), a fiche action, its exports."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from roadmap.models import Chantier
from tests.conftest import Tenant
from tests.factories import ChantierFactory, DefiFactory
from tests.roadmap.richdata import rich_roadmap


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = str(tmp_path)
    return tmp_path


def test_a_chantier_changes_defi_with_the_keyboard_then_with_the_mouse(
    page: Page, login: Callable[..., Page], screenshot: Callable[..., Path], tenant_a: Tenant
) -> None:
    roadmap = tenant_a.roadmap
    d1 = DefiFactory(roadmap=roadmap, title="Aller vers les habitants")
    d2 = DefiFactory(roadmap=roadmap, title="Structurer le réseau des aidants")
    chantier = ChantierFactory(roadmap=roadmap, defi=d1, title="Permanences itinérantes")
    ChantierFactory(roadmap=roadmap, defi=d2, title="Annuaire des aidants")
    login(page, tenant_a.admin, next_url=reverse("roadmap:defi_board", args=[roadmap.pk]))

    card = page.locator(f"#chantier-{chantier.pk}")
    card.get_by_label("Placer dans").select_option(str(d2.pk))
    card.get_by_role("button", name="Placer").click()
    expect(page.locator(f"#defi-{d2.pk} #chantier-{chantier.pk}")).to_be_visible()
    chantier.refresh_from_db()
    assert chantier.defi == d2

    # The gaps list at the top follows the moves without a reload (the marker would be lost with the page).
    page.evaluate("window.boardNotReloaded = true")
    gaps = page.locator("#defi-gaps")
    expect(gaps).not_to_contain_text("rattaché à aucun défi")
    card.get_by_label("Placer dans").select_option(label="Hors défi")
    card.get_by_role("button", name="Placer").click()
    expect(page.locator(f"#defi-none #chantier-{chantier.pk}")).to_be_visible()
    expect(gaps).to_contain_text(
        re.compile(r"Chantier C0\.1\s«\sPermanences itinérantes\s»\s: rattaché à aucun défi\.")
    )
    screenshot(page, "roadmap-defi-board-gap")

    source = page.locator(f"#chantier-{chantier.pk} .chantier-title")
    target = page.locator(f"#defi-{d1.pk} ol.chantier-drop")
    source.hover()
    page.mouse.down()
    box = target.bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + 10, steps=12)
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + 20, steps=4)
    page.mouse.up()
    expect(page.locator(f"#defi-{d1.pk} #chantier-{chantier.pk}")).to_be_visible()
    page.wait_for_load_state("networkidle")
    assert Chantier.objects.get(pk=chantier.pk).defi_id == d1.pk
    expect(gaps).not_to_contain_text("rattaché à aucun défi")
    assert page.evaluate("window.boardNotReloaded") is True
    screenshot(page, "roadmap-defi-board")


def test_a_fiche_is_read_and_exported_as_pdf(
    page: Page, login: Callable[..., Page], screenshot: Callable[..., Path], tenant_a: Tenant
) -> None:
    action = rich_roadmap(tenant_a.roadmap)
    login(page, tenant_a.admin, next_url=reverse("fiches:fiche", args=[action.pk]))
    expect(page.get_by_role("heading", name="Des ateliers ludiques dans un bus numérique")).to_be_visible()
    expect(page.get_by_text("Plan déséquilibré : il manque 12\u202f000,50\u00a0€ de financement")).to_be_visible()
    screenshot(page, "roadmap-fiche-action")
    page.get_by_role("button", name="Produire le PDF").click()
    expect(page.get_by_role("link", name="Télécharger")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger").click()
    assert download.value.suggested_filename.endswith(".pdf")
    page.goto(reverse("fiches:fiche_budget", args=[action.pk]))
    screenshot(page, "roadmap-fiche-budget")
    page.goto(reverse("fiches:timeline", args=[tenant_a.roadmap.pk]))
    screenshot(page, "roadmap-timeline")
