"""A person's own account: forgotten password, password change, profile and e-mail change, leaving, deleting,
and the login throttle — as the person, a colleague and an outsider."""

from __future__ import annotations

import re
from typing import Any

import pytest
from axes.models import AccessAttempt
from django.core import mail
from django.test import Client, override_settings
from django.urls import reverse

from tenancy.models import Membership, Role, User
from tests.conftest import Tenant
from tests.factories import PASSWORD, MembershipFactory, UserFactory
from tests.roadmap.factories import ExportJobFactory

NEW_PASSWORD = "Lavande-en-Perigord-42"


def _link(body: str) -> str:
    match = re.search(r"https?://[^/\s]+(/\S+)", body)
    assert match, body
    return match.group(1)


def test_a_forgotten_password_is_reset_by_e_mail_and_the_link_works_once(
    tenant_a: Tenant, django_capture_on_commit_callbacks: Any
) -> None:
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("tenancy:password_reset"), {"email": tenant_a.contributeur.email.upper()})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [tenant_a.contributeur.email]
    assert "mot de passe" in message.subject.lower()
    assert "valable 2 heures" in message.body
    link = _link(message.body)

    form = client.get(link, follow=True)
    assert "Choisir un nouveau mot de passe" in form.content.decode()
    set_url = form.redirect_chain[-1][0]
    weak = client.post(set_url, {"new_password1": "123", "new_password2": "123"})
    content = weak.content.decode()
    assert "trop court" in content  # Django's validators, in French
    assert "entièrement numérique" in content
    done = client.post(set_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}, follow=True)
    assert "Mot de passe enregistré" in done.content.decode()
    assert Client().login(username=tenant_a.contributeur.email, password=NEW_PASSWORD)
    again = Client().get(link, follow=True)
    assert "plus valable" in again.content.decode()


