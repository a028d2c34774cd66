"""The animator runs the table rotations of the resource-map workshop: the timer counts down, a table's note greets
the newcomers of the next round."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from django.urls import reverse
from playwright.sync_api import Page, expect

from resourcemaps.actions import advance, save_note
from tests.conftest import Tenant
from tests.factories import ChantierFactory
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
