"""The front door as a tester found it on a fresh `make run`: the request an operator decides from a terminal (or
from its admin page), the same EPCI chosen twice, the home's button for an organisation without territory, and the
role said in plain French."""

from __future__ import annotations

import html
import re
from io import StringIO
from typing import Any

import pytest
from django.contrib.admin.models import LogEntry
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse

from onboarding.models import JoinRequest
from roadmap.models import Roadmap
from tenancy.models import Invitation, Membership, Organization, Role
from tests.conftest import Tenant, organization_url
from tests.factories import CommuneFactory, MembershipFactory, UserFactory
from tests.onboarding.factories import JoinRequestFactory, operator_client

EPCI_SIREN = "200040392"


def text(response: Any) -> str:
    """The page as read, entities decoded; the catalogue serves non-breaking spaces, the tests type plain ones."""
    return html.unescape(response.content.decode()).replace("\u00a0", " ")


def run(*args: str) -> str:
    out = StringIO()
    call_command("join_requests", *args, stdout=out)
    return out.getvalue().replace("\u00a0", " ")


@pytest.fixture
def operator(db: None) -> Any:
    return UserFactory(is_staff=True, is_superuser=True, email="operatrice@cap-partage.fr")


@pytest.fixture
def epci(db: None) -> list[Any]:
    return [
        CommuneFactory(code=f"2403{n}", name=f"Bourg {n}", epci_siren=EPCI_SIREN, epci_name="CC du Val Test")
        for n in range(3)
    ]


# 1. The operator's path.


def test_the_command_lists_the_pending_requests_only(db: None) -> None:
    assert "Aucune demande d'accès en attente." in run()
    waiting = JoinRequestFactory(organization_name="CC du Val", email="claire@cc-val.fr", message="Notre projet.")
    JoinRequestFactory(organization_name="CC Déjà Vue", status=JoinRequest.Status.APPROVED)
    listed = run()
    assert "1 demande d'accès en attente :" in listed
    assert f"n° {waiting.pk} — CC du Val" in listed and "claire@cc-val.fr" in listed and "Notre projet." in listed
    assert "CC Déjà Vue" not in listed
    JoinRequestFactory()
    assert "2 demandes d'accès en attente :" in run()


