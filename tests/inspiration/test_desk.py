"""The hub's desk: one page across the organisations a person belongs to — and only those —, in a fixed number of
queries whatever their number."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from inspiration import actions
from projectgroup.models import Meeting, Milestone
from roadmap.steps import roadmap_steps
from tenancy.models import Role
from tests.conftest import Tenant, make_tenant
from tests.factories import ChantierFactory, EnjeuFactory, MembershipFactory, UserFactory
from tests.inspiration.conftest import published
from tests.inspiration.factories import ExperienceFactory


def test_the_desk_lists_my_organisations_only(tenant_a: Tenant, tenant_b: Tenant, tenant_c: Tenant) -> None:
    staff = UserFactory()
    for tenant in (tenant_a, tenant_b):
        MembershipFactory(user=staff, organization=tenant.organization, role=Role.CONTRIBUTEUR)
    shared = published(tenant_a, title="Bus numérique partagé")
    ExperienceFactory(organization=tenant_c.organization, title="Secret de Gamma")
    published(tenant_c, title="Publiée par Gamma")
    page = tenant_a.client_for(staff).get(tenant_a.url("inspiration:desk")).content.decode()
    assert tenant_a.organization.name in page and tenant_b.organization.name in page
    assert tenant_c.organization.name not in page and "Gamma" not in page
    assert tenant_a.roadmap.title in page and tenant_b.roadmap.title in page
    # A's published experience is suggested to B until B draws on it.
    assert "Bus numérique partagé" in page
    chantier = ChantierFactory(roadmap=tenant_b.roadmap, organization=tenant_b.organization)
    actions.inspire_action(shared.pk, tenant_b.organization, staff, chantier)
    page = tenant_a.client_for(staff).get(tenant_a.url("inspiration:desk")).content.decode()
    assert "Bus numérique partagé" not in page.split("Expériences à faire circuler")[-1]
    # A member of one organisation sees only that one.
    page = tenant_a.client_for(tenant_a.admin).get(tenant_a.url("inspiration:desk")).content.decode()
    assert tenant_b.organization.name not in page


def test_the_desk_costs_the_same_for_2_or_5_organisations(tenant_a: Tenant, tenant_b: Tenant) -> None:
    staff = UserFactory()
    tenants = [tenant_a, tenant_b]
    for tenant in tenants:
        MembershipFactory(user=staff, organization=tenant.organization, role=Role.CONTRIBUTEUR)
        published(tenant)
    client = tenant_a.client_for(staff)
    url = tenant_a.url("inspiration:desk")
    client.get(url)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    small = count()
    for n in range(3):
        tenant = make_tenant(f"Territoire accompagné {n}")
        MembershipFactory(user=staff, organization=tenant.organization, role=Role.LECTEUR)
        published(tenant)
        ChantierFactory(roadmap=tenant.roadmap, organization=tenant.organization)
        soon = timezone.now() + timedelta(days=3 + n)
        Meeting.objects.create(
            organization=tenant.organization, roadmap=tenant.roadmap, title=f"Comité {n}", starts_at=soon
        )
        Milestone.objects.create(
            organization=tenant.organization, roadmap=tenant.roadmap, title=f"Vote {n}", planned_end=soon.date()
        )
    assert count() == small
    page = client.get(url).content.decode()
    assert "Comité 2" in page and "Vote 2" in page


def test_the_desk_shows_the_seven_steps_from_the_registry(
    tenant_a: Tenant, tenant_b: Tenant, tenant_c: Tenant, outsider_client: Any
) -> None:
    """Each roadmap's line loads its 7 steps (1 to 7, as the step registry computes them) from its own
    organisation; a roadmap of an organisation the person is not a member of is a 404."""
    staff = UserFactory()
    for tenant in (tenant_a, tenant_b):
        MembershipFactory(user=staff, organization=tenant.organization, role=Role.LECTEUR)
    EnjeuFactory(roadmap=tenant_b.roadmap, organization=tenant_b.organization)
    client = tenant_a.client_for(staff)
    page = client.get(tenant_a.url("inspiration:desk")).content.decode()
    url_b = tenant_b.url("inspiration:desk_steps", roadmap_pk=tenant_b.roadmap.pk)
    assert f'hx-get="{url_b}"' in page  # B's strip is asked of B's organisation
    assert f'hx-get="{tenant_a.url("inspiration:desk_steps", roadmap_pk=tenant_a.roadmap.pk)}"' in page

    strip = client.get(url_b).content.decode()
    steps = re.findall(r'<li class="desk-step (\w+)"><a href="([^"]+)" title="(\d)\. ([^"]+)"', strip)
    assert [int(number) for _, _, number, _ in steps] == [1, 2, 3, 4, 5, 6, 7]
    expected = roadmap_steps(tenant_b.roadmap)
    assert [status for status, *_ in steps] == [step.status for step in expected]
    assert steps[2][0] == "in_progress"  # step 3: the enjeu formulated in B (the diagnostic still missing)
    assert steps[2][1] == tenant_b.url("roadmap:step", roadmap_pk=tenant_b.roadmap.pk, number=3)
    assert steps[6][0] == "todo"

    # Not a member of C: neither its strip nor, through another organisation's address, its roadmap.
    assert client.get(tenant_c.url("inspiration:desk_steps", roadmap_pk=tenant_c.roadmap.pk)).status_code == 404
    assert client.get(tenant_a.url("inspiration:desk_steps", roadmap_pk=tenant_c.roadmap.pk)).status_code == 404
    assert client.get(tenant_a.url("inspiration:desk_steps", roadmap_pk=tenant_b.roadmap.pk)).status_code == 404
    assert outsider_client.get(url_b).status_code == 404
