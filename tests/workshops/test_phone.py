"""The participants' phone pages: public routes protected by the join code and a signed token."""

from __future__ import annotations

import html
from typing import Any

import pytest
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse

from tests.conftest import Tenant
from tests.workshops.factories import ItemFactory, WorkshopFactory, WorkshopGroupFactory
from workshops import actions
from workshops.models import Item, Participant, Stage, Vote, WorkshopGroup
from workshops.phone_views import cookie_name


def group_with_items(tenant: Tenant, items: int = 6, stage: str = Stage.COLLECTION) -> WorkshopGroup:
    workshop = WorkshopFactory(organization=tenant.organization, roadmap=tenant.roadmap)
    group = WorkshopGroupFactory(organization=tenant.organization, workshop=workshop, stage=stage)
    for n in range(items):
        ItemFactory(organization=tenant.organization, group=group, number=n + 1, label=f"Idée {n + 1}")
    return group


def text(response: HttpResponse) -> str:
    """The page as a person reads it (entities such as &#x27; unescaped)."""
    return html.unescape(response.content.decode())


def url(name: str, group: WorkshopGroup) -> str:
    return reverse(f"workshops:{name}", kwargs={"code": group.code})


def joined(group: WorkshopGroup, first_name: str = "Alix") -> Client:
    phone = Client()
    response = phone.post(url("participant_join", group), {"first_name": first_name})
    assert response.status_code == 302
    return phone


def test_joining_by_code_then_a_reload_keeps_the_participant(tenant_a: Tenant) -> None:
    group = group_with_items(tenant_a)
    phone = Client()
    page = phone.get(reverse("workshops:participant_join_form") + f"?code={group.code.lower()}", follow=True)
    assert "Votre prénom (facultatif)" in page.content.decode()
    phone.post(url("participant_join", group), {"first_name": "Alix"})
    phone.post(url("participant_join", group), {"first_name": "Alix"})  # a second tap doesn't duplicate
    assert Participant.objects.filter(group=group).count() == 1
    page = phone.get(url("participant_page", group))
    assert "Vos idées" in page.content.decode()


def test_an_unknown_code_is_refused_in_french(db: None) -> None:
    response = Client().get(reverse("workshops:participant_join_form") + "?code=ZZZZZZ")
    assert response.status_code == 404
    assert "ne correspond à aucun atelier" in text(response)


def test_a_phone_proposes_at_most_three_ideas(tenant_a: Tenant) -> None:
    group = group_with_items(tenant_a, 0)
    phone = joined(group)
    for label in ("Fibre partout", "Aidants formés", "Bus numérique"):
        assert phone.post(url("participant_item", group), {"label": label}).status_code == 302
    response = phone.post(url("participant_item", group), {"label": "Encore une"})
    assert response.status_code == 400
    assert "déjà donné vos 3 items" in text(response)
    assert group.items.filter(status=Item.Status.PROPOSED).count() == 3


def test_a_phone_votes_within_its_envelope_and_sees_its_points_after_reload(tenant_a: Tenant) -> None:
    group = actions.set_stage(group_with_items(tenant_a, 6), Stage.VOTE)  # envelope 3
    phone = joined(group)
    items = list(group.votable_items().order_by("number"))
    response = phone.post(url("participant_vote", group), {f"item-{items[0].pk}": 2, f"item-{items[1].pk}": 1})
    assert response.status_code == 302
    page = phone.get(url("participant_page", group)).content.decode()
    assert f'name="item-{items[0].pk}" type="number" min="0" max="5" value="2"' in page
    assert "Modifier mes points" in page


@pytest.mark.parametrize(
    ("ballot", "message"),
    [
        ({0: 2, 1: 2}, "enveloppe de 3"),
        ({0: 6}, "0 à 5"),
        ({0: "x"}, "Saisie invalide"),
    ],
)
def test_a_bad_ballot_is_refused_and_nothing_recorded(tenant_a: Tenant, ballot: dict, message: str) -> None:
    group = actions.set_stage(group_with_items(tenant_a, 6), Stage.VOTE)
    phone = joined(group)
    items = list(group.votable_items().order_by("number"))
    response = phone.post(url("participant_vote", group), {f"item-{items[k].pk}": v for k, v in ballot.items()})
    assert response.status_code == 400
    assert message in text(response)
    assert not Vote.objects.exists()


def test_votes_after_closing_or_on_a_struck_item_are_refused(tenant_a: Tenant) -> None:
    group = actions.set_stage(group_with_items(tenant_a, 6), Stage.VOTE)
    phone = joined(group)
    first = group.votable_items().order_by("number").first()
    assert first is not None
    Item.objects.filter(pk=first.pk).update(struck=True)
    response = phone.post(url("participant_vote", group), {f"item-{first.pk}": 1})
    assert response.status_code == 400 and "barré" in text(response)
    actions.toggle_vote(group)
    response = phone.post(url("participant_vote", group), {f"item-{first.pk}": 0})
    assert response.status_code == 400 and "Le vote est fermé" in text(response)
    assert not Vote.objects.exists()