def test_the_command_approves_as_the_back_office_does(
    operator: Any, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.SITE_URL = "https://cap.example.org"
    by_command = JoinRequestFactory(organization_name="CC du Val", email="claire@cc-val.fr")
    by_admin = JoinRequestFactory(organization_name="CC des Coteaux", email="paul@cc-coteaux.fr")
    with django_capture_on_commit_callbacks(execute=True):
        printed = run("--approve", str(by_command.pk), "--operator", operator.email)
        operator_client(operator).post(
            reverse("admin:onboarding_decide", kwargs={"object_id": by_admin.pk}), {"decision": "approve"}
        )

    def outcome(join_request: JoinRequest) -> tuple[Any, ...]:
        join_request.refresh_from_db()
        organization = join_request.organization
        assert organization is not None
        invitation = Invitation.objects.get(organization=organization)
        e_mail = next(m for m in mail.outbox if m.to == [join_request.email])
        return (
            join_request.status,
            join_request.decided_by,
            organization.name == join_request.organization_name,
            organization.kind,
            (invitation.email == join_request.email, invitation.role, invitation.invited_by),
            invitation.get_absolute_url() in e_mail.body,
            LogEntry.objects.filter(object_id=str(join_request.pk), user=operator).count(),
        )

    assert outcome(by_command) == outcome(by_admin)
    assert outcome(by_command)[:2] == (JoinRequest.Status.APPROVED, operator)
    invitation = Invitation.objects.get(email="claire@cc-val.fr")
    assert (invitation.role, invitation.email_sent_at is not None) == (Role.ADMINISTRATEUR, True)
    # The link to open is printed: on a local service, the requester needs no mailbox.
    assert f"https://cap.example.org{invitation.get_absolute_url()}" in printed
    assert "« CC du Val » créée" in printed


def test_without_an_operator_account_the_command_still_decides(
    db: None, django_capture_on_commit_callbacks: Any
) -> None:
    """A fresh `make run` has no staff account: the decision is taken all the same, unsigned."""
    join_request = JoinRequestFactory(email="claire@cc-val.fr")
    with django_capture_on_commit_callbacks(execute=True):
        run("--approve", str(join_request.pk))
    join_request.refresh_from_db()
    assert join_request.status == JoinRequest.Status.APPROVED and join_request.decided_by is None
    assert Membership.objects.count() == 0  # not a member before accepting the invitation
    link = re.search(r"https?://[^/\s]+(/\S+)", mail.outbox[-1].body)
    assert link and link.group(1) == Invitation.objects.get().get_absolute_url()
    joined = Client().post(
        link.group(1), {"full_name": "Claire Dupont", "password1": "Perigord-2026!", "password2": "Perigord-2026!"}
    )
    assert joined.status_code == 302
    assert Membership.objects.get(user__email="claire@cc-val.fr").role == Role.ADMINISTRATEUR


def test_the_command_refuses_with_the_reason_sent(operator: Any, django_capture_on_commit_callbacks: Any) -> None:
    join_request = JoinRequestFactory()
    with pytest.raises(CommandError, match="Indiquez le motif du refus"):
        run("--refuse", str(join_request.pk))
    with django_capture_on_commit_callbacks(execute=True):
        printed = run(
            "--refuse", str(join_request.pk), "--reason", "Structure hors du champ.", "--operator", operator.email
        )
    join_request.refresh_from_db()
    assert (join_request.status, join_request.decision_reason) == (
        JoinRequest.Status.REFUSED,
        "Structure hors du champ.",
    )
    assert join_request.decided_by == operator and join_request.organization is None
    assert not Organization.objects.exists()
    assert mail.outbox[-1].to == [join_request.email] and "Structure hors du champ." in mail.outbox[-1].body
    assert "refusée" in printed
    assert LogEntry.objects.filter(object_id=str(join_request.pk), change_message__contains="hors du champ").exists()


def test_the_command_says_in_french_what_it_cannot_do(operator: Any) -> None:
    with pytest.raises(CommandError, match="Aucune demande d'accès n° 999"):
        run("--approve", "999")
    decided = JoinRequestFactory(organization_name="CC du Val")
    run("--approve", str(decided.pk))
    for args in (["--approve", str(decided.pk)], ["--refuse", str(decided.pk), "--reason", "doublon"]):
        with pytest.raises(CommandError, match=r"CC du Val\) a déjà été traitée : validée"):
            run(*args)
    decided.refresh_from_db()
    assert decided.status == JoinRequest.Status.APPROVED and Organization.objects.count() == 1
    pending = JoinRequestFactory()
    with pytest.raises(CommandError, match="n'est pas un compte opérateur"):
        run("--approve", str(pending.pk), "--operator", "personne@ailleurs.fr")
    with pytest.raises(CommandError, match="Une décision à la fois"):
        run("--approve", str(pending.pk), "--refuse", str(pending.pk), "--reason", "x")
    pending.refresh_from_db()
    assert pending.is_pending


def test_a_local_service_says_how_to_validate_the_request(db: None, settings: Any) -> None:
    settings.DEBUG = False
    assert "join_requests" not in text(Client().get(reverse("onboarding:join_request_sent")))
    settings.DEBUG = True
    page = text(Client().get(reverse("onboarding:join_request_sent")))
    assert "Service local : validez la demande vous-même" in page
    assert "manage.py join_requests --approve N" in page


def test_the_request_s_admin_page_leads_to_the_decision_at_its_top(operator: Any) -> None:
    client = operator_client(operator)
    pending = JoinRequestFactory(organization_name="CC du Val")
    page = text(client.get(reverse("admin:onboarding_joinrequest_change", args=[pending.pk])))
    decide_url = reverse("admin:onboarding_decide", kwargs={"object_id": pending.pk})
    link = page.index(f'href="{decide_url}"')
    assert "Valider ou refuser" in page[link : link + 200]
    assert link < page.index("field-organization_name")  # above the request's fields, not below them
    assert 'name="_save"' not in page  # every field is read-only: nothing to « Enregistrer »
    assert "Cette demande attend une décision." in page

    decided = JoinRequestFactory(status=JoinRequest.Status.REFUSED)
    page = text(client.get(reverse("admin:onboarding_joinrequest_change", args=[decided.pk])))
    assert "/decider/" not in page and "Demande refusée." in page


def test_the_list_of_requests_puts_the_decision_first(operator: Any) -> None:
    pending = JoinRequestFactory(organization_name="CC du Val")
    page = text(operator_client(operator).get(reverse("admin:onboarding_joinrequest_changelist")))
    row = page[page.rindex("<tr", 0, page.index("CC du Val")) : page.index("</tr>", page.index("CC du Val"))]
    cells = re.findall(r"<t[dh][^>]*>", row)
    assert "field-decide" in cells[1]  # right after the selection checkbox, on screen at 1280 px
    assert f'href="{pending.pk}/decider/">Valider ou refuser</a>' in row


# 2. The same EPCI twice.


def test_the_same_epci_twice_is_refused_naming_the_existing_territory(epci: list[Any]) -> None:
    organization = Organization.objects.create(name="CC du Val Test")
    client = Client()
    client.force_login(MembershipFactory(organization=organization, role=Role.ADMINISTRATEUR).user)
    url = organization_url(organization, "onboarding:territory_setup")
    client.post(url, {"mode": "epci", "epci": f"CC du Val Test ({EPCI_SIREN})"})
    territory = organization.territories.get()
    first = Roadmap.objects.get()

    again = client.post(url, {"mode": "epci", "epci": EPCI_SIREN, "name": "Autre nom"})
    page = text(again)
    assert again.status_code == 200
    assert "Votre organisation a déjà le territoire « CC du Val Test »" in page
    # Links to both, inside the organisation.
    assert f'{territory.get_absolute_url()}">Voir le territoire « CC du Val Test »</a>' in page
    assert f'{first.get_absolute_url()}">{first.title}</a>' in page
    assert organization.territories.count() == 1 and Roadmap.objects.count() == 1

    # The same communes picked one by one are the same territory too.
    codes = "\n".join(c.code for c in epci)
    client.post(url, {"mode": "communes", "communes": codes, "name": "Mon bassin"})
    assert organization.territories.count() == 1

    # Asked for explicitly: another roadmap on the same territory, told apart from the first.
    response = client.post(url, {"mode": "epci", "epci": EPCI_SIREN, "another_roadmap": "on"})
    assert organization.territories.count() == 1
    second = Roadmap.objects.exclude(pk=first.pk).get()
    assert second.territory == territory and second.title == f"{first.title} (2)"
    assert response.status_code == 302 and response.url.endswith(second.get_absolute_url())


def test_a_territory_with_other_communes_is_still_created(epci: list[Any]) -> None:
    organization = Organization.objects.create(name="CC du Val Test")
    client = Client()
    client.force_login(MembershipFactory(organization=organization, role=Role.ADMINISTRATEUR).user)
    url = organization_url(organization, "onboarding:territory_setup")
    client.post(url, {"mode": "epci", "epci": EPCI_SIREN})
    client.post(url, {"mode": "communes", "communes": f"{epci[0].code}\n{epci[1].code}", "name": "Le nord"})
    assert sorted(organization.territories.values_list("name", flat=True)) == ["CC du Val Test", "Le nord"]


# 3. The home's main button.


def test_the_new_roadmap_button_leads_to_the_guided_epci_picker_until_there_is_a_territory(
    tenant_a: Tenant, epci: list[Any]
) -> None:
    organization = Organization.objects.create(name="CC du Val Test")
    client = Client()
    client.force_login(MembershipFactory(organization=organization, role=Role.ADMINISTRATEUR).user)
    home = organization_url(organization, "tenancy:home")

    def button() -> str:
        found = re.search(r'<a class="button" href="([^"]+)">Nouvelle feuille de route</a>', text(client.get(home)))
        assert found
        return found.group(1)

    assert button() == organization_url(organization, "onboarding:territory_setup")
    assert "Intercommunalité (nom ou SIREN)" in text(client.get(button()))
    client.post(button(), {"mode": "epci", "epci": EPCI_SIREN})
    assert button() == organization_url(organization, "roadmap:create")
    # An organisation that has its territory keeps the usual form.
    demo = text(tenant_a.client_for(tenant_a.admin).get(reverse("tenancy:home")))
    assert reverse("roadmap:create") + '">Nouvelle feuille de route' in demo


# 4. The role, in plain French.


def test_the_home_and_the_invitation_say_the_role_in_lower_case_without_parentheses_e(
    tenant_a: Tenant, django_capture_on_commit_callbacks: Any
) -> None:
    home = text(tenant_a.client_for(tenant_a.admin).get(reverse("tenancy:home")))
    assert "Votre rôle : administrateur (référent technique)." in home
    assert "connecté(e)" not in home and "en tant que" not in home
    lecteur = text(tenant_a.client_for(tenant_a.lecteur).get(reverse("tenancy:home")))
    assert "Votre rôle : lecteur (élu, lecture seule)." in lecteur

    with django_capture_on_commit_callbacks(execute=True):
        tenant_a.client_for(tenant_a.admin).post(
            reverse("tenancy:members"), {"email": "elu@mairie.fr", "role": Role.ANIMATEUR}
        )
    body = mail.outbox[-1].body.replace("\u00a0", " ")
    assert "Votre rôle : animateur d'ateliers." in body
    assert "invité(e)" not in body and "Animateur" not in body
    invitation = Invitation.objects.get(email="elu@mairie.fr")
    accept = text(Client().get(invitation.get_absolute_url()))
    assert "Votre rôle : animateur d'ateliers." in accept and "invité(e)" not in accept
