"""A live workshop vote: 60 phones voting against gunicorn (sync workers) on loopback, and the projector's lag.

- 60 participants join a group of 20 items (envelope 10) by its code, like phones (csrf cookie, signed token);
- the vote: each sends one full ballot (10 points); they all vote within the same 2-second window, as a room
  does when the animator says « votez ! » (`vote_p50_ms`, `vote_p95_ms`: response time of one ballot); then the
  worst case, all 60 released by a barrier at the same instant (`vote_burst_p95_ms`), and the same ballots sent
  one after the other (`vote_sequential_p50_ms`, the cost of one request without queueing);
- after the run, the database is checked: every participant holds exactly the ballot they sent last
  (`votes_lost`: participants whose ballot is missing or altered, or whose request failed) and nobody holds
  more than the envelope (`envelope_overruns`);
- `projector_lag_ms`: a projector client does what workshops/static/workshops/live.js does (polls the version
  endpoint every 400 ms, fetches the live fragment when it changes); for each of 15 extra phones voting one
  after the other, the time from the end of the vote's response to the projector fragment showing the new
  count of voters (p95; the median and the worst are printed too);
- 200 phones at once: 4 rooms of 50 (one group each, 20 items) vote within the same 2-second window
  (`vote_p95_200_ms`), their ballots checked like the 60's (counted in `votes_lost` and `envelope_overruns`);
- `phone_page_kb`: what a phone downloads to open its page, compressed (gzip, as a proxy or CDN serves it): the
  HTML and every stylesheet and script it links.

    .venv/bin/python bench/workshops.py        (or: make bench only=workshops)
"""

from __future__ import annotations

import random
import re
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench import harness  # noqa: E402

TARGETS = {
    "vote_p95_ms": "<= 50",
    "votes_lost": "== 0",
    "envelope_overruns": "== 0",
    "projector_lag_ms": "<= 500",
    "phone_page_kb": "<= 60",
}

PARTICIPANTS = 60
ROOMS, ROOM_SIZE = 4, 50
PROBES = 15
ITEMS = 20
WINDOW_S = 2.0
POLL_S = 0.4
EMAIL = "animatrice@bench.demo"
PASSWORD = "Bench-Atelier-2026"
VOTERS_RE = re.compile(r"(\d+) sur \d+ participants? (?:a|ont) voté")


def setup_workshop(groups: int = 1) -> list[tuple[Any, list[int]]]:
    """`groups` groups of one session, each at the vote with ITEMS items: [(group, item pks)]."""
    from roadmap.models import Roadmap
    from tenancy.models import Membership, Organization, Role, User
    from territories.models import Territory
    from workshops import actions
    from workshops.models import Item, Stage, Workshop, WorkshopGroup

    organization = Organization.objects.create(name="Banc d'essai ateliers")
    user = User.objects.create_user(EMAIL, PASSWORD, full_name="Animatrice")
    Membership.objects.create(user=user, organization=organization, role=Role.ANIMATEUR)
    territory = Territory.objects.create(organization=organization, name="Territoire du banc")
    roadmap = Roadmap.objects.create(
        organization=organization, territory=territory, title="Feuille de route", period_start=2026, period_end=2030
    )
    workshop = Workshop.objects.create(
        organization=organization, roadmap=roadmap, title="Dix ans", question="Notre territoire dans 10 ans ?"
    )
    made = []
    for g in range(groups):
        group = WorkshopGroup.objects.create(organization=organization, workshop=workshop, name=f"Groupe {g + 1}")
        group.stage = Stage.COLLECTION
        group.save()
        items = [
            Item.objects.create(organization=organization, group=group, number=n + 1, label=f"Idée {n + 1}")
            for n in range(ITEMS)
        ]
        made.append((actions.set_stage(group, Stage.VOTE), [i.pk for i in items]))
    return made


