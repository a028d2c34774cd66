"""Défis grouping chantiers (drag-and-drop or keyboard form), the enjeux they answer, gaps, and the timeline."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from roadmap.gaps import roadmap_gaps
from roadmap.models import Action, Chantier, Defi
from tests.conftest import Tenant
from tests.factories import ActionFactory, ChantierFactory, DefiFactory, EnjeuFactory, RoadmapFactory
from tests.roadmap.factories import ActionExpenseFactory, ActionStepFactory

pytestmark = pytest.mark.django_db


def test_a_chantier_is_placed_in_another_defi_at_a_position(tenant_a: Tenant, client_a: Client) -> None:
    roadmap = tenant_a.roadmap
    d1: Defi = DefiFactory(roadmap=roadmap)
    d2: Defi = DefiFactory(roadmap=roadmap)
    moving = ChantierFactory(roadmap=roadmap, defi=d1, title="Chantier qui bouge")
    first, second = ChantierFactory(roadmap=roadmap, defi=d2), ChantierFactory(roadmap=roadmap, defi=d2)
    url = reverse("roadmap:defi_board", args=[roadmap.pk])
    response = client_a.post(url, {"chantier": moving.pk, "defi": d2.pk, "position": 2}, headers={"HX-Request": "true"})
    assert response.status_code == 200 and 'id="defi-board"' in response.content.decode()
    order = list(Chantier.objects.filter(defi=d2).order_by("order").values_list("pk", flat=True))
    assert order == [first.pk, moving.pk, second.pk]
    # Out of any défi, with the keyboard form (no position: at the end).
    client_a.post(url, {"chantier": moving.pk, "defi": "", "position": ""})
    moving.refresh_from_db()
    assert moving.defi is None and moving.ref == "C0.1"


def test_the_board_refuses_other_roadmaps_and_tenants(tenant_a: Tenant, client_a: Client, client_b: Client) -> None:
    roadmap = tenant_a.roadmap
    chantier = ChantierFactory(roadmap=roadmap)
    other_defi = DefiFactory(roadmap=RoadmapFactory(organization=tenant_a.organization))
    url = reverse("roadmap:defi_board", args=[roadmap.pk])
    assert client_a.post(url, {"chantier": chantier.pk, "defi": other_defi.pk}).status_code == 404
    chantier.refresh_from_db()
    assert chantier.defi != other_defi
    assert client_b.post(url, {"chantier": chantier.pk, "defi": ""}).status_code == 404
    lecteur = tenant_a.client_for(tenant_a.lecteur)
    assert lecteur.get(url).status_code == 200
    assert lecteur.post(url, {"chantier": chantier.pk, "defi": ""}).status_code == 403


def test_gaps_are_flagged(tenant_a: Tenant, client_a: Client) -> None:
    roadmap = tenant_a.roadmap
    lonely = EnjeuFactory(roadmap=roadmap, question="Comment personne n'y répond ?")
    answered = EnjeuFactory(roadmap=roadmap)
    defi: Defi = DefiFactory(roadmap=roadmap)
    defi.enjeux.add(answered)
    empty_chantier = ChantierFactory(roadmap=roadmap, defi=defi, title="Chantier sans action")
    chantier = ChantierFactory(roadmap=roadmap, defi=defi)
    no_pilot: Action = ActionFactory(roadmap=roadmap, chantier=chantier, title="Action sans pilote")
    ActionExpenseFactory(action=no_pilot)
    complete: Action = ActionFactory(
        roadmap=roadmap, chantier=chantier, referents="Camille", title="Action sans budget"
    )
    gaps = roadmap_gaps(roadmap)
    assert gaps.enjeux_without_defi == [lonely]
    assert gaps.chantiers_without_action == [empty_chantier]
    assert gaps.actions_without_pilot == [no_pilot]
    assert gaps.actions_without_budget == [complete]
    page = client_a.get(reverse("roadmap:defi_board", args=[roadmap.pk])).content.decode()
    assert "Comment personne n&#x27;y répond ?" in page and "aucun défi n'y répond" in page
    assert "Chantier sans action" in page and "pas de pilote" in page and "pas de budget" in page
    # The chain is navigable both ways: the fiche links up to its chantier and défi.
    fiche = client_a.get(reverse("fiches:fiche", args=[complete.pk])).content.decode()
    assert f"#chantier-{chantier.pk}" in fiche and f"#defi-{defi.pk}" in fiche
    assert answered.ref in fiche


def _gaps_swapped_out_of_band(html: str) -> str:
    """The gaps wrapper an htmx move sends next to the board, which htmx swaps in place of the page's one."""
    opener = '<div id="defi-gaps" hx-swap-oob="true">'
    assert html.count(opener) == 1 and html.index('id="defi-board"') < html.index(opener)
    return html[html.index(opener) :]


