"""Tenant isolation and read-only rights, over every URL pattern of the project (see tests/url_walk.py)."""

from __future__ import annotations

from typing import Any

import pytest
from django.apps import apps
from django.test import Client

from tenancy.access import PERMISSIONS, Permission
from tenancy.models import Role
from tests.conftest import Tenant
from tests.url_walk import (
    EXPECTED_PERMISSIONS,
    PUBLIC_PATTERNS,
    READ_ONLY_ALLOWED_POSTS,
    Route,
    TenantObjects,
    iter_routes,
    view_permissions,
)

ROUTES = list(iter_routes())
OBJECT_ROUTES = [r for r in ROUTES if any(a.endswith("_pk") for a in r.arguments) and r.name not in PUBLIC_PATTERNS]
PLAIN_ROUTES = [r for r in ROUTES if not r.arguments]


def test_the_walk_finds_the_project_routes() -> None:
    names = {r.name for r in ROUTES}
    assert {"roadmap:enjeu_edit", "roadmap:chain", "tenancy:members", "territories:territory_detail"} <= names
    assert len(OBJECT_ROUTES) >= 25


def _request(client: Client, method: str, url: str, htmx: bool = False) -> Any:
    headers = {"HX-Request": "true"} if htmx else {}
    return getattr(client, method.lower())(url, headers=headers)


@pytest.mark.parametrize("route", OBJECT_ROUTES, ids=lambda r: r.name)
def test_another_organisations_object_is_a_404(route: Route, tenant_a: Tenant, tenant_b: Tenant) -> None:
    objects_a, objects_b = TenantObjects(tenant_a), TenantObjects(tenant_b)
    url_a, url_b = objects_a.url(route), objects_b.url(route)
    client = tenant_b.client_for(tenant_b.admin)
    for method in ("GET", "POST"):
        for htmx in (False, True):
            response = _request(client, method, url_a, htmx)
            if response.status_code == 405:
                # Refused for the method alone: B's own object must get the same answer (no existence leak).
                assert _request(client, method, url_b, htmx).status_code == 405, (route.name, method)
                continue
            assert response.status_code == 404, (route.name, method, htmx, response.status_code)


@pytest.mark.parametrize("route", PLAIN_ROUTES, ids=lambda r: r.name)
def test_lists_never_show_another_organisations_objects(route: Route, tenant_a: Tenant, tenant_b: Tenant) -> None:
    objects_a = TenantObjects(tenant_a)
    for object_route in OBJECT_ROUTES:
        objects_a.kwargs_for(object_route)  # creates one object of every routed model in tenant A
    client = tenant_b.client_for(tenant_b.admin)
    response = client.get(TenantObjects(tenant_b).url(route), follow=True)
    assert response.status_code in (200, 405)
    content = response.content.decode()
    for marker in objects_a.markers():
        assert marker not in content, (route.name, marker)


def _fingerprint() -> list[tuple[str, int, str]]:
    """Counts and last modification of every model holding tenant data."""
    rows = []
    for model in apps.get_models():
        if model._meta.app_label in {"contenttypes", "auth", "sessions"}:
            continue
        fields = {f.name for f in model._meta.get_fields()}
        last = ""
        if "updated_at" in fields:
            last = str(model._default_manager.order_by("-updated_at").values_list("updated_at", flat=True).first())
        rows.append((model._meta.label, model._default_manager.count(), last))
    return rows


@pytest.mark.parametrize("route", [r for r in ROUTES if r.name not in PUBLIC_PATTERNS], ids=lambda r: r.name)
def test_a_reader_changes_nothing(route: Route, tenant_a: Tenant) -> None:
    objects = TenantObjects(tenant_a)
    url = objects.url(route)
    client = tenant_a.client_for(tenant_a.lecteur)
    before = _fingerprint()
    for method in ("POST", "PUT", "PATCH", "DELETE"):
        response = _request(client, method, url)
        if route.name in READ_ONLY_ALLOWED_POSTS:
            continue
        assert response.status_code in (403, 405), (route.name, method, response.status_code)
    if route.name not in READ_ONLY_ALLOWED_POSTS:
        assert _fingerprint() == before, route.name


@pytest.mark.parametrize("route", OBJECT_ROUTES, ids=lambda r: r.name)
def test_someone_without_organisation_sees_nothing(route: Route, tenant_a: Tenant, outsider_client: Client) -> None:
    url = TenantObjects(tenant_a).url(route)
    assert url.startswith(f"/{tenant_a.organization.slug}/")
    for method in ("GET", "POST"):
        assert getattr(outsider_client, method.lower())(url).status_code == 404, (route.name, method)


