"""Logging in, switching organisation, members and invitations — as a référent, a member and an outsider."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tenancy.models import Invitation, Membership, Role, User
from tests.conftest import Tenant
from tests.factories import (
    PASSWORD,
    EnjeuFactory,
    InvitationFactory,
    MembershipFactory,
    OrganizationFactory,
    UserFactory,
)


def test_login_with_email_and_password_lands_on_the_organisation(tenant_a: Tenant) -> None:
    client = Client()
    response = client.post(
        reverse("tenancy:login"), {"username": tenant_a.admin.email.upper(), "password": PASSWORD}, follow=True
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert tenant_a.organization.name in content
    assert tenant_a.roadmap.title in content


def test_wrong_password_says_so_in_french(tenant_a: Tenant) -> None:
    response = Client().post(reverse("tenancy:login"), {"username": tenant_a.admin.email, "password": "non"})
    assert "Adresse e-mail ou mot de passe incorrect." in response.content.decode()
    assert "_auth_user_id" not in response.client.session


def test_anonymous_visitors_are_sent_to_login(db: None) -> None:
    response = Client().get(reverse("tenancy:home"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("tenancy:login"))


def test_home_lists_only_the_current_organisations_roadmaps(
    client_b: Client, tenant_a: Tenant, tenant_b: Tenant
) -> None:
    content = client_b.get(reverse("tenancy:home")).content.decode()
    assert tenant_b.roadmap.title in content
    assert tenant_a.roadmap.title not in content


def test_outsider_is_told_to_ask_for_an_invitation(outsider_client: Client, tenant_a: Tenant) -> None:
    response = outsider_client.get(reverse("tenancy:home"), follow=True)
    assert "Vous n'appartenez à aucune organisation" in response.content.decode()
    assert tenant_a.roadmap.title not in response.content.decode()


@pytest.mark.parametrize(
    ("role", "sees_create"),
    # The permission table (tenancy/access.py): creating a roadmap is editing content, which an animateur may not.
    [(Role.ADMINISTRATEUR, True), (Role.CONTRIBUTEUR, True), (Role.ANIMATEUR, False), (Role.LECTEUR, False)],
)
def test_each_role_sees_what_it_may_do(tenant_a: Tenant, role: Role, sees_create: bool) -> None:
    user = Membership.objects.get(organization=tenant_a.organization, role=role).user
    content = tenant_a.client_for(user).get(reverse("tenancy:home")).content.decode()
    assert ("Nouvelle feuille de route" in content) is sees_create
    assert ("lecture seule" in content) is (role == Role.LECTEUR)
    assert ("Membres</a>" in content) is (role == Role.ADMINISTRATEUR)


def _hub(tenant_a: Tenant, tenant_b: Tenant) -> Client:
    hub = UserFactory()
    MembershipFactory(user=hub, organization=tenant_a.organization, role=Role.CONTRIBUTEUR)
    MembershipFactory(user=hub, organization=tenant_b.organization, role=Role.CONTRIBUTEUR)
    client = Client()
    client.force_login(hub)
    return client


def test_a_hub_member_switches_between_organisations(tenant_a: Tenant, tenant_b: Tenant) -> None:
    client = _hub(tenant_a, tenant_b)
    # `/` opens the first organisation (alphabetically) the first time, in its own URL.
    response = client.get("/", follow=True)
    assert response.redirect_chain[-1][0] == tenant_a.url("tenancy:home")
    assert tenant_a.roadmap.title in response.content.decode()
    # Switching from a list page lands on the same list in the other organisation.
    territories_a = tenant_a.url("territories:territory_list")
    response = client.post(
        tenant_a.url("tenancy:switch_organization"), {"organization": tenant_b.organization.pk, "next": territories_a}
    )
    assert response["Location"] == tenant_b.url("territories:territory_list")
    second = client.get(tenant_b.url("tenancy:home")).content.decode()
    assert tenant_b.roadmap.title in second and tenant_a.roadmap.title not in second
    # From a page about one object (which the other organisation does not have): that organisation's home.
    response = client.post(
        tenant_b.url("tenancy:switch_organization"),
        {
            "organization": tenant_a.organization.pk,
            "next": tenant_b.url("roadmap:detail", roadmap_pk=tenant_b.roadmap.pk),
        },
    )
    assert response["Location"] == tenant_a.url("tenancy:home")
    # `/` now leads to the organisation opened last.
    assert client.get("/")["Location"] == tenant_a.url("tenancy:home")


def test_two_tabs_on_two_organisations_both_keep_working(tenant_a: Tenant, tenant_b: Tenant) -> None:
    """A hub member edits a fiche of A in one tab while another tab opens B: A's save still lands in A."""
    client = _hub(tenant_a, tenant_b)
    enjeu_a = EnjeuFactory(roadmap=tenant_a.roadmap, question="Comment aller vers les publics isolés ?")
    edit_a = tenant_a.url("roadmap:enjeu_edit", enjeu_pk=enjeu_a.pk)
    form_a = client.get(edit_a).content.decode()
    assert client.get(tenant_b.url("tenancy:home")).status_code == 200  # the second tab, on B
    seen = re.search(r'name="seen_version" value="([^"]*)"', form_a)
    data = {"question": "Comment aller vers les publics isolés du canton ?", "description": ""}
    if seen:
        data["seen_version"] = seen.group(1)
    response = client.post(edit_a, data)
    assert response.status_code in (200, 302), response.status_code
    enjeu_a.refresh_from_db()
    assert enjeu_a.question == "Comment aller vers les publics isolés du canton ?"
    # A link a colleague of A sends opens in A, whichever organisation the hub member last opened.
    assert client.get(tenant_a.url("roadmap:detail", roadmap_pk=tenant_a.roadmap.pk)).status_code == 200
    assert client.get(tenant_b.url("roadmap:detail", roadmap_pk=tenant_b.roadmap.pk)).status_code == 200


