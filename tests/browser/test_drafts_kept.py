"""No typed text is lost by leaving a page: the long text forms (`<form data-keep-draft>`, static/js/form_drafts.js)
warn before leaving with unsaved input, keep it as a local draft, and offer it back with « Reprendre cette
saisie »; once saved, the draft is gone."""

from __future__ import annotations

import re
import tempfile
from collections.abc import Callable
from pathlib import Path

from django.urls import reverse
from playwright.sync_api import Dialog, Page, expect

from tests.conftest import Tenant
from tests.projectgroup.factories import MeetingFactory

SHOTS = Path(tempfile.gettempdir()) / "keep"  # screenshots to look at, outside the project


def leave_by_a_link(page: Page) -> list[str]:
    """Click a link of the top bar; the page asks first (« Quitter le site ? »), and the person goes anyway."""
    dialogs: list[str] = []

    def leave(dialog: Dialog) -> None:
        dialogs.append(dialog.type)
        dialog.accept()

    page.on("dialog", leave)
    page.get_by_role("link", name="Feuilles de route").first.click()
    page.wait_for_url("**/")
    page.wait_for_load_state()
    page.remove_listener("dialog", leave)
    return dialogs


def shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True, animations="disabled")


def test_meeting_minutes_typed_then_left_come_back(page: Page, login: Callable[..., Page], tenant_a: Tenant) -> None:
    meeting = MeetingFactory(roadmap=tenant_a.roadmap, title="Groupe projet de lancement", minutes="", decisions="")
    url = meeting.get_absolute_url()
    login(page, tenant_a.admin, next_url=url)
    minutes = page.get_by_label("Compte rendu")
    minutes.fill("Tour de table : les six communes sont représentées.\nLe calendrier est validé.")
    page.wait_for_timeout(500)  # the draft is written 300 ms after the last key

    assert leave_by_a_link(page) == ["beforeunload"]
    page.goto(url)
    banner = page.locator("[data-draft-banner]")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("Une saisie non enregistrée de ce formulaire est conservée dans ce navigateur")
    expect(page.get_by_label("Compte rendu")).to_have_value("")
    shot(page, "minutes-draft-offered")
    banner.get_by_role("button", name="Reprendre cette saisie").click()
    expect(page.get_by_label("Compte rendu")).to_have_value(
        "Tour de table : les six communes sont représentées.\nLe calendrier est validé."
    )
    shot(page, "minutes-draft-restored")

    # Saved: no question on leaving, and the draft is done with.
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    expect(page.locator(".message-success")).to_contain_text("Compte rendu enregistré.")
    meeting.refresh_from_db()
    assert meeting.minutes == "Tour de table : les six communes sont représentées.\nLe calendrier est validé."
    assert leave_by_a_link(page) == []
    page.goto(url)
    expect(page.locator("[data-draft-banner]")).to_be_hidden()


def test_theory_of_change_typed_then_left_come_back(page: Page, login: Callable[..., Page], tenant_a: Tenant) -> None:
    url = reverse("evaluation:theory", kwargs={"roadmap_pk": tenant_a.roadmap.pk})
    login(page, tenant_a.admin, next_url=url)
    page.get_by_label("Besoin social").fill("Des habitants isolés du numérique, loin des lieux de médiation.")
    page.get_by_label("Vision").fill("Le numérique au service du lien social.")
    page.wait_for_timeout(500)

    assert leave_by_a_link(page) == ["beforeunload"]
    page.goto(url)
    banner = page.locator("[data-draft-banner]")
    expect(banner).to_be_visible()
    expect(page.get_by_label("Besoin social")).to_have_value("")
    banner.get_by_role("button", name="Reprendre cette saisie").click()
    expect(page.get_by_label("Besoin social")).to_have_value(
        "Des habitants isolés du numérique, loin des lieux de médiation."
    )
    expect(page.get_by_label("Vision")).to_have_value("Le numérique au service du lien social.")
    shot(page, "theory-draft-restored")

    page.get_by_role("button", name="Enregistrer la théorie du changement").click()
    expect(page.locator(".message-success")).to_contain_text("Théorie du changement enregistrée.")
    tenant_a.roadmap.refresh_from_db()
    assert tenant_a.roadmap.evaluation.vision == "Le numérique au service du lien social."
    page.goto(url)
    expect(page.locator("[data-draft-banner]")).to_be_hidden()


def test_a_mandate_saved_meanwhile_comes_back_beside_what_was_typed(
    open_page: Callable[..., Page], login: Callable[..., Page], tenant_a: Tenant
) -> None:
    url = reverse("projectgroup:group", kwargs={"roadmap_pk": tenant_a.roadmap.pk})
    anne = login(open_page(), tenant_a.admin, next_url=url)
    karim = login(open_page(), tenant_a.contributeur, next_url=url)  # opened before Anne saves

    anne.get_by_text("Écrire le mandat").click()
    anne.get_by_label("Mandat du groupe projet").fill("Produire la feuille de route pour le conseil de juin.")
    anne.get_by_role("button", name="Enregistrer", exact=True).first.click()
    expect(anne.locator(".message-success")).to_contain_text("Mandat enregistré.")

    karim.get_by_text("Écrire le mandat").click()
    karim.get_by_label("Confié par").fill("Bureau communautaire")
    karim.get_by_role("button", name="Enregistrer", exact=True).first.click()
    expect(karim.locator(".errorlist").first).to_contain_text("enregistré depuis un autre poste")
    expect(karim.get_by_label("Confié par")).to_have_value("Bureau communautaire")  # kept, visible
    expect(karim.get_by_text(re.compile("^Version enregistrée entre-temps"))).to_contain_text(
        "Produire la feuille de route pour le conseil de juin."
    )
    shot(karim, "mandate-refused-beside")