class Phone:
    def __init__(self, base_url: str, code: str, name: str) -> None:
        import requests

        self.session = requests.Session()
        self.name = name
        self.page_url = f"{base_url}/atelier/{code}/"
        self.session.get(self.page_url, timeout=30).raise_for_status()
        self.session.headers["X-CSRFToken"] = self.session.cookies["csrftoken"]
        response = self.session.post(
            f"{self.page_url}rejoindre/", {"first_name": name}, allow_redirects=False, timeout=30
        )
        if response.status_code != 302:
            raise RuntimeError(f"join refused: HTTP {response.status_code}")
        self.ballot: dict[int, int] = {}
        self.ok = False

    def vote(self, ballot: dict[int, int]) -> float:
        form = {f"item-{pk}": points for pk, points in ballot.items()}
        start = time.perf_counter()
        response = self.session.post(f"{self.page_url}points/", form, allow_redirects=False, timeout=60)
        elapsed = (time.perf_counter() - start) * 1000
        self.ok = response.status_code == 302
        self.ballot = ballot
        return elapsed


def random_ballot(items: list[int], envelope: int) -> dict[int, int]:
    ballot: dict[int, int] = {}
    left = envelope
    while left:
        pk = random.choice(items)  # noqa: S311 - test data
        if ballot.get(pk, 0) < 5:
            ballot[pk] = ballot.get(pk, 0) + 1
            left -= 1
    return ballot


class Projector(threading.Thread):
    """Polls like live.js; records (time seen, voters shown) every time the fragment changes."""

    def __init__(self, session: Any, version_url: str, live_url: str) -> None:
        super().__init__(daemon=True)
        self.session, self.version_url, self.live_url = session, version_url, live_url
        self.seen: list[tuple[float, int]] = []
        self.stop = threading.Event()

    def run(self) -> None:
        version = None
        while not self.stop.is_set():
            fresh = self.session.get(self.version_url, timeout=10).json()["version"]
            if fresh != version:
                fragment = self.session.get(self.live_url, headers={"HX-Request": "true"}, timeout=10).text
                found = VOTERS_RE.search(fragment)
                if found:
                    self.seen.append((time.perf_counter(), int(found.group(1))))
                version = fresh
            self.stop.wait(POLL_S)

    def time_showing(self, voters: int, timeout_s: float = 10.0) -> float:
        deadline = time.perf_counter() + timeout_s
        while time.perf_counter() < deadline:
            for when, count in list(self.seen):
                if count >= voters:
                    return when
            time.sleep(0.01)
        raise RuntimeError(f"the projector never showed {voters} voters")


