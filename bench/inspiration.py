"""The commons of inspiring experiences (inspiration:experience_list) searched in French over 20,000 published
experiences of 40 organisations, against gunicorn (2 sync workers) on loopback.

- data: 20,000 published experiences (varied French titles and descriptions, themes, publics, budgets), written with
  bulk_create, their search vectors computed by the database in one UPDATE (inspiration.models
  `update_search_vectors`), then ANALYZE;
- requests: a member of another organisation searches, in turn, 6 texts (accented or not, a stem, a name's
  beginning, a text with a filter), interleaved with `/sante/` as a baseline, after a warm-up;
- plan: EXPLAIN of the search query for « visioconférence » (a word of 1 experience in 20): the GIN index
  `experience_search_gin` must be in it. A word of 1 experience in 8 or more is read faster by a sequential scan,
  and PostgreSQL rightly chooses one.

    .venv/bin/python bench/inspiration.py        (or: make bench only=inspiration)
"""

from __future__ import annotations

import os
import random
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench import harness  # noqa: E402

TARGETS = {"commons_search_p95_ms": "<= 100", "commons_search_uses_gin": "== 1"}

EXPERIENCES = 20_000
ORGANIZATIONS = 40
ROUNDS = 100
WARMUP = 10
EMAIL = "bench-inspiration@exemple.fr"
PASSWORD = "Bench-inspiration-2026"
SEARCHES = [
    {"q": "mediatheque"},
    {"q": "itinérant"},
    {"q": "bus numérique"},
    {"q": "visioconférence"},
    {"q": "parenthe"},
    {"q": "aidants", "theme": "aidants"},
    {"q": "seniors ehpad", "public": "seniors"},
]

PLACES = ["médiathèque", "tiers-lieu", "France services", "mairie", "centre social", "bus numérique", "EHPAD"]
ACTIONS = [
    "des permanences itinérantes",
    "des ateliers collectifs",
    "un accompagnement individuel aux démarches",
    "le prêt de tablettes reconditionnées",
    "la formation des aidants",
    "un repérage des publics éloignés",
    "des cafés numériques",
]
# Each experience tells 3 of these: a searched word is in a few percent to a quarter of the commons, not in all.
SENTENCES = [
    "Sur le territoire, {action} sont proposés à la {place} chaque semaine.",
    "Les habitants y trouvent de l'aide pour leurs démarches en ligne.",
    "Un bus numérique fait étape sur les places des marchés.",
    "L'itinérance permet d'aller vers les hameaux les plus isolés.",
    "Les secrétaires de mairie orientent les personnes vers la {place}.",
    "Un conseiller numérique anime les séances avec une association locale.",
    "Les aidants familiaux sont formés à accompagner leurs proches.",
    "Des tablettes reconditionnées sont prêtées pendant trois mois.",
    "La caisse d'allocations familiales finance une partie du projet.",
    "Les jeunes du service civique tiennent des permanences le mercredi.",
    "Un comité de suivi réunit les partenaires deux fois par an.",
    "La médiathèque ouvre un espace public numérique le samedi.",
    "Les ateliers de français langue étrangère utilisent des outils numériques.",
    "Une cartographie des lieux d'accompagnement est publiée en ligne.",
]
# One of these per experience: a word of them is in about 1 experience in 20, as most words of a real commons.
RARE = [
    "Les résidents d'EHPAD découvrent la visioconférence avec leurs familles.",
    "Le tiers-lieu accueille un fablab et des ateliers de réparation.",
    "Une ludothèque prête des jeux vidéo éducatifs.",
    "Le département cofinance un poste de coordinateur.",
    "Des étudiants en BTS réparent les ordinateurs donnés.",
    "Une radio locale annonce les permanences.",
    "La préfecture a labellisé la structure France services.",
    "Un escape game initie les collégiens à la cybersécurité.",
    "Les agriculteurs sont aidés pour la déclaration PAC.",
    "Une plateforme de covoiturage solidaire est présentée.",
    "Les détenus préparent leur sortie avec un module numérique.",
    "Un atelier photo sur smartphone attire les retraités.",
    "La mission locale oriente les jeunes vers le code de la route en ligne.",
    "Une épicerie solidaire accueille une borne d'accès aux droits.",
    "Les bailleurs sociaux relaient l'offre auprès des locataires.",
    "Une permanence en langue des signes est organisée chaque mois.",
    "Des bénévoles retraités de La Poste animent les séances.",
    "Le réseau des bibliothèques partage un catalogue de formations.",
    "Une application de signalement des pannes est testée.",
    "Les élus suivent une formation à la dématérialisation.",
]
PUBLICS = ["seniors", "jeunes", "familles", "demandeurs_emploi", "langue", "handicap"]
THEMES = ["accompagnement", "itinerance", "equipement", "aidants", "tiers_lieux", "acces_droits", "gouvernance"]
BUDGETS = ["lt10k", "10k50k", "50k200k", "gt200k"]
KINDS = ["rural", "periurbain", "urbain", "montagne"]


