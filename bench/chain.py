"""The roadmap « chaîne » page (roadmap:chain) at two sizes, against gunicorn (2 sync workers) on loopback.

- small: the demo roadmap of CC Dronne et Belle (`manage.py demo`);
- large: 10 enjeux, 8 défis, 40 chantiers, 150 actions in the same organisation (M2M enjeux↔défis and
  chantiers↔enjeux), built with the ORM;
- baseline: `/sante/`, the minimal page through the same middleware, same server, same session.

Both roadmaps are read by the demo's référente, logged in through the login form. The requests are sequential
and interleaved (baseline, small, large, baseline, …) after a warm-up. The query counts are taken in this
process with Django's test client on the same database: they must not grow with the size of the roadmap.

    .venv/bin/python bench/chain.py        (or: make bench only=chain)
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench import harness  # noqa: E402

TARGETS = {"chain_p95_ms": "<= 150", "chain_queries_large": "== chain_queries_small"}

EMAIL = "referente@dronne-belle.demo"
ROUNDS = 200
WARMUP = 20


def main() -> None:
    with harness.bench_database("chain") as env:
        from django.urls import reverse

        from demo.data import DEMO_PASSWORD, DRONNE_ET_BELLE
        from tenancy.models import Organization, User
        from tenancy.paths import organization_path

        harness.manage("demo")
        organization = Organization.objects.get(name=DRONNE_ET_BELLE)
        small = organization.roadmaps.order_by("pk").first()
        assert small is not None, "the demo made no roadmap for CC Dronne et Belle"
        large = harness.build_large_roadmap(organization, enjeux=10, defis=8, chantiers=40, actions=150)
        # Pages of an organisation live under its slug (tenancy.middleware).
        small_path = organization_path(organization.slug, reverse("roadmap:chain", kwargs={"roadmap_pk": small.pk}))
        large_path = organization_path(organization.slug, reverse("roadmap:chain", kwargs={"roadmap_pk": large.pk}))

        user = User.objects.get(email=EMAIL)
        harness.emit("chain_queries_small", harness.count_queries(small_path, user), "queries")
        harness.emit("chain_queries_large", harness.count_queries(large_path, user), "queries")

        with harness.gunicorn_server(workers=2, env=env) as base_url:
            session = harness.logged_in_session(base_url, EMAIL, DEMO_PASSWORD)
            page = session.get(f"{base_url}{large_path}", allow_redirects=False, timeout=30)
            if page.status_code != 200 or "150 actions" not in page.text:
                raise RuntimeError(f"the large chain page does not show the 150 actions (HTTP {page.status_code})")
            timings = harness.time_requests(
                session,
                {
                    "baseline": f"{base_url}/sante/",
                    "small": f"{base_url}{small_path}",
                    "large": f"{base_url}{large_path}",
                },
                rounds=ROUNDS,
                warmup=WARMUP,
            )

    for key, prefix in (("baseline", "baseline"), ("large", "chain"), ("small", "chain_small")):
        harness.emit(f"{prefix}_p50_ms", harness.percentile(timings[key], 50), "ms")
        harness.emit(f"{prefix}_p95_ms", harness.percentile(timings[key], 95), "ms")
    harness.emit("chain_large_bytes", len(page.content), "bytes")


if __name__ == "__main__":
    harness.run_main(main)
