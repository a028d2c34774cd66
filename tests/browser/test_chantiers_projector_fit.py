"""Step 4 on the wall, as a room reads it: the group's projector with 1 to 12 fiches full of long French text, and the
plenary wall (6 enjeux × 5 chantiers, and 8), at 1280×720, 1024×768 and 1920×1080.

Every card and every text box stays inside the screen and inside its card, no word is broken inside itself, nothing
is written under 12 px, the type grows with the screen, and a text too long for its box ends with a visible « … »
(a line clamp) instead of being cut by the edge of the card."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from chantiers import actions
from chantiers.models import ChantierGroup, ChantierSheet, Feasibility, GovernanceRole, Priority, SheetPerson
from projectgroup.models import Actor
from tests.browser.test_chantiers import _plenary_load
from tests.conftest import Tenant
from tests.factories import EnjeuFactory

SIZES = [(1280, 720), (1024, 768), (1920, 1080)]
ENJEU = (
    "Comment permettre à chaque habitant, quel que soit son âge, son lieu de vie ou sa situation, de faire ses "
    "démarches administratives en ligne sans renoncer à ses droits ?"
)
TITLES = [
    "Des permanences numériques itinérantes dans les bourgs, les hameaux et les marchés de la communauté de communes",
    "Un réseau départemental des aidants numériques qui se réunit chaque trimestre pour partager ses pratiques",
    "Des ateliers intergénérationnels à la médiathèque intercommunale pour apprivoiser les démarches en ligne",
    "Un annuaire en ligne et imprimé des lieux d'accompagnement au numérique, tenu à jour par les partenaires",
    "Des visites à domicile par des conseillers numériques pour les personnes isolées ou à mobilité réduite",
    "Une plateforme téléphonique mutualisée d'orientation vers les structures d'accompagnement du territoire",
]
SUCCESS = (
    "Si quarante habitants bénéficient de l'accompagnement dès la première année, si les secrétaires de mairie "
    "orientent systématiquement les personnes en difficulté vers les permanences, si les aidants se connaissent et "
    "s'envoient les publics les uns aux autres, et si la fréquentation se maintient au-delà de la deuxième année "
    "grâce à un financement pérennisé par la communauté de communes et le département."
)
TEAM = "Anne Pradier, Karim Benhamou, Zoé Lefèvre-Castagnet"
ACTORS = [
    "Communauté de communes du Périgord Ribéracois",
    "Centre intercommunal d'action sociale Dronne et Belle",
    "Association départementale des centres sociaux connectés",
    "Médiathèque intercommunale Jean-de-La-Fontaine",
]
COLOURS = [Feasibility.VERT, Feasibility.ORANGE, Feasibility.ROUGE, Feasibility.BLANC, Feasibility.ORANGE]
MIN_FONT_PX = 12
KINDS = ["offScreen", "outOfCard", "cutSilently", "small", "brokenWords", "scrolls"]
FITS: dict[str, list[Any]] = {kind: [] for kind in KINDS}

# One pass over the page: what a reader at the back of the room would notice.
MEASURE = """(cards) => {
  const hidden = (el) => el.closest('.visually-hidden') !== null;
  const inside = (r, box, slack = 1) => r.left >= box.left - slack && r.top >= box.top - slack
      && r.right <= box.right + slack && r.bottom <= box.bottom + slack;
  const screen = {left: 0, top: 0, right: innerWidth, bottom: innerHeight};
  const label = (el) => `${el.className || el.tagName} « ${el.textContent.trim().replace(/\\s+/g, ' ').slice(0, 50)} »`;
  // The box whose line clamp hides what is past its last line (behind its « … »).
  const clampOf = (el) => {
    for (let box = el.parentElement; box; box = box.parentElement) {
      const clamp = getComputedStyle(box).webkitLineClamp;
      if (clamp && clamp !== 'none') return box;
    }
    return null;
  };
  const offScreen = [], outOfCard = [], cutSilently = [], small = [], brokenWords = [];
  const texts = [...document.querySelectorAll('main *')].filter((el) => !hidden(el)
      && [...el.childNodes].some((n) => n.nodeType === Node.TEXT_NODE && n.textContent.trim()));
  for (const el of texts) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) continue;  // not shown at this size (display: none)
    const clampBox = clampOf(el);
    if (clampBox && r.top >= clampBox.getBoundingClientRect().bottom - 1) continue;  // left out by the « … »
    if (!inside(r, screen, 0.5)) offScreen.push([label(el), Math.round(r.right), Math.round(r.bottom)]);
    const size = parseFloat(getComputedStyle(el).fontSize);
    if (size < 12) small.push([label(el), size]);
    const card = el.closest(cards);
    if (card && !inside(r, card.getBoundingClientRect())) outOfCard.push([label(el), Math.round(r.bottom),
        Math.round(card.getBoundingClientRect().bottom)]);
    // A box whose text runs past its end must say so with a line clamp (Chromium draws « … »).
    const style = getComputedStyle(el);
    const clamped = style.webkitLineClamp !== 'none' && style.webkitLineClamp !== '';
    if (el.scrollHeight > el.clientHeight + 2 && !clamped) cutSilently.push([label(el), el.scrollHeight,
        el.clientHeight]);
    // A word laid out on two lines, within what the box shows.
    for (const node of el.childNodes) {
      if (node.nodeType !== Node.TEXT_NODE) continue;
      for (const m of node.textContent.matchAll(/[^\\s\\u00a0\\u202f]+/g)) {
        const range = document.createRange();
        range.setStart(node, m.index);
        range.setEnd(node, m.index + m[0].length);
        const lines = new Set([...range.getClientRects()].filter((q) => q.width > 0 && inside(q, r))
            .map((q) => Math.round(q.top)));
        if (lines.size > 1) brokenWords.push([m[0], label(el)]);
      }
    }
  }
  for (const card of document.querySelectorAll(cards)) {
    const r = card.getBoundingClientRect();
    if (!inside(r, screen, 0.5)) offScreen.push([label(card), Math.round(r.right), Math.round(r.bottom)]);
    if (card.scrollHeight > card.clientHeight + 1) cutSilently.push([label(card), card.scrollHeight,
        card.clientHeight]);
  }
  return {offScreen, outOfCard, cutSilently, small, brokenWords,
          pageHeight: document.documentElement.scrollHeight, pageWidth: document.documentElement.scrollWidth};
}"""


def fits(page: Page, cards: str) -> dict[str, Any]:
    """What does not fit, by kind (all empty, `FITS`, when everything does); `scrolls`: the page's size."""
    report: dict[str, Any] = page.evaluate(MEASURE, cards)
    width, height = page.viewport_size["width"], page.viewport_size["height"]  # type: ignore[index]
    page_width, page_height = report.pop("pageWidth"), report.pop("pageHeight")
    report["scrolls"] = [] if page_width <= width and page_height <= height else [page_width, page_height]
    return report


