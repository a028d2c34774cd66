"""A territory joins on its own: its request, the operator's decision, its first administrateur, its territory
from an EPCI and its empty roadmap; the operators' back-office and command."""

from __future__ import annotations

import re
from io import StringIO
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from onboarding.models import JoinRequest
from roadmap.models import Roadmap
from tenancy.models import Invitation, Membership, Organization, Role
from tests.conftest import Tenant, organization_url
from tests.factories import PASSWORD, CommuneFactory, MembershipFactory, UserFactory
from tests.onboarding.factories import JoinRequestFactory, operator_client, totp_code

EPCI_SIREN = "200040392"


@pytest.fixture
def epci(db: None) -> list[Any]:
    """Three communes of one EPCI and one of another, as the reference data (COG) gives them."""
    communes = [
        CommuneFactory(code=f"2403{n}", name=f"Bourg {n}", epci_siren=EPCI_SIREN, epci_name="CC du Val Test")
        for n in range(3)
    ]
    CommuneFactory(code="24999", name="Ailleurs", epci_siren="200000001", epci_name="CA Autre")
    return communes


@pytest.fixture
def operator(db: None) -> Any:
    return UserFactory(is_staff=True, is_superuser=True, email="operatrice@cap-partage.fr")


def _request_data(**overrides: str) -> dict[str, str]:
    data = {
        "organization_name": "CC du Val Test",
        "kind": "epci",
        "siren": "200 040 392",
        "full_name": "Claire Dupont",
        "function": "Chargée de mission inclusion numérique",
        "email": "Claire.Dupont@cc-val-test.fr",
        "message": "Nous lançons notre feuille de route.",
    }
    return {**data, **overrides}


def test_a_territory_asks_to_join_and_the_operators_are_told(
    operator: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = Client().post(reverse("onboarding:join_request"), _request_data(), follow=True)
    assert "Demande envoyée" in response.content.decode()
    request = JoinRequest.objects.get()
    assert (request.siren, request.email, request.status) == ("200040392", "claire.dupont@cc-val-test.fr", "pending")
    recipients = {tuple(m.to) for m in mail.outbox}
    assert recipients == {("claire.dupont@cc-val-test.fr",), ("operatrice@cap-partage.fr",)}
    to_operators = next(m for m in mail.outbox if m.to == ["operatrice@cap-partage.fr"])
    assert "CC du Val Test" in to_operators.subject and "/admin/onboarding/joinrequest/" in to_operators.body


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("siren", "12345", "Un SIREN compte 9 chiffres."),
        ("kind", "planete", "Sélectionnez un choix valide"),
        ("email", "pas-une-adresse", "Saisissez une adresse de courriel valide"),
        ("organization_name", "", "Ce champ est obligatoire"),
    ],
)
def test_a_malformed_request_is_refused_with_a_french_message(db: None, field: str, value: str, message: str) -> None:
    response = Client().post(reverse("onboarding:join_request"), _request_data(**{field: value}))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not JoinRequest.objects.exists()


def test_requests_from_one_address_are_limited(db: None) -> None:
    from django.core.cache import cache

    cache.delete("onboarding:join-request:203.0.113.80")  # the cache outlives a test run
    client = Client()
    statuses = [
        client.post(
            reverse("onboarding:join_request"), _request_data(email=f"p{n}@x.fr"), REMOTE_ADDR="203.0.113.80"
        ).status_code
        for n in range(7)
    ]
    assert statuses[:5] == [302] * 5 and statuses[-1] == 429
    assert JoinRequest.objects.count() == 5


def _decide(client: Client, join_request: JoinRequest, **data: str) -> Any:
    url = reverse("admin:onboarding_decide", kwargs={"object_id": join_request.pk})
    return client.post(url, data, follow=True)


def test_the_operator_validates_and_the_requester_becomes_the_first_administrator(
    operator: Any, django_capture_on_commit_callbacks: Any
) -> None:
    join_request = JoinRequestFactory(email="claire@cc-val.fr", organization_name="CC du Val")
    client = operator_client(operator)
    with django_capture_on_commit_callbacks(execute=True):
        _decide(client, join_request, decision="approve")
    join_request.refresh_from_db()
    organization = join_request.organization
    assert join_request.status == "approved" and organization.name == "CC du Val"
    assert organization.kind == Organization.Kind.EPCI
    invitation = Invitation.objects.get(organization=organization)
    assert (invitation.email, invitation.role) == ("claire@cc-val.fr", Role.ADMINISTRATEUR)
    assert invitation.email_sent_at is not None
    found = re.search(r"https?://[^/\s]+(/\S+)", mail.outbox[-1].body)
    assert found
    link = found.group(1)
    assert link == invitation.get_absolute_url()
    # The decision is in the admin's history.
    from django.contrib.admin.models import LogEntry

    assert LogEntry.objects.filter(object_id=str(join_request.pk), user=operator).exists()

    joined = Client().post(
        link, {"full_name": "Claire Dupont", "password1": "Perigord-2026!", "password2": "Perigord-2026!"}
    )
    assert joined.status_code == 302
    assert Membership.objects.get(organization=organization).role == Role.ADMINISTRATEUR
    # A second decision changes nothing.
    _decide(client, join_request, decision="refuse", reason="doublon")
    join_request.refresh_from_db()
    assert join_request.status == "approved"


