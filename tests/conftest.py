from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.test import Client

from roadmap.models import Roadmap
from tenancy.models import Membership, Organization, Role, User
from tests.factories import MembershipFactory, OrganizationFactory, RoadmapFactory, UserFactory


@dataclass
class Tenant:
    organization: Organization
    admin: User
    contributeur: User
    animateur: User
    lecteur: User
    roadmap: Roadmap

    def client_for(self, user: User) -> Client:
        client = Client()
        client.force_login(user)
        return client


def make_tenant(name: str) -> Tenant:
    organization = OrganizationFactory(name=name)
    users = {}
    for role in Role:
        membership: Membership = MembershipFactory(organization=organization, role=role)
        users[role] = membership.user
    return Tenant(
        organization=organization,
        admin=users[Role.ADMINISTRATEUR],
        contributeur=users[Role.CONTRIBUTEUR],
        animateur=users[Role.ANIMATEUR],
        lecteur=users[Role.LECTEUR],
        roadmap=RoadmapFactory(organization=organization),
    )


@pytest.fixture
def tenant_a(db: None) -> Tenant:
    return make_tenant("Communauté Alpha")


@pytest.fixture
def tenant_b(db: None) -> Tenant:
    return make_tenant("Communauté Bêta")


@pytest.fixture
def outsider(db: None) -> User:
    """A logged-in user with no organisation at all."""
    return UserFactory()


@pytest.fixture
def client_a(tenant_a: Tenant) -> Client:
    return tenant_a.client_for(tenant_a.admin)


@pytest.fixture
def client_b(tenant_b: Tenant) -> Client:
    return tenant_b.client_for(tenant_b.admin)


@pytest.fixture
def outsider_client(outsider: User) -> Client:
    client = Client()
    client.force_login(outsider)
    return client


# A skipped test hides a missing piece: the suite fails instead (make test installs what the tests need).
_skipped: list[str] = []


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.skipped:
        _skipped.append(report.nodeid)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if _skipped and exitstatus == 0:
        print(f"\n{len(_skipped)} test(s) skipped — not allowed here: {', '.join(_skipped[:5])}")
        session.exitstatus = 1
