"""Every workshop page a member opens costs the same number of queries for a small and a large workshop.

Each page is measured with 1 group × 3 items and with 4 groups × 30 items, both with participants, votes, a
merged item, a struck item, an open merge proposal, a phone's proposal and post-its on the matrix: a query run
once per group, item or participant (N+1) shows up as a different count. The comment above each expected count
lists its queries. The first request of a client is not measured: it records the organisation in the session.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import connection
from django.db.models import F
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.conftest import Tenant
from tests.workshops.factories import WorkshopFactory
from workshops import actions
from workshops.models import (
    Answer,
    Item,
    Kind,
    MergeProposal,
    Participant,
    Placement,
    Stage,
    Vote,
    Workshop,
    WorkshopGroup,
)

SMALL = (1, 3)  # groups, items per group
LARGE = (4, 30)
# Live stages a group's pages show differently (the tour de table is measured on its own).
LIVE_STAGES = [Stage.QUESTION, Stage.COLLECTION, Stage.VOTE, Stage.RANKING, Stage.MATRIX, Stage.DONE]


def build_workshop(
    tenant: Tenant, size: tuple[int, int], *, kind: str = Kind.DIX_ANS, stage: str = Stage.MATRIX
) -> Workshop:
    """A workshop of `size` (groups, items per group), every group at `stage`, results revealed.

    Besides its numbered items, each group has two originals merged into a third item, its last item struck,
    an open merge proposal, a phone's proposal waiting for the animator, participants who voted (ties included),
    post-its for every top item and two tour de table answers.
    """
    groups, items = size
    organization = tenant.organization
    workshop: Workshop = WorkshopFactory(organization=organization, roadmap=tenant.roadmap, kind=kind)
    now = timezone.now()
    for g in range(groups):
        group = WorkshopGroup.objects.create(
            organization=organization,
            workshop=workshop,
            name=f"Groupe {g + 1}",
            stage=stage,
            voting_open=stage == Stage.VOTE,
            revealed=True,
            envelope=items // 2,
        )
        numbered = Item.objects.bulk_create(
            Item(organization=organization, group=group, number=n, label=f"Idée {g + 1}-{n}")
            for n in range(1, items + 1)
        )
        merged = Item.objects.create(organization=organization, group=group, number=items + 1, label="Fusion")
        Item.objects.bulk_create(
            Item(
                organization=organization, group=group, number=items + 2 + n, label=f"Original {n}", merged_into=merged
            )
            for n in range(2)
        )
        Item.objects.filter(pk=numbered[-1].pk).update(struck=True)
        MergeProposal.objects.create(
            organization=organization, group=group, label="Fusionné", status=MergeProposal.Status.MERGED, result=merged
        )
        people = Participant.objects.bulk_create(
            Participant(organization=organization, group=group, first_name=f"P{g}-{n}", voted_at=now)
            for n in range(max(2, items // 3))
        )
        Item.objects.create(
            organization=organization,
            group=group,
            label="Idée du téléphone",
            author=people[0],
            status=Item.Status.PROPOSED,
        )
        live = [*numbered[:-1], merged]
        Vote.objects.bulk_create(
            Vote(participant=person, item=live[(n * 3 + k) % len(live)], points=1 + k % 2)
            for n, person in enumerate(people)
            for k in range(3)
        )
        Item.objects.filter(pk__in=[i.pk for i in live[::4]]).update(paper_points=F("number") % 3)
        proposal = MergeProposal.objects.create(organization=organization, group=group, label="À fusionner")
        proposal.items.set(numbered[:2])
        for item in group.top():
            for moment, _label in workshop.moments:
                Placement.objects.create(
                    organization=organization, item=item, moment=moment, x="moyen", reason="Parce que"
                )
        Answer.objects.bulk_create(
            Answer(organization=organization, group=group, participant=people[n], text=f"Réponse {n}") for n in range(2)
        )
        actions.create_enjeu(workshop, f"Comment réussir le groupe {g + 1} ?", [merged, numbered[0]])
    return workshop


@dataclass
class Measure:
    """Measures a page at each size: the first request of a client records the organisation in its session."""

    client: Client
    assert_num_queries: Callable[..., Any]

    def __call__(self, url: str, expected: int, **headers: str) -> None:
        self.client.get(url, headers=headers)
        with self.assert_num_queries(expected):
            response = self.client.get(url, headers=headers)
        assert response.status_code == 200, (url, response.status_code)


@pytest.fixture
def measure(tenant_a: Tenant, django_assert_num_queries: Callable[..., Any]) -> Measure:
    return Measure(tenant_a.client_for(tenant_a.animateur), django_assert_num_queries)


# Every member page starts with: the session, the user, the membership of the organisation in the URL (middleware).
# Pages built on base.html end with the member's organisations (the organisation switcher of the menu).


def test_the_workshop_list(tenant_a: Tenant, measure: Measure) -> None:
    url = tenant_a.url("workshops:workshop_list", roadmap_pk=tenant_a.roadmap.pk)
    model = build_workshop(tenant_a, SMALL)
    for size in range(2):
        if size:
            for _ in range(4):
                build_workshop(tenant_a, (LARGE[0], SMALL[1]))
        # session, user, membership; roadmap; workshops with their group counts; menu
        measure(url, 6)
        # the same, and the model workshop with its group count
        measure(f"{url}?modele={model.pk}", 8)


def test_the_workshop_pages(tenant_a: Tenant, measure: Measure) -> None:
    for size in (SMALL, LARGE):
        workshop = build_workshop(tenant_a, size)
        # session, user, membership; workshop (+ roadmap); groups with their participant counts; the live items of
        # every group with their points (tops and the enjeu form); the PDF jobs; menu; enjeux origins (+ enjeu), their
        # items
        measure(tenant_a.url("workshops:workshop_detail", workshop_pk=workshop.pk), 10)
        # session, user, membership; workshop (+ roadmap); menu
        measure(tenant_a.url("workshops:workshop_edit", workshop_pk=workshop.pk), 5)
        # session, user, membership; workshop (+ roadmap); groups; the live items of every group with their points;
        # the enjeux drafted from them (+ enjeu), their items
        measure(tenant_a.url("workshops:workshop_plenary", workshop_pk=workshop.pk), 8)
        # the same, and every group's post-its (+ item) for the matrices side by side
        measure(tenant_a.url("workshops:workshop_plenary", workshop_pk=workshop.pk) + "?vue=matrices", 9)
        # the wall alone, polled: without the enjeux, which are below it
        measure(tenant_a.url("workshops:workshop_plenary", workshop_pk=workshop.pk), 6, HX_Request="true")
        # session, user, membership; workshop; every group's version, participants and last ballot
        measure(tenant_a.url("workshops:workshop_plenary_version", workshop_pk=workshop.pk), 5)
        # session, user, membership; workshop (+ roadmap); live items with points; accepted items (+ the item they
        # were merged into); their post-its; groups
        measure(tenant_a.url("workshops:workshop_csv", workshop_pk=workshop.pk), 8)


@pytest.mark.parametrize(
    ("kind", "stage"), [(Kind.DIX_ANS, stage) for stage in LIVE_STAGES] + [(Kind.TOUR_DE_TABLE, Stage.COLLECTION)]
)
def test_a_group_live(tenant_a: Tenant, measure: Measure, kind: str, stage: str) -> None:
    answers = 1 if kind == Kind.TOUR_DE_TABLE else 0
    for size in (SMALL, LARGE):
        group = build_workshop(tenant_a, size, kind=kind, stage=stage).groups.first()
        assert group is not None
        presenter = tenant_a.url("workshops:workshopgroup_presenter", workshopgroup_pk=group.pk)
        projector = tenant_a.url("workshops:workshopgroup_projector", workshopgroup_pk=group.pk)
        # Both views: session, user, membership; group (+ workshop, roadmap); live items with points (the top is
        # computed from them); participants; post-its; the originals of merged items; phones' proposals; open
        # merges, their items; the tour de table's answers (for that type only). The presenter view then adds the
        # menu.
        measure(presenter, 12 + answers)
        measure(presenter, 11 + answers, HX_Request="true")  # the live part (stage bar, forms, lists), polled
        measure(projector, 11 + answers)
        measure(projector, 11 + answers, HX_Request="true")  # the live partial, polled
        # session, user, membership; the group's version with its participants' count and last ballot
        measure(tenant_a.url("workshops:workshopgroup_version", workshopgroup_pk=group.pk), 4)


@pytest.mark.parametrize("stage", LIVE_STAGES)
def test_a_phone(tenant_a: Tenant, django_assert_num_queries: Callable[..., Any], stage: str) -> None:
    top = 1 if stage in (Stage.RANKING, Stage.MATRIX, Stage.DONE) else 0
    objected = 1 if stage == Stage.RANKING else 0
    for size in (SMALL, LARGE):
        group = build_workshop(tenant_a, size, stage=stage).groups.first()
        assert group is not None
        phone = Measure(Client(), django_assert_num_queries)
        join = reverse("workshops:participant_join", kwargs={"code": group.code})
        WorkshopGroup.objects.filter(pk=group.pk).update(stage=Stage.QUESTION)  # no one joins a finished workshop
        assert phone.client.post(join, {"first_name": "Lou"}).status_code == 302
        WorkshopGroup.objects.filter(pk=group.pk).update(stage=stage)
        # The group of the code; the participant of the cookie; their points; their items; the votable items; open
        # merges, their items; the top once revealed; during the ranking, the merges this phone objected to.
        page = reverse("workshops:participant_page", kwargs={"code": group.code})
        phone(page, 7 + top + objected)
        phone(page, 7 + top + objected, HX_Request="true")  # the live partial, polled
        phone(reverse("workshops:participant_version", kwargs={"code": group.code}), 1)  # the group of the code


def test_one_query_ranks_every_group_as_each_group_does(tenant_a: Tenant) -> None:
    """Ties for the 10th place all kept, struck items left out, merged items counted with their originals."""
    workshop = build_workshop(tenant_a, LARGE)
    group = workshop.groups.first()
    assert group is not None
    Vote.objects.filter(item__group=group).delete()
    group.items.update(paper_points=0)
    # Items 1 to 8 ahead, the merged item 9th, items 10, 11 and 12 tied for the 10th place; item 13 struck.
    for number, points in [*((n, 100 - n) for n in range(1, 9)), (10, 50), (11, 50), (12, 50), (13, 200)]:
        group.items.filter(number=number).update(paper_points=points)
    group.items.filter(number=13).update(struck=True)
    group.items.filter(label="Original 0").update(paper_points=75)  # counted for the item it was merged into
    with CaptureQueriesContext(connection) as queries:
        tops = Item.objects.filter(group__workshop=workshop).tops_by_group()
    assert len(queries) == 1 and len(tops) == LARGE[0]
    by_group = {g.pk: [(i.pk, i.rank, i.total) for i in g.top()] for g in workshop.groups.all()}
    assert {pk: [(i.pk, i.rank, i.total) for i in top] for pk, top in tops.items()} == by_group
    first = tops[group.pk]
    assert [(i.number, i.rank) for i in first][-4:] == [(LARGE[1] + 1, 9), (10, 10), (11, 10), (12, 10)]
    assert first[8].label == "Fusion" and first[8].total == 75 and 13 not in [i.number for i in first]
