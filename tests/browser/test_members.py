"""The members page as an administrator uses it with the mouse: « Retirer » asks first, in correct French, and only
removes the person once the administrator confirms; a member of two organisations switches with the menu."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from django.urls import reverse
from playwright.sync_api import Dialog, Page, Request, expect

from tenancy.models import Membership
from tests.conftest import Tenant
from tests.factories import MembershipFactory

CONFIRMATION = "Retirer cette personne de l'organisation\u00a0?"  # French typography, from the catalogue


def members_url() -> str:
    # The one place this file builds an address (the organisation's slug is about to lead tenant URLs).
    return reverse("tenancy:members")


def answer(dialogs: list[Dialog], *, accept: bool) -> Callable[[Dialog], None]:
    """A dialog handler that notes the dialog, then accepts or dismisses it as the person would."""

    def handle(dialog: Dialog) -> None:
        dialogs.append(dialog)
        if accept:
            dialog.accept()
        else:
            dialog.dismiss()

    return handle


def test_retirer_asks_with_the_apostrophe_intact_and_removes_only_once_confirmed(
    page: Page, login: Callable[..., Page], screenshot: Callable[..., Path], tenant_a: Tenant, tenant_b: Tenant
) -> None:
    leaving = tenant_a.contributeur
    MembershipFactory(organization=tenant_b.organization, user=leaving)  # also a member elsewhere: stays there
    login(page, tenant_a.admin, next_url=members_url())
    row = page.locator("tbody tr").filter(has_text=leaving.email)
    expect(row).to_have_count(1)
    dialogs: list[Dialog] = []
    posts: list[Request] = []
    page.on("request", lambda request: posts.append(request) if request.method == "POST" else None)

    # Dismissed: nothing is sent.
    page.once("dialog", answer(dialogs, accept=False))
    row.get_by_role("button", name="Retirer").click()
    # A round trip to the server from this very page: a form sent by the click would have left before it, so its
    # POST would be in `posts` by now (the old inline onclick broke on the apostrophe and sent it unasked).
    assert page.evaluate("() => fetch(window.location.href).then((response) => response.status)") == 200
    assert [(d.type, d.message) for d in dialogs] == [("confirm", CONFIRMATION)]
    assert posts == []
    expect(row).to_have_count(1)
    assert Membership.objects.filter(organization=tenant_a.organization, user=leaving).exists()

    # Accepted: the person leaves this organisation, and only this one.
    page.once("dialog", answer(dialogs, accept=True))
    with page.expect_navigation():
        row.get_by_role("button", name="Retirer").click()
    assert [d.message for d in dialogs] == [CONFIRMATION, CONFIRMATION]
    expect(page.locator(".messages")).to_contain_text("ne fait plus partie de l'organisation")
    expect(page.locator("tbody tr").filter(has_text=leaving.email)).to_have_count(0)
    expect(page.locator("tbody tr").filter(has_text=tenant_a.lecteur.email)).to_have_count(1)
    screenshot(page, "members-after-removal")
    assert not Membership.objects.filter(organization=tenant_a.organization, user=leaving).exists()
    assert Membership.objects.filter(organization=tenant_a.organization).count() == 3
    assert Membership.objects.filter(organization=tenant_b.organization, user=leaving).exists()


def test_a_member_of_two_organisations_switches_with_the_menu_alone(
    page: Page, login: Callable[..., Page], tenant_a: Tenant, tenant_b: Tenant
) -> None:
    MembershipFactory(organization=tenant_b.organization, user=tenant_a.admin)
    login(page, tenant_a.admin, next_url=members_url())
    switch = page.get_by_label("Organisation", exact=True)
    expect(switch).to_have_value(str(tenant_a.organization.pk))

    with page.expect_navigation():
        switch.select_option(str(tenant_b.organization.pk))  # no button to press: choosing sends the form

    expect(page.get_by_label("Organisation", exact=True)).to_have_value(str(tenant_b.organization.pk))
    expect(page.locator(".messages")).to_contain_text(tenant_b.organization.name)
