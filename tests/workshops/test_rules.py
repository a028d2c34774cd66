"""Unit tests of the method's rules (DESIGN.md "Workshop rules")."""

from __future__ import annotations

import pytest

from tests.conftest import Tenant
from tests.workshops.factories import ItemFactory, ParticipantFactory, WorkshopFactory, WorkshopGroupFactory
from workshops import actions
from workshops.actions import Refused
from workshops.models import (
    Item,
    Kind,
    MergeProposal,
    Participant,
    Placement,
    Stage,
    Vote,
    WorkshopGroup,
    envelope_for,
    top_items,
)


def make_group(tenant: Tenant, items: int = 0, stage: str = Stage.COLLECTION, **kwargs: object) -> WorkshopGroup:
    workshop = WorkshopFactory(organization=tenant.organization, roadmap=tenant.roadmap, **kwargs)
    group = WorkshopGroupFactory(organization=tenant.organization, workshop=workshop, stage=stage)
    for n in range(items):
        ItemFactory(organization=tenant.organization, group=group, number=n + 1, label=f"Idée {n + 1}")
    return group


def voting(tenant: Tenant, items: int) -> WorkshopGroup:
    group = make_group(tenant, items)
    return actions.set_stage(group, Stage.VOTE)


@pytest.mark.parametrize(("items", "envelope"), [(0, 0), (1, 0), (2, 1), (7, 3), (20, 10), (21, 10)])
def test_envelope_is_half_the_items_rounded_down(items: int, envelope: int) -> None:
    assert envelope_for(items) == envelope


def test_opening_the_vote_fixes_the_envelope_from_the_items(tenant_a: Tenant) -> None:
    group = voting(tenant_a, 20)
    assert group.voting_open and group.envelope == 10


def test_voting_needs_two_items(tenant_a: Tenant) -> None:
    group = make_group(tenant_a, 1)
    with pytest.raises(Refused):
        actions.set_stage(group, Stage.VOTE)


def test_items_are_numbered_in_order_of_entry_and_phone_proposals_wait(tenant_a: Tenant) -> None:
    group = make_group(tenant_a)
    first = actions.add_item(group, "Fibre partout")
    participant = ParticipantFactory(organization=tenant_a.organization, group=group)
    proposed = actions.add_item(group, "Bus numérique", participant)
    second = actions.add_item(group, "Aidants formés")
    assert (first.number, second.number) == (1, 2)
    assert proposed.status == Item.Status.PROPOSED and proposed.number is None
    accepted = actions.accept_item(proposed, "Bus numérique itinérant")
    assert accepted.number == 3 and accepted.label == "Bus numérique itinérant"


def test_at_most_three_items_per_participant(tenant_a: Tenant) -> None:
    group = make_group(tenant_a)
    participant = ParticipantFactory(organization=tenant_a.organization, group=group)
    for label in ("Un", "Deux", "Trois"):
        actions.add_item(group, label, participant)
    with pytest.raises(Refused, match="3 items"):
        actions.add_item(group, "Quatre", participant)
    assert group.items.count() == 3


def test_an_item_is_a_few_words(tenant_a: Tenant) -> None:
    group = make_group(tenant_a)
    with pytest.raises(Refused, match="4 mots au plus"):
        actions.add_item(group, "une phrase beaucoup trop longue pour un post-it")
    with pytest.raises(Refused):
        actions.add_item(group, "   ")
    assert not group.items.exists()


def test_the_refusal_says_the_limit_that_refused(tenant_a: Tenant, monkeypatch: pytest.MonkeyPatch) -> None:
    """The message follows MAX_ITEM_WORDS (it said « 2 ou 3 mots » while 4 words passed), with a real plural."""
    group = make_group(tenant_a)
    four = "Médiation numérique dans bourgs"
    assert actions.add_item(group, four).label == four  # 4 words: the limit itself is accepted
    with pytest.raises(Refused) as refused:
        actions.add_item(group, four + " ruraux")
    assert refused.value.message == "Un item tient en 4 mots au plus\u00a0: résumez votre idée."
    monkeypatch.setattr(actions, "MAX_ITEM_WORDS", 1)
    with pytest.raises(Refused) as refused:
        actions.add_item(group, "Fibre partout")
    assert refused.value.message == "Un item tient en 1 mot au plus\u00a0: résumez votre idée."
    with pytest.raises(Refused) as refused:
        actions.add_item(group, "x" * 81)
    assert refused.value.message == "Un item tient en 80 caractères au plus\u00a0: résumez votre idée."
    assert list(group.items.values_list("label", flat=True)) == [four]


def test_no_new_item_once_the_vote_is_open(tenant_a: Tenant) -> None:
    group = voting(tenant_a, 4)
    with pytest.raises(Refused, match="collecte"):
        actions.add_item(group, "Trop tard")


