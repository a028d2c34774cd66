"""The live workshop on the wall (issue 11): one table of the shortcuts each stage allows, enforced by the server;
« Annuler » after every destructive action; the top 10 in ten rows at most; the matrix at the points' height;
reasons required; the room's numbers; the plenary, live; the CSV without an empty column."""

from __future__ import annotations

import csv
import html
import io
import re
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.conftest import Tenant
from tests.workshops.factories import (
    ItemFactory,
    ParticipantFactory,
    PlacementFactory,
    WorkshopFactory,
    WorkshopGroupFactory,
)
from workshops import actions
from workshops.actions import Refused
from workshops.models import (
    STAGE_ALLOWED_ACTIONS,
    STAGE_ORDER,
    UNDO_SECONDS,
    Item,
    MergeProposal,
    Placement,
    Stage,
    Vote,
    WorkshopGroup,
)
from workshops.templatetags.workshop_text import french_spaces
from workshops.views import POSTIT_HEIGHT_STEP, _matrix, top_rows

JSON = {"Accept": "application/json"}


def text(response: Any) -> str:
    return html.unescape(response.content.decode())


def group_with(tenant: Tenant, items: int = 6, stage: str = Stage.COLLECTION, **workshop: Any) -> WorkshopGroup:
    session = WorkshopFactory(organization=tenant.organization, roadmap=tenant.roadmap, **workshop)
    group = WorkshopGroupFactory(organization=tenant.organization, workshop=session, stage=stage)
    for n in range(items):
        ItemFactory(organization=tenant.organization, group=group, number=n + 1, label=f"Idée {n + 1}")
    return group


def g_url(name: str, group: WorkshopGroup) -> str:
    return reverse(f"workshops:{name}", kwargs={"workshopgroup_pk": group.pk})


def act(client: Client, group: WorkshopGroup, action: str, **extra: str) -> Any:
    return client.post(g_url("workshopgroup_action", group), {"action": action, **extra}, headers=JSON)


# --- One table of shortcuts per stage ------------------------------------------------------------------------


def test_strike_is_refused_during_the_collection_and_before_any_point(tenant_a: Tenant) -> None:
    group = group_with(tenant_a)
    client = tenant_a.client_for(tenant_a.animateur)
    response = act(client, group, "strike")  # « B » pressed during the collection
    assert response.status_code == 400 and "ne sert pas à l'étape « Collecte des items »" in response.json()["error"]
    actions.set_stage(group, Stage.VOTE)
    act(client, group, "vote")  # closed, paper mode, no total typed yet
    response = act(client, group, "strike")
    assert response.status_code == 400 and "Aucun point n'est encore compté" in response.json()["error"]
    assert not Item.objects.filter(group=group, struck=True).exists()
    # Once a total is typed, the items without a point are struck (and only those).
    first = group.items.get(number=1)
    actions.set_paper_points(group, {first.pk: 3})
    response = act(client, group, "strike")
    assert response.json()["undo"] == "5 items barrés"
    assert set(Item.objects.filter(group=group, struck=True).values_list("number", flat=True)) == {2, 3, 4, 5, 6}


@pytest.mark.parametrize("stage", STAGE_ORDER)
def test_every_stage_refuses_the_actions_its_table_leaves_out(tenant_a: Tenant, stage: str) -> None:
    group = group_with(tenant_a, stage=stage)
    client = tenant_a.client_for(tenant_a.animateur)
    allowed = STAGE_ALLOWED_ACTIONS[stage]
    for action in {"timer_reset", "strike", "vote", "previous"} - set(allowed):
        before = WorkshopGroup.objects.get(pk=group.pk)
        response = act(client, group, action)
        assert response.status_code == 400, (stage, action)
        after = WorkshopGroup.objects.get(pk=group.pk)
        assert (after.stage, after.voting_open, after.timer_remaining) == (
            before.stage,
            before.voting_open,
            before.timer_remaining,
        )
    # The screens get the same table: the projector's keys and the presenter's buttons.
    projector = text(client.get(g_url("workshopgroup_projector", group)))
    assert f'data-allowed="{" ".join(allowed)}"' in projector
    presenter = text(client.get(g_url("workshopgroup_presenter", group)))
    assert ('name="action" value="strike"' in presenter) == ("strike" in allowed)
    assert ('name="action" value="vote"' in presenter) == ("vote" in allowed)