def test_a_refusal_needs_a_reason_which_is_sent(operator: Any, django_capture_on_commit_callbacks: Any) -> None:
    join_request = JoinRequestFactory()
    client = operator_client(operator)
    response = _decide(client, join_request, decision="refuse", reason="")
    assert "Indiquez le motif du refus" in response.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        _decide(client, join_request, decision="refuse", reason="Structure hors du champ du service.")
    join_request.refresh_from_db()
    assert join_request.status == "refused" and join_request.organization is None
    assert mail.outbox[-1].to == [join_request.email]
    assert "Structure hors du champ du service." in mail.outbox[-1].body
    assert not Organization.objects.exists()


def test_the_back_office_is_for_staff_only(tenant_a: Tenant) -> None:
    join_request = JoinRequestFactory()
    for user in (tenant_a.admin, tenant_a.lecteur):
        client = Client()
        client.force_login(user)
        for url in (
            reverse("admin:index"),
            reverse("admin:onboarding_joinrequest_changelist"),
            reverse("admin:onboarding_decide", kwargs={"object_id": join_request.pk}),
            reverse("admin:tenancy_organization_changelist"),
        ):
            response = client.get(url)
            assert response.status_code == 302 and "/admin/login/" in response.url, (user, url)
        _decide(client, join_request, decision="approve")
    join_request.refresh_from_db()
    assert join_request.is_pending


def test_operators_see_organisations_with_their_activity_and_their_data_read_only(
    operator: Any, tenant_a: Tenant, tenant_b: Tenant, django_assert_max_num_queries: Any
) -> None:
    Client().force_login(tenant_a.admin)  # a member logs in: last login
    client = operator_client(operator)
    with django_assert_max_num_queries(12):
        content = client.get(reverse("admin:tenancy_organization_changelist")).content.decode()
    assert tenant_a.organization.name in content and tenant_b.organization.name in content
    assert "Brouillon" in content  # how far their roadmap went
    roadmap_page = client.get(reverse("admin:roadmap_roadmap_change", args=[tenant_a.roadmap.pk]))
    assert roadmap_page.status_code == 200
    assert 'name="title"' not in roadmap_page.content.decode()  # read-only
    assert client.post(reverse("admin:roadmap_roadmap_delete", args=[tenant_a.roadmap.pk])).status_code == 403


def test_the_new_administrator_sets_up_the_territory_from_an_epci(epci: list[Any]) -> None:
    organization = Organization.objects.create(name="CC du Val Test")
    admin = MembershipFactory(organization=organization, role=Role.ADMINISTRATEUR).user
    client = Client()
    client.force_login(admin)
    home = client.get(organization_url(organization, "tenancy:home")).content.decode()
    assert "Premiers pas" in home and "Définir votre territoire" in home

    page = client.get(organization_url(organization, "onboarding:territory_setup")).content.decode()
    assert f"CC du Val Test ({EPCI_SIREN})" in page  # the list to pick from
    response = client.post(
        organization_url(organization, "onboarding:territory_setup"),
        {"mode": "epci", "epci": f"CC du Val Test ({EPCI_SIREN})", "name": ""},
    )
    territory = organization.territories.get()
    assert territory.name == "CC du Val Test"
    assert sorted(territory.communes.values_list("code", flat=True)) == sorted(c.code for c in epci)
    roadmap = Roadmap.objects.get(organization=organization)
    assert roadmap.territory == territory and not roadmap.enjeux.exists()
    assert response.status_code == 302 and response.url.endswith(roadmap.get_absolute_url())
    diagnostic = client.get(organization_url(organization, "diagnostics:territory", territory_pk=territory.pk))
    assert diagnostic.status_code == 200 and "3 communes" in diagnostic.content.decode()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"mode": "epci", "epci": "999999999"}, "Aucune intercommunalité"),
        ({"mode": "epci", "epci": ""}, "Choisissez une intercommunalité."),
        ({"mode": "communes", "communes": "24030\n00000\nNulle-Part", "name": "T"}, "00000 : code inconnu"),
        ({"mode": "communes", "communes": "24030", "name": ""}, "Donnez un nom à ce territoire."),
        ({"mode": "lune"}, "Sélectionnez un choix valide"),
    ],
)
def test_a_wrong_territory_choice_says_why(
    tenant_a: Tenant, epci: list[Any], data: dict[str, str], message: str
) -> None:
    client = tenant_a.client_for(tenant_a.admin)
    response = client.post(reverse("onboarding:territory_setup"), data)
    assert response.status_code == 200
    # The catalogue serves « 00000 : … » with a non-breaking space; the test types a plain one.
    assert message in response.content.decode().replace("\u00a0", " ")


