"""Browser-test fixtures: Debian's Chromium driven by Playwright against pytest-django's live server.

Put browser tests in tests/browser/test_<app>.py; every test of this folder is marked `browser`
(`pytest -m "not browser"` leaves them out). Fixtures:

- `browser`: one headless Chromium for all the tests of this folder (/usr/bin/chromium; never `playwright install`).
- `page`: a desktop page (1280×800) in a fresh context whose base URL is the live server, so
  `page.goto("/connexion/")` works.
- `open_page(kind="phone")` / `open_context(kind="projector")`: more pages or contexts in the same test, e.g. a
  projector and several phones at a workshop; kinds are the keys of `DEVICES`, keyword arguments override them.
  Each context is its own cookie jar, so each can log in as someone else (or stay anonymous).
- `login(page, user)`: logs in through the real login form (the factories' password) and returns the page.
- `screenshot(page, name)`: writes var/screenshots/<name>.png (full page) and returns its path.

Data made in a test (factories, tests/conftest.py's `tenant_a`…) is committed, so the live server's threads see it:
requesting `live_server` switches pytest-django to `transactional_db` (tables flushed after each test).

A test fails on any uncaught JavaScript exception in its pages. `window.confirm` (hx-confirm) is dismissed by
default, as Playwright does: accept it with `page.once("dialog", lambda dialog: dialog.accept())` before the click.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from django.conf import settings
from playwright.sync_api import Browser, BrowserContext, Error, Page, Playwright, expect, sync_playwright
from pytest_django.live_server_helper import LiveServer

from tenancy.models import User
from tests.factories import PASSWORD

CHROMIUM = Path("/usr/bin/chromium")
# Without these the closed network makes Chromium hang on start-up or on its background requests.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DEVICES: dict[str, dict[str, Any]] = {
    "desktop": {"viewport": {"width": 1280, "height": 800}},
    "phone": {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True},
    "projector": {"viewport": {"width": 1280, "height": 720}},
}
SCREENSHOT_DIR = Path(settings.BASE_DIR) / "var" / "screenshots"
# Fail fast: a missing element should not hold a 2-core machine for 30 s.
ACTION_TIMEOUT_MS = 10_000
NAVIGATION_TIMEOUT_MS = 20_000
expect.set_options(timeout=5_000)

BROWSER_DIR = Path(__file__).parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if BROWSER_DIR in item.path.parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="package")
def playwright() -> Iterator[Playwright]:
    # Playwright's sync API keeps an event loop running in this thread; Django's ORM refuses to run next to one
    # (SynchronousOnlyOperation) unless told the calls are safe, which they are here: nothing is async.
    # Package scope: the loop and the setting end with this folder's tests, before the rest of the suite runs.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    manager = sync_playwright().start()
    try:
        yield manager
    finally:
        manager.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="package")
def browser(playwright: Playwright) -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} est introuvable : les tests navigateur utilisent le Chromium de Debian. "
            "Lancez `make test` (scripts/system_deps.sh l'installe) ou `apt-get install chromium`.",
            pytrace=False,
        )
    try:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, timeout=60_000)
    except Error as error:
        pytest.fail(f"Chromium ({CHROMIUM}) n'a pas démarré : {error}", pytrace=False)
    yield browser
    browser.close()


@pytest.fixture
def open_context(browser: Browser, live_server: LiveServer) -> Iterator[Callable[..., BrowserContext]]:
    """Factory: `open_context("phone")` → a new context (own cookies) on the live server, closed after the test."""
    contexts: list[BrowserContext] = []
    js_errors: list[str] = []

    def open_(kind: str = "desktop", **options: Any) -> BrowserContext:
        if kind not in DEVICES:
            raise ValueError(f"Unknown device {kind!r}; choose among {sorted(DEVICES)}")
        settings_ = {
            "base_url": live_server.url,
            "locale": "fr-FR",
            "timezone_id": "Europe/Paris",
            **DEVICES[kind],
            **options,
        }
        context = browser.new_context(**settings_)
        context.set_default_timeout(ACTION_TIMEOUT_MS)
        context.set_default_navigation_timeout(NAVIGATION_TIMEOUT_MS)
        context.on("page", lambda page: page.on("pageerror", lambda error: js_errors.append(f"{page.url}: {error}")))
        contexts.append(context)
        return context

    yield open_
    for context in contexts:
        context.close()
    assert not js_errors, "Erreurs JavaScript non rattrapées :\n" + "\n".join(js_errors)


@pytest.fixture
def open_page(open_context: Callable[..., BrowserContext]) -> Callable[..., Page]:
    """Factory: `open_page("phone")` → a page in a new context of that kind."""

    def open_(kind: str = "desktop", **options: Any) -> Page:
        return open_context(kind, **options).new_page()

    return open_


@pytest.fixture
def page(open_page: Callable[..., Page]) -> Page:
    """A desktop page (1280×800), not logged in."""
    return open_page("desktop")


@pytest.fixture
def login() -> Callable[..., Page]:
    """`login(page, user, next_url=None)`: logs in through the login form, as a person would, and lands on
    `next_url` (default: home). One context holds one session: open another context for another user."""

    def login_(page: Page, user: User, next_url: str | None = None) -> Page:
        response = page.goto("/connexion/" + (f"?{urlencode({'next': next_url})}" if next_url else ""))
        if response is None or response.status != 200:
            status = response.status if response else "aucune réponse"
            raise AssertionError(f"La page de connexion répond {status} : {page.locator('body').inner_text()[:500]}")
        page.get_by_label("Adresse e-mail").fill(user.email)
        page.get_by_label("Mot de passe").fill(PASSWORD)
        with page.expect_navigation():
            page.get_by_role("button", name="Se connecter").click()
        if "/connexion/" in page.url:
            raise AssertionError(f"Connexion refusée pour {user.email} : {page.locator('main').inner_text()}")
        expect(page.get_by_role("button", name="Se déconnecter")).to_be_visible()
        return page

    return login_


@pytest.fixture
def screenshot() -> Callable[..., Path]:
    """`screenshot(page, "roadmap-home")` → var/screenshots/roadmap-home.png (the whole page by default)."""

    def screenshot_(page: Page, name: str, *, full_page: bool = True) -> Path:
        SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOT_DIR / f"{re.sub(r'[^A-Za-z0-9_.-]+', '-', name)}.png"
        page.screenshot(path=str(path), full_page=full_page, animations="disabled")
        return path

    return screenshot_


def wait_for_htmx(page: Page) -> None:
    """Wait until htmx has swapped and settled. What it swaps in is live (its hx- attributes processed) only once
    settled; a test pressing a key before that would submit the plain HTML form, as a browser without JavaScript."""
    page.wait_for_function(
        "() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling, .htmx-added')"
    )
