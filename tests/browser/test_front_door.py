"""The front door, as a new territory goes through it with a mouse and a keyboard: « Demander un accès », the
operator's validation, the first administrateur's password, the territory from its EPCI with its diagnostic and
an empty roadmap, a colleague invited, a forgotten password and back in — e-mails read from the console backend,
every page under the production Content-Security-Policy with no violation."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.core.cache import cache
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import BrowserContext, ConsoleMessage, Page, expect

from onboarding.models import JoinRequest
from tenancy.models import Invitation, Membership, Role
from tests.factories import PASSWORD, CommuneFactory, UserFactory
from tests.onboarding.factories import totp_code

EMAIL = "claire.dupont@cc-val-test.fr"
FIRST_PASSWORD = "Perigord-Vert-2026"
NEW_PASSWORD = "Bastides-et-Dordogne-27"


@pytest.fixture
def console_mail(settings: Any, capsys: pytest.CaptureFixture[str]) -> Callable[[str], str]:
    """E-mails go to the console, as in development; `link(path_start)` is the last link to that path printed."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    printed: list[str] = []

    def link(path_start: str) -> str:
        printed.append(capsys.readouterr().out)
        links = re.findall(r"https?://[^\s/]+(" + re.escape(path_start) + r"\S*)", "".join(printed))
        assert links, f"no e-mail with a link to {path_start}"
        return links[-1]

    return link