# --- Undo ------------------------------------------------------------------------------------------------------


def test_undo_puts_back_a_strike_a_stage_and_a_deleted_item(tenant_a: Tenant) -> None:
    group = group_with(tenant_a, items=4)
    client = tenant_a.client_for(tenant_a.animateur)
    third = group.items.get(number=3)
    response = client.post(reverse("workshops:item_edit", kwargs={"item_pk": third.pk}), {"do": "delete"}, headers=JSON)
    assert response.json()["undo"] == "Retrait de « Idée 3 »"
    assert act(client, group, "next").json()["undo"] == "Passage à l'étape « Points »"
    group.refresh_from_db()
    assert group.stage == Stage.VOTE and group.voting_open and group.envelope == 1
    # Ctrl+Z: back to the collection, vote closed; again: the item is back with its number.
    assert act(client, group, "undo").json()["notice"] == "Annulé : Passage à l'étape « Points »."
    group.refresh_from_db()
    assert group.stage == Stage.COLLECTION and not group.voting_open
    act(client, group, "undo")
    assert group.items.get(number=3).label == "Idée 3"
    response = act(client, group, "undo")
    assert response.status_code == 400 and response.json()["error"] == "Il n'y a rien à annuler."


def test_undo_unmerges_and_restores_paper_totals(tenant_a: Tenant) -> None:
    group = group_with(tenant_a, items=4, stage=Stage.RANKING)
    one, two = group.items.get(number=1), group.items.get(number=2)
    actions.set_paper_points(group, {one.pk: 4, two.pk: 2})
    actions.set_paper_points(group, {one.pk: 9})
    proposal = actions.propose_merge(group, [one, two], "Les deux")
    merged = actions.confirm_merge(proposal)
    assert [(i.label, i.total) for i in group.top()] == [("Les deux", 11)]
    assert actions.undo(group).label == "Fusion « Les deux »"
    assert not Item.objects.filter(pk=merged.pk).exists()
    assert MergeProposal.objects.get(pk=proposal.pk).status == MergeProposal.Status.OPEN
    actions.undo(group)
    assert [(i.label, i.total) for i in group.top()] == [("Idée 1", 4), ("Idée 2", 2)]


def test_undoing_the_vote_keeps_the_ballots_cast_meanwhile(tenant_a: Tenant) -> None:
    """Ctrl+Z right after « Points » while phones already voted: the room's points stay, the animator is told."""
    group = group_with(tenant_a, items=10)
    client = tenant_a.client_for(tenant_a.animateur)
    act(client, group, "next")  # Collection → Points: the vote opens, 5 points each
    group.refresh_from_db()
    assert group.voting_open and group.envelope == 5
    first, second = actions.join(group, "Awa"), actions.join(group, "Brice")
    one, two = group.items.get(number=1), group.items.get(number=2)
    actions.submit_ballot(first, {one.pk: 3, two.pk: 2})
    actions.submit_ballot(second, {one.pk: 1})
    page = text(client.get(g_url("workshopgroup_presenter", group)))
    assert "les points déjà donnés sur les téléphones sont gardés" in page  # said before pressing it

    response = act(client, group, "undo")
    assert response.json()["notice"] == (
        "Annulé : Passage à l'étape « Points ». Le vote est fermé, mais les points déjà donnés sur les téléphones "
        "sont gardés : ils compteront quand le vote rouvrira."
    )
    group.refresh_from_db()
    assert group.stage == Stage.COLLECTION and not group.voting_open
    assert group.envelope == 5  # not the 0 of before the vote: no ballot ends up over its envelope
    assert sorted(Vote.objects.filter(item__group=group).values_list("points", flat=True)) == [1, 2, 3]
    # Back in the collection, an item with points can't be deleted (its points would go with it).
    response = client.post(reverse("workshops:item_edit", kwargs={"item_pk": one.pk}), {"do": "delete"}, headers=JSON)
    assert response.status_code == 400
    assert "a déjà reçu des points sur les téléphones" in response.json()["error"]
    assert Vote.objects.filter(item=one).count() == 2

    act(client, group, "next")  # the vote reopens with the same envelope; a phone finds its ballot as it left it
    group.refresh_from_db()
    assert group.voting_open and group.envelope == 5
    assert [(i.number, i.total) for i in group.top()][:2] == [(1, 4), (2, 2)]
    actions.submit_ballot(first, {one.pk: 3, two.pk: 2})  # still within its envelope