def test_an_old_link_without_organisation_opens_in_the_current_one(tenant_a: Tenant) -> None:
    client = Client()
    client.force_login(tenant_a.admin)
    old = reverse("roadmap:detail", kwargs={"roadmap_pk": tenant_a.roadmap.pk})
    response = client.get(old + "?onglet=2")
    assert response.status_code == 302
    assert response["Location"] == tenant_a.url("roadmap:detail", roadmap_pk=tenant_a.roadmap.pk) + "?onglet=2"
    # A form posted to an old address keeps its method and body (307), so nothing typed is lost.
    post = client.post(reverse("roadmap:enjeu_list", kwargs={"roadmap_pk": tenant_a.roadmap.pk}), {"question": "x"})
    assert post.status_code == 307


def test_switching_to_an_organisation_one_does_not_belong_to_is_a_404(client_b: Client, tenant_a: Tenant) -> None:
    response = client_b.post(reverse("tenancy:switch_organization"), {"organization": tenant_a.organization.pk})
    assert response.status_code == 404


def test_a_removed_member_loses_access_at_once(tenant_a: Tenant) -> None:
    client = tenant_a.client_for(tenant_a.contributeur)
    url = tenant_a.url("roadmap:detail", roadmap_pk=tenant_a.roadmap.pk)
    assert client.get(url).status_code == 200
    Membership.objects.filter(user=tenant_a.contributeur).delete()
    assert client.get(url).status_code == 404
    # Nowhere else to go: the page that says so.
    plain = Client()
    plain.force_login(tenant_a.contributeur)
    assert plain.get("/")["Location"] == reverse("tenancy:no_organization")


def test_an_organisation_never_takes_a_segment_of_the_site(db: None) -> None:
    for name in ("Connexion", "Atelier", "Public", "Static"):
        organization = OrganizationFactory(name=name, slug="")
        assert organization.slug == f"{name.lower()}-2"


def test_only_administrators_manage_members(tenant_a: Tenant) -> None:
    url = reverse("tenancy:members")
    assert tenant_a.client_for(tenant_a.contributeur).get(url).status_code == 403
    response = tenant_a.client_for(tenant_a.admin).get(url)
    assert response.status_code == 200
    assert tenant_a.lecteur.email in response.content.decode()