def watch_csp(context: BrowserContext, violations: list[str]) -> None:
    def on_console(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            violations.append(message.text)

    context.on("page", lambda page: page.on("console", on_console))


def test_from_demander_un_acces_to_a_territory_a_colleague_and_a_new_password(
    open_context: Callable[..., BrowserContext],
    console_mail: Callable[[str], str],
    screenshot: Callable[..., Any],
    transactional_db: None,
) -> None:
    for n in range(3):
        CommuneFactory(code=f"2403{n}", name=f"Bourg {n}", epci_siren="200040392", epci_name="CC du Val Test")
    CommuneFactory(code="24999", name="Ailleurs", epci_siren="200000001", epci_name="CA Autre")
    operator = UserFactory(is_staff=True, is_superuser=True, email="operatrice@cap-partage.fr")
    device = TOTPDevice.objects.create(user=operator, name="Téléphone", confirmed=True)
    cache.delete("onboarding:join-request:127.0.0.1")  # the cache outlives a test run
    violations: list[str] = []

    # 1. A person with only an e-mail address asks for an access.
    requester_context = open_context("desktop")
    watch_csp(requester_context, violations)
    page = requester_context.new_page()
    page.goto("/connexion/")
    page.get_by_role("link", name="Demander un accès").click()
    page.get_by_label("Nom de l'organisation").fill("CC du Val Test")
    page.get_by_label("Type d'organisation").select_option(label="Intercommunalité (EPCI)")
    page.get_by_label("SIREN").fill("200 040 392")
    page.get_by_label("Vos nom et prénom").fill("Claire Dupont")
    page.get_by_label("Votre fonction").fill("Chargée de mission inclusion numérique")
    page.get_by_label("Votre adresse e-mail professionnelle").fill(EMAIL)
    page.get_by_role("button", name="Envoyer la demande").click()
    expect(page.get_by_role("heading", name="Demande envoyée")).to_be_visible()
    assert JoinRequest.objects.get().status == JoinRequest.Status.PENDING

    # 2. The operator validates it in the back-office.
    operator_context = open_context("desktop")
    watch_csp(operator_context, violations)
    operator_page = operator_context.new_page()
    operator_page.goto("/admin/")
    operator_page.get_by_label("Adresse e-mail").fill(operator.email)
    operator_page.get_by_label("Mot de passe").fill(PASSWORD)
    # The back-office asks for the operator's second factor (tenancy/admin_site.py).
    operator_page.get_by_label("Code de double authentification").fill(totp_code(device))
    screenshot(operator_page, "admin-login-totp")
    operator_page.get_by_role("button", name="Connexion").click()
    operator_page.get_by_role("link", name="Demandes d'accès").first.click()
    operator_page.get_by_role("link", name="Valider ou refuser").click()
    operator_page.get_by_role("radio", name=re.compile("Valider")).check()
    operator_page.get_by_role("button", name="Enregistrer la décision").click()
    expect(operator_page.get_by_text("est invité(e) comme administrateur")).to_be_visible()

    # 3. The requester opens the invitation, chooses a password and lands in their organisation.
    page.goto(console_mail("/invitation/"))
    page.get_by_label("Nom complet").fill("Claire Dupont")
    page.get_by_label(re.compile(r"^Mot de passe")).fill(FIRST_PASSWORD)
    page.get_by_label("Confirmation du mot de passe").fill(FIRST_PASSWORD)
    page.get_by_role("button", name=re.compile("Rejoindre|Accepter|Créer")).click()
    expect(page.get_by_role("heading", name="Premiers pas")).to_be_visible()
    membership = Membership.objects.get(user__email=EMAIL)
    assert membership.role == Role.ADMINISTRATEUR

    # 4. The territory from its EPCI, typed by name and picked from the list.
    page.get_by_role("link", name="Définir votre territoire").click()
    page.get_by_label("Intercommunalité (nom ou SIREN)").fill("CC du Val Test (200040392)")
    page.get_by_role("button", name="Créer le territoire et la feuille de route").click()
    expect(page.get_by_text("son diagnostic est prêt")).to_be_visible()
    # The empty, guided roadmap: the 7 steps, nothing of the demo.
    expect(page.locator("ol.steps > li")).to_have_count(7)
    organization = membership.organization
    assert organization.roadmaps.get().enjeux.count() == 0
    territory = organization.territories.get()
    page.goto(f"/{organization.slug}/territoires/{territory.pk}/diagnostic/")
    expect(page.get_by_text("3 communes")).to_be_visible()

    # 5. A colleague is invited.
    page.goto(f"/{organization.slug}/organisation/membres/")
    page.get_by_label("Adresse e-mail").fill("collegue@cc-val-test.fr")
    page.get_by_label("Rôle").last.select_option("contributeur")
    page.get_by_role("button", name="Envoyer l'invitation").click()
    expect(page.get_by_text("Invitation envoyée à collegue@cc-val-test.fr")).to_be_visible()
    assert console_mail("/invitation/") == Invitation.objects.get(email="collegue@cc-val-test.fr").get_absolute_url()

    # 6. They log out, forget their password and get back in.
    page.get_by_role("button", name="Se déconnecter").click()
    page.goto("/connexion/")
    page.get_by_role("link", name="Mot de passe oublié ?").click()
    page.get_by_label("Adresse e-mail").fill(EMAIL)
    page.get_by_role("button", name="Recevoir le lien").click()
    expect(page.get_by_role("heading", name="Vérifiez votre messagerie")).to_be_visible()
    page.goto(console_mail("/mot-de-passe/nouveau/"))
    page.get_by_label("Nouveau mot de passe", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Confirmation du nouveau mot de passe").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Enregistrer le mot de passe").click()
    page.get_by_role("link", name="Se connecter").click()
    page.get_by_label("Adresse e-mail").fill(EMAIL)
    page.get_by_label("Mot de passe").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("heading", name="CC du Val Test", exact=True)).to_be_visible()

    assert not violations, "\n".join(violations)


def test_the_login_form_slows_down_a_guesser_in_french(page: Page, transactional_db: None) -> None:
    user = UserFactory()
    page.goto("/connexion/")
    for _ in range(5):
        page.get_by_label("Adresse e-mail").fill(user.email)
        page.get_by_label("Mot de passe").fill("pas-le-bon")
        with page.expect_navigation():
            page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("alert").filter(has_text="Trop de tentatives")).to_be_visible()
    expect(page.get_by_role("link", name="Mot de passe oublié ?")).to_be_visible()