@pytest.mark.parametrize("route", OBJECT_ROUTES, ids=lambda r: r.name)
def test_another_organisations_address_is_a_404(route: Route, tenant_a: Tenant, tenant_b: Tenant) -> None:
    """B's member typing A's organisation in the URL (or following A's link) learns nothing, not even in a 403."""
    url = TenantObjects(tenant_a).url(route)
    client = Client()
    client.force_login(tenant_b.admin)
    for method in ("GET", "POST"):
        assert getattr(client, method.lower())(url).status_code == 404, (route.name, method)


@pytest.mark.parametrize("route", [r for r in ROUTES if r.name not in PUBLIC_PATTERNS], ids=lambda r: r.name)
def test_every_page_answers_its_own_members(route: Route, tenant_a: Tenant) -> None:
    """The other side of isolation: the same URLs work for the organisation's own administrateur."""
    url = TenantObjects(tenant_a).url(route)
    client = tenant_a.client_for(tenant_a.admin)
    for htmx in (False, True):
        response = _request(client, "GET", url, htmx)
        assert response.status_code in (200, 302, 405), (route.name, htmx, response.status_code)


ROLES = {
    "admin": Role.ADMINISTRATEUR,
    "contributeur": Role.CONTRIBUTEUR,
    "animateur": Role.ANIMATEUR,
    "lecteur": Role.LECTEUR,
}
TENANT_ROUTES = [r for r in ROUTES if r.name not in PUBLIC_PATTERNS]


def test_the_permission_table_is_the_one_in_the_readme() -> None:
    """The README's table (« Rôles et droits ») says what tenancy.access.PERMISSIONS enforces."""
    from pathlib import Path

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    table = readme.split("### Rôles et droits", 1)[1].split("\n\n", 2)[1]
    rows = [line for line in table.splitlines() if line.startswith("| `")]
    assert len(rows) == len(Permission)
    order = [Role.ADMINISTRATEUR, Role.CONTRIBUTEUR, Role.ANIMATEUR, Role.LECTEUR]
    for line in rows:
        cells = [c.strip() for c in line.strip("|").split("|")]
        permission = Permission(cells[0].strip("`"))
        assert [c == "✓" for c in cells[2:6]] == [permission in PERMISSIONS[role] for role in order], line


@pytest.mark.parametrize("route", [r for r in TENANT_ROUTES if r.name in EXPECTED_PERMISSIONS], ids=lambda r: r.name)
def test_the_routes_of_the_table_declare_their_permission(route: Route) -> None:
    assert view_permissions(route)[1] == EXPECTED_PERMISSIONS[route.name]


def test_only_an_administrateur_adopts_deletes_a_roadmap_or_manages_members() -> None:
    for permission in (Permission.ADOPT, Permission.DELETE_ROADMAP, Permission.MANAGE_MEMBERS):
        assert [role for role in Role if permission in PERMISSIONS[role]] == [Role.ADMINISTRATEUR]
    assert Permission.EDIT_CONTENT not in PERMISSIONS[Role.ANIMATEUR]
    assert Permission.RUN_WORKSHOPS in PERMISSIONS[Role.ANIMATEUR]


@pytest.mark.parametrize("route", TENANT_ROUTES, ids=lambda r: r.name)
def test_every_role_gets_what_the_permission_table_grants_on_every_route(route: Route, tenant_a: Tenant) -> None:
    """Route × role: a role without the view's permission gets a 403 and changes nothing; a role with it is let in."""
    read, write = view_permissions(route)
    objects = TenantObjects(tenant_a)
    url = objects.url(route)
    for attribute, role in ROLES.items():
        client = tenant_a.client_for(getattr(tenant_a, attribute))
        client.raise_request_exception = False  # an empty form may be refused in any way but a 403
        granted = PERMISSIONS[role]
        response = _request(client, "GET", url)
        if read is not None and Permission(read) not in granted:
            assert response.status_code == 403, (route.name, attribute, "GET", response.status_code)
        else:
            assert response.status_code != 403, (route.name, attribute, "GET")
        if route.name in READ_ONLY_ALLOWED_POSTS:
            continue
        before = _fingerprint()
        response = _request(client, "POST", url)
        if write is None or Permission(write) not in granted:
            assert response.status_code in (403, 405), (route.name, attribute, "POST", response.status_code)
            assert _fingerprint() == before, (route.name, attribute)
        else:
            assert response.status_code != 403, (route.name, attribute, "POST")