def test_invitation_is_mailed_and_its_link_shown_to_the_inviter(
    client_a: Client, tenant_a: Tenant, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = client_a.post(
            reverse("tenancy:members"), {"email": "Nouvelle.Elue@Mairie.fr", "role": Role.LECTEUR}, follow=True
        )
    invitation = Invitation.objects.get(organization=tenant_a.organization)
    assert invitation.email == "nouvelle.elue@mairie.fr"
    link = invitation.get_absolute_url()
    assert link in response.content.decode()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["nouvelle.elue@mairie.fr"]
    assert tenant_a.organization.name in mail.outbox[0].subject
    assert link in mail.outbox[0].body


def test_inviting_an_existing_member_is_refused(client_a: Client, tenant_a: Tenant) -> None:
    response = client_a.post(reverse("tenancy:members"), {"email": tenant_a.lecteur.email, "role": Role.LECTEUR})
    assert "déjà membre" in response.content.decode()
    assert not Invitation.objects.exists()


def test_a_new_person_accepts_an_invitation_and_gets_its_role(tenant_a: Tenant) -> None:
    invitation = InvitationFactory(organization=tenant_a.organization, email="agent@commune.fr", role=Role.ANIMATEUR)
    client = Client()
    page = client.get(invitation.get_absolute_url())
    assert tenant_a.organization.name in page.content.decode()
    response = client.post(
        invitation.get_absolute_url(),
        {"full_name": "Agent Communal", "password1": "un-long-secret-2026", "password2": "un-long-secret-2026"},
        follow=True,
    )
    assert tenant_a.roadmap.title in response.content.decode()
    user = User.objects.get(email="agent@commune.fr")
    assert Membership.objects.get(user=user).role == Role.ANIMATEUR
    # A second use of the link is refused.
    assert Client().get(invitation.get_absolute_url()).status_code == 410


def test_mismatched_passwords_create_nothing(tenant_a: Tenant) -> None:
    invitation = InvitationFactory(organization=tenant_a.organization)
    response = Client().post(
        invitation.get_absolute_url(),
        {"full_name": "X", "password1": "un-long-secret-2026", "password2": "autre-chose-2026"},
    )
    assert "ne correspondent pas" in response.content.decode()
    assert not User.objects.filter(email=invitation.email).exists()


def test_an_expired_invitation_is_refused(tenant_a: Tenant) -> None:
    invitation = InvitationFactory(organization=tenant_a.organization, created_at=timezone.now() - timedelta(days=15))
    response = Client().get(invitation.get_absolute_url())
    assert response.status_code == 410
    assert "n'est plus valable" in response.content.decode()


def test_an_existing_user_joins_a_second_organisation(tenant_a: Tenant, tenant_b: Tenant) -> None:
    invitation = InvitationFactory(organization=tenant_b.organization, email=tenant_a.admin.email)
    client = tenant_a.client_for(tenant_a.admin)
    client.post(invitation.get_absolute_url())
    assert Membership.objects.filter(user=tenant_a.admin).count() == 2


def test_an_invitation_for_someone_else_is_refused(client_b: Client, tenant_a: Tenant) -> None:
    invitation = InvitationFactory(organization=tenant_a.organization, email="autre@exemple.fr")
    assert client_b.post(invitation.get_absolute_url()).status_code == 403
    assert not Membership.objects.filter(organization=tenant_a.organization, user__email="autre@exemple.fr").exists()


def test_the_last_administrator_cannot_be_demoted_or_removed(client_a: Client, tenant_a: Tenant) -> None:
    membership = Membership.objects.get(user=tenant_a.admin)
    response = client_a.post(
        reverse("tenancy:membership_role", args=[membership.pk]), {"role": Role.LECTEUR}, follow=True
    )
    assert "au moins un administrateur" in response.content.decode()
    client_a.post(reverse("tenancy:membership_remove", args=[membership.pk]))
    membership.refresh_from_db()
    assert membership.role == Role.ADMINISTRATEUR


def test_an_administrator_changes_a_role(client_a: Client, tenant_a: Tenant) -> None:
    membership = Membership.objects.get(user=tenant_a.lecteur)
    client_a.post(reverse("tenancy:membership_role", args=[membership.pk]), {"role": Role.CONTRIBUTEUR})
    membership.refresh_from_db()
    assert membership.role == Role.CONTRIBUTEUR


def test_members_page_queries_do_not_grow_with_members(
    client_a: Client, tenant_a: Tenant, django_assert_max_num_queries
) -> None:
    url = reverse("tenancy:members")
    with django_assert_max_num_queries(12) as small:
        client_a.get(url)
    for _ in range(20):
        MembershipFactory(organization=tenant_a.organization, role=Role.CONTRIBUTEUR)
        InvitationFactory(organization=tenant_a.organization)
    with django_assert_max_num_queries(len(small.captured_queries)):
        client_a.get(url)
