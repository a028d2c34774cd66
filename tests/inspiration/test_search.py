"""Searching the commons in French: accents ignored, stems matched, names matched approximately, filters, ranking,
highlighting, the GIN index used, and the same number of queries for 3 or 30 experiences."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from inspiration.models import Experience, update_search_vectors
from inspiration.search import Criteria, has_trigrams, search
from tests.conftest import Tenant
from tests.inspiration.conftest import published
from tests.inspiration.factories import ExperienceFactory


def titles(tenant: Tenant, **criteria: object) -> list[str]:
    return [e.title for e in search(tenant.organization, Criteria(**criteria))]


def test_accents_are_ignored_both_ways(tenant_a: Tenant, tenant_b: Tenant) -> None:
    published(tenant_b, title="Permanences à la médiathèque", description="Des ateliers chaque samedi.")
    published(tenant_b, title="Cafe numerique", description="Rencontres a la mediatheque du bourg.")
    assert sorted(titles(tenant_a, text="mediatheque")) == ["Cafe numerique", "Permanences à la médiathèque"]
    assert sorted(titles(tenant_a, text="Médiathèque")) == ["Cafe numerique", "Permanences à la médiathèque"]


def test_french_stems_match(tenant_a: Tenant, tenant_b: Tenant) -> None:
    published(tenant_b, title="Un bus pour les villages", description="Une itinérance sur les marchés du canton.")
    published(tenant_b, title="Ateliers seniors", description="Des ateliers en EHPAD.")
    assert titles(tenant_a, text="itinérant") == ["Un bus pour les villages"]
    assert titles(tenant_a, text="itinerants") == ["Un bus pour les villages"]


def test_names_are_found_from_a_part_of_them(tenant_a: Tenant, tenant_b: Tenant) -> None:
    published(tenant_b, title="Tiers-lieu La Parenthèse", description="Un espace public numérique.")
    published(tenant_b, title="Espace France services", description="Accès aux droits.")
    assert titles(tenant_a, text="parenthe") == ["Tiers-lieu La Parenthèse"]


def test_only_what_the_organisation_may_read_is_searched(tenant_a: Tenant, tenant_b: Tenant) -> None:
    ExperienceFactory(organization=tenant_b.organization, title="Bus privé de Bêta", description="bus")
    published(tenant_b, title="Bus publié de Bêta", description="bus")
    ExperienceFactory(organization=tenant_a.organization, title="Bus privé d'Alpha", description="bus")
    assert sorted(titles(tenant_a, text="bus")) == ["Bus privé d'Alpha", "Bus publié de Bêta"]
    assert titles(tenant_a, text="bus", scope="commun") == ["Bus publié de Bêta"]
    assert titles(tenant_a, text="bus", scope="nous") == ["Bus privé d'Alpha"]
    assert titles(tenant_a) == titles(tenant_a, text="") and len(titles(tenant_a)) == 2


def test_filters(tenant_a: Tenant, tenant_b: Tenant) -> None:
    published(
        tenant_b,
        title="Bus rural",
        themes=["itinerance"],
        publics=["seniors"],
        territory_kind="rural",
        budget_range="10k50k",
    )
    published(
        tenant_b,
        title="Fablab urbain",
        themes=["tiers_lieux"],
        publics=["jeunes"],
        territory_kind="urbain",
        budget_range="gt200k",
    )
    assert titles(tenant_a, themes=["itinerance"]) == ["Bus rural"]
    assert titles(tenant_a, publics=["jeunes"]) == ["Fablab urbain"]
    assert titles(tenant_a, territory_kinds=["rural"]) == ["Bus rural"]
    assert titles(tenant_a, budgets=["gt200k"]) == ["Fablab urbain"]
    assert titles(tenant_a, themes=["itinerance"], budgets=["gt200k"]) == []


def test_results_are_ranked_and_highlighted(tenant_a: Tenant, tenant_b: Tenant) -> None:
    published(tenant_b, title="Ateliers au collège", description="On y parle aussi de numérique et de bus.")
    published(
        tenant_b,
        title="Le bus numérique <i>&</i> vous",
        description="Le bus sillonne les villages <b>chaque</b> semaine.",
    )
    results = list(search(tenant_a.organization, Criteria(text="bus")))
    assert [e.title for e in results] == ["Le bus numérique <i>&</i> vous", "Ateliers au collège"]
    client = tenant_a.client_for(tenant_a.lecteur)
    page = client.get(tenant_a.url("inspiration:experience_list"), {"q": "bus"}).content.decode()
    assert "<mark>bus</mark> numérique" in page
    # Another organisation's text is escaped: the only markup in a result is our <mark>.
    assert "&lt;i&gt;&amp;&lt;/i&gt; vous" in page
    assert "<i>" not in page and "<b>chaque</b>" not in page
    assert "villages" in page


@pytest.mark.django_db(transaction=False)
def test_the_query_uses_the_gin_index(tenant_a: Tenant, tenant_b: Tenant) -> None:
    # Many published experiences, few of them about « médiation »: the text is the selective condition.
    Experience.objects.bulk_create(
        Experience(
            organization=tenant_b.organization,
            title=f"Expérience {n}",
            territory_name="Dordogne",
            description="ateliers de médiation numérique" if n % 100 == 0 else "un bus dans les villages",
            published_at=timezone.now(),
        )
        for n in range(2000)
    )
    update_search_vectors(Experience.objects.all())
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE inspiration_experience")
    rows = search(tenant_a.organization, Criteria(text="médiation"))
    sql, params = rows.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "experience_search_gin" in plan, plan
    if has_trigrams():
        assert "experience_title_trgm" in plan, plan


@pytest.mark.parametrize("text", ["", "numérique"])
def test_the_list_costs_the_same_for_3_or_30_experiences(tenant_a: Tenant, tenant_b: Tenant, text: str) -> None:
    client = tenant_a.client_for(tenant_a.lecteur)
    url = tenant_a.url("inspiration:experience_list")
    client.get(url)  # the first request records the organisation in the session

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url, {"q": text})
        assert response.status_code == 200
        return len(queries)

    for n in range(3):
        published(tenant_b, title=f"Bus numérique {n}", themes=["itinerance"])
    small = count()
    for n in range(27):
        experience = published(tenant_b, title=f"Atelier numérique {n}", themes=["aidants"])
        experience.inspirations.create(
            organization=tenant_a.organization, roadmap=tenant_a.roadmap, chantier=_chantier(tenant_a)
        )
    assert count() == small
    # session, user, membership (tenancy), then the count (capped), the ranked ids, the page's experiences
    # with their organisations and « N territoires » (one query), the session's organisation update
    assert small <= 7
    assert Experience.objects.count() == 30


def _chantier(tenant: Tenant):
    from tests.factories import ChantierFactory

    return ChantierFactory(roadmap=tenant.roadmap, organization=tenant.organization)


def test_matches_are_marked_whatever_the_accents() -> None:
    from inspiration.search import highlighted, match_prefixes

    assert highlighted("Permanence à la médiathèque", match_prefixes("mediatheque")) == (
        "Permanence à la <mark>médiathèque</mark>"
    )
    assert highlighted("Une itinérance réussie", match_prefixes("itinérant")) == "Une <mark>itinérance</mark> réussie"
    long = " ".join(["mot"] * 100 + ["bus"] + ["fin"] * 100)
    extract = highlighted(long, match_prefixes("bus"), around=10)
    assert extract.startswith("… ") and extract.endswith(" …") and "<mark>bus</mark>" in extract
    assert highlighted("<i>bus</i> & co", match_prefixes("bus")) == "&lt;i&gt;<mark>bus</mark>&lt;/i&gt; &amp; co"


def test_the_page_filters_and_keeps_other_organisations_private_ones_out(
    tenant_a: Tenant, tenant_b: Tenant, outsider_client: Any
) -> None:
    published(tenant_b, title="Bus rural de Bêta", themes=["itinerance"])
    published(tenant_b, title="Fablab de Bêta", themes=["tiers_lieux"])
    ExperienceFactory(organization=tenant_b.organization, title="Bus privé de Bêta", themes=["itinerance"])
    client = tenant_a.client_for(tenant_a.lecteur)
    url = tenant_a.url("inspiration:experience_list")
    page = client.get(url, {"theme": "itinerance"}).content.decode()
    assert "Bus rural de Bêta" in page and "Fablab de Bêta" not in page and "Bus privé" not in page
    partial = client.get(url, {"q": "bus"}, headers={"HX-Request": "true"}).content.decode()
    assert partial.lstrip().startswith('<section id="results"') and "<mark>Bus</mark> rural de Bêta" in partial
    assert outsider_client.get(url).status_code == 404


def test_a_large_number_of_results_is_capped(tenant_a: Tenant, tenant_b: Tenant, monkeypatch: Any) -> None:
    from inspiration import views

    monkeypatch.setattr(views, "COUNT_CAP", 3)
    for n in range(5):
        published(tenant_b, title=f"Bus {n}")
    page = tenant_a.client_for(tenant_a.lecteur).get(tenant_a.url("inspiration:experience_list"), {"q": "bus"})
    assert "Plus de 1 000 expériences" in page.content.decode()
    assert page.content.decode().count('class="card experience-card"') == 5
