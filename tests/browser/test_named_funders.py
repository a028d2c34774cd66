"""A référente names the funders of a fiche in the budget grid, a second European fund on an extra line, and reads
the consolidated plan by funder (#12 point 11)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from django.urls import reverse
from playwright.sync_api import Page, expect

from fiches.models import ActionFunding
from tests.conftest import Tenant
from tests.roadmap.richdata import rich_roadmap


def test_funders_are_named_in_the_grid_and_read_by_funder(
    page: Page, login: Callable[..., Page], screenshot: Callable[..., Path], tenant_a: Tenant
) -> None:
    action = rich_roadmap(tenant_a.roadmap)
    login(page, tenant_a.admin, next_url=reverse("fiches:fiche_budget", args=[action.pk]))
    page.get_by_label("Nom du financeur — Europe (fonds)").fill("FEDER")
    page.get_by_label("Europe (fonds) 2026").fill("6 000")
    page.get_by_label("Catégorie du financeur supplémentaire 1").select_option(label="Europe (fonds)")
    page.get_by_label("Nom du financeur supplémentaire 1").fill("FSE+")
    page.get_by_label("Financeur supplémentaire 1, 2027").fill("4 000,50")
    page.get_by_text("Quelle catégorie choisir ?").click()
    expect(page.get_by_text("Fonds européens (FEDER, FSE+, LEADER…) : nommez le fonds.")).to_be_visible()
    screenshot(page, "fiche-budget-named-funders")
    page.get_by_role("button", name="Enregistrer le budget").click()
    page.wait_for_load_state("networkidle")
    assert set(action.fundings.filter(funder="europe").values_list("funder_name", "year")) == {
        ("FEDER", 2026),
        ("FSE+", 2027),
    }
    assert ActionFunding.objects.filter(action=action).count() == 5

    page.goto(reverse("fiches:budget", args=[tenant_a.roadmap.pk]))
    table = page.get_by_role("table", name="Financement par financeur")
    expect(table).to_be_visible()
    expect(table.get_by_role("row", name="FSE+ — Europe (fonds)")).to_contain_text("4\u202f000,50\u00a0€")
    expect(table.get_by_role("row", name="FEDER — Europe (fonds)")).to_contain_text("6\u202f000\u00a0€")
    screenshot(page, "roadmap-budget-by-funder")
