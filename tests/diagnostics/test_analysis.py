from __future__ import annotations

from typing import TypeVar

import numpy as np
import pandas as pd
import pytest

from diagnostics.analysis import aggregate, build_diagnostic, diagnose, haversine_nearest
from diagnostics.indicators import INDICATORS
from diagnostics.models import CommuneStatistic, Place
from territories.models import Commune, Territory

pytestmark = pytest.mark.django_db
T = TypeVar("T")

DRONNE_ET_BELLE = "200041572"
GRAND_PERIGUEUX = "200040392"


def known(value: T | None) -> T:
    assert value is not None
    return value


def codes_of(siren: str) -> list[str]:
    return list(Commune.objects.filter(epci_siren=siren).values_list("code", flat=True))


def test_territory_figures_match_the_published_ones(dordogne: list) -> None:
    perigueux = diagnose("CA Le Grand Périgueux", codes_of(GRAND_PERIGUEUX))
    assert perigueux.population == 104024
    ifn = perigueux.figure("ifn_global")
    assert ifn is not None
    assert round(ifn.territory.value, 1) == 102.0  # SOURCES.md, population-weighted
    assert (ifn.territory.minimum, round(ifn.territory.maximum, 1)) == (68.0, 127.1)
    assert ifn.source.startswith("La MedNum / ANSA") and ifn.vintage == "2019"
    dronne = diagnose("CC Dronne et Belle", codes_of(DRONNE_ET_BELLE))
    assert dronne.population == 11324 and len(dronne.communes) == 16
    assert round(known(known(dronne.figure("ifn_global")).territory.value), 1) == 98.9


def test_departement_broadband_rate_is_weighted_by_premises(dordogne: list) -> None:
    dronne = diagnose("CC Dronne et Belle", codes_of(DRONNE_ET_BELLE))
    figure = known(dronne.figure("sans_thd"))
    assert figure.departement.value == pytest.approx(100 * (1 - 81774 / 260284))
    assert figure.vintage == "2019-09"


def test_a_territory_rate_is_not_the_mean_of_rates() -> None:
    frame = pd.DataFrame(
        {
            "population": [10000, 100],
            "chomage": [5.0, 50.0],
            "chomage__num": [250.0, 25.0],
            "chomage__den": [5000.0, 50.0],
        }
    )
    result = aggregate(frame, INDICATORS["chomage"])
    assert result.value == pytest.approx(100 * 275 / 5050)  # 5.45 %, not (5 + 50) / 2
    assert (result.minimum, result.maximum) == (5.0, 50.0)


def test_a_median_is_never_averaged(dordogne: list) -> None:
    dronne = diagnose("CC Dronne et Belle", codes_of(DRONNE_ET_BELLE))
    median = known(dronne.figure("revenu_median"))
    assert median.territory.value is None
    assert known(median.territory.minimum) < known(median.territory.maximum)
    assert median.territory.communes_with_data < 16  # secret for the smallest communes


def test_fragilities_are_counted_against_the_departement_quartile(dordogne: list) -> None:
    dordogne_wide = diagnose("Dordogne", list(Commune.objects.values_list("code", flat=True)))
    communes = dordogne_wide.communes
    share = communes["chomage__fragile"].mean()
    assert 0.2 < share < 0.3  # about a quarter of the communes
    assert "taux_pauvrete" not in dordogne_wide.fragility_indicators  # published for 30 communes only
    # the IFN is built from these same indicators: never counted on top of them
    assert not {"ifn_global", "ifn_acces", "ifn_competences"} & set(dordogne_wide.fragility_indicators)
    assert {"sans_thd", "chomage", "part_65_plus", "peu_diplomes"} <= set(dordogne_wide.fragility_indicators)
    combined = dordogne_wide.combined
    assert len(combined) > 0 and (combined["fragilities"] >= 3).all()
    assert communes["fragility_class"].max() == 3


def test_coverage_and_zones_blanches(dordogne: list) -> None:
    codes = list(Commune.objects.values_list("code", flat=True))
    near = diagnose("Dordogne", codes, distance_km=50)
    far = diagnose("Dordogne", codes, distance_km=5)
    assert near.coverage.population_beyond == 0
    assert 0 < far.coverage.population_beyond < far.coverage.population
    # Périgueux hosts places: its distance is a few km at most (centroid to place)
    assert far.communes.at["24322", "distance_km"] < 3
    assert far.coverage.places == Place.objects.filter(kind__in=["mediation", "france_services"]).count()


def test_coverage_sentence_names_the_people_beyond(dordogne: list) -> None:
    from diagnostics.synthesis import coverage_sentence

    far = diagnose("Dordogne", list(Commune.objects.values_list("code", flat=True)), distance_km=5)
    sentence = coverage_sentence(far)
    assert f"vivent dans {far.coverage.communes_beyond} communes à plus de 5 km" in sentence
    assert "habitants, soit" in sentence and "(s)" not in sentence


def test_haversine_distance() -> None:
    # Périgueux → Bergerac, about 41 km as the crow flies
    d, i = haversine_nearest(np.array([45.184]), np.array([0.7218]), np.array([44.853, 0.0]), np.array([0.4833, 0.0]))
    assert 38 < d[0] < 44 and i[0] == 0


def test_publics_and_gaps_are_honest(dordogne: list, tenant_a) -> None:
    territory = Territory.objects.create(organization=tenant_a.organization, name="Dronne")
    territory.communes.set(codes_of(DRONNE_ET_BELLE))
    diagnostic = build_diagnostic(territory)
    labels = [str(p.label) for p in diagnostic.publics]
    assert "Personnes âgées" in labels and "Demandeurs d'emploi" in labels
    low_income = next(p for p in diagnostic.publics if str(p.label) == "Ménages à bas revenus")
    assert "sur 16" in low_income.figure
    assert any("75 ans" in str(g) for g in diagnostic.gaps)


def test_no_data_at_all(tenant_a) -> None:
    Commune.objects.create(code="24322", name="Périgueux", departement="24", population=100)
    diagnostic = diagnose("Vide", ["24322"])
    assert not diagnostic.has_data and diagnostic.figures == []
    assert diagnostic.coverage.communes_beyond == 1  # no help place known: everyone is beyond
    assert not CommuneStatistic.objects.exists()


def test_nearest_place_matches_brute_force() -> None:
    from diagnostics.analysis import haversine

    rng = np.random.default_rng(4)
    lat, lon = rng.uniform(41.5, 51, 3000), rng.uniform(-5, 9.5, 3000)
    lat[7] = np.nan  # a commune without contour
    plat, plon = rng.uniform(41.5, 51, 400), rng.uniform(-5, 9.5, 400)
    distances, nearest = haversine_nearest(lat, lon, plat, plon)
    for i in range(0, 3000, 37):
        if i == 7:
            assert np.isnan(distances[i]) and nearest[i] == -1
            continue
        brute = haversine(np.full(400, lat[i]), np.full(400, lon[i]), plat, plon)
        assert distances[i] == pytest.approx(brute.min()) and nearest[i] == brute.argmin()
