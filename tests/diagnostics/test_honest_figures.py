"""Figures presented honestly: coverage in the figure, the right weights, each place once, the latest vintage."""

from __future__ import annotations

import pytest

from diagnostics.analysis import diagnose, distinct_places
from diagnostics.models import CommuneStatistic, Place
from diagnostics.synthesis import key_figures
from territories.models import Commune
from tests.conftest import Tenant

pytestmark = pytest.mark.django_db

DRONNE_ET_BELLE = "200041572"
GRAND_PERIGUEUX = "200040392"


def codes_of(siren: str) -> list[str]:
    return list(Commune.objects.filter(epci_siren=siren).values_list("code", flat=True))


def test_a_rate_on_part_of_the_territory_says_so_in_the_figure(dordogne: list) -> None:
    figures = {f.label: f for f in key_figures(diagnose("CC Dronne et Belle", codes_of(DRONNE_ET_BELLE)))}
    poverty = figures["Taux de pauvreté (seuil à 60 %)"]
    assert poverty.territory == "16,3\u00a0% (sur 2 communes sur 16, 53\u00a0% des habitants)"
    assert figures["Indice de fragilité numérique (global)"].territory == "98,9"  # every commune: nothing added


def test_one_person_households_are_weighted_by_households(dordogne: list) -> None:
    perigueux = diagnose("CA Le Grand Périgueux", codes_of(GRAND_PERIGUEUX))
    alone = perigueux.figure("menages_seuls")
    assert alone is not None and alone.territory.value == pytest.approx(39.4, abs=0.05)  # 37.7 by population


def test_a_merged_commune_is_weighted_by_its_former_communes(dordogne: list) -> None:
    # Pechs-de-l'Espérance (24325) merged three communes of 2017: its weight is its own households, once
    households = CommuneStatistic.objects.get(commune_id="24325", indicator="menages", organization=None).value
    alone = CommuneStatistic.objects.get(commune_id="24325", indicator="menages_seuls", organization=None)
    assert alone.denominator == pytest.approx(households)
    # the former communes' populations in the IFN's IRIS (Cazoulès 462, Orliaguet 105, Peyrillac-et-Millac 221)
    expected = (462 * 33.33 + 105 * 30.0 + 221 * 37.74) / (462 + 105 + 221)
    assert alone.value == pytest.approx(expected, abs=0.01)


def test_each_structure_is_one_place_with_its_roles(dordogne: list) -> None:
    dordogne_wide = diagnose("Dordogne", list(Commune.objects.values_list("code", flat=True)))
    places = dordogne_wide.places
    distinct = distinct_places(places)
    assert len(distinct) < len(places)
    both = [p for p in distinct if len(p.roles) > 1]
    assert both, "a mediation place that employs conseillers numériques is one place with two roles"
    assert all(len(set(p.roles)) == len(p.roles) for p in distinct)


def test_the_latest_conseillers_list_is_used_and_counted(dordogne: list, tenant_a: Tenant) -> None:
    employers = Place.objects.filter(kind=Place.Kind.CONSEILLER_NUMERIQUE, organization=None)
    assert set(employers.values_list("vintage", flat=True)) == {"2023-09"}
    territory = tenant_a.roadmap.territory
    territory.communes.set(Commune.objects.filter(epci_siren=GRAND_PERIGUEUX))
    page = tenant_a.client_for(tenant_a.lecteur).get(tenant_a.url("diagnostics:territory", territory_pk=territory.pk))
    assert "conseillers numériques recrutés dans les structures employeuses du territoire (ANCT, 2023-09)" in (
        page.content.decode()
    )


def test_one_spelling_per_commune_from_the_cog(dordogne: list) -> None:
    # the BANATIC file spells it « Saint-Pompont »; the COG 2024 in force says « Saint-Pompon »
    assert Commune.objects.get(code="24488").name == "Saint-Pompon"


def test_the_communes_are_listed_in_french_alphabetical_order(dordogne: list) -> None:
    # CC du Périgord Nontronnais has « Étouars »: among the E, not after the V as a byte order puts it.
    names = list(diagnose("Nontronnais", codes_of("200071819")).communes["name"])
    assert "Étouars" in names
    assert names.index("Étouars") < next(i for i, n in enumerate(names) if n.startswith(("F", "J", "L", "N")))
