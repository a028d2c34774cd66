"""The spine pages: enjeux, défis, chantiers, actions — create, inline edit, reorder, delete, the chain."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse

from roadmap.models import Action, Chantier, Defi, Enjeu, Roadmap
from tests.conftest import Tenant
from tests.factories import ActionFactory, ChantierFactory, DefiFactory, EnjeuFactory, RoadmapFactory

HTMX = {"HX-Request": "true"}


def test_an_enjeu_is_added_from_the_list(client_a: Client, tenant_a: Tenant) -> None:
    url = reverse("roadmap:enjeu_list", args=[tenant_a.roadmap.pk])
    response = client_a.post(url, {"new-question": "Comment  relier les aidants ?"}, headers=HTMX)
    assert response.status_code == 200
    enjeu = Enjeu.objects.get(roadmap=tenant_a.roadmap)
    assert enjeu.question == "Comment relier les aidants ?"
    assert enjeu.organization == tenant_a.organization
    assert "Comment relier les aidants ?" in response.content.decode()
    assert enjeu.ref == "E1"


def test_an_enjeu_must_be_a_question(client_a: Client, tenant_a: Tenant) -> None:
    url = reverse("roadmap:enjeu_list", args=[tenant_a.roadmap.pk])
    response = client_a.post(url, {"new-question": "Relier les aidants"}, headers=HTMX)
    assert "point d'interrogation" in html.unescape(response.content.decode())
    assert not Enjeu.objects.exists()


def test_inline_edit_returns_the_row_in_place(client_a: Client, tenant_a: Tenant) -> None:
    enjeu = EnjeuFactory(roadmap=tenant_a.roadmap)
    url = reverse("roadmap:enjeu_edit", args=[enjeu.pk])
    form = client_a.get(url, headers=HTMX).content.decode()
    assert "<form" in form and "<html" not in form  # a partial, not a page
    response = client_a.post(
        url,
        {"question": "Comment mieux orienter ?", "description": "", "seen_version": enjeu.updated_at.isoformat()},
        headers=HTMX,
    )
    content = response.content.decode()
    assert "Comment mieux orienter ?" in content and "<html" not in content and "<form class" not in content
    enjeu.refresh_from_db()
    assert enjeu.question == "Comment mieux orienter ?"


def test_a_stale_edit_does_not_overwrite_a_newer_one(client_a: Client, tenant_a: Tenant) -> None:
    enjeu = EnjeuFactory(roadmap=tenant_a.roadmap, question="Comment faire ?")
    seen = enjeu.updated_at
    Enjeu.objects.filter(pk=enjeu.pk).update(question="Comment faire mieux ?", updated_at=seen + timedelta(seconds=5))
    response = client_a.post(
        reverse("roadmap:enjeu_edit", args=[enjeu.pk]),
        {"question": "Comment faire autrement ?", "description": "", "seen_version": seen.isoformat()},
        headers=HTMX,
    )
    content = html.unescape(response.content.decode())
    assert "Quelqu'un a modifié cet élément" in content
    assert 'value="Comment faire autrement ?"' in content  # the typed question is still in the form
    enjeu.refresh_from_db()
    assert enjeu.question == "Comment faire mieux ?"


def test_reordering_swaps_neighbours(client_a: Client, tenant_a: Tenant) -> None:
    first, second, third = (EnjeuFactory(roadmap=tenant_a.roadmap) for _ in range(3))
    response = client_a.post(reverse("roadmap:enjeu_move", args=[third.pk]), {"direction": "up"}, headers=HTMX)
    content = response.content.decode()
    assert content.index(third.question) < content.index(second.question)
    assert list(tenant_a.roadmap.enjeux.order_by("order")) == [first, third, second]
    # The first one cannot go higher; nothing changes.
    client_a.post(reverse("roadmap:enjeu_move", args=[first.pk]), {"direction": "up"})
    assert list(tenant_a.roadmap.enjeux.order_by("order").values_list("order", flat=True)) == [1, 2, 3]


def test_delete_removes_the_row(client_a: Client, tenant_a: Tenant) -> None:
    enjeu = EnjeuFactory(roadmap=tenant_a.roadmap)
    response = client_a.post(reverse("roadmap:enjeu_delete", args=[enjeu.pk]), headers=HTMX)
    assert response.status_code == 200 and response.content == b""
    assert not Enjeu.objects.exists()


def test_a_chantier_cannot_point_at_another_organisations_defi(
    client_a: Client, tenant_a: Tenant, tenant_b: Tenant
) -> None:
    foreign_defi = DefiFactory(roadmap=tenant_b.roadmap)
    foreign_enjeu = EnjeuFactory(roadmap=tenant_b.roadmap)
    response = client_a.post(
        reverse("roadmap:chantier_list", args=[tenant_a.roadmap.pk]),
        {"new-title": "Chantier pirate", "new-defi": foreign_defi.pk, "new-enjeux": [foreign_enjeu.pk]},
        headers=HTMX,
    )
    assert "Sélectionnez un choix valide" in response.content.decode()
    assert not Chantier.objects.filter(title="Chantier pirate").exists()


def test_an_action_cannot_move_to_another_roadmaps_chantier(client_a: Client, tenant_a: Tenant) -> None:
    other_roadmap = RoadmapFactory(organization=tenant_a.organization)
    other_chantier = ChantierFactory(roadmap=other_roadmap)
    action = ActionFactory(roadmap=tenant_a.roadmap)
    response = client_a.post(
        reverse("roadmap:action_edit", args=[action.pk]),
        {"title": action.title, "chantier": other_chantier.pk, "seen_version": action.updated_at.isoformat()},
    )
    assert "Sélectionnez un choix valide" in response.content.decode()
    action.refresh_from_db()
    assert action.chantier.roadmap == tenant_a.roadmap


def test_moving_a_chantier_to_another_defi_puts_it_at_the_end(client_a: Client, tenant_a: Tenant) -> None:
    defi_1, defi_2 = DefiFactory(roadmap=tenant_a.roadmap), DefiFactory(roadmap=tenant_a.roadmap)
    ChantierFactory(roadmap=tenant_a.roadmap, defi=defi_2)
    moving = ChantierFactory(roadmap=tenant_a.roadmap, defi=defi_1)
    client_a.post(
        reverse("roadmap:chantier_edit", args=[moving.pk]),
        {"title": moving.title, "defi": defi_2.pk, "seen_version": moving.updated_at.isoformat()},
    )
    moving.refresh_from_db()
    assert moving.defi == defi_2 and moving.order == 2
    assert moving.ref == f"C{defi_2.order}.2"


def _fill(roadmap: Roadmap, enjeux: int, defis: int, chantiers: int, actions: int) -> None:
    all_enjeux = [EnjeuFactory(roadmap=roadmap) for _ in range(enjeux)]
    all_defis = [DefiFactory(roadmap=roadmap) for _ in range(defis)]
    for i, defi in enumerate(all_defis):
        defi.enjeux.set(all_enjeux[i % enjeux : i % enjeux + 2])
    all_chantiers = [ChantierFactory(roadmap=roadmap, defi=all_defis[i % defis]) for i in range(chantiers)]
    for i, chantier in enumerate(all_chantiers):
        chantier.enjeux.set(all_enjeux[i % enjeux : i % enjeux + 1])
    for i in range(actions):
        ActionFactory(roadmap=roadmap, chantier=all_chantiers[i % chantiers])


@pytest.mark.parametrize(
    "name",
    [
        "roadmap:chain",
        "roadmap:detail",
        "roadmap:enjeu_list",
        "roadmap:defi_list",
        "roadmap:chantier_list",
        "roadmap:action_list",
    ],
)
def test_pages_use_the_same_number_of_queries_at_two_sizes(
    name: str, client_a: Client, tenant_a: Tenant, django_assert_num_queries
) -> None:
    url = reverse(name, args=[tenant_a.roadmap.pk])
    _fill(tenant_a.roadmap, enjeux=2, defis=2, chantiers=2, actions=2)
    client_a.get(url)  # warm the session
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        assert client_a.get(url).status_code == 200
    _fill(tenant_a.roadmap, enjeux=8, defis=6, chantiers=30, actions=120)
    with django_assert_num_queries(len(small.captured_queries)):
        assert client_a.get(url).status_code == 200


def test_the_chain_reads_from_enjeu_to_action_and_flags_gaps(client_a: Client, tenant_a: Tenant) -> None:
    roadmap = tenant_a.roadmap
    answered = EnjeuFactory(roadmap=roadmap, question="Comment aller vers les habitants ?")
    EnjeuFactory(roadmap=roadmap, question="Comment former les aidants ?")
    defi = DefiFactory(roadmap=roadmap, title="Une offre itinérante")
    defi.enjeux.add(answered)
    chantier = ChantierFactory(roadmap=roadmap, defi=defi, title="Un bus numérique")
    ActionFactory(roadmap=roadmap, chantier=chantier, title="Ateliers ludiques dans le bus")
    ChantierFactory(roadmap=roadmap, defi=None, title="Chantier orphelin")
    content = client_a.get(reverse("roadmap:chain", args=[roadmap.pk])).content.decode()
    order = [content.index(t) for t in ("Comment aller vers", "Une offre itinérante", "Un bus numérique", "Ateliers")]
    assert order == sorted(order)
    assert "Aucun défi ne répond encore à cet enjeu." in content
    assert "Chantiers rattachés à aucun défi" in content and "Chantier orphelin" in content
    assert "Aucune action dans ce chantier." in content
    assert "2 enjeux, 1 défi, 2 chantiers, 1 action." in content  # real plurals, never « 1 défis »


def test_the_roadmap_home_shows_the_seven_steps_with_what_is_missing(client_a: Client, tenant_a: Tenant) -> None:
    content = html.unescape(client_a.get(tenant_a.roadmap.get_absolute_url()).content.decode())
    for title in (
        "Organiser la démarche",
        "Connaître le sujet",
        "Définir les enjeux",
        "Chantiers et ressources",
        "S'inspirer",
        "Formaliser la feuille de route",
        "Évaluer",
    ):
        assert title in content
    assert "Formulez les enjeux du territoire" in content
    EnjeuFactory(roadmap=tenant_a.roadmap)
    content = client_a.get(tenant_a.roadmap.get_absolute_url()).content.decode()
    assert "1 enjeu formulé" in content
    assert "1 enjeu auquel aucun défi ne répond" in content


def test_every_step_page_opens(client_a: Client, tenant_a: Tenant) -> None:
    for number in range(1, 8):
        assert client_a.get(reverse("roadmap:step", args=[tenant_a.roadmap.pk, number])).status_code == 200
    assert client_a.get(reverse("roadmap:step", args=[tenant_a.roadmap.pk, 8])).status_code == 404


@pytest.mark.parametrize("role", ["lecteur", "contributeur", "animateur", "admin"])
def test_the_steps_link_only_to_pages_the_member_may_open(tenant_a: Tenant, role: str) -> None:
    client = tenant_a.client_for(getattr(tenant_a, role))
    roadmap = tenant_a.roadmap
    pages = [roadmap.get_absolute_url()] + [reverse("roadmap:step", args=[roadmap.pk, n]) for n in range(1, 8)]
    hrefs: set[str] = set()
    for url in pages:
        content = client.get(url).content.decode()
        for links in re.findall(r'<ol class="steps">.*?</ol>|<p class="links">.*?</p>', content, re.DOTALL):
            hrefs |= set(re.findall(r'href="([^"]+)"', links))
    assert {href: client.get(href).status_code for href in hrefs} == dict.fromkeys(hrefs, 200)
    # The members page is the administrators'; a tour de table is started by those who edit.
    assert all(href.startswith(f"/{tenant_a.organization.slug}/") for href in hrefs)  # links stay in the organisation
    assert (tenant_a.url("tenancy:members") in hrefs) == (role == "admin")
    home = html.unescape(client.get(roadmap.get_absolute_url()).content.decode())
    assert ("Lancer un tour de table" in home) == (role != "lecteur")
    assert "Les ateliers participatifs" in home


def test_a_roadmap_period_must_be_ordered(client_a: Client, tenant_a: Tenant) -> None:
    response = client_a.post(
        reverse("roadmap:create"),
        {"title": "FdR", "territory": tenant_a.roadmap.territory_id, "period_start": 2028, "period_end": 2025},
    )
    assert "La dernière année doit suivre" in response.content.decode()
    assert not Roadmap.objects.filter(title="FdR").exists()


def test_deleting_a_chantier_deletes_its_actions_only(client_a: Client, tenant_a: Tenant) -> None:
    kept = ActionFactory(roadmap=tenant_a.roadmap)
    gone = ActionFactory(roadmap=tenant_a.roadmap)
    client_a.post(reverse("roadmap:chantier_delete", args=[gone.chantier.pk]))
    assert list(Action.objects.all()) == [kept]
    assert Defi.objects.count() == 2