def test_an_unknown_address_gets_the_same_answer_and_no_mail(db: None, django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = Client().post(reverse("tenancy:password_reset"), {"email": "personne@nulle-part.fr"}, follow=True)
    assert "Si un compte existe avec cette adresse" in response.content.decode()
    assert mail.outbox == []


def test_the_password_is_changed_with_the_old_one(tenant_a: Tenant) -> None:
    client = tenant_a.client_for(tenant_a.lecteur)
    wrong = client.post(
        reverse("tenancy:password_change"),
        {"old_password": "non", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert "ancien mot de passe est incorrect" in wrong.content.decode()
    response = client.post(
        reverse("tenancy:password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        follow=True,
    )
    assert "Votre mot de passe a été changé." in response.content.decode()
    tenant_a.lecteur.refresh_from_db()
    assert tenant_a.lecteur.check_password(NEW_PASSWORD)
    # Still logged in after the change.
    assert client.get(reverse("tenancy:profile")).status_code == 200


def test_the_profile_lists_the_persons_organisations_and_roles(tenant_a: Tenant, tenant_b: Tenant) -> None:
    MembershipFactory(user=tenant_a.contributeur, organization=tenant_b.organization, role=Role.LECTEUR)
    content = tenant_a.client_for(tenant_a.contributeur).get(reverse("tenancy:profile")).content.decode()
    assert tenant_a.organization.name in content and tenant_b.organization.name in content
    assert "Contributeur (groupe projet)" in content and "Lecteur (élu, lecture seule)" in content
    assert f"/{tenant_b.organization.slug}/organisation/quitter/" in content


def test_name_function_structure_change_at_once_and_the_e_mail_only_once_confirmed(
    tenant_a: Tenant, django_capture_on_commit_callbacks: Any
) -> None:
    user = tenant_a.contributeur
    client = tenant_a.client_for(user)
    data = {"full_name": "Camille Martin", "function": "Cheffe de projet", "structure": "CC Alpha"}
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("tenancy:profile"), {**data, "email": "camille.martin@alpha.fr"})
    user.refresh_from_db()
    assert (user.full_name, user.function, user.structure) == ("Camille Martin", "Cheffe de projet", "CC Alpha")
    assert user.email != "camille.martin@alpha.fr"
    assert mail.outbox[-1].to == ["camille.martin@alpha.fr"]
    link = _link(mail.outbox[-1].body)

    # Someone else's session cannot use the link.
    assert tenant_a.client_for(tenant_a.lecteur).get(link).status_code == 403
    client.get(link)
    user.refresh_from_db()
    assert user.email == "camille.martin@alpha.fr"
    # A tampered link is refused.
    assert client.get(link[:-3] + "xyz/").status_code == 410


def test_an_address_already_used_is_refused(tenant_a: Tenant) -> None:
    client = tenant_a.client_for(tenant_a.contributeur)
    response = client.post(
        reverse("tenancy:profile"), {"full_name": "X", "function": "", "structure": "", "email": tenant_a.admin.email}
    )
    assert "déjà celle d&#x27;un autre compte" in response.content.decode()


def test_a_member_leaves_an_organisation_but_the_last_administrator_cannot(tenant_a: Tenant) -> None:
    client = tenant_a.client_for(tenant_a.lecteur)
    response = client.post(tenant_a.url("tenancy:leave_organization"), follow=True)
    assert "Vous avez quitté" in response.content.decode()
    assert not Membership.objects.filter(user=tenant_a.lecteur, organization=tenant_a.organization).exists()
    assert client.get(tenant_a.url("tenancy:home")).status_code == 404

    admin = tenant_a.client_for(tenant_a.admin)
    refused = admin.post(tenant_a.url("tenancy:leave_organization"), follow=True)
    assert "seul administrateur" in refused.content.decode()
    assert Membership.objects.filter(user=tenant_a.admin, organization=tenant_a.organization).exists()


def test_deleting_ones_account_erases_the_person_and_keeps_an_anonymous_author(tenant_a: Tenant) -> None:
    user = tenant_a.contributeur
    job = ExportJobFactory(roadmap=tenant_a.roadmap, created_by=user)
    client = tenant_a.client_for(user)
    wrong = client.post(reverse("tenancy:delete_account"), {"password": "non"})
    assert "Mot de passe incorrect." in wrong.content.decode()
    response = client.post(reverse("tenancy:delete_account"), {"password": PASSWORD}, follow=True)
    assert "Votre compte est supprimé" in response.content.decode()
    user.refresh_from_db()
    assert user.email.endswith(".invalid") and user.full_name == "Ancien membre"
    assert not user.is_active and not user.has_usable_password()
    assert not Membership.objects.filter(user=user).exists()
    job.refresh_from_db()
    assert job.created_by_id == user.pk and str(job.created_by) == "Ancien membre"
    assert not Client().login(username=user.email, password=PASSWORD)


def test_personal_data_are_downloaded_as_json(tenant_a: Tenant) -> None:
    response = tenant_a.client_for(tenant_a.animateur).get(reverse("tenancy:my_data"))
    assert response["Content-Disposition"].startswith("attachment")
    data = response.json()
    assert data["adresse_email"] == tenant_a.animateur.email
    assert data["organisations"] == [
        {
            "organisation": tenant_a.organization.name,
            "role": "Animateur d'ateliers",
            "depuis": data["organisations"][0]["depuis"],
        }
    ]


def test_account_pages_need_a_login(db: None) -> None:
    for name in ("tenancy:profile", "tenancy:password_change", "tenancy:delete_account", "tenancy:my_data"):
        response = Client().get(reverse(name))
        assert response.status_code == 302 and response.url.startswith(reverse("tenancy:login")), name


# --- Login throttling ---------------------------------------------------------------------------------------------


def _wrong(client: Client, email: str, address: str = "203.0.113.7") -> int:
    response = client.post(reverse("tenancy:login"), {"username": email, "password": "non"}, REMOTE_ADDR=address)
    return response.status_code


def test_wrong_passwords_are_throttled_with_a_french_message(tenant_a: Tenant) -> None:
    client = Client()
    statuses = [_wrong(client, tenant_a.admin.email) for _ in range(6)]
    assert statuses[:4] == [200] * 4
    assert statuses[-1] == 429
    response = client.post(
        reverse("tenancy:login"), {"username": tenant_a.admin.email, "password": PASSWORD}, REMOTE_ADDR="203.0.113.7"
    )
    # Even the right password waits: the guesser must not learn it was right.
    assert response.status_code == 429
    assert "Trop de tentatives de connexion échouées" in response.content.decode()
    assert "5 minutes" in response.content.decode()


def test_a_third_party_cannot_lock_a_person_out_for_more_than_a_few_minutes(tenant_a: Tenant) -> None:
    for _ in range(6):
        _wrong(Client(), tenant_a.admin.email, "198.51.100.9")
    assert _wrong(Client(), tenant_a.admin.email, "192.0.2.1") == 429  # the account rests a few minutes…
    AccessAttempt.objects.update(attempt_time=AccessAttempt.objects.first().attempt_time.replace(year=2000))
    response = Client().post(
        reverse("tenancy:login"), {"username": tenant_a.admin.email, "password": PASSWORD}, REMOTE_ADDR="192.0.2.1"
    )
    assert response.status_code == 302  # …then the person logs in


def test_one_address_cannot_try_many_accounts(tenant_a: Tenant) -> None:
    users = [UserFactory() for _ in range(6)]
    statuses = [_wrong(Client(), user.email, "203.0.113.50") for user in users]
    assert statuses[-1] == 429
    # Another address is not concerned.
    assert _wrong(Client(), tenant_a.lecteur.email, "203.0.113.51") == 200


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_the_throttle_keys_on_the_address_the_proxy_saw_not_on_a_forged_header(tenant_a: Tenant) -> None:
    client = Client()
    for n in range(6):
        # The client writes a new X-Forwarded-For each time; the proxy appends the real address.
        client.post(
            reverse("tenancy:login"),
            {"username": f"x{n}@exemple.fr", "password": "non"},
            REMOTE_ADDR="10.0.0.2",
            HTTP_X_FORWARDED_FOR=f"1.2.3.{n}, 198.51.100.77",
        )
    assert AccessAttempt.objects.filter(ip_address="198.51.100.77").count() == 6
    blocked = client.post(
        reverse("tenancy:login"),
        {"username": tenant_a.lecteur.email, "password": PASSWORD},
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="9.9.9.9, 198.51.100.77",
    )
    assert blocked.status_code == 429


@pytest.mark.parametrize("forwarded", ["", "not-an-address", "1.2.3.4, ::::"])
@override_settings(TRUSTED_PROXY_COUNT=1)
def test_a_missing_or_malformed_forwarded_header_falls_back_to_the_connection(forwarded: str, db: None) -> None:
    from django.test import RequestFactory

    from tenancy.client_ip import client_ip

    request = RequestFactory().get("/", REMOTE_ADDR="10.1.1.1", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == "10.1.1.1"


def test_no_throttle_for_a_user_logging_in_normally(tenant_a: Tenant) -> None:
    for _ in range(3):
        _wrong(Client(), tenant_a.admin.email)
    response = Client().post(
        reverse("tenancy:login"), {"username": tenant_a.admin.email, "password": PASSWORD}, REMOTE_ADDR="203.0.113.7"
    )
    assert response.status_code == 302
    assert User.objects.get(pk=tenant_a.admin.pk).last_login is not None


# --- Two-factor authentication ------------------------------------------------------------------------------------


def _after_a_while(user: User) -> None:
    """django-otp slows down the next check after a wrong code (1 s, then doubling): the test does not wait."""
    from django_otp import devices_for_user

    for device in devices_for_user(user, confirmed=None):
        type(device).objects.filter(pk=device.pk).update(throttling_failure_count=0, throttling_failure_timestamp=None)


def _totp(device: Any) -> str:
    from django_otp.oath import totp

    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def test_an_administrator_turns_on_totp_and_then_needs_a_code_or_a_recovery_code(tenant_a: Tenant) -> None:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client = tenant_a.client_for(tenant_a.admin)
    assert "Recommandée pour les administrateurs" in client.get(reverse("tenancy:profile")).content.decode()
    setup = client.get(reverse("tenancy:two_factor"))
    assert "<svg" in setup.content.decode()
    device = TOTPDevice.objects.get(user=tenant_a.admin)
    wrong = client.post(reverse("tenancy:two_factor"), {"token": "000000" if _totp(device) != "000000" else "111111"})
    assert "Code incorrect" in wrong.content.decode()
    _after_a_while(tenant_a.admin)
    done = client.post(reverse("tenancy:two_factor"), {"token": _totp(device)})
    codes = re.findall(r"<li>([a-z0-9]{8})</li>", done.content.decode())
    assert len(codes) == 10

    login = {"username": tenant_a.admin.email, "password": PASSWORD}
    without = Client().post(reverse("tenancy:login"), login)
    assert without.status_code == 200
    assert "saisissez aussi le code de votre application" in without.content.decode()
    assert Client().post(reverse("tenancy:login"), {**login, "otp_token": "123"}).status_code == 200
    _after_a_while(tenant_a.admin)
    TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1)  # the code of this half-minute was used to confirm
    device.refresh_from_db()
    with_code = Client().post(reverse("tenancy:login"), {**login, "otp_token": _totp(device)})
    assert with_code.status_code == 302
    recovery = Client().post(reverse("tenancy:login"), {**login, "otp_token": codes[0]})
    assert recovery.status_code == 302
    reused = Client().post(reverse("tenancy:login"), {**login, "otp_token": codes[0]})
    assert reused.status_code == 200  # a recovery code works once


def test_totp_is_turned_off_only_with_a_current_code(tenant_a: Tenant) -> None:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client = tenant_a.client_for(tenant_a.contributeur)
    client.get(reverse("tenancy:two_factor"))
    device = TOTPDevice.objects.get(user=tenant_a.contributeur)
    codes = re.findall(
        r"<li>([a-z0-9]{8})</li>", client.post(reverse("tenancy:two_factor"), {"token": _totp(device)}).content.decode()
    )
    refused = client.post(reverse("tenancy:two_factor"), {"token": "nimporte", "action": "disable"})
    assert "incorrect" in refused.content.decode()
    assert TOTPDevice.objects.filter(user=tenant_a.contributeur, confirmed=True).exists()
    _after_a_while(tenant_a.contributeur)
    client.post(reverse("tenancy:two_factor"), {"token": codes[1], "action": "disable"})
    assert not TOTPDevice.objects.filter(user=tenant_a.contributeur).exists()
    assert (
        Client()
        .post(reverse("tenancy:login"), {"username": tenant_a.contributeur.email, "password": PASSWORD})
        .status_code
        == 302
    )
