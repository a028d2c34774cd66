"""60 phones submitting their points at the same moment against a real (threaded) server.

Some phones send two different full ballots at once (a double tap, two tabs): only one of them may stand, so
a participant's total never exceeds the envelope even though each ballot alone is valid.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import requests
from django.urls import reverse

from tests.conftest import Tenant
from tests.workshops.factories import ItemFactory, WorkshopFactory, WorkshopGroupFactory
from workshops import actions
from workshops.models import Participant, Stage, Vote, WorkshopGroup

PARTICIPANTS = 60
DOUBLE_TAPPERS = 20
ITEMS = 12  # envelope 6


def test_sixty_phones_vote_at_once_without_overrun_or_loss(
    transactional_db: None, live_server: Any, tenant_a: Tenant
) -> None:
    workshop = WorkshopFactory(organization=tenant_a.organization, roadmap=tenant_a.roadmap)
    group: WorkshopGroup = WorkshopGroupFactory(
        organization=tenant_a.organization, workshop=workshop, stage=Stage.COLLECTION
    )
    items = [
        ItemFactory(organization=tenant_a.organization, group=group, number=n + 1, label=f"Idée {n + 1}")
        for n in range(ITEMS)
    ]
    group = actions.set_stage(group, Stage.VOTE)
    assert group.envelope == 6
    base = live_server.url
    page_url = base + reverse("workshops:participant_page", kwargs={"code": group.code})
    join_url = base + reverse("workshops:participant_join", kwargs={"code": group.code})
    vote_url = base + reverse("workshops:participant_vote", kwargs={"code": group.code})

    def join(n: int) -> requests.Session:
        session = requests.Session()
        session.get(page_url, timeout=30)
        session.headers["X-CSRFToken"] = session.cookies["csrftoken"]
        response = session.post(join_url, {"first_name": f"P{n}"}, allow_redirects=False, timeout=30)
        assert response.status_code == 302
        return session

    with ThreadPoolExecutor(max_workers=10) as pool:
        phones = list(pool.map(join, range(PARTICIPANTS)))

    # Ballot A: 3+2+1 on items 1–3; ballot B: 2+2+2 on items 4–6. Each fills the envelope alone.
    ballot_a = {items[0].pk: 3, items[1].pk: 2, items[2].pk: 1}
    ballot_b = {items[3].pk: 2, items[4].pk: 2, items[5].pk: 2}
    jobs = [(n, ballot_a) for n in range(PARTICIPANTS)] + [(n, ballot_b) for n in range(DOUBLE_TAPPERS)]
    start = threading.Barrier(len(jobs))

    def vote(job: tuple[int, dict[int, int]]) -> int:
        n, ballot = job
        start.wait(timeout=60)
        form = {f"item-{pk}": points for pk, points in ballot.items()}
        return phones[n].post(vote_url, form, allow_redirects=False, timeout=60).status_code

    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        statuses = list(pool.map(vote, jobs))

    assert statuses == [302] * len(jobs)  # every ballot accepted (the double taps replace each other)
    participants = list(Participant.objects.filter(group=group))
    assert len(participants) == PARTICIPANTS and all(p.has_voted for p in participants)
    for participant in participants:
        recorded = dict(Vote.objects.filter(participant=participant).values_list("item_id", "points"))
        assert sum(recorded.values()) <= group.envelope, participant  # no overrun
        n = int(participant.first_name[1:])
        assert recorded == ballot_a or (n < DOUBLE_TAPPERS and recorded == ballot_b), (n, recorded)  # none lost


def test_two_animators_pressing_next_at_once_advance_one_stage(transactional_db: None, tenant_a: Tenant) -> None:
    from django.db import connection

    workshop = WorkshopFactory(organization=tenant_a.organization, roadmap=tenant_a.roadmap)
    group: WorkshopGroup = WorkshopGroupFactory(
        organization=tenant_a.organization, workshop=workshop, stage=Stage.COLLECTION
    )
    for n in range(4):
        ItemFactory(organization=tenant_a.organization, group=group, number=n + 1)
    start = threading.Barrier(2)

    def press_next() -> str:
        start.wait(timeout=30)
        try:
            actions.step_stage(group, +1, seen={"stage": Stage.COLLECTION})
            return "ok"
        except actions.Refused as refusal:
            return refusal.message
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(lambda _: press_next(), range(2)))
    group.refresh_from_db()
    assert group.stage == Stage.VOTE and group.voting_open and group.envelope == 2
    # The second press, made from the same picture of the room, is merged into the first: no stage skipped.
    assert sorted(results) == ["L'atelier est déjà à l'étape « Points » : rien de plus n'a été fait.", "ok"]