def _complete_chantier(roadmap: object, defi: Defi | None, title: str) -> Chantier:
    """A chantier whose only possible gap is its défi: its action has a pilot and a budget."""
    chantier: Chantier = ChantierFactory(roadmap=roadmap, defi=defi, title=title)
    action: Action = ActionFactory(roadmap=roadmap, chantier=chantier, referents="Camille")
    ActionExpenseFactory(action=action)
    return chantier


def test_a_move_out_of_every_defi_shows_the_new_gap_without_reload(tenant_a: Tenant, client_a: Client) -> None:
    roadmap = tenant_a.roadmap
    defi: Defi = DefiFactory(roadmap=roadmap)
    chantier = _complete_chantier(roadmap, defi, "Permanences itinérantes")
    url = reverse("roadmap:defi_board", args=[roadmap.pk])
    page = client_a.get(url).content.decode()
    assert '<div id="defi-gaps">' in page and "manque" not in page
    response = client_a.post(url, {"chantier": chantier.pk, "defi": "", "position": ""}, headers={"HX-Request": "true"})
    gaps = _gaps_swapped_out_of_band(response.content.decode())
    assert "1 manque dans la chaîne" in gaps
    assert "Chantier C0.1 « Permanences itinérantes » : rattaché à aucun défi." in gaps.replace("\u00a0", " ")


def test_a_move_into_a_defi_clears_the_gap_without_reload(tenant_a: Tenant, client_a: Client) -> None:
    roadmap = tenant_a.roadmap
    defi: Defi = DefiFactory(roadmap=roadmap)
    _complete_chantier(roadmap, defi, "Annuaire des aidants")
    stray = _complete_chantier(roadmap, None, "Permanences itinérantes")
    url = reverse("roadmap:defi_board", args=[roadmap.pk])
    assert "rattaché à aucun défi" in client_a.get(url).content.decode()
    response = client_a.post(url, {"chantier": stray.pk, "defi": defi.pk}, headers={"HX-Request": "true"})
    html = response.content.decode()
    # The wrapper comes back empty, so htmx replaces the stale list with nothing.
    assert _gaps_swapped_out_of_band(html).startswith('<div id="defi-gaps" hx-swap-oob="true"></div>')
    assert "rattaché à aucun défi" not in html and "manque" not in html


def _populate(roadmap: object, n: int) -> None:
    defi = DefiFactory(roadmap=roadmap)
    for _ in range(n):
        chantier = ChantierFactory(roadmap=roadmap, defi=defi)
        action: Action = ActionFactory(roadmap=roadmap, chantier=chantier)
        ActionExpenseFactory(action=action, amount=Decimal("10"))
        ActionStepFactory(action=action)


@pytest.mark.parametrize("url_name", ["roadmap:defi_board", "fiches:budget", "fiches:timeline"])
def test_pages_take_a_fixed_number_of_queries(
    tenant_a: Tenant, client_a: Client, url_name: str, django_assert_max_num_queries: object
) -> None:
    url = reverse(url_name, args=[tenant_a.roadmap.pk])
    _populate(tenant_a.roadmap, 2)
    with django_assert_max_num_queries(25) as small:  # type: ignore[operator]
        assert client_a.get(url).status_code == 200
    _populate(tenant_a.roadmap, 10)
    with django_assert_max_num_queries(len(small.captured_queries)):  # type: ignore[operator]
        page = client_a.get(url)
    assert page.status_code == 200


@pytest.mark.parametrize("url_name", ["roadmap:defi_board", "fiches:budget", "fiches:timeline"])
def test_step6_pages_load_their_stylesheet_in_the_head(tenant_a: Tenant, client_a: Client, url_name: str) -> None:
    page = client_a.get(reverse(url_name, args=[tenant_a.roadmap.pk])).content.decode()
    head, body = page.split("</head>")
    assert "css/roadmap.css" in head and "css/roadmap.css" not in body


def test_the_timeline_shows_each_actions_quarters(tenant_a: Tenant, client_a: Client) -> None:
    action: Action = ActionFactory(roadmap=tenant_a.roadmap, title="Bus numérique")
    ActionStepFactory(action=action, label="Tournées", start_year=2026, start_quarter=2, end_year=2026, end_quarter=3)
    page = client_a.get(reverse("fiches:timeline", args=[tenant_a.roadmap.pk])).content.decode()
    assert "Bus numérique" in page and "T2 2026 – T3 2026" in page
    # 2025–2028 is 16 quarters: T2 2026 is the 6th (starts at 5/16), and the step lasts 2 quarters.
    assert 'x="31.250%" width="12.500%"' in page