def test_a_tampered_token_is_refused(tenant_a: Tenant) -> None:
    group = actions.set_stage(group_with_items(tenant_a, 6), Stage.VOTE)
    phone = joined(group)
    item = group.votable_items().first()
    assert item is not None
    signed = phone.cookies[cookie_name(group)].value
    phone.cookies[cookie_name(group)] = signed[:-3] + ("AAA" if not signed.endswith("AAA") else "BBB")
    response = phone.post(url("participant_vote", group), {f"item-{item.pk}": 1})
    assert response.status_code == 400
    assert "jeton de participation n'est pas valide" in text(response)
    assert not Vote.objects.exists()


def test_a_phone_without_token_cannot_vote(tenant_a: Tenant) -> None:
    group = actions.set_stage(group_with_items(tenant_a, 6), Stage.VOTE)
    item = group.votable_items().first()
    assert item is not None
    response = Client().post(url("participant_vote", group), {f"item-{item.pk}": 1})
    assert response.status_code == 400 and "Rejoignez d'abord" in text(response)
    assert not Vote.objects.exists()


def test_another_sessions_code_or_items_give_nothing(tenant_a: Tenant, tenant_b: Tenant) -> None:
    group_a = actions.set_stage(group_with_items(tenant_a, 6), Stage.VOTE)
    group_b = actions.set_stage(group_with_items(tenant_b, 4), Stage.VOTE)
    phone = joined(group_a)
    item_b = group_b.votable_items().first()
    assert item_b is not None
    Item.objects.filter(pk=item_b.pk).update(label="Secret de Bêta")
    item_b.refresh_from_db()
    # A's token sent to B's code: not a participant there.
    response = phone.post(url("participant_vote", group_b), {f"item-{item_b.pk}": 1})
    assert response.status_code == 400 and "Rejoignez d'abord" in text(response)
    # B's item through A's code: not in this workshop.
    response = phone.post(url("participant_vote", group_a), {f"item-{item_b.pk}": 1})
    assert response.status_code == 400 and "n'existe pas dans cet atelier" in text(response)
    assert not Vote.objects.exists()
    # The page of A's code never shows B's items.
    page = phone.get(url("participant_page", group_a)).content.decode()
    assert "Secret de Bêta" not in page and tenant_b.organization.name not in page
    assert f'name="item-{item_b.pk}"' not in page


def test_results_are_not_on_the_phone_before_reveal(tenant_a: Tenant) -> None:
    group = actions.set_stage(group_with_items(tenant_a, 4), Stage.VOTE)
    phone = joined(group)
    items = list(group.votable_items().order_by("number"))
    phone.post(url("participant_vote", group), {f"item-{items[2].pk}": 2})
    actions.set_stage(group, Stage.RANKING)
    page = phone.get(url("participant_page", group)).content.decode()
    assert "— 2 pts" not in page
    actions.toggle_reveal(group)
    page = phone.get(url("participant_page", group)).content.decode()
    assert "Idée 3 — 2 pts" in page


def test_a_participant_objection_cancels_a_merge(tenant_a: Tenant) -> None:
    group = actions.set_stage(group_with_items(tenant_a, 4), Stage.VOTE)
    actions.set_stage(group, Stage.RANKING)
    proposal = actions.propose_merge(group, list(group.votable_items())[:2], "Tout ensemble")
    phone = joined(group, "Sam")
    assert "Je m'oppose" in phone.get(url("participant_page", group)).content.decode()
    assert phone.post(url("participant_object", group), {"merge": proposal.pk}).status_code == 302
    proposal.refresh_from_db()
    assert proposal.status == "cancelled" and proposal.objection_by == "Sam"


def test_the_phone_version_changes_when_the_animator_acts(tenant_a: Tenant) -> None:
    group = group_with_items(tenant_a, 4)
    before = Client().get(url("participant_version", group)).json()["version"]
    actions.set_stage(group, Stage.VOTE)
    assert Client().get(url("participant_version", group)).json()["version"] != before


def test_tour_de_table_answer_by_phone(tenant_a: Tenant) -> None:
    workshop = WorkshopFactory(organization=tenant_a.organization, roadmap=tenant_a.roadmap, kind="tour_de_table")
    group = WorkshopGroupFactory(organization=tenant_a.organization, workshop=workshop, stage=Stage.COLLECTION)
    phone = joined(group)
    assert "l'inclusion numérique pour vous" in phone.get(url("participant_page", group)).content.decode()
    text = "Pouvoir faire ses démarches sans dépendre de quelqu'un"
    assert phone.post(url("participant_item", group), {"text": text}).status_code == 302
    assert group.answers.get().text == text


def test_a_ballot_costs_a_fixed_number_of_queries(tenant_a: Tenant, django_assert_max_num_queries: Any) -> None:
    group = actions.set_stage(group_with_items(tenant_a, 20), Stage.VOTE)
    phone = joined(group)
    items = list(group.votable_items().order_by("number"))
    for size in (2, 10):
        form = {f"item-{item.pk}": 1 for item in items[:size]}
        # group by code, participant by token, lock participant, group state, items, delete, insert, update
        # (+ savepoint-free transaction)
        with django_assert_max_num_queries(10):
            assert phone.post(url("participant_vote", group), form).status_code == 302