def test_communes_picked_one_by_one_by_code_or_name(tenant_a: Tenant, epci: list[Any]) -> None:
    client = tenant_a.client_for(tenant_a.admin)
    client.post(
        reverse("onboarding:territory_setup"),
        {"mode": "communes", "communes": "24030\nAilleurs", "name": "Mon bassin de vie"},
    )
    territory = tenant_a.organization.territories.get(name="Mon bassin de vie")
    assert sorted(territory.communes.values_list("name", flat=True)) == ["Ailleurs", "Bourg 0"]


def test_a_commune_is_found_as_a_person_types_it(tenant_a: Tenant, epci: list[Any]) -> None:
    """Without accents, hyphens or apostrophes, in any case: « saint estephe » is Saint-Estèphe."""
    from territories.models import Commune

    Commune.objects.create(code="24397", name="Saint-Estèphe", departement="24")
    Commune.objects.create(code="24399", name="Saint-Étienne-le-Droux", departement="24")
    Commune.objects.create(code="24401", name="Le Cœur-d'Oise", departement="24")
    client = tenant_a.client_for(tenant_a.admin)
    client.post(
        reverse("onboarding:territory_setup"),
        {"mode": "communes", "communes": "saint estephe\nSAINT ETIENNE LE DROUX\nle coeur d oise", "name": "Val"},
    )
    territory = tenant_a.organization.territories.get(name="Val")
    assert sorted(territory.communes.values_list("code", flat=True)) == ["24397", "24399", "24401"]


def test_only_an_administrator_sets_up_the_territory(tenant_a: Tenant, epci: list[Any]) -> None:
    before = tenant_a.organization.territories.count()
    client = tenant_a.client_for(tenant_a.contributeur)
    assert client.post(reverse("onboarding:territory_setup"), {"mode": "epci", "epci": EPCI_SIREN}).status_code == 403
    assert tenant_a.organization.territories.count() == before


def test_the_command_line_creates_an_organisation_its_territory_and_invitation(
    epci: list[Any], django_capture_on_commit_callbacks: Any
) -> None:
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command(
            "create_organization",
            "CC du Val Test",
            "--admin=referent@cc-val.fr",
            f"--epci={EPCI_SIREN}",
            "--base-url=https://cap.example.org",
            stdout=out,
        )
    organization = Organization.objects.get(name="CC du Val Test")
    assert organization.territories.get().communes.count() == 3
    assert organization.roadmaps.count() == 1
    invitation = Invitation.objects.get(organization=organization)
    assert f"https://cap.example.org{invitation.get_absolute_url()}" in out.getvalue()
    assert mail.outbox[-1].to == ["referent@cc-val.fr"]


def test_a_failed_invitation_e_mail_is_shown_to_the_administrator(
    tenant_a: Tenant, django_capture_on_commit_callbacks: Any, settings: Any
) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", 1  # nothing listens there
    client = tenant_a.client_for(tenant_a.admin)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("tenancy:members"), {"email": "elu@mairie.fr", "role": Role.LECTEUR})
    invitation = Invitation.objects.get(email="elu@mairie.fr")
    assert invitation.email_error and invitation.email_sent_at is None
    content = client.get(reverse("tenancy:members")).content.decode()
    assert "pas pu être envoyé" in content
    assert "Renvoyer" in content


def test_the_demo_password_still_logs_in(tenant_a: Tenant) -> None:
    assert Client().login(username=tenant_a.admin.email, password=PASSWORD)


def test_old_personal_data_are_purged_as_the_privacy_page_says(db: None) -> None:
    from datetime import timedelta

    from axes.models import AccessAttempt
    from django.utils import timezone

    old = timezone.now() - timedelta(days=400)
    decided = JoinRequestFactory(status=JoinRequest.Status.REFUSED, decided_at=old)
    recent = JoinRequestFactory(status=JoinRequest.Status.REFUSED, decided_at=timezone.now())
    pending = JoinRequestFactory()
    attempt = AccessAttempt.objects.create(
        username="x@y.fr",
        ip_address="203.0.113.1",
        user_agent="",
        http_accept="",
        path_info="/",
        failures_since_start=1,
    )
    AccessAttempt.objects.filter(pk=attempt.pk).update(attempt_time=old)
    call_command("purge_personal_data", stdout=StringIO())
    assert set(JoinRequest.objects.values_list("pk", flat=True)) == {recent.pk, pending.pk}
    assert not JoinRequest.objects.filter(pk=decided.pk).exists()
    assert not AccessAttempt.objects.exists()