def test_undo_lasts_ten_minutes(tenant_a: Tenant) -> None:
    group = group_with(tenant_a, items=4)
    actions.step_stage(group, +1)
    group.refresh_from_db()
    entry = group.undo_log[-1]
    entry["at"] = (timezone.now() - timedelta(seconds=UNDO_SECONDS + 1)).isoformat()
    WorkshopGroup.objects.filter(pk=group.pk).update(undo_log=[entry])
    with pytest.raises(Refused, match="rien à annuler"):
        actions.undo(group)
    group.refresh_from_db()
    assert group.stage == Stage.VOTE


def test_the_presenter_offers_undo_and_a_reader_cannot(tenant_a: Tenant) -> None:
    group = group_with(tenant_a, items=4)
    actions.step_stage(group, +1)
    page = text(tenant_a.client_for(tenant_a.animateur).get(g_url("workshopgroup_presenter", group)))
    assert "Annuler\u00a0: Passage à l'étape « Points »" in page  # the catalogue's French typography
    reader = tenant_a.client_for(tenant_a.lecteur)
    assert "Annuler :" not in text(reader.get(g_url("workshopgroup_presenter", group)))
    assert act(reader, group, "undo").status_code == 403


# --- The top 10 and the matrix --------------------------------------------------------------------------------


def scored(group: WorkshopGroup, points: list[int]) -> list[Item]:
    for number, value in enumerate(points, start=1):
        group.items.filter(number=number).update(paper_points=value)
    return group.top()


def test_the_top_10_is_ten_rows_with_the_ties_for_the_last_place_together(tenant_a: Tenant) -> None:
    group = group_with(tenant_a, items=16, stage=Stage.RANKING)
    top = scored(group, [30, 29, 28, 27, 26, 25, 24, 23, 5, 5, 5, 5, 5, 5, 1, 0])
    assert len(top) == 14  # the rule keeps every item tied with the 10th
    rows = top_rows(top)
    assert len(rows) == 9
    assert rows[-1]["tie"] and rows[-1]["rank"] == 9 and len(rows[-1]["items"]) == 6
    # Ties inside the top are marked too, each on its row.
    top = scored(group, [9, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 0, 0, 0, 0, 0])
    rows = top_rows(top)
    assert len(rows) == 10 and [r["tie"] for r in rows[:3]] == [True, True, False]
    client = tenant_a.client_for(tenant_a.animateur)
    actions.toggle_reveal(group)
    page = text(client.get(g_url("workshopgroup_projector", group)))
    assert page.count("ex æquo") == 2


