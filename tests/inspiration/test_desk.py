"""The hub's desk: one page across the organisations a person belongs to — and only those —, in a fixed number of
queries whatever their number."""

from __future__ import annotations

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from inspiration import actions
from projectgroup.models import Meeting, Milestone
from tenancy.models import Role
from tests.conftest import Tenant, make_tenant
from tests.factories import ChantierFactory, MembershipFactory, UserFactory
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