def build_commons(rng: random.Random) -> tuple[object, object]:
    from django.db import connection
    from django.utils import timezone

    from inspiration.models import Experience, update_search_vectors
    from tenancy.models import Membership, Organization, Role, User

    organizations = [Organization.objects.create(name=f"Territoire du banc {n}") for n in range(ORGANIZATIONS)]
    reader_org = Organization.objects.create(name="Territoire lecteur")
    user = User.objects.create_user(EMAIL, PASSWORD, full_name="Banc d'essai")
    Membership.objects.create(user=user, organization=reader_org, role=Role.CONTRIBUTEUR)
    now = timezone.now()
    rows = []
    for n in range(EXPERIENCES):
        place, action = rng.choice(PLACES), rng.choice(ACTIONS)
        rows.append(
            Experience(
                organization=organizations[n % ORGANIZATIONS],
                title=f"{action.capitalize()} à la {place} n°{n}" if n % 50 else f"La Parenthèse {n}",
                territory_name=f"Communauté de communes {n % 97}",
                territory_kind=rng.choice(KINDS),
                lead_structure=f"Association {rng.choice(['Trait d’union', 'Numérique pour tous', 'Les Aidants'])}",
                description=" ".join([*rng.sample(SENTENCES, 2), rng.choice(RARE)]).format(action=action, place=place),
                results=f"{rng.randint(20, 900)} personnes accompagnées la première année.",
                publics=rng.sample(PUBLICS, 2),
                themes=rng.sample(THEMES, 2),
                budget_range=rng.choice(BUDGETS),
                published_at=now,
            )
        )
    Experience.objects.bulk_create(rows, batch_size=2000)
    started = time.perf_counter()
    update_search_vectors(Experience.objects.all())
    harness.emit("commons_vectors_s", time.perf_counter() - started, "s")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE inspiration_experience")
    return reader_org, user


def plan_uses_gin(organization: object) -> bool:
    from django.db import connection

    from inspiration.search import Criteria, search

    sql, params = search(organization, Criteria(text="visioconférence")).query.sql_with_params()  # type: ignore[arg-type]
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    print(plan, file=sys.stderr)
    return "experience_search_gin" in plan


def main() -> None:
    # Plain HTTP on loopback: the production settings' redirect to HTTPS would answer every request with a 301.
    os.environ["SECURE_SSL_REDIRECT"] = "false"
    with harness.bench_database("inspiration") as env:
        from django.urls import reverse

        from tenancy.paths import organization_path

        organization, user = build_commons(random.Random(15))
        harness.emit("commons_experiences", EXPERIENCES, "experiences")
        harness.emit("commons_search_uses_gin", int(plan_uses_gin(organization)), "bool")
        path = organization_path(organization.slug, reverse("inspiration:experience_list"))  # type: ignore[attr-defined]
        urls = {f"search_{n}": f"{path}?{urlencode(params)}" for n, params in enumerate(SEARCHES)}
        harness.emit("commons_search_queries", harness.count_queries(urls["search_0"], user), "queries")  # type: ignore[arg-type]
        with harness.gunicorn_server(workers=2, env=env) as base_url:
            session = harness.logged_in_session(base_url, EMAIL, PASSWORD)
            page = session.get(f"{base_url}{urls['search_0']}", timeout=30)
            if page.status_code != 200 or "<mark>" not in page.text:
                raise RuntimeError(f"the search found nothing highlighted (HTTP {page.status_code})")
            timings = harness.time_requests(
                session,
                {"baseline": f"{base_url}/sante/"} | {k: f"{base_url}{u}" for k, u in urls.items()},
                rounds=ROUNDS,
                warmup=WARMUP,
            )
    searches = [t for key, values in timings.items() if key != "baseline" for t in values]
    harness.emit("commons_search_p50_ms", harness.percentile(searches, 50), "ms")
    harness.emit("commons_search_p95_ms", harness.percentile(searches, 95), "ms")
    harness.emit("commons_baseline_p95_ms", harness.percentile(timings["baseline"], 95), "ms")


if __name__ == "__main__":
    harness.run_main(main)