def test_the_matrix_puts_each_post_it_at_its_points_and_spreads_equals_sideways(tenant_a: Tenant) -> None:
    group = group_with(tenant_a, items=6, stage=Stage.MATRIX)
    top = scored(group, [5, 5, 5, 5, 10, 1])
    for item in top:
        PlacementFactory(organization=tenant_a.organization, item=item, x="moyen", reason="r")
    posts, ticks = _matrix(group.items_with_points(), list(Placement.objects.filter(item__group=group)))
    by_number = {p["item"].number: p for p in posts}
    assert [t["value"] for t in ticks] == [0, 2, 4, 6, 8, 10]  # a labelled scale up to the highest total
    assert by_number[5]["height"] == 100 and by_number[6]["height"] == 10
    # Four 5-point post-its: all exactly at 50 %, side by side (never pushed down).
    assert {by_number[n]["height"] for n in range(1, 5)} == {50}
    assert sorted(by_number[n]["slot"] for n in range(1, 5)) == [0, 1, 2, 3]
    assert {by_number[n]["slots"] for n in range(1, 5)} == {4}
    assert by_number[5]["slots"] == 1 and 100 - 50 >= POSTIT_HEIGHT_STEP
    page = text(tenant_a.client_for(tenant_a.animateur).get(g_url("workshopgroup_projector", group)))
    assert len(re.findall(r'data-h="50\.0" data-slot="\d" data-slots="4"', page)) == 4


def test_a_post_it_needs_a_reason_or_an_explicit_to_complete(tenant_a: Tenant) -> None:
    group = group_with(tenant_a, items=2, stage=Stage.MATRIX)
    item = group.items.get(number=1)
    client = tenant_a.client_for(tenant_a.animateur)
    url = reverse("workshops:item_place", kwargs={"item_pk": item.pk})
    response = client.post(url, {"aujourdhui-x": "faible", "aujourdhui-reason": "  "}, headers=JSON)
    assert response.status_code == 400 and "cochez « à compléter »" in response.json()["error"]
    assert not Placement.objects.filter(item=item).exists()
    client.post(url, {"aujourdhui-x": "faible", "aujourdhui-reason": "", "aujourdhui-todo": "1"})
    assert Placement.objects.get(item=item).reason == "À compléter"
    # Moving it (drag-and-drop sends the column only) keeps its reason.
    client.post(url, {"aujourdhui-x": "fort"})
    assert Placement.objects.get(item=item).x == "fort"


def test_the_wall_shows_the_reason_and_what_it_would_take_on_selection(tenant_a: Tenant) -> None:
    group = group_with(tenant_a, items=2, stage=Stage.MATRIX)
    item = scored(group, [3, 1])[0]
    actions.place_postits(
        item,
        {
            "horizon": actions.PostIt("fort", "Deux médiateurs", "Un bus équipé"),
            "aujourdhui": actions.PostIt("faible", "Rien"),
        },
    )
    page = text(tenant_a.client_for(tenant_a.lecteur).get(g_url("workshopgroup_projector", group)))
    assert 'data-detail-reason="Deux médiateurs" data-detail-what="Un bus équipé"' in page
    assert 'id="postit-detail"' in page


# --- Merges on the stage ---------------------------------------------------------------------------------------


