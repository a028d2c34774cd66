"""The chantiers clés workshop in a browser: a scribe fills a fiche chantier while the group's projector shows it,
and the plenary table (6 enjeux × 5 chantiers) fits the wall at 1280×720, 1024×768 and 1920×1080."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from chantiers import actions
from chantiers.models import ChantierSheet, Feasibility, Priority
from projectgroup.models import Actor, Contact
from resourcemaps.models import Resource
from tests.browser.conftest import wait_for_htmx
from tests.conftest import Tenant
from tests.factories import EnjeuFactory

LIVE_TIMEOUT = 4_000
SIZES = [(1280, 720), (1024, 768), (1920, 1080)]
ENJEUX = [
    "Comment permettre à chaque habitant, quel que soit son âge ou son lieu de vie, de faire ses démarches en ligne ?",
    "Comment rendre visibles et relier entre eux les lieux et les personnes qui accompagnent déjà au numérique ?",
    "Comment aider les jeunes et les familles à vivre le numérique de façon autonome, critique et sereine ?",
    "Comment former les agents d'accueil des mairies et des services publics à l'orientation des publics ?",
    "Comment équiper les associations et les petites entreprises du territoire en outils numériques adaptés ?",
    "Comment garantir une couverture mobile et internet de qualité dans les hameaux les plus isolés ?",
]
TITLES = [
    "Des permanences numériques itinérantes dans les bourgs et les hameaux",
    "Un réseau des aidants numériques qui se réunit chaque trimestre",
    "Des animations numériques ludiques pour tous les âges à la médiathèque",
    "Un annuaire en ligne des lieux d'accompagnement tenu à jour",
    "Des services numériques à domicile pour les personnes isolées",
]
COLOURS = [Feasibility.VERT, Feasibility.ORANGE, Feasibility.ROUGE, Feasibility.BLANC, Feasibility.ORANGE]


def outside(page: Page, selector: str) -> list[Any]:
    """Every box of `selector` not wholly inside the viewport."""
    return page.evaluate(
        """(selector) => {
          const bad = [];
          for (const el of document.querySelectorAll(selector)) {
            const r = el.getBoundingClientRect();
            if (r.left < -0.5 || r.top < -0.5 || r.right > innerWidth + 0.5 || r.bottom > innerHeight + 0.5
                || r.width === 0 || r.height === 0)
              bad.push([el.className, el.textContent.trim().slice(0, 40), Math.round(r.left), Math.round(r.top),
                        Math.round(r.right), Math.round(r.bottom)]);
          }
          return bad;
        }""",
        selector,
    )


def test_a_scribe_fills_a_fiche_while_the_projector_shows_it(
    tenant_a: Tenant,
    open_page: Callable[..., Page],
    login: Callable[..., Page],
    screenshot: Callable[..., Path],
) -> None:
    org = tenant_a.organization
    EnjeuFactory(roadmap=tenant_a.roadmap, question=ENJEUX[0])
    group = actions.ensure_groups(tenant_a.roadmap)[0]
    Actor.objects.create(organization=org, name="Communauté de communes Dronne et Belle")
    centre = Actor.objects.create(organization=org, name="Centre social du Ribéracois")
    Contact.objects.create(organization=org, full_name="Anne Pradier", actor=centre)
    projector = login(open_page("projector"), tenant_a.lecteur)
    projector.goto(reverse("chantiers:group_projector", kwargs={"chantiergroup_pk": group.pk}))
    expect(projector.locator(".big-message")).to_be_visible()

    scribe = login(open_page(), tenant_a.animateur)
    scribe.goto(reverse("chantiers:group", kwargs={"chantiergroup_pk": group.pk}))
    scribe.get_by_role("button", name="45 minutes").click()
    expect(projector.get_by_test_id("timer")).to_have_text(re.compile(r"^4[45]:\d\d$"), timeout=LIVE_TIMEOUT)
    scribe.get_by_label("Titre du chantier").fill("Bus numérique itinérant")
    # Another pair's fiche, typed on another laptop, appears in the list; the form being typed stays as it is.
    actions.create_sheet(group, "Cafés numériques au marché", "Léa, Tom")
    expect(scribe.get_by_test_id("group-cards")).to_contain_text("Cafés numériques au marché", timeout=LIVE_TIMEOUT)
    expect(scribe.get_by_label("Titre du chantier")).to_have_value("Bus numérique itinérant")
    scribe.get_by_label("Binôme ou trinôme").fill("Anne, Karim, Zoé")
    scribe.get_by_role("button", name="Créer la fiche").click()
    # The projector shows the new fiche by itself (htmx polling), in white: nothing decided yet.
    card = projector.locator("[data-testid=sheet-card]", has_text="Bus numérique itinérant")
    expect(card).to_be_visible(timeout=LIVE_TIMEOUT)
    expect(card).to_have_attribute("data-feasibility", "blanc")

    scribe.get_by_label("Les objectifs : on aura réussi si…").fill("Si chaque bourg reçoit le bus deux fois par mois.")
    scribe.get_by_label("Qui pilote ?").select_option(label="Communauté de communes Dronne et Belle")
    criteria = scribe.locator("[data-testid=criteria]")
    expect(criteria.locator("[data-criterion=pilote]")).to_have_class("met")
    expect(criteria.locator("[data-criterion=ressources]")).to_have_class("unmet")
    # Meanwhile another pair's fiche arrives in the group: the scribe's typing stays as it is.
    actions.create_sheet(group, "Services à domicile", "Paul, Inès")
    expect(projector.locator("[data-testid=sheet-card]", has_text="Services à domicile")).to_be_visible(
        timeout=LIVE_TIMEOUT
    )
    expect(scribe.get_by_label("Les objectifs : on aura réussi si…")).to_have_value(
        "Si chaque bourg reçoit le bus deux fois par mois."
    )
    # Green while the operator, the actors and the resources are missing: refused, what was typed is kept.
    scribe.get_by_label("Vert").check()
    scribe.get_by_role("button", name="Enregistrer la fiche").click()
    expect(scribe.get_by_test_id("form-error")).to_contain_text(
        "il manque encore opérateur, acteurs associés, ressources"
    )
    expect(scribe.get_by_label("Titre du chantier")).to_have_value("Bus numérique itinérant")
    screenshot(scribe, "chantiers-fiche-refusee")
    scribe.get_by_label("Qui fait ?").select_option(label="Centre social du Ribéracois")
    scribe.get_by_label("Qui est associé ?").select_option(label="Anne Pradier (Centre social du Ribéracois)")
    scribe.get_by_label("Ressources mobilisables").fill("Véhicule de la communauté de communes")
    expect(criteria.locator("li.unmet")).to_have_count(0)
    scribe.get_by_label("Vert").check()
    screenshot(scribe, "chantiers-fiche-scribe")
    scribe.get_by_role("button", name="Enregistrer la fiche").click()
    expect(scribe.locator(".messages")).to_contain_text("Fiche « Bus numérique itinérant » enregistrée.")

    expect(card).to_have_attribute("data-feasibility", "vert", timeout=LIVE_TIMEOUT)
    expect(card).to_contain_text("Si chaque bourg reçoit le bus")
    assert outside(projector, "[data-testid=sheet-card], .wall-question, .feasibility-legend li") == []
    screenshot(projector, "chantiers-projection", full_page=False)

    # The group validates, then picks its priority: the projector shows the star.
    scribe.get_by_role("button", name="Le groupe valide ses fiches").click()
    row = scribe.locator("[data-testid=priority-row]", has_text="Bus numérique itinérant")
    row.get_by_label("Prioritaire").check()
    row.get_by_label("Pourquoi").fill("Attendu dans tous les bourgs")
    row.get_by_role("button", name="Enregistrer").click()
    expect(scribe.get_by_test_id("priority-count")).to_contain_text("Chantiers prioritaires : 1 sur 2")
    expect(card).to_contain_text("Prioritaire", timeout=LIVE_TIMEOUT)
    wait_for_htmx(projector)
    screenshot(projector, "chantiers-projection-priorite", full_page=False)
    sheet = ChantierSheet.objects.get(chantier__title="Bus numérique itinérant")
    assert sheet.priority == Priority.PRIORITAIRE and sheet.priority_reason == "Attendu dans tous les bourgs"


def _plenary_load(tenant: Tenant) -> None:
    for question in ENJEUX:
        EnjeuFactory(roadmap=tenant.roadmap, question=question)
    for group in actions.ensure_groups(tenant.roadmap):
        for n, title in enumerate(TITLES):
            sheet = actions.create_sheet(group, f"{title} ({group.enjeu.ref})")
            ChantierSheet.objects.filter(pk=sheet.pk).update(feasibility=COLOURS[n])
        actions.validate_group(group, tenant.animateur)
        sheets = list(group.sheets.order_by("pk"))
        for sheet in sheets[:2]:
            actions.set_priority(sheet, Priority.PRIORITAIRE, "Choix", tenant.animateur)
        actions.set_priority(sheets[4], Priority.INCONNU, "Rêve", tenant.animateur)


@pytest.mark.parametrize(("width", "height"), SIZES)
def test_the_plenary_table_fits_the_wall(
    width: int,
    height: int,
    tenant_a: Tenant,
    open_page: Callable[..., Page],
    login: Callable[..., Page],
    screenshot: Callable[..., Path],
) -> None:
    _plenary_load(tenant_a)
    page = login(open_page("projector", viewport={"width": width, "height": height}), tenant_a.lecteur)
    page.goto(reverse("chantiers:plenary", kwargs={"roadmap_pk": tenant_a.roadmap.pk}))
    expect(page.get_by_test_id("plenary-cell")).to_have_count(30)
    expect(page.get_by_test_id("plenary-col")).to_have_count(6)
    assert outside(page, ".plenary-cell, .plenary-enjeu, .plenary-title, .feasibility-legend li") == []
    # Readable from the back of the room.
    size = float(page.evaluate("() => parseFloat(getComputedStyle(document.querySelector('.cell-title')).fontSize)"))
    assert size >= 12
    # Each cell says its colour in words too (not by colour alone) and the priorities are marked.
    assert page.locator("[data-testid=plenary-cell]", has_text="prioritaire").count() == 12
    assert page.locator("[data-testid=plenary-cell]", has_text="inconnu désirable").count() == 6
    screenshot(page, f"chantiers-pleniere-{width}x{height}", full_page=False)
    # A change reaches the wall by itself.
    first = ChantierSheet.objects.filter(group__enjeu__order=1).order_by("pk").first()
    assert first is not None
    ChantierSheet.objects.filter(pk=first.pk).update(feasibility=Feasibility.ROUGE)
    actions._touch_group(first.group_id)
    expect(page.locator("[data-testid=plenary-cell]").first).to_have_attribute(
        "data-feasibility", "rouge", timeout=LIVE_TIMEOUT
    )
    assert outside(page, ".plenary-cell, .plenary-enjeu") == []


@pytest.mark.parametrize(("width", "height"), SIZES)
def test_the_groups_projector_fits_with_six_full_fiches(
    width: int,
    height: int,
    tenant_a: Tenant,
    open_page: Callable[..., Page],
    login: Callable[..., Page],
    screenshot: Callable[..., Path],
) -> None:
    EnjeuFactory(roadmap=tenant_a.roadmap, question=ENJEUX[0])
    group = actions.ensure_groups(tenant_a.roadmap)[0]
    for n in range(6):
        sheet = actions.create_sheet(group, TITLES[n % 5], "Anne, Karim, Zoé")
        ChantierSheet.objects.filter(pk=sheet.pk).update(
            feasibility=COLOURS[n % 5],
            success="Si chaque habitant trouve une aide à moins de quinze minutes de chez lui, "
            "et si les aidants se connaissent et s'orientent les publics les uns vers les autres.",
        )
    page = login(open_page("projector", viewport={"width": width, "height": height}), tenant_a.lecteur)
    page.goto(reverse("chantiers:group_projector", kwargs={"chantiergroup_pk": group.pk}))
    expect(page.get_by_test_id("sheet-card")).to_have_count(6)
    assert outside(page, "[data-testid=sheet-card], .wall-question, .wall-status, .feasibility-legend li") == []
    screenshot(page, f"chantiers-projection-6-{width}x{height}", full_page=False)


def test_the_inventory_prints_one_enjeu_per_page_and_the_deliverables_read_well(
    tenant_a: Tenant,
    open_page: Callable[..., Page],
    login: Callable[..., Page],
    screenshot: Callable[..., Path],
) -> None:
    _plenary_load(tenant_a)
    from chantiers.models import InventoryEntry

    enjeu = tenant_a.roadmap.enjeux.order_by("order").first()
    assert enjeu is not None
    InventoryEntry.objects.create(
        organization=tenant_a.organization,
        roadmap=tenant_a.roadmap,
        enjeu=enjeu,
        title="Permanences du conseiller numérique",
        carrier="France Services",
    )
    InventoryEntry.objects.create(
        organization=tenant_a.organization,
        roadmap=tenant_a.roadmap,
        enjeu=enjeu,
        kind="cartons",
        title="Un bus numérique",
        carrier="Communauté de communes",
    )
    page = login(open_page(), tenant_a.animateur)
    roadmap_pk = tenant_a.roadmap.pk
    page.goto(reverse("chantiers:home", kwargs={"roadmap_pk": roadmap_pk}))
    expect(page.get_by_test_id("groups")).to_contain_text("2 / 2")
    screenshot(page, "chantiers-accueil")
    page.goto(reverse("chantiers:inventory", kwargs={"roadmap_pk": roadmap_pk}))
    expect(page.get_by_test_id(f"planned-{enjeu.pk}")).to_contain_text("Un bus numérique")
    screenshot(page, "chantiers-inventaire")
    page.goto(reverse("chantiers:inventory_print", kwargs={"roadmap_pk": roadmap_pk}))
    page.emulate_media(media="print")
    expect(page.locator(".no-print")).to_be_hidden()
    breaks = page.evaluate(
        "() => [...document.querySelectorAll('.print-page')].map(e => getComputedStyle(e).breakAfter)"
    )
    assert breaks[:-1] == ["page"] * 5 and len(breaks) == 6
    page.emulate_media(media="screen")
    page.goto(reverse("chantiers:synthesis", kwargs={"roadmap_pk": roadmap_pk}))
    expect(page.get_by_test_id("synthesis")).to_contain_text("★ Prioritaire")
    screenshot(page, "chantiers-synthese")
    group = tenant_a.organization.chantier_groups.order_by("enjeu__order").first()
    assert group is not None
    page.goto(reverse("chantiers:group", kwargs={"chantiergroup_pk": group.pk}))
    expect(page.get_by_test_id("priority-count")).to_contain_text("Chantiers prioritaires : 2 sur 2")
    screenshot(page, "chantiers-groupe")


def test_a_sheet_page_reads_as_the_fiche(
    tenant_a: Tenant,
    open_page: Callable[..., Page],
    login: Callable[..., Page],
    screenshot: Callable[..., Path],
) -> None:
    org = tenant_a.organization
    EnjeuFactory(roadmap=tenant_a.roadmap, question=ENJEUX[0])
    group = actions.ensure_groups(tenant_a.roadmap)[0]
    sheet = actions.create_sheet(group, "Bus numérique itinérant", "Anne, Karim")
    pilot = Actor.objects.create(organization=org, name="Communauté de communes Dronne et Belle")
    actions.save_sheet(
        sheet,
        actions.SheetContent(
            title="Bus numérique itinérant",
            team="Anne, Karim",
            success="Si chaque bourg reçoit le bus deux fois par mois.",
            free_actions="Tournée hebdomadaire",
            resources_available="",
            resources_needed="Un second conseiller numérique",
            blockers="Zones blanches",
            feasibility=Feasibility.ORANGE,
            actions=[],
            people=[("pilote", pilot)],
        ),
    )
    Resource.objects.create(
        organization=org, chantier=sheet.chantier, nature="materielle", label="Minibus du CIAS", link="solid"
    )
    page = login(open_page(), tenant_a.lecteur)
    page.goto(reverse("chantiers:sheet", kwargs={"chantier_pk": sheet.chantier_id}))
    # The chantier's resource map under its fiche, as wide as the page and no wider.
    drawn = page.locator("[data-testid=sheet-map] svg")
    expect(drawn).to_contain_text("Minibus du CIAS")
    box, viewport = drawn.bounding_box(), page.viewport_size
    assert box is not None and viewport is not None
    assert box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"] and box["height"] > 200
    table = page.locator(".sheet-table")
    expect(table).to_contain_text("Communauté de communes Dronne et Belle")
    expect(table).to_contain_text("exécutable à moyen terme")
    expect(table.locator("[data-criterion=ressources]")).to_have_class("unmet")
    expect(page.get_by_role("link", name="Carte des ressources")).to_be_visible()
    screenshot(page, "chantiers-fiche")
