"""The référent fills the directory from a spreadsheet: upload, preview with a duplicate, confirm; the actors map
shows the structures on the territory's communes (the diagnostic's folium map, in a frame)."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from django.urls import reverse
from playwright.sync_api import Page, expect

from projectgroup.models import Actor
from tests.conftest import Tenant
from tests.factories import CommuneFactory, TerritoryFactory
from tests.projectgroup.factories import ActorFactory


def test_a_referent_imports_a_file_and_merges_a_duplicate(
    open_page: Callable[..., Page],
    login: Callable[..., Page],
    screenshot: Callable[..., Path],
    tenant_a: Tenant,
    tmp_path: Path,
) -> None:
    CommuneFactory(code="24352", name="Ribérac")
    ActorFactory(organization=tenant_a.organization, name="CS Ribérac", siret="12345678900012")
    source = tmp_path / "structures.csv"
    source.write_text(
        "nom;siret;code_insee;publics\n"
        "Centre social de Ribérac;12345678900012;24352;Familles\n"
        "Mission locale du Ribéracois;;24352;Jeunes de 16 à 30 ans\n",
        encoding="utf-8",
    )
    page = login(open_page("desktop"), tenant_a.admin)
    page.goto(reverse("projectgroup:actor_import"))
    page.get_by_label("Fichier des structures").set_input_files(str(source))
    page.get_by_role("button", name="Lire le fichier").click()
    expect(page.get_by_text("2 lignes lues.")).to_be_visible()
    expect(page.get_by_text("Doublon de «\u00a0CS Ribérac\u00a0» (même SIRET)")).to_be_visible()
    screenshot(page, "projectgroup-import-preview")
    page.get_by_role("button", name="Importer toutes les lignes").click()
    expect(page.get_by_text("Import terminé")).to_be_visible()
    assert sorted(Actor.objects.values_list("name", flat=True)) == ["CS Ribérac", "Mission locale du Ribéracois"]
    assert Actor.objects.get(name="CS Ribérac").families == ["familles"]
    # The panorama now shows young people and families as represented.
    page.goto(reverse("projectgroup:panorama"))
    expect(page.get_by_text("8 publics pas encore représentés")).to_be_visible()


def test_the_actors_map_shows_each_structure_on_the_territory(
    open_page: Callable[..., Page],
    login: Callable[..., Page],
    screenshot: Callable[..., Path],
    tenant_a: Tenant,
    tenant_b: Tenant,
) -> None:
    square = {"type": "Polygon", "coordinates": [[[0.6, 45.3], [0.8, 45.3], [0.8, 45.5], [0.6, 45.5], [0.6, 45.3]]]}
    other = {"type": "Polygon", "coordinates": [[[0.8, 45.3], [1.0, 45.3], [1.0, 45.5], [0.8, 45.5], [0.8, 45.3]]]}
    brantome = CommuneFactory(code="24055", name="Brantôme", geometry=square)
    bourdeilles = CommuneFactory(code="24056", name="Bourdeilles", geometry=other)
    TerritoryFactory(organization=tenant_a.organization).communes.add(brantome, bourdeilles)
    org = tenant_a.organization
    ActorFactory(organization=org, name="Centre social de Brantôme", commune=brantome, kind="association")
    ActorFactory(organization=org, name="Médiathèque de Brantôme", commune=brantome, kind="collectivite")
    ActorFactory(organization=org, name="Mairie de Bourdeilles", commune=bourdeilles, kind="collectivite")
    ActorFactory(organization=org, name="Association sans adresse")
    ActorFactory(organization=tenant_b.organization, name="Mairie d'ailleurs", commune=bourdeilles)
    page = login(open_page("projector"), tenant_a.lecteur)
    page.goto(reverse("projectgroup:actor_map"))
    frame = page.frame_locator("iframe.am-frame")
    markers = frame.locator("path.actor-marker")
    expect(markers).to_have_count(3)
    for i in range(3):
        expect(markers.nth(i)).to_be_visible()
    # Within the frame's visible area, and the two of Brantôme not on top of each other.
    page.locator("iframe.am-frame").scroll_into_view_if_needed()
    box = page.locator("iframe.am-frame").bounding_box()
    assert box and box["height"] >= 420
    boxes = [markers.nth(i).bounding_box() for i in range(3)]
    for marker in boxes:
        assert marker and box["x"] <= marker["x"] and marker["x"] + marker["width"] <= box["x"] + box["width"]
        assert box["y"] <= marker["y"] and marker["y"] + marker["height"] <= box["y"] + box["height"]
    centres = {(round(m["x"] + m["width"] / 2), round(m["y"] + m["height"] / 2)) for m in boxes if m}
    assert len(centres) == 3
    expect(frame.locator(".map-legend")).to_contain_text("Collectivité")
    expect(frame.locator(".map-label", has_text="Bourdeilles")).to_be_visible()
    expect(page.get_by_test_id("actors-table")).to_contain_text("Association sans adresse")
    screenshot(page, "actors-map-leaflet", full_page=False)
    # A marker's popup names the structure; its link opens the page in the whole window, not in the frame.
    frame.locator("path.actor-marker").first.click()
    popup = frame.locator(".leaflet-popup-content")
    expect(popup).to_be_visible()
    name = popup.locator("strong").inner_text()
    assert name in {"Centre social de Brantôme", "Médiathèque de Brantôme", "Mairie de Bourdeilles"}
    expect(frame.locator("body")).not_to_contain_text("Mairie d'ailleurs")
    popup.get_by_role("link", name="Ouvrir la fiche").click()
    expect(page).to_have_url(re.compile(r"/annuaire/structures/\d+/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(name)
