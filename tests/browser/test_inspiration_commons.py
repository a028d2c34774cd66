"""The commons as a référent uses it: typing in the search box updates the results (accents ignored, matches
highlighted), « Je m'en inspire » copies the experience into a fiche action; a withdrawal while the page is open
ends in a 404, not in a copy."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Page, expect

from inspiration import actions
from inspiration.models import Inspiration
from roadmap.models import Action
from tests.conftest import Tenant
from tests.factories import ChantierFactory
from tests.inspiration.conftest import published


def test_search_then_draw_on_an_experience(
    page: Page, login: Callable[..., Page], screenshot: Callable[..., Path], tenant_a: Tenant, tenant_b: Tenant
) -> None:
    experience = published(
        tenant_a,
        title="Permanences à la médiathèque de Ribérac",
        description="Une conseillère numérique tient une permanence à la médiathèque chaque samedi.",
    )
    published(tenant_a, title="Atelier tablettes en EHPAD", description="Des tablettes prêtées aux résidents.")
    chantier = ChantierFactory(roadmap=tenant_b.roadmap, organization=tenant_b.organization, title="Aller vers")
    login(page, tenant_b.contributeur, next_url=tenant_b.url("inspiration:experience_list"))

    page.get_by_label("Rechercher (titre, structure, description…)").fill("mediatheque")
    results = page.locator("#results .experience-card")
    expect(results).to_have_count(1)  # updated as one types, without pressing Enter
    expect(results.first.locator("mark").first).to_have_text("médiathèque")
    box = results.first.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 1280
    screenshot(page, "inspiration-commons-search")

    results.first.get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Permanences à la médiathèque de Ribérac")
    page.get_by_role("link", name="Je m’en inspire").click()
    page.get_by_label("une nouvelle fiche action").check()
    page.get_by_label("Chantier de la nouvelle fiche action").select_option(str(chantier.pk))
    page.get_by_role("button", name="Copier dans ma feuille de route").click()
    expect(page.get_by_text("Fiche action créée à partir de l'expérience")).to_be_visible()
    action = Action.objects.get(organization=tenant_b.organization)
    assert action.title == experience.title and Inspiration.objects.get().action == action


def test_a_withdrawal_while_the_form_is_open(
    page: Page, login: Callable[..., Page], tenant_a: Tenant, tenant_b: Tenant
) -> None:
    experience = published(tenant_a, title="Caravane numérique")
    chantier = ChantierFactory(roadmap=tenant_b.roadmap, organization=tenant_b.organization)
    login(
        page,
        tenant_b.contributeur,
        next_url=tenant_b.url("inspiration:experience_inspire", experience_pk=experience.pk),
    )
    page.get_by_label("une nouvelle fiche action").check()
    page.get_by_label("Chantier de la nouvelle fiche action").select_option(str(chantier.pk))
    actions.withdraw(experience)  # A withdraws it while B's form is open
    with page.expect_response(lambda r: r.request.method == "POST") as posted:
        page.get_by_role("button", name="Copier dans ma feuille de route").click()
    assert posted.value.status == 404
    assert not Action.objects.filter(organization=tenant_b.organization).exists()
