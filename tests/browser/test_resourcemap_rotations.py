"""The animator runs the table rotations of the resource-map workshop: the timer counts down, a table's note greets
the newcomers of the next round; the directory's actors map is a graph one can zoom and walk with the keyboard."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from django.urls import reverse
from playwright.sync_api import Page, expect

from resourcemaps.actions import advance, save_note
from tests.conftest import Tenant
from tests.factories import ChantierFactory, CommuneFactory
from tests.projectgroup.factories import ActorFactory
from tests.resourcemaps.factories import RotationSessionFactory, RotationTableFactory


def test_an_animator_runs_two_rounds_with_a_handover_note(
    open_page: Callable[..., Page],
    login: Callable[..., Page],
    screenshot: Callable[..., Path],
    tenant_a: Tenant,
) -> None:
    session = RotationSessionFactory(organization=tenant_a.organization, roadmap=tenant_a.roadmap, rotations=2)
    jeunes = RotationTableFactory(
        organization=tenant_a.organization,
        session=session,
        chantier=ChantierFactory(roadmap=tenant_a.roadmap, title="Jeunes de 3 à 14 ans"),
    )
    RotationTableFactory(
        organization=tenant_a.organization,
        session=session,
        chantier=ChantierFactory(roadmap=tenant_a.roadmap, title="Seniors isolés"),
    )
    page = login(open_page("desktop"), tenant_a.animateur)
    page.goto(reverse("resourcemaps:rotation", kwargs={"rotationsession_pk": session.pk}))
    expect(page.get_by_test_id("timer")).to_have_text("20:00")
    page.get_by_role("button", name="Lancer la première rotation").click()
    expect(page.get_by_test_id("round")).to_have_text("Rotation 1 sur 3")
    expect(page.get_by_test_id("timer")).to_have_text("19:58", timeout=6_000)  # counting down
    card = page.get_by_test_id(f"table-{jeunes.chantier_id}")
    card.get_by_label("Note de passation pour la rotation suivante").fill("La CAF est partante ; voir les communes.")
    card.get_by_label("Personne qui reste à la table").fill("Léa")
    card.get_by_role("button", name="Enregistrer la note").click()
    expect(page.get_by_text("Note de passation de «\u00a0Jeunes de 3 à 14 ans\u00a0» enregistrée.")).to_be_visible()
    page.get_by_role("button", name="Changer de table").click()
    expect(page.get_by_test_id("round")).to_have_text("Rotation 2 sur 3")
    card = page.get_by_test_id(f"table-{jeunes.chantier_id}")
    expect(card.get_by_test_id("handover")).to_contain_text("La CAF est partante ; voir les communes.")
    expect(card).to_contain_text("Reste à la table\u00a0: Léa")
    page.get_by_role("button", name="Pause").click()
    expect(page.get_by_test_id("timer")).to_have_class("rm-timer paused")
    screenshot(page, "resourcemap-rotation")


def test_a_note_being_typed_survives_the_refresh_another_tables_note_brings(
    open_page: Callable[..., Page],
    login: Callable[..., Page],
    tenant_a: Tenant,
) -> None:
    session = RotationSessionFactory(organization=tenant_a.organization, roadmap=tenant_a.roadmap, rotations=2)
    jeunes = RotationTableFactory(
        organization=tenant_a.organization,
        session=session,
        chantier=ChantierFactory(roadmap=tenant_a.roadmap, title="Jeunes de 3 à 14 ans"),
    )
    seniors = RotationTableFactory(
        organization=tenant_a.organization,
        session=session,
        chantier=ChantierFactory(roadmap=tenant_a.roadmap, title="Seniors isolés"),
    )
    advance(session, "start")
    page = login(open_page("desktop"), tenant_a.animateur)
    page.goto(reverse("resourcemaps:rotation", kwargs={"rotationsession_pk": session.pk}))
    typing = page.get_by_test_id(f"table-{seniors.chantier_id}").get_by_label(
        "Note de passation pour la rotation suivante"
    )
    typing.fill("Le CIAS prête son minibus le merc")
    # Meanwhile the other table's keeper saves a note from her own laptop: the room's screens refresh.
    save_note(jeunes, "La CAF est partante.", "Léa", tenant_a.animateur)
    expect(page.get_by_test_id(f"table-{jeunes.chantier_id}")).to_contain_text("Reste à la table", timeout=8_000)
    expect(typing).to_have_value("Le CIAS prête son minibus le merc")
    expect(typing).to_be_focused()


def test_the_actors_map_is_a_graph_to_zoom_and_walk_with_the_keyboard(
    open_page: Callable[..., Page],
    login: Callable[..., Page],
    screenshot: Callable[..., Path],
    tenant_a: Tenant,
) -> None:
    square = {"type": "Polygon", "coordinates": [[[0.6, 45.3], [0.8, 45.3], [0.8, 45.5], [0.6, 45.5], [0.6, 45.3]]]}
    other = {"type": "Polygon", "coordinates": [[[0.8, 45.3], [1.0, 45.3], [1.0, 45.5], [0.8, 45.5], [0.8, 45.3]]]}
    brantome = CommuneFactory(code="24055", name="Brantôme", geometry=square)
    bourdeilles = CommuneFactory(code="24056", name="Bourdeilles", geometry=other)
    centre = ActorFactory(organization=tenant_a.organization, name="Centre social de Brantôme", commune=brantome)
    ActorFactory(
        organization=tenant_a.organization, name="Médiathèque de Brantôme", commune=brantome, kind="collectivite"
    )
    ActorFactory(
        organization=tenant_a.organization, name="Mairie de Bourdeilles", commune=bourdeilles, kind="collectivite"
    )
    ActorFactory(organization=tenant_a.organization, name="Association sans adresse")
    page = login(open_page("desktop"), tenant_a.lecteur)
    page.goto(reverse("projectgroup:actor_map"))
    expect(page.locator("#actors-map[data-ready='1']")).to_be_attached()
    assert page.evaluate("window.actorsMap.nodes('.actor').length") == 4
    assert page.evaluate("window.actorsMap.nodes('.commune').length") == 2
    # The two structures of Brantôme are spread around its place, not on top of each other.
    a, b = page.evaluate(
        "window.actorsMap.nodes('.actor').filter(n => n.data('commune') === 'Brantôme').map(n => n.position())"
    )
    assert abs(a["x"] - b["x"]) + abs(a["y"] - b["y"]) > 20
    expect(page.get_by_test_id("actors-table")).to_contain_text("Association sans adresse")
    graph = page.locator("#actors-map").bounding_box()
    assert graph and graph["height"] >= 500
    page.locator(".rm-key").first.focus()
    expect(page.locator("#actors-map-status")).to_contain_text("—")
    zoom = page.evaluate("window.actorsMap.zoom()")
    page.keyboard.press("+")
    assert page.evaluate("window.actorsMap.zoom()") > zoom
    screenshot(page, "actors-map-graph")
    page.get_by_role("button", name=f"{centre.name} — Association, Brantôme").focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(re.escape(centre.get_absolute_url()) + "$"))