def test_a_merge_under_discussion_takes_the_stage_and_an_objection_is_acknowledged(tenant_a: Tenant) -> None:
    group = group_with(tenant_a, items=4, stage=Stage.RANKING)
    scored(group, [4, 3, 1, 0])
    actions.toggle_reveal(group)
    one, two = group.items.get(number=1), group.items.get(number=2)
    proposal = actions.propose_merge(group, [one, two], "Médiation")
    wall = text(tenant_a.client_for(tenant_a.lecteur).get(g_url("workshopgroup_projector", group)))
    assert 'data-testid="merge-stage"' in wall and "Idée 1" in wall and "Idée 2" in wall
    assert "7 points" in wall and "Une objection annule la fusion" in wall
    assert 'data-testid="merge-countdown"' in wall
    phone = Client()
    join = reverse("workshops:participant_join", kwargs={"code": group.code})
    WorkshopGroup.objects.filter(pk=group.pk).update(stage=Stage.COLLECTION)
    phone.post(join, {"first_name": "Lou"})
    WorkshopGroup.objects.filter(pk=group.pk).update(stage=Stage.RANKING)
    response = phone.post(
        reverse("workshops:participant_object", kwargs={"code": group.code}), {"merge": proposal.pk}, follow=True
    )
    assert "Votre objection est enregistrée\u00a0: la fusion «\u00a0Médiation\u00a0» est annulée." in text(response)
    # Still acknowledged at the next refresh of the phone, and only on that phone.
    page = reverse("workshops:participant_page", kwargs={"code": group.code})
    assert "Votre objection est enregistrée" in text(phone.get(page, headers={"HX-Request": "true"}))
    other = Client()
    WorkshopGroup.objects.filter(pk=group.pk).update(stage=Stage.COLLECTION)
    other.post(join, {"first_name": "Sam"})
    WorkshopGroup.objects.filter(pk=group.pk).update(stage=Stage.RANKING)
    assert "Votre objection est enregistrée" not in text(other.get(page))


def test_a_merged_item_shows_its_originals_on_the_wall(tenant_a: Tenant) -> None:
    group = group_with(tenant_a, items=3, stage=Stage.RANKING)
    scored(group, [2, 3, 1])
    actions.toggle_reveal(group)
    actions.confirm_merge(actions.propose_merge(group, list(group.items.filter(number__in=[1, 2])), "Fusion"))
    wall = text(tenant_a.client_for(tenant_a.lecteur).get(g_url("workshopgroup_projector", group)))
    assert 'Fusion <small class="originals">(Idée 1 + Idée 2)</small>' in wall


# --- The room ---------------------------------------------------------------------------------------------------


def test_more_participants_than_expected_are_flagged(tenant_a: Tenant) -> None:
    group = group_with(tenant_a, items=4)
    client = tenant_a.client_for(tenant_a.animateur)
    for n in range(3):
        ParticipantFactory(organization=tenant_a.organization, group=group, first_name=f"P{n}")
    client.post(g_url("workshopgroup_action", group), {"action": "expected", "expected": "2"})
    group.refresh_from_db()
    assert group.expected_participants == 2
    wall = text(client.get(g_url("workshopgroup_projector", group)))
    assert "2 attendus" in wall and "⚠ 1 participant de plus que de personnes attendues" in wall
    assert "1 participant de plus" in text(client.get(g_url("workshopgroup_presenter", group)))
    response = act(client, group, "expected", expected="abc")
    assert response.status_code == 400
    assert act(tenant_a.client_for(tenant_a.lecteur), group, "expected", expected="9").status_code == 403


def test_the_timer_may_start_by_itself_when_a_stage_opens(tenant_a: Tenant) -> None:
    group = group_with(tenant_a, items=4, timer_autostart=True)
    actions.step_stage(group, +1)
    group.refresh_from_db()
    assert group.timer_running and 19 * 60 < group.timer_seconds_left() <= 20 * 60
    plain = group_with(tenant_a, items=4)
    actions.step_stage(plain, +1)
    plain.refresh_from_db()
    assert not plain.timer_running


def test_the_animators_refused_item_comes_back_in_the_field(tenant_a: Tenant) -> None:
    group = group_with(tenant_a, items=1)
    client = tenant_a.client_for(tenant_a.animateur)
    long = "Un accompagnement numérique pour toutes les familles"
    client.post(g_url("workshopgroup_add_item", group), {"label": long})
    page = text(client.get(g_url("workshopgroup_presenter", group)))
    assert f'value="{long}"' in page and "résumez votre idée" in page
    assert f'value="{long}"' not in text(client.get(g_url("workshopgroup_presenter", group)))  # given back once