def font_px(page: Page, selector: str) -> float:
    return float(page.evaluate("(s) => parseFloat(getComputedStyle(document.querySelector(s)).fontSize)", selector))


def _group_of(tenant: Tenant, n: int) -> ChantierGroup:
    """A validated group of `n` fiches written in full: long title, team, 2 pilots, operator, associates, resources,
    a long « on aura réussi si… »; two are priorities and one the « inconnu désirable »; its timer runs."""
    org = tenant.organization
    EnjeuFactory(roadmap=tenant.roadmap, question=ENJEU)
    group = actions.ensure_groups(tenant.roadmap)[0]
    actors = [Actor.objects.create(organization=org, name=name) for name in ACTORS]
    for i in range(n):
        sheet = actions.create_sheet(group, TITLES[i % len(TITLES)], TEAM)
        ChantierSheet.objects.filter(pk=sheet.pk).update(
            feasibility=COLOURS[i % len(COLOURS)],
            success=SUCCESS,
            resources_available="Un véhicule aménagé, deux conseillers numériques, des tablettes prêtées",
        )
        for role, actor in [
            (GovernanceRole.PILOTE, actors[0]),
            (GovernanceRole.PILOTE, actors[1]),
            (GovernanceRole.OPERATEUR, actors[2]),
            (GovernanceRole.ASSOCIE, actors[3]),
        ]:
            SheetPerson.objects.create(organization=org, sheet=sheet, role=role, actor=actor)
    actions.validate_group(group, tenant.animateur)
    sheets = list(group.sheets.order_by("pk"))
    for sheet in sheets[:2]:
        actions.set_priority(sheet, Priority.PRIORITAIRE, "Attendu partout", tenant.animateur)
    if n > 2:
        actions.set_priority(sheets[-1], Priority.INCONNU, "Un pari", tenant.animateur)
    actions.set_timer(group, 45)
    return group


