"""Work is not lost: leaving a fiche form with unsaved input asks first, and the input typed is kept as a local
draft that the form offers back after the page was closed (a crash, a tab clicked away)."""

from __future__ import annotations

from collections.abc import Callable

from django.urls import reverse
from playwright.sync_api import Dialog, Page, expect

from tests.conftest import Tenant
from tests.factories import ActionFactory


def test_leaving_a_fiche_with_unsaved_input_warns_and_keeps_a_draft(
    page: Page, login: Callable[..., Page], tenant_a: Tenant
) -> None:
    action = ActionFactory(roadmap=tenant_a.roadmap, title="Un bus numérique", objective="")
    edit = reverse("fiches:fiche_edit", args=[action.pk])
    login(page, tenant_a.admin, next_url=edit)

    # Nothing typed: a tab leaves without a word.
    page.get_by_role("link", name="Budget consolidé").first.click()
    page.wait_for_url("**/budget/")
    page.go_back()
    page.wait_for_url(f"**{edit}")

    objective = page.locator("#id_objective")
    objective.fill("Aller vers les habitants éloignés des lieux de médiation.")
    page.wait_for_timeout(500)  # the draft is written 300 ms after the last key
    dialogs: list[str] = []

    def dismiss(dialog: Dialog) -> None:
        dialogs.append(dialog.type)
        dialog.dismiss()  # « Rester sur la page »

    page.on("dialog", dismiss)
    page.get_by_role("link", name="Budget consolidé").first.click()
    page.wait_for_timeout(500)
    assert dialogs == ["beforeunload"]
    expect(objective).to_have_value("Aller vers les habitants éloignés des lieux de médiation.")
    page.remove_listener("dialog", dismiss)

    # The page goes anyway (a crash, the tab closed): the draft comes back on the form.
    page.once("dialog", lambda dialog: dialog.accept())
    page.goto(edit)
    banner = page.locator("[data-draft-banner]")
    expect(banner).to_be_visible()
    expect(page.locator("#id_objective")).to_have_value("")
    banner.get_by_role("button", name="Reprendre cette saisie").click()
    expect(page.locator("#id_objective")).to_have_value("Aller vers les habitants éloignés des lieux de médiation.")

    # Saved: the draft is done with.
    page.get_by_role("button", name="Enregistrer", exact=True).click()
    page.wait_for_url(f"**{reverse('fiches:fiche', args=[action.pk])}")
    action.refresh_from_db()
    assert action.objective == "Aller vers les habitants éloignés des lieux de médiation."
    page.goto(edit)
    expect(page.locator("[data-draft-banner]")).to_be_hidden()