def test_presenter_rows_name_their_item(tenant_a: Tenant) -> None:
    group = group_with(tenant_a, items=2)
    page = text(tenant_a.client_for(tenant_a.animateur).get(g_url("workshopgroup_presenter", group)))
    assert "Intitulé de l'item n°2" in page and 'aria-label="Retirer l\'item n°1 «\u00a0Idée 1\u00a0»"' in page
    assert 'aria-current="step"' in page and "(étape en cours)" in page


# --- Plenary, CSV, typography -------------------------------------------------------------------------------------


def test_the_plenary_is_live_and_gathers_synthesis_and_enjeux(tenant_a: Tenant, tenant_b: Tenant) -> None:
    group = group_with(tenant_a, items=3, stage=Stage.RANKING)
    scored(group, [3, 2, 0])
    session = group.workshop
    client = tenant_a.client_for(tenant_a.animateur)
    version_url = reverse("workshops:workshop_plenary_version", kwargs={"workshop_pk": session.pk})
    before = client.get(version_url).json()["version"]
    actions.set_paper_points(group, {group.items.get(number=3).pk: 5})
    assert client.get(version_url).json()["version"] != before
    url = reverse("workshops:workshop_plenary", kwargs={"workshop_pk": session.pk})
    response = client.post(
        reverse("workshops:workshop_synthesis", kwargs={"workshop_pk": session.pk}),
        {"synthesis": "Le groupe veut de la proximité", "next": url},
    )
    assert response.status_code == 302 and response.url == url
    first = group.items.get(number=1)
    client.post(
        reverse("workshops:workshop_enjeu", kwargs={"workshop_pk": session.pk}),
        {"question": "Comment garder la proximité ?", "items": [first.pk], "next": url},
    )
    page = text(client.get(url))
    assert "Le groupe veut de la proximité" in page and "Comment garder la proximité\u00a0?" in page
    assert "« Idée 1 »" in page
    matrices = text(client.get(url + "?vue=matrices"))
    assert 'class="matrix"' in matrices
    assert tenant_b.client_for(tenant_b.admin).get(version_url).status_code == 404
    assert Client().get(version_url).status_code in (302, 404)


def test_the_csv_has_no_empty_column_and_totals_for_merged_originals(tenant_a: Tenant) -> None:
    group = group_with(tenant_a, items=3, stage=Stage.RANKING)
    scored(group, [2, 3, 1])
    actions.confirm_merge(actions.propose_merge(group, list(group.items.filter(number__in=[1, 2])), "Fusion"))
    client = tenant_a.client_for(tenant_a.lecteur)
    response = client.get(reverse("workshops:workshop_csv", kwargs={"workshop_pk": group.workshop.pk}))
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert "Aujourd'hui — que faudrait-il" not in rows[0]
    assert f"Dans 10 ans ({group.workshop.horizon_year}) — que faudrait-il" in rows[0]
    totals = {row["item"]: row["total"] for row in rows}
    assert totals == {"Idée 1": "2", "Idée 2": "3", "Idée 3": "1", "Fusion": "5"}


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("Comment ça marche ?", "Comment ça marche\u00a0?"),
        ("Pourquoi?", "Pourquoi\u00a0?"),
        ("« oui »", "«\u00a0oui\u00a0»"),
        ("Note : 3", "Note\u00a0: 3"),
        ("http://exemple.fr à 10:30", "http://exemple.fr à 10:30"),
    ],
)
def test_french_spaces_keep_punctuation_with_its_word(typed: str, shown: str) -> None:
    assert french_spaces(typed) == shown


def test_the_projector_question_uses_french_spaces_and_a_main_landmark(tenant_a: Tenant) -> None:
    group = group_with(tenant_a, items=1, question="Où en serons-nous ?")
    page = group_url_text = text(tenant_a.client_for(tenant_a.lecteur).get(g_url("workshopgroup_projector", group)))
    assert "Où en serons-nous\u00a0?" in page and '<main class="screen' in group_url_text
