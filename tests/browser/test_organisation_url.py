"""A hub member with two tabs, one per organisation: the organisation is in the URL, so both tabs keep working."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Page, expect

from roadmap.models import Action
from tenancy.models import Role
from tests.conftest import Tenant
from tests.factories import ActionFactory, MembershipFactory, UserFactory


def test_two_tabs_on_two_organisations_save_where_they_were_opened(
    open_page: Callable[..., Page],
    login: Callable[..., Page],
    screenshot: Callable[..., Path],
    tenant_a: Tenant,
    tenant_b: Tenant,
) -> None:
    hub = UserFactory(full_name="Camille du hub")
    MembershipFactory(user=hub, organization=tenant_a.organization, role=Role.CONTRIBUTEUR)
    MembershipFactory(user=hub, organization=tenant_b.organization, role=Role.CONTRIBUTEUR)
    action: Action = ActionFactory(roadmap=tenant_a.roadmap, title="Bus numérique")

    first = login(open_page(), hub)
    first.goto(tenant_a.url("fiches:fiche_edit", action_pk=action.pk))
    expect(first).to_have_url(re.compile(f"/{tenant_a.organization.slug}/fiches/{action.pk}/modifier/$"))
    first.get_by_label("Intitulé").fill("Bus numérique itinérant")

    # The second tab (same session) switches to the other organisation with the menu at the top.
    second = first.context.new_page()
    second.goto(tenant_a.url("territories:territory_list"))
    second.get_by_label("Organisation").select_option(label=tenant_b.organization.name)
    expect(second).to_have_url(re.compile(f"/{tenant_b.organization.slug}/territoires/$"))
    screenshot(second, "organisation-url-second-tab")

    # Back in the first tab: the save still goes to the first organisation's fiche.
    first.get_by_role("button", name="Enregistrer").click()
    expect(first).to_have_url(re.compile(f"/{tenant_a.organization.slug}/fiches/{action.pk}/$"))
    expect(first.locator(".fiche-title").first).to_contain_text("Bus numérique itinérant")
    screenshot(first, "organisation-url-first-tab-saved")
    action.refresh_from_db()
    assert action.title == "Bus numérique itinérant"

    # A colleague's link to the first organisation opens there, whatever the last organisation opened was.
    second.goto(tenant_a.url("roadmap:detail", roadmap_pk=tenant_a.roadmap.pk))
    expect(second.get_by_role("heading", level=1)).to_have_text(tenant_a.roadmap.title)
    # An old address without the organisation leads to the same page in the last organisation opened.
    second.goto(f"/fiches/{action.pk}/")
    expect(second).to_have_url(re.compile(f"/{tenant_a.organization.slug}/fiches/{action.pk}/$"))