def test_celery_beat_runs_the_purge_every_night_and_the_task_purges(db: None) -> None:
    from datetime import timedelta

    from celery.schedules import crontab
    from django.utils import timezone

    from config.celery import app
    from onboarding import tasks

    entries = [e for e in app.conf.beat_schedule.values() if e["task"] == "onboarding.tasks.purge_personal_data"]
    assert len(entries) == 1
    schedule = entries[0]["schedule"]
    assert isinstance(schedule, crontab)
    # Once a day, at night (Paris time).
    assert len(schedule.hour) == 1 and next(iter(schedule.hour)) < 6 and len(schedule.minute) == 1
    assert schedule.day_of_week == set(range(7))
    assert app.conf.timezone == "Europe/Paris"
    assert "onboarding.tasks.purge_personal_data" in app.tasks
    # Beat's last-run file goes to var/, not the project's root.
    assert "/var/" in app.conf.beat_schedule_filename

    old = timezone.now() - timedelta(days=400)
    decided = JoinRequestFactory(status=JoinRequest.Status.APPROVED, decided_at=old)
    kept = JoinRequestFactory(status=JoinRequest.Status.REFUSED, decided_at=timezone.now())
    result = tasks.purge_personal_data.delay().get()
    assert result == {"join_requests": 1, "login_failures": 0}
    assert not JoinRequest.objects.filter(pk=decided.pk).exists()
    assert JoinRequest.objects.filter(pk=kept.pk).exists()
    assert tasks.purge_personal_data.delay().get() == {"join_requests": 0, "login_failures": 0}


def _admin_login(client: Client, email: str, token: str = "") -> Any:
    data = {"username": email, "password": PASSWORD, "otp_token": token, "next": reverse("admin:index")}
    return client.post(reverse("admin:login"), data, follow=True)


def test_the_back_office_requires_the_operators_second_factor(operator: Any) -> None:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    # Without a second factor: the password alone opens nothing.
    refused = _admin_login(Client(), operator.email)
    assert "exige la double authentification" in refused.content.decode()
    assert refused.request["PATH_INFO"] == reverse("admin:login")
    # Logged in elsewhere with the password only (the app's login, no device): the back-office still says no.
    client = Client()
    client.force_login(operator)
    assert client.get(reverse("admin:index")).url.startswith(reverse("admin:login"))

    device = TOTPDevice.objects.create(user=operator, name="Téléphone", confirmed=True)
    wrong = _admin_login(Client(), operator.email, "000000" if totp_code(device) != "000000" else "111111")
    assert "Code de double authentification incorrect" in wrong.content.decode()
    missing = _admin_login(Client(), operator.email)
    assert "saisissez aussi le code" in missing.content.decode()
    # django-otp slows down the next check after a wrong code (1 s, then doubling): the test does not wait.
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0, throttling_failure_timestamp=None)
    client = Client()
    accepted = _admin_login(client, operator.email, totp_code(device))
    assert accepted.request["PATH_INFO"] == reverse("admin:index")
    assert "Demandes d" in accepted.content.decode()
    assert client.get(reverse("admin:onboarding_joinrequest_changelist")).status_code == 200


def test_a_member_with_a_second_factor_but_no_staff_status_stays_out(tenant_a: Tenant) -> None:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.create(user=tenant_a.admin, name="Téléphone", confirmed=True)
    response = _admin_login(Client(), tenant_a.admin.email, totp_code(device))
    assert response.request["PATH_INFO"] == reverse("admin:login")
    assert "sans accès au back-office" in response.content.decode()


def test_an_operator_enrols_from_the_command_line(operator: Any, tenant_a: Tenant) -> None:
    from base64 import b32decode
    from urllib.parse import parse_qs, urlparse

    from django_otp.oath import totp

    out = StringIO()
    call_command("enrol_operator_totp", operator.email, stdout=out)
    printed = out.getvalue()
    uri = next(line for line in printed.splitlines() if line.startswith("otpauth://totp/"))
    secret = parse_qs(urlparse(uri).query)["secret"][0]
    code = f"{totp(b32decode(secret + '=' * (-len(secret) % 8))):06d}"  # what the phone shows after scanning
    client = Client()
    assert _admin_login(client, operator.email, code).request["PATH_INFO"] == reverse("admin:index")
    recovery = re.findall(r"^  ([a-z0-9]{8})$", printed, re.MULTILINE)
    assert len(recovery) == 10
    assert _admin_login(Client(), operator.email, recovery[0]).request["PATH_INFO"] == reverse("admin:index")
    # Only staff accounts are enrolled this way.
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="n'est pas un compte opérateur"):
        call_command("enrol_operator_totp", tenant_a.admin.email, stdout=StringIO())