def _ballot(group: WorkshopGroup, *points: int) -> dict[int, int]:
    items = list(group.votable_items().order_by("number"))
    return {item.pk: p for item, p in zip(items, points, strict=False)}


def test_a_ballot_within_the_envelope_is_recorded_and_can_be_replaced(tenant_a: Tenant) -> None:
    group = voting(tenant_a, 10)  # envelope 5
    participant: Participant = ParticipantFactory(organization=tenant_a.organization, group=group)
    actions.submit_ballot(participant, _ballot(group, 5))
    actions.submit_ballot(participant, _ballot(group, 2, 3))
    assert sorted(Vote.objects.filter(participant=participant).values_list("points", flat=True)) == [2, 3]
    participant.refresh_from_db()
    assert participant.has_voted


def test_over_the_envelope_nothing_is_recorded(tenant_a: Tenant) -> None:
    group = voting(tenant_a, 10)  # envelope 5
    participant: Participant = ParticipantFactory(organization=tenant_a.organization, group=group)
    actions.submit_ballot(participant, _ballot(group, 1, 1))
    with pytest.raises(Refused, match="enveloppe de 5"):
        actions.submit_ballot(participant, _ballot(group, 3, 3))
    assert sorted(Vote.objects.filter(participant=participant).values_list("points", flat=True)) == [1, 1]


@pytest.mark.parametrize("points", [6, -1])
def test_each_item_gets_zero_to_five_points(tenant_a: Tenant, points: int) -> None:
    group = voting(tenant_a, 20)
    participant = ParticipantFactory(organization=tenant_a.organization, group=group)
    with pytest.raises(Refused, match="0 à 5"):
        actions.submit_ballot(participant, _ballot(group, points))
    assert not Vote.objects.exists()


def test_no_vote_once_closed_nor_for_a_struck_item_nor_another_groups_item(tenant_a: Tenant) -> None:
    group = voting(tenant_a, 6)
    participant = ParticipantFactory(organization=tenant_a.organization, group=group)
    other = make_group(tenant_a, 2)
    with pytest.raises(Refused, match="n'existe pas"):
        actions.submit_ballot(participant, {other.items.first().pk: 1})  # type: ignore[union-attr]
    struck = group.items.order_by("number").first()
    Item.objects.filter(pk=struck.pk).update(struck=True)  # type: ignore[union-attr]
    with pytest.raises(Refused, match="barré"):
        actions.submit_ballot(participant, {struck.pk: 1})  # type: ignore[union-attr]
    actions.toggle_vote(group)
    with pytest.raises(Refused, match="fermé"):
        actions.submit_ballot(participant, _ballot(group, 0, 1))
    assert not Vote.objects.exists()


def test_paper_and_phone_points_add_up(tenant_a: Tenant) -> None:
    group = voting(tenant_a, 4)
    items = list(group.votable_items().order_by("number"))
    participant = ParticipantFactory(organization=tenant_a.organization, group=group)
    actions.submit_ballot(participant, {items[0].pk: 2})
    # Paper mode, read from the last item.
    actions.set_paper_points(group, {items[3].pk: 4, items[2].pk: 0, items[0].pk: 3})
    totals = {i.number: i.total for i in group.items_with_points()}
    assert totals == {1: 5, 2: 0, 3: 0, 4: 4}


def test_results_stay_hidden_until_revealed(tenant_a: Tenant) -> None:
    group = voting(tenant_a, 4)
    assert not group.revealed
    assert actions.toggle_reveal(group).revealed


def test_zero_point_items_are_struck_and_kept(tenant_a: Tenant) -> None:
    group = voting(tenant_a, 4)
    items = list(group.votable_items().order_by("number"))
    actions.set_paper_points(group, {items[0].pk: 3, items[1].pk: 1})
    with pytest.raises(Refused, match="Fermez"):
        actions.strike_zero_items(group)
    actions.toggle_vote(group)
    assert actions.strike_zero_items(group) == 2
    assert list(group.items.filter(struck=True).values_list("number", flat=True)) == [3, 4]
    assert group.items.count() == 4


def test_a_merge_sums_the_points_and_keeps_the_originals(tenant_a: Tenant) -> None:
    group = voting(tenant_a, 4)
    items = list(group.votable_items().order_by("number"))
    participant = ParticipantFactory(organization=tenant_a.organization, group=group)
    actions.submit_ballot(participant, {items[0].pk: 1, items[1].pk: 1})
    actions.set_paper_points(group, {items[0].pk: 4, items[1].pk: 2})
    proposal = actions.propose_merge(group, items[:2], "Accès au réseau")
    merged = actions.confirm_merge(proposal)
    totals = {i.label: i.total for i in group.items_with_points()}
    assert totals["Accès au réseau"] == 8
    assert "Idée 1" not in totals  # the originals no longer stand alone…
    assert set(merged.originals.values_list("label", flat=True)) == {"Idée 1", "Idée 2"}  # …but are kept


