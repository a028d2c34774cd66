"""The front door's security: the deploy check, the headers, the French error pages, and a fuzz of every form and
endpoint with malformed values (no server error anywhere)."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import uuid
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tenancy.models import Role
from tests.conftest import Tenant, organization_url
from tests.factories import MembershipFactory
from tests.url_walk import PUBLIC_PATTERNS, TenantObjects, iter_routes

ROOT = Path(__file__).resolve().parent.parent


def test_the_production_settings_pass_the_deploy_check_with_no_warning() -> None:
    env = {
        **os.environ,
        "SECRET_KEY": secrets.token_urlsafe(60),
        "ALLOWED_HOSTS": "cap.example.org",
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_trusts_the_proxy_for_https_and_keys_throttles_on_the_forwarded_address() -> None:
    code = (
        "from django.conf import settings as s; "
        "print(s.SECURE_PROXY_SSL_HEADER, s.TRUSTED_PROXY_COUNT, s.SESSION_COOKIE_SECURE, s.EMAIL_BACKEND)"
    )
    env = {**os.environ, "SECRET_KEY": "x" * 60, "DJANGO_SETTINGS_MODULE": "config.settings.production"}
    out = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.stdout.split() == [
        "('HTTP_X_FORWARDED_PROTO',",
        "'https')",
        "1",
        "True",
        "django.core.mail.backends.smtp.EmailBackend",
    ], out.stderr


def test_every_page_carries_the_security_headers(client_a: Client, tenant_a: Tenant) -> None:
    for response in (Client().get(reverse("tenancy:login")), client_a.get(reverse("tenancy:home"))):
        csp = response["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] == "same-origin"
        assert response["X-Frame-Options"] == "DENY"


def test_member_pages_are_private_to_the_browser(client_a: Client) -> None:
    assert "private" in client_a.get(reverse("tenancy:home"))["Cache-Control"]
    assert "private" not in Client().get(reverse("legal:notice")).get("Cache-Control", "")


def test_only_the_interactive_maps_have_a_relaxed_policy_and_may_be_framed_by_us() -> None:
    from tenancy.headers import INLINE_CODE_VIEWS

    assert INLINE_CODE_VIEWS == {"diagnostics:territory_map", "projectgroup:actor_map_frame"}


def test_a_404_is_french_and_offers_the_object_in_another_of_ones_organisations(
    tenant_a: Tenant, tenant_b: Tenant
) -> None:
    MembershipFactory(user=tenant_a.admin, organization=tenant_b.organization, role=Role.LECTEUR)
    client = tenant_a.client_for(tenant_a.admin)
    # B's roadmap opened under A (a colleague's link, with A selected).
    url = organization_url(tenant_a.organization, "roadmap:detail", roadmap_pk=tenant_b.roadmap.pk)
    response = client.get(url)
    assert response.status_code == 404
    content = response.content.decode()
    assert "Page introuvable" in content
    assert tenant_b.organization.name in content
    assert organization_url(tenant_b.organization, "roadmap:detail", roadmap_pk=tenant_b.roadmap.pk) in content


def test_a_404_never_names_an_organisation_one_does_not_belong_to(tenant_a: Tenant, tenant_b: Tenant) -> None:
    client = tenant_a.client_for(tenant_a.admin)
    url = organization_url(tenant_a.organization, "roadmap:detail", roadmap_pk=tenant_b.roadmap.pk)
    content = client.get(url).content.decode()
    assert "Page introuvable" in content and tenant_b.organization.name not in content


def test_403_and_an_expired_form_are_explained_in_french(tenant_a: Tenant) -> None:
    response = tenant_a.client_for(tenant_a.lecteur).get(reverse("tenancy:members"))
    assert response.status_code == 403 and "Action non autorisée" in response.content.decode()
    csrf_client = Client(enforce_csrf_checks=True)
    expired = csrf_client.post(reverse("tenancy:login"), {"username": "a@b.fr", "password": "x"})
    assert expired.status_code == 403 and "Le formulaire a expiré" in expired.content.decode()


def test_400_and_500_pages_render_in_french_without_a_request(db: None) -> None:
    from django.template.loader import render_to_string

    for name, text in (("400.html", "Requête incorrecte"), ("500.html", "Une erreur est survenue")):
        html = render_to_string(name)
        assert text in html and "Mentions légales" in html


def test_the_legal_pages_are_linked_from_every_page(client_a: Client) -> None:
    for response in (Client().get(reverse("tenancy:login")), client_a.get(reverse("tenancy:home"))):
        content = response.content.decode()
        for name in ("legal:notice", "legal:privacy", "legal:accessibility"):
            assert f'href="{reverse(name)}"' in content
    accessibility = Client().get(reverse("legal:accessibility")).content.decode()
    assert "RGAA" in accessibility and "Défenseur des droits" in accessibility
    privacy = Client().get(reverse("legal:privacy")).content.decode()
    assert "Combien de temps" in privacy and "CNIL" in privacy


def test_switching_to_a_malformed_organisation_is_refused_with_a_message(client_a: Client) -> None:
    for value in ("abc", "", "1e9", "²", "9" * 40, "1\x00"):
        response = client_a.post(reverse("tenancy:switch_organization"), {"organization": value}, follow=True)
        assert response.status_code in (200, 400, 404), value
        if response.status_code == 200:
            assert "Choisissez une de vos organisations" in response.content.decode()


# --- Fuzz ---------------------------------------------------------------------------------------------------------

MALFORMED = {
    "text": "abc",
    "negative": "-1",
    "overflow": "9" * 40,
    "float": "1e309",
    "huge": "x" * 100_000,
    "nul": "a\x00b",
    "unknown id": "999999999",
    "date": "2026-13-45",
    "unicode digit": "²",
    "empty": "",
}
QUERY_KEYS = ("page", "tri", "carte", "format", "q", "next", "annee", "etape", "version", "telecharger")
QUERY_VALUES = ("abc", "a\x00b", "x" * 20_000, "999999999", "-1")


class Forms(HTMLParser):
    """The forms of a page: action, method, and each field with the value the page gives it."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, Any]] = []
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append({"action": a.get("action", ""), "method": a.get("method", "get").lower(), "fields": {}})
        elif self.forms and tag in ("input", "textarea", "select") and a.get("name"):
            self.forms[-1]["fields"].setdefault(a["name"], a.get("value", ""))
            if tag == "select":
                self._select = a["name"]
        elif tag == "option" and self._select and self.forms and "selected" in a:
            self.forms[-1]["fields"][self._select] = a.get("value", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None


def _forms(html: str) -> list[dict[str, Any]]:
    parser = Forms()
    parser.feed(html)
    return parser.forms


def _server_errors(client: Client, url: str, forms_seen: dict[str, set[str]]) -> list[str]:
    errors = []
    for htmx in (False, True):
        headers = {"HX-Request": "true"} if htmx else {}
        response = client.get(url, headers=headers)
        if response.status_code >= 500:
            errors.append(f"GET {url} htmx={htmx}: {response.status_code}")
        if response.status_code == 200 and "html" in response.get("Content-Type", "") and not htmx:
            for form in _forms(response.content.decode(errors="replace")):
                action = urlsplit(form["action"] or url).path or url
                fields = forms_seen.setdefault(f"{form['method']} {action}", set())
                fields.update(k for k in form["fields"] if k != "csrfmiddlewaretoken")
    for value in QUERY_VALUES:
        query = urlencode(dict.fromkeys(QUERY_KEYS, value))
        response = client.get(f"{url}?{query}")
        if response.status_code >= 500:
            errors.append(f"GET {url}?…={value[:20]!r}: {response.status_code}")
    return errors


def _fuzz_forms(client: Client, forms_seen: dict[str, set[str]], skip: set[str]) -> list[str]:
    errors = []
    for key, fields in sorted(forms_seen.items()):
        method, action = key.split(" ", 1)
        if action in skip:
            continue
        for label, value in MALFORMED.items():
            data = dict.fromkeys(fields or {"id", "name", "title", "pk"}, value)
            response = client.post(action, data) if method == "post" else client.get(action, data)
            if response.status_code >= 500:
                errors.append(f"{method.upper()} {action} with {label}: {response.status_code}")
    return errors


def _url(objects: TenantObjects, route: Any) -> str:
    """The route's URL with the tenant's objects; a token, a code, or an object without a factory yet gets a made-up
    (wrong) value."""
    try:
        return objects.url(route)
    except LookupError:
        made_up = {"uidb64": "Zm9v", "public_key": str(uuid.uuid4())}
        kwargs = {
            a: 999_999_999 if a.endswith("_pk") or a == "number" else made_up.get(a, "mauvais-jeton-0123")
            for a in route.arguments
        }
        return reverse(route.name, kwargs=kwargs)


def test_no_server_error_on_malformed_input_anywhere(tenant_a: Tenant, tenant_b: Tenant) -> None:
    """Every route, as an administrateur who belongs to two organisations (so that B's ids are real for them):
    its page and its htmx partial, malformed query strings, and every form of every page sent with malformed
    values. Another client does the same on the public pages without logging in."""
    MembershipFactory(user=tenant_a.admin, organization=tenant_b.organization, role=Role.ADMINISTRATEUR)
    objects = TenantObjects(tenant_a)
    client = tenant_a.client_for(tenant_a.admin)
    anonymous = Client()
    # A server error is counted and the walk goes on, so that one run lists them all.
    client.raise_request_exception = anonymous.raise_request_exception = False
    errors: list[str] = []
    forms_seen: dict[str, set[str]] = {}
    public_forms: dict[str, set[str]] = {}
    routes = list(iter_routes())
    # Logging out would end the walk's session; the rest is fuzzed, deleting included.
    skip = {reverse("tenancy:logout")}
    for route in routes:
        url = _url(objects, route)
        if url in skip:
            continue
        errors += _server_errors(client, url, forms_seen)
        if route.name in PUBLIC_PATTERNS or route.name.startswith(("tenancy:login", "tenancy:password_reset")):
            errors += _server_errors(anonymous, url, public_forms)
    # POST-only routes show no form of their own: send them the generic field names too.
    for route in routes:
        forms_seen.setdefault(f"post {_url(objects, route)}", set())
    errors += _fuzz_forms(anonymous, public_forms, skip)
    errors += _fuzz_forms(client, forms_seen, skip)
    assert not errors, "\n".join(errors)


def test_a_reference_to_another_organisations_object_is_refused_with_a_message(
    tenant_a: Tenant, tenant_b: Tenant
) -> None:
    """A hub member posts, in A, the id of B's territory: the form says it is not a valid choice."""
    MembershipFactory(user=tenant_a.admin, organization=tenant_b.organization, role=Role.ADMINISTRATEUR)
    client = tenant_a.client_for(tenant_a.admin)
    response = client.post(
        reverse("roadmap:create"),
        {"title": "Piège", "territory": tenant_b.roadmap.territory_id, "period_start": 2026, "period_end": 2030},
    )
    assert response.status_code == 200
    assert "Sélectionnez un choix valide" in response.content.decode()
    assert not tenant_a.organization.roadmaps.filter(title="Piège").exists()


@pytest.mark.parametrize("path", ["/%00/", "/connexion/?next=%00", "/" + "a" * 5000 + "/", "/%C0%AF/"])
def test_malformed_paths_are_not_server_errors(db: None, path: str) -> None:
    assert Client().get(path).status_code < 500


def test_a_nul_byte_is_a_french_400(client_a: Client) -> None:
    response = client_a.post(reverse("tenancy:profile"), {"full_name": "a\x00b"})
    assert response.status_code == 400 and "Requête incorrecte" in response.content.decode()


def test_settings_never_trust_a_client_header_by_default() -> None:
    assert settings.TRUSTED_PROXY_COUNT == 0


def test_docker_compose_serves_https_through_its_proxy_only() -> None:
    import yaml

    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    caddy = services["caddy"]
    assert {"80:80", "443:443"} <= set(caddy["ports"])
    assert "reverse-proxy" in caddy["command"] and "web:8000" in caddy["command"]
    # gunicorn is not published: plain HTTP never reaches a browser, so Secure cookies always work.
    assert "ports" not in services["web"]
    environment = services["web"]["environment"]
    assert environment["TRUSTED_PROXY_COUNT"] == "1"
    assert environment["CSRF_TRUSTED_ORIGINS"].startswith("https://")
