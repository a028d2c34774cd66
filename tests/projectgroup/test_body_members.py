"""Governance bodies' members linked to the directory's contacts (steps 1 and 6 share the same bodies)."""

from __future__ import annotations

import html

from django.test import Client
from django.urls import reverse

from projectgroup.models import BodyMember
from tests.conftest import Tenant
from tests.projectgroup.factories import ContactFactory
from tests.roadmap.factories import GovernanceBodyFactory


def page(client: Client, url: str) -> str:
    return html.unescape(client.get(url).content.decode())


def test_seat_contacts_in_a_body_and_see_them_on_the_group_page(
    tenant_a: Tenant, tenant_b: Tenant, outsider_client: Client
) -> None:
    body = GovernanceBodyFactory(
        roadmap=tenant_a.roadmap, name="Comité de pilotage", members="Marie Dupuy, présidente\nUn élu du département"
    )
    marie = ContactFactory(organization=tenant_a.organization, full_name="Marie Dupuy", function="Présidente")
    theirs = ContactFactory(organization=tenant_b.organization, full_name="Paul Ailleurs")
    url = reverse("projectgroup:body_members", kwargs={"governancebody_pk": body.pk})
    client = tenant_a.client_for(tenant_a.contributeur)
    assert "Marie Dupuy, présidente" in page(client, url).split("Membres écrits à la main")[1]

    response = client.post(url, {"contact": marie.pk, "function": "présidente"}, follow=True)
    assert "Marie Dupuy siège dans « Comité de pilotage »." in html.unescape(response.content.decode())
    seat = BodyMember.objects.get()
    assert (seat.organization, seat.body, seat.contact, seat.function) == (
        tenant_a.organization,
        body,
        marie,
        "présidente",
    )
    shown = page(client, url)
    assert (
        "Marie Dupuy, présidente"
        not in shown.split("Membres reliés")[1].split("Ajouter un membre")[0].split("Membres écrits")[-1]
    )  # the free-text line is now matched by the linked contact
    assert "Un élu du département" in shown
    # Twice: refused, nothing added. Another organisation's contact: not offered, refused.
    response = client.post(url, {"contact": marie.pk}, follow=True)
    assert "Marie Dupuy siège déjà dans « Comité de pilotage »." in html.unescape(response.content.decode())
    client.post(url, {"contact": theirs.pk})
    assert BodyMember.objects.count() == 1
    assert "Paul Ailleurs" not in page(client, url)

    group = page(client, reverse("projectgroup:group", kwargs={"roadmap_pk": tenant_a.roadmap.pk}))
    row = group.split("<td>Deux fois par an</td>")[1].split("</tr>")[0]
    contact_url = tenant_a.url("projectgroup:contact_detail", contact_pk=marie.pk)
    assert f'<a href="{contact_url}">Marie Dupuy</a> (présidente)' in row
    assert "Un élu du département" in row and "Marie Dupuy, présidente" not in row  # not twice

    # A lecteur reads, doesn't change; another organisation and an outsider don't see the body.
    reader = tenant_a.client_for(tenant_a.lecteur)
    assert "Marie Dupuy" in page(reader, url) and "Retirer Marie Dupuy" not in page(reader, url)
    assert reader.post(url, {"remove": seat.pk}).status_code == 403
    assert tenant_b.client_for(tenant_b.admin).get(url).status_code == 404
    assert tenant_b.client_for(tenant_b.admin).post(url, {"contact": theirs.pk}).status_code == 404
    assert outsider_client.get(tenant_a.url("projectgroup:body_members", governancebody_pk=body.pk)).status_code == 404
    assert BodyMember.objects.count() == 1

    client.post(url, {"remove": seat.pk})
    assert not BodyMember.objects.exists()


def test_erasing_a_contact_frees_their_seat(tenant_a: Tenant) -> None:
    from projectgroup import actions

    body = GovernanceBodyFactory(roadmap=tenant_a.roadmap)
    contact = ContactFactory(organization=tenant_a.organization, full_name="Jeanne Oubli")
    actions.add_body_member(body, contact, "membre")
    actions.erase_contact(contact)
    url = reverse("projectgroup:body_members", kwargs={"governancebody_pk": body.pk})
    assert "Jeanne Oubli" not in page(tenant_a.client_for(tenant_a.admin), url)


def test_the_members_page_costs_the_same_for_1_or_10_members(tenant_a: Tenant) -> None:
    body = GovernanceBodyFactory(roadmap=tenant_a.roadmap)
    url = reverse("projectgroup:body_members", kwargs={"governancebody_pk": body.pk})
    client = tenant_a.client_for(tenant_a.admin)
    from projectgroup import actions

    actions.add_body_member(body, ContactFactory(organization=tenant_a.organization), "")
    client.get(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for _ in range(9):
        actions.add_body_member(body, ContactFactory(organization=tenant_a.organization), "")
    with CaptureQueriesContext(connection) as ten:
        response = client.get(url)
    assert response.content.decode().count("Retirer Camille") == 10
    assert len(ten) == len(one), "\n".join(q["sql"][:300] for q in ten.captured_queries)