def main() -> None:
    with harness.bench_database("workshops") as env:
        from django.urls import reverse

        from tenancy.paths import organization_path
        from workshops.models import Participant, Vote

        (group, items), *rooms = setup_workshop(1 + ROOMS)
        envelope = group.envelope
        with harness.gunicorn_server(workers=4, env=env) as base_url:
            with ThreadPoolExecutor(max_workers=8) as pool:
                phones = list(pool.map(lambda n: Phone(base_url, group.code, f"P{n}"), range(PARTICIPANTS + PROBES)))
            crowd, probes = phones[:PARTICIPANTS], phones[PARTICIPANTS:]

            # Warm-up the workers (imports, connections) with one vote each from a few phones.
            for phone in crowd[:8]:
                phone.vote(random_ballot(items, envelope))

            # The room votes within a 2-second window.
            delays = sorted(random.uniform(0, WINDOW_S) for _ in crowd)  # noqa: S311 - test data
            start = time.perf_counter()

            def room_vote(args: tuple[Phone, float]) -> float:
                phone, delay = args
                time.sleep(max(0.0, start + delay - time.perf_counter()))
                return phone.vote(random_ballot(items, envelope))

            with ThreadPoolExecutor(max_workers=PARTICIPANTS) as pool:
                window_ms = list(pool.map(room_vote, zip(crowd, delays, strict=True)))

            # Worst case: all 60 at the same instant (a new ballot each, replacing the previous one).
            barrier = threading.Barrier(PARTICIPANTS)

            def burst_vote(phone: Phone) -> float:
                barrier.wait(timeout=60)
                return phone.vote(random_ballot(items, envelope))

            with ThreadPoolExecutor(max_workers=PARTICIPANTS) as pool:
                burst_ms = list(pool.map(burst_vote, crowd))

            # For comparison, the same ballots one after the other (the cost of one request on this machine).
            sequential_ms = [phone.vote(random_ballot(items, envelope)) for phone in crowd]

            # The projector's lag, with the animator logged in.
            session = harness.logged_in_session(base_url, EMAIL, PASSWORD)
            kwargs = {"workshopgroup_pk": group.pk}
            slug = group.organization.slug  # an organisation's pages live under its slug (tenancy.middleware)
            projector = Projector(
                session,
                base_url + organization_path(slug, reverse("workshops:workshopgroup_version", kwargs=kwargs)),
                base_url + organization_path(slug, reverse("workshops:workshopgroup_projector", kwargs=kwargs)),
            )
            projector.start()
            time.sleep(1.0)
            lags = []
            for index, phone in enumerate(probes, start=1):
                phone.vote(random_ballot(items, envelope))
                done = time.perf_counter()
                lags.append((projector.time_showing(PARTICIPANTS + index) - done) * 1000)
                time.sleep(random.uniform(0.1, 0.6))  # noqa: S311 - test data
            projector.stop.set()
            projector.join(timeout=5)

            # 200 phones: 4 rooms of 50, each room voting within its 2-second window, all at the same time.
            with ThreadPoolExecutor(max_workers=8) as pool:
                room_phones = [
                    list(pool.map(lambda n, g=room: Phone(base_url, g.code, f"R{g.pk}-{n}"), range(ROOM_SIZE)))
                    for room, _items in rooms
                ]
            crowd_200 = [
                (phone, room_items, room.envelope)
                for (room, room_items), members in zip(rooms, room_phones, strict=True)
                for phone in members
            ]
            delays_200 = [random.uniform(0, WINDOW_S) for _ in crowd_200]  # noqa: S311 - test data
            start = time.perf_counter()

            def big_vote(args: tuple[tuple[Phone, list[int], int], float]) -> float:
                (phone, room_items, room_envelope), delay = args
                time.sleep(max(0.0, start + delay - time.perf_counter()))
                return phone.vote(random_ballot(room_items, room_envelope))

            with ThreadPoolExecutor(max_workers=len(crowd_200)) as pool:
                window_200_ms = list(pool.map(big_vote, zip(crowd_200, delays_200, strict=True)))

            phone_kb = phone_page_kb(base_url, group.code)

        lost = overruns = 0
        checked = [(phone, group.pk, envelope) for phone in phones] + [
            (phone, room.pk, room.envelope)
            for (room, _items), members in zip(rooms, room_phones, strict=True)
            for phone in members
        ]
        for phone, group_pk, group_envelope in checked:
            participant = Participant.objects.get(group_id=group_pk, first_name=phone.name)
            recorded = dict(Vote.objects.filter(participant=participant).values_list("item_id", "points"))
            lost += (not phone.ok) or recorded != phone.ballot
            overruns += sum(recorded.values()) > group_envelope

    harness.emit("vote_p50_ms", harness.percentile(window_ms, 50), "ms")
    harness.emit("vote_p95_ms", harness.percentile(window_ms, 95), "ms")
    harness.emit("vote_burst_p50_ms", harness.percentile(burst_ms, 50), "ms")
    harness.emit("vote_burst_p95_ms", harness.percentile(burst_ms, 95), "ms")
    harness.emit("vote_sequential_p50_ms", harness.percentile(sequential_ms, 50), "ms")
    harness.emit("votes_lost", lost, "participants")
    harness.emit("envelope_overruns", overruns, "participants")
    harness.emit("vote_p95_200_ms", harness.percentile(window_200_ms, 95), "ms")
    harness.emit("projector_lag_ms", harness.percentile(lags, 95), "ms")
    harness.emit("projector_lag_p50_ms", harness.percentile(lags, 50), "ms")
    harness.emit("projector_lag_max_ms", max(lags), "ms")
    harness.emit("phone_page_kb", phone_kb, "kB")


ASSET_RE = re.compile(r'(?:href|src)="(/static/[^"]+\.(?:css|js))"')


def phone_page_kb(base_url: str, code: str) -> float:
    """A joined phone's page and the stylesheets and scripts it links, gzip-compressed, in kB."""
    import gzip

    phone = Phone(base_url, code, "Poids")
    page = phone.session.get(phone.page_url, timeout=30)
    total = len(gzip.compress(page.content))
    for asset in sorted(set(ASSET_RE.findall(page.text))):
        total += len(gzip.compress(phone.session.get(base_url + asset, timeout=30).content))
    return round(total / 1024, 1)


if __name__ == "__main__":
    harness.run_main(main)