@pytest.mark.parametrize("n", [1, 2, 3, 4, 6, 8, 12])
def test_the_groups_projector_shows_long_fiches_whole_at_every_size(
    n: int,
    tenant_a: Tenant,
    open_page: Callable[..., Page],
    login: Callable[..., Page],
    screenshot: Callable[..., Path],
) -> None:
    group = _group_of(tenant_a, n)
    page = login(open_page("projector"), tenant_a.lecteur)
    page.goto(reverse("chantiers:group_projector", kwargs={"chantiergroup_pk": group.pk}))
    expect(page.get_by_test_id("sheet-card")).to_have_count(n)
    titles: dict[tuple[int, int], float] = {}
    for width, height in SIZES:
        page.set_viewport_size({"width": width, "height": height})
        page.wait_for_function(f"() => innerWidth === {width} && innerHeight === {height}")
        screenshot(page, f"chantiers-projection-longue-{n}-{width}x{height}", full_page=False)
        report = fits(page, "[data-testid=sheet-card]")
        assert report == FITS, f"{width}×{height}"
        titles[(width, height)] = font_px(page, "[data-testid=sheet-card] h3")
        # The whole title is not shown when it is too long, but its beginning always is, in full words.
        first_card = page.get_by_test_id("sheet-card").first
        expect(first_card).to_contain_text("Des permanences numériques")
        expect(first_card).to_contain_text("Faisabilité")
        expect(first_card).to_contain_text("Prioritaire")
    # Readable from the back of the room: the type grows with the screen.
    assert titles[(1280, 720)] >= 18
    assert titles[(1920, 1080)] >= 1.4 * titles[(1280, 720)]
    # The long « on aura réussi si… » is shown from its beginning.
    expect(page.get_by_test_id("sheet-card").first.locator(".success")).to_contain_text("Si quarante habitants")


def _plenary_of(tenant: Tenant, depth: int) -> None:
    """6 enjeux of `depth` chantiers each (the test_chantiers load: 5, colours and priorities), plus more if asked."""
    _plenary_load(tenant)
    for group in ChantierGroup.objects.filter(roadmap=tenant.roadmap):
        for n in range(5, depth):
            sheet = actions.create_sheet(group, f"{TITLES[n % len(TITLES)]} ({group.enjeu.ref})")
            ChantierSheet.objects.filter(pk=sheet.pk).update(feasibility=COLOURS[n % len(COLOURS)])


@pytest.mark.parametrize("depth", [5, 8])
def test_the_plenary_wall_grows_its_type_with_the_screen(
    depth: int,
    tenant_a: Tenant,
    open_page: Callable[..., Page],
    login: Callable[..., Page],
    screenshot: Callable[..., Path],
) -> None:
    _plenary_of(tenant_a, depth)
    page = login(open_page("projector"), tenant_a.lecteur)
    page.goto(reverse("chantiers:plenary", kwargs={"roadmap_pk": tenant_a.roadmap.pk}))
    expect(page.get_by_test_id("plenary-cell")).to_have_count(6 * depth)
    titles: dict[tuple[int, int], float] = {}
    for width, height in SIZES:
        page.set_viewport_size({"width": width, "height": height})
        page.wait_for_function(f"() => innerWidth === {width} && innerHeight === {height}")
        screenshot(page, f"chantiers-pleniere-lisible-{depth}-{width}x{height}", full_page=False)
        report = fits(page, "[data-testid=plenary-cell]")
        assert report == FITS, f"{width}×{height}"
        title = titles[(width, height)] = font_px(page, ".cell-title")
        cell_height = page.get_by_test_id("plenary-cell").first.bounding_box()["height"]  # type: ignore[index]
        # The type keeps its proportion to the cell (it was 14 px in 190 px cells, 17 px in 280 px ones).
        if depth == 5:
            assert title >= cell_height / 9, f"{width}×{height}"
        assert font_px(page, ".cell-meta") >= MIN_FONT_PX
    assert titles[(1280, 720)] >= 15
    assert titles[(1920, 1080)] >= 1.4 * titles[(1280, 720)]
