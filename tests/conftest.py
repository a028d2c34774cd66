from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.urls import Resolver404, resolve, reverse

from roadmap.models import Roadmap
from tenancy.models import Membership, Organization, Role, User
from tenancy.paths import organization_path
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
        client = OrganizationClient(self.organization)
        client.force_login(user)
        return client

    def path(self, path: str) -> str:
        """An organisation-free path (as `reverse()` or `get_absolute_url()` give it here) under this organisation."""
        return organization_path(self.organization.slug, path)

    def url(self, viewname: str, **kwargs: Any) -> str:
        """A page of this organisation, as its own links give it (`/<slug>/…`)."""
        return organization_url(self.organization, viewname, **kwargs)


def organization_url(organization: Organization, viewname: str, **kwargs: Any) -> str:
    return organization_path(organization.slug, reverse(viewname, kwargs=kwargs or None))


def requires_organization(path: str) -> bool:
    """Whether an organisation-free path is an organisation's page (tenancy.access.member_required)."""
    try:
        match = resolve(urlsplit(path).path)
    except Resolver404:
        return False
    return getattr(match.func, "requires_organization", False)


class OrganizationClient(Client):
    """A member's browser tab on one organisation. Tests build URLs with `reverse()` outside any request, hence
    without the organisation; such a path to an organisation's page is opened under this client's organisation,
    exactly where the application's own links lead (see tenancy.middleware). Paths that already carry an
    organisation, and public paths, are opened as they are."""

    def __init__(self, organization: Organization, **defaults: Any) -> None:
        super().__init__(**defaults)
        self.organization = organization

    def generic(self, method: str, path: Any, *args: Any, **kwargs: Any) -> Any:
        if requires_organization(str(path)):
            path = organization_path(self.organization.slug, str(path))
        return super().generic(method, path, *args, **kwargs)


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
