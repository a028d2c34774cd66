"""Maps that mean something: classes of the IFN around 100, legend, scale, names and our own background."""

from __future__ import annotations

import re

import pytest

from diagnostics import maps
from diagnostics.analysis import diagnose
from territories.models import Commune

pytestmark = pytest.mark.django_db

DRONNE_ET_BELLE = "200041572"


def dronne():
    return diagnose(
        "CC Dronne et Belle", list(Commune.objects.filter(epci_siren=DRONNE_ET_BELLE).values_list("code", flat=True))
    )


def test_ifn_classes_are_around_the_national_reference(dordogne: list) -> None:
    diagnostic = dronne()
    fill, legend = maps.colours(diagnostic, "ifn_global")
    assert [text for _c, text in legend][:5] == maps.IFN_LABELS
    # a commune at 98 is "close to France" whatever the territory: not a quintile of the territory
    near = diagnostic.communes["ifn_global"].between(95, 105)
    assert near.any() and set(fill[near]) == {maps.IFN_PALETTE[2]}


def test_secret_values_are_explained_where_drawn(dordogne: list) -> None:
    _fill, legend = maps.colours(dronne(), "taux_pauvrete")
    assert (maps.UNPUBLISHED, maps.UNPUBLISHED_TEXT) in legend


def test_interactive_map_has_legend_scale_names_and_background(dordogne: list) -> None:
    html = maps.interactive_map(dronne(), "ifn_global")
    assert "L.control.scale({imperial: false})" in html
    assert "map-legend" in html and "proche de la moyenne nationale (100)" in html
    assert 'map-label\\"\\u003eBiras\\u003c' in html  # the names of the communes, as on the static map
    assert "map-label-neighbour" in html  # the main communes of the neighbouring EPCI
    assert "Commune voisine" in html  # the communes around, drawn as background
    assert not re.search(r"(src|href)=\"https?://", html)


def test_static_map_has_names_and_a_scale(dordogne: list) -> None:
    diagnostic = dronne()
    others, outlines, labels = maps.background(diagnostic)
    named = {name for name, _x, _y, main in labels if main}
    assert {"Brantôme en Périgord", "Biras", "Mareuil en Périgord"} <= named  # 16 communes: all named
    assert "CC Dronne et Belle" in {name for name, _g in outlines} and len(others) > 0
    svg = maps.static_map(diagnostic, "ifn_global", "svg").decode()
    assert "<!-- 10 km -->" in svg  # the scale bar


def test_a_rate_published_for_one_commune_has_its_colour_in_the_legend(dordogne: list) -> None:
    # CC du Périgord Nontronnais: the poverty rate is published for Nontron only (19,0 %), secret elsewhere.
    codes = list(Commune.objects.filter(epci_siren="200071819").values_list("code", flat=True))
    fill, legend = maps.colours(diagnose("CC du Périgord Nontronnais", codes), "taux_pauvrete")
    drawn = {colour for colour in fill if colour not in (maps.UNPUBLISHED, maps.NO_DATA)}
    assert drawn and drawn <= {colour for colour, _text in legend}
    assert (maps.PALETTE[2], "19,0\u00a0%") in legend


def test_printed_in_black_and_white_the_fragile_side_and_the_kinds_of_place_stay_apart(dordogne: list) -> None:
    diagnostic = dronne()
    svg = maps.static_map(diagnostic, "ifn_global", "svg", for_print=True).decode()
    fill, _legend = maps.colours(diagnostic, "ifn_global")
    assert set(fill) & set(maps.HATCHES)  # Dronne et Belle has communes on the fragile side of France
    assert svg.count("<pattern") >= 2  # hatched, in the map and its legend
    assert "<pattern" not in maps.static_map(diagnostic, "ifn_global", "svg").decode()  # on screen: colours
    coverage = maps.static_map(diagnostic, "coverage", "svg").decode()
    # France services are squares, mediation places circles: two different marker paths in the drawing
    markers = set(re.findall(r'<path id="(m[0-9a-f]+)" d="([^"]+)"', coverage))
    assert len({d for _id, d in markers}) >= 2