def test_one_objection_cancels_a_merge(tenant_a: Tenant) -> None:
    group = voting(tenant_a, 4)
    items = list(group.votable_items())
    proposal = actions.propose_merge(group, items[:2], "Ensemble")
    actions.object_to_merge(proposal, "Dominique")
    proposal.refresh_from_db()
    assert proposal.status == MergeProposal.Status.CANCELLED
    with pytest.raises(Refused, match="tranchée"):
        actions.confirm_merge(proposal)
    assert group.live_items().count() == 4


def _scored(totals: list[int]) -> list[Item]:
    items = []
    for n, total in enumerate(totals, start=1):
        item = Item(number=n, label=f"i{n}")
        item.total = total
        items.append(item)
    return items


def test_top_ten_in_decreasing_points_ties_by_order_of_entry() -> None:
    top = top_items(_scored([3, 9, 0, 3, 7]))
    assert [(i.number, i.rank) for i in top] == [(2, 1), (5, 2), (1, 3), (4, 3)]


def test_top_ten_keeps_every_item_tied_with_the_tenth() -> None:
    totals = [20, 19, 18, 17, 16, 15, 14, 13, 12, 5, 5, 5, 4]
    top = top_items(_scored(totals))
    assert [i.number for i in top] == list(range(1, 13))
    assert [i.rank for i in top][-3:] == [10, 10, 10]


def test_top_ten_is_ten_without_ties() -> None:
    assert len(top_items(_scored(list(range(30, 0, -1))))) == 10


def test_matrix_placements_follow_the_workshop_type(tenant_a: Tenant) -> None:
    group = make_group(tenant_a, 2)
    item = group.items.first()
    assert item is not None
    actions.place(item, Placement.Moment.AUJOURDHUI, "faible", "Peu d'acteurs", "")
    actions.place(item, Placement.Moment.HORIZON, "fort", "Un réseau d'aidants", "Former 20 aidants")
    actions.place(item, Placement.Moment.HORIZON, "moyen", "Un réseau d'aidants", "Former 10 aidants")
    assert item.placements.count() == 2
    with pytest.raises(Refused):
        actions.place(item, Placement.Moment.UNIQUE, "fort")
    idees = make_group(tenant_a, 1, kind=Kind.IDEES_RECUES)
    idee = idees.items.first()
    assert idee is not None
    placement = actions.place(idee, Placement.Moment.UNIQUE, "faible", "Les chiffres disent l'inverse", "ignoré")
    assert placement.what_it_takes == ""


def test_an_enjeu_is_a_question_linked_to_its_items(tenant_a: Tenant) -> None:
    group = make_group(tenant_a, 3)
    with pytest.raises(Refused, match="question"):
        actions.create_enjeu(group.workshop, "Le numérique pour tous", [])
    enjeu = actions.create_enjeu(group.workshop, "Comment équiper chaque foyer ?", group.items.all()[:2])
    assert enjeu.roadmap == tenant_a.roadmap and enjeu.organization == tenant_a.organization
    assert enjeu.workshop_origin.items.count() == 2


def test_a_workshop_is_reused_as_a_template(tenant_a: Tenant) -> None:
    group = make_group(tenant_a, 3, is_template=True)
    copy = actions.duplicate(group.workshop)
    assert copy.question == group.workshop.question and not copy.is_template
    assert [g.name for g in copy.groups.all()] == [group.name]
    assert not Item.objects.filter(group__workshop=copy).exists()


def test_timer_starts_pauses_and_resumes(tenant_a: Tenant) -> None:
    group = make_group(tenant_a, stage=Stage.COLLECTION)
    assert group.timer_seconds_left() == 40 * 60
    group = actions.toggle_timer(group)
    assert group.timer_running
    group = actions.toggle_timer(group)
    assert not group.timer_running and 40 * 60 - 5 <= group.timer_seconds_left() <= 40 * 60


def test_reopening_the_vote_keeps_the_envelope_of_the_ballots_already_cast(tenant_a: Tenant) -> None:
    group = voting(tenant_a, 10)  # envelope 5
    items = list(group.votable_items().order_by("number"))
    participant: Participant = ParticipantFactory(organization=tenant_a.organization, group=group)
    actions.submit_ballot(participant, {items[0].pk: 4, items[1].pk: 1})
    actions.toggle_vote(group)
    actions.strike_zero_items(group)  # 8 items struck: a new envelope would be 1
    group = actions.toggle_vote(group)
    assert group.voting_open and group.envelope == 5


def test_paper_points_refuse_a_struck_item(tenant_a: Tenant) -> None:
    group = voting(tenant_a, 4)
    item = group.items.get(number=4)
    Item.objects.filter(pk=item.pk).update(struck=True)
    with pytest.raises(Refused, match="barré"):
        actions.set_paper_points(group, {item.pk: 2})
    actions.set_paper_points(group, {item.pk: 0})  # an empty field of the form is harmless
