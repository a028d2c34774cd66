"""Maps of the diagnostic: interactive (folium, with Leaflet served from our static files) and static images
(matplotlib / geopandas, PNG or SVG) for the page without JavaScript and for the PDF documents.
"""

from __future__ import annotations

import io
import json
import math
import textwrap
from html import escape
from typing import Any, cast

import numpy as np
import pandas as pd
from django.conf import settings
from django.contrib.staticfiles import finders
from django.templatetags.static import static
from django.utils.translation import ngettext

from diagnostics.analysis import Diagnostic, format_value
from diagnostics.indicators import INDICATORS
from diagnostics.models import Place

LEAFLET_JS = "vendor/leaflet/leaflet.js"
LEAFLET_CSS = "vendor/leaflet/leaflet.css"
# Colour-blind friendly sequential palette (light = favourable, dark = fragile), 5 classes.
PALETTE = ["#fef0d9", "#fdcc8a", "#fc8d59", "#e34a33", "#b30000"]
NO_DATA = "#d9d9d9"
PLACE_COLOURS = {
    Place.Kind.FRANCE_SERVICES: "#1f4e9c",
    Place.Kind.MEDIATION: "#1d7a46",
    Place.Kind.CONSEILLER_NUMERIQUE: "#6a3d9a",
}
# The IFN has a natural reference, 100 = France: diverging classes around it (blue: less fragile than France,
# red: more fragile), the same for every territory, never the territory's own quintiles.
IFN_BOUNDS = [0.0, 80.0, 95.0, 105.0, 120.0, 1000.0]
IFN_PALETTE = ["#2c7bb6", "#abd9e9", "#f7f7f7", "#fdae61", "#d7191c"]
IFN_LABELS = [
    "moins de 80 : bien moins fragile que la France",
    "80 à 95 : moins fragile",
    "95 à 105 : proche de la moyenne nationale (100)",
    "105 à 120 : plus fragile",
    "plus de 120 : bien plus fragile que la France",
]
# On paper printed in black and white the two ends of a diverging palette are the same grey: the fragile side is
# hatched as well (denser for the more fragile class), so « moins de 80 » and « plus de 120 » never look alike.
HATCHES = {IFN_PALETTE[3]: "///", IFN_PALETTE[4]: "xxx"}
# The kinds of place differ by shape too, not only by colour (black and white, colour blindness).
PLACE_MARKERS = {
    Place.Kind.FRANCE_SERVICES: "s",
    Place.Kind.MEDIATION: "o",
    Place.Kind.CONSEILLER_NUMERIQUE: "^",
}
UNPUBLISHED = "#ffffff"
UNPUBLISHED_TEXT = "secret statistique (valeur non publiée par l'INSEE, trop peu de ménages)"
BACKGROUND = "#eeeeee"
COVERAGE = "coverage"
FRAGILITIES = "fragilities"


def map_choices(diagnostic: Diagnostic) -> list[tuple[str, str]]:
    """(key, label) of the maps that can be drawn: one per indicator with data, then fragilities, coverage."""
    choices = [(f.indicator.key, str(f.indicator.label)) for f in diagnostic.figures if f.indicator.unit != "hab."]
    choices.append((FRAGILITIES, "Fragilités cumulées"))
    choices.append((COVERAGE, "Couverture par les lieux d'accompagnement"))
    return choices


def leaflet_available() -> bool:
    """Leaflet must be served from our static files (house rule: no CDN)."""
    return bool(finders.find(LEAFLET_JS) and finders.find(LEAFLET_CSS))


def classes(values: pd.Series, reverse: bool = False) -> tuple[pd.Series, list[float]]:
    """Quantile class (0–4) of each value, -1 when missing, and the class bounds."""
    present = values.dropna()
    if present.empty:
        return pd.Series(-1, index=values.index), []
    bounds = sorted(set(np.quantile(present, [0, 0.2, 0.4, 0.6, 0.8, 1.0]).round(6)))
    if len(bounds) < 2:
        return pd.Series(np.where(values.notna(), 2, -1), index=values.index), bounds
    labels = np.digitize(values.fillna(bounds[0]), bounds[1:-1], right=True)
    if len(bounds) - 1 < len(PALETTE):  # fewer classes: spread them over the palette
        labels = np.round(labels * (len(PALETTE) - 1) / max(len(bounds) - 2, 1)).astype(int)
    if reverse:
        labels = len(PALETTE) - 1 - labels
    return pd.Series(np.where(values.notna(), labels, -1), index=values.index), bounds


def colours(diagnostic: Diagnostic, key: str) -> tuple[pd.Series, list[tuple[str, str]]]:
    """The fill colour of each commune and the legend (colour, text) of a map."""
    communes = diagnostic.communes
    if key == COVERAGE:
        fill = communes["beyond"].map({True: PALETTE[4], False: PALETTE[0]})
        limit = f"{diagnostic.coverage.distance_km:g} km"
        return fill, [(PALETTE[0], f"lieu à moins de {limit}"), (PALETTE[4], f"aucun lieu à moins de {limit}")]
    if key == FRAGILITIES:
        fill = communes["fragility_class"].map(lambda n: PALETTE[min(int(n), 3) + 1] if n else PALETTE[0])
        legend = [(PALETTE[0], "aucune"), (PALETTE[2], "1"), (PALETTE[3], "2"), (PALETTE[4], "3 ou plus")]
        return fill, legend
    indicator = INDICATORS[key]
    secret = communes[f"{key}__secret"].fillna(False).astype(bool) & communes[key].isna()
    if key.startswith("ifn_"):
        klass = pd.Series(np.digitize(communes[key].fillna(-1), IFN_BOUNDS[1:-1]), index=communes.index)
        fill = klass.map(lambda k: IFN_PALETTE[k]).where(communes[key].notna(), NO_DATA).where(~secret, UNPUBLISHED)
        legend = list(zip(IFN_PALETTE, IFN_LABELS, strict=True))
        if communes[key].isna().any():
            legend.append((NO_DATA, "donnée absente"))
        return fill, legend
    klass, bounds = classes(communes[key], reverse=indicator.fragile_when_high is False)
    fill = klass.map(lambda k: PALETTE[k] if k >= 0 else NO_DATA).where(~secret, UNPUBLISHED)
    legend = []
    if len(bounds) == 1:  # one value only (e.g. a rate published for one commune): its colour, its value
        legend.append((PALETTE[2], format_value(bounds[0], indicator)))
    for i in range(len(bounds) - 1):
        k = len(PALETTE) - 1 - i if indicator.fragile_when_high is False else i
        k = round(k * (len(PALETTE) - 1) / max(len(bounds) - 2, 1)) if len(bounds) - 1 < len(PALETTE) else k
        text = f"{format_value(bounds[i], indicator)} – {format_value(bounds[i + 1], indicator)}"
        legend.append((PALETTE[k], text))
    if secret.any():
        legend.append((UNPUBLISHED, UNPUBLISHED_TEXT))
    if ((klass < 0) & ~secret).any():
        legend.append((NO_DATA, "donnée absente"))
    return fill, legend


def title_of(diagnostic: Diagnostic, key: str) -> str:
    return dict(map_choices(diagnostic)).get(key, key)


def caption_of(diagnostic: Diagnostic, key: str) -> str:
    """Source and vintage under a map, and what its dots are."""
    if key == COVERAGE:
        return places_note(diagnostic) or "Aucun lieu d'accompagnement importé."
    if key == FRAGILITIES:
        text = "Nombre d'indicateurs pour lesquels la commune est dans le quart le plus exposé du département."
    else:
        figure = diagnostic.figure(key)
        text = f"Source : {figure.source}, {figure.vintage}." if figure else ""
    dots = places_note(diagnostic)
    return f"{text} {dots}".strip()


def place_kinds_drawn(diagnostic: Diagnostic) -> list[tuple[str, str, str]]:
    """The kinds of place drawn as dots on the maps: (kind, label, « source, vintage »), in the legend's order."""
    places = _places(diagnostic)
    found = []
    for kind in PLACE_COLOURS:
        chosen = places[places["kind"] == kind]
        if not len(chosen):
            continue
        sources = sorted({f"{s}, {v}" if v else s for s, v in chosen[["source", "vintage"]].itertuples(index=False)})
        found.append((str(kind), str(Place.Kind(kind).label), " ; ".join(sources)))
    return found


def places_note(diagnostic: Diagnostic) -> str:
    """What a dot is, where it comes from and of when: « Chaque point est un lieu d'accompagnement… »."""
    kinds = place_kinds_drawn(diagnostic)
    if not kinds:
        return ""
    count = len(_places(diagnostic))
    what = ngettext(
        "Chaque point est un lieu d'accompagnement au numérique, placé à son adresse (%(count)d lieu sur la carte) :",
        "Chaque point est un lieu d'accompagnement au numérique, placé à son adresse (%(count)d lieux sur la carte) :",
        count,
    ) % {"count": count}
    return what + " " + " ; ".join(f"{label} (source : {sources})" for _kind, label, sources in kinds) + "."


def _places(diagnostic: Diagnostic) -> pd.DataFrame:
    places = diagnostic.places
    located = places[places["lat"].notna() & places["lon"].notna()]
    communes = diagnostic.communes
    if communes["lat"].notna().any():  # places of the territory and within ~15 km around it
        margin = 0.2
        box = located["lat"].between(communes["lat"].min() - margin, communes["lat"].max() + margin) & located[
            "lon"
        ].between(communes["lon"].min() - margin, communes["lon"].max() + margin)
        located = located[box]
    return located


# --- our own background (no tile server can be reached) -----------------------------------------------

# Above this many communes in the territory, only the main commune of each EPCI and the largest ones are named.
ALL_NAMES_UP_TO = 60
LARGEST_NAMED = 25
MAX_OUTLINES = 60


def _box(communes: pd.DataFrame, margin: float = 0.08) -> tuple[float, float, float, float]:
    west, south, east, north = _bounds(communes["geometry"])
    dx, dy = (east - west) * margin + 0.02, (north - south) * margin + 0.02
    return west - dx, south - dy, east + dx, north + dy


def background(
    diagnostic: Diagnostic,
) -> tuple[pd.DataFrame, list[tuple[str, Any]], list[tuple[str, float, float, bool]]]:
    """(the communes around the territory within the map's box, the EPCI outlines, the names to write).

    Names: every commune of a small territory, else the main commune (chef-lieu: the most populous) of each EPCI
    and the largest communes; the main communes of the neighbouring EPCI are named too, in grey.
    """
    import shapely

    communes = diagnostic.communes[diagnostic.communes["geometry"].notna()]
    around = diagnostic.surroundings
    if not len(communes) or around.empty:
        return pd.DataFrame(columns=["name", "geometry"]), [], []
    west, south, east, north = _box(communes)
    around = around[
        around["geometry"].notna() & around["lon"].between(west, east) & around["lat"].between(south, north)
    ]
    others = around[~around.index.isin(communes.index)]
    outlines = []
    epcis = around.groupby("epci")
    if epcis.ngroups <= MAX_OUTLINES:  # a map of a whole country is not read EPCI by EPCI
        for epci, members in epcis:
            if epci:
                outlines.append((str(epci), shapely.union_all(members["geometry"].to_numpy(object))))
    labels: list[tuple[str, float, float, bool]] = []
    if len(communes) <= ALL_NAMES_UP_TO:
        named = communes
    else:
        main = communes.sort_values("population", ascending=False).groupby("epci").head(1)
        if len(main) > LARGEST_NAMED:
            main = main.iloc[:0]
        named = pd.concat([main, communes.nlargest(LARGEST_NAMED, "population")])
        named = named[~named.index.duplicated()]
    labels += [(str(r["name"]), float(r["lon"]), float(r["lat"]), True) for _c, r in named.iterrows()]
    neighbours = others.sort_values("population", ascending=False).groupby("epci").head(1)
    labels += [
        (str(r["name"]), float(r["lon"]), float(r["lat"]), False)
        for _c, r in neighbours.nlargest(LARGEST_NAMED, "population").iterrows()
    ]
    return others, outlines, labels


# --- interactive ---------------------------------------------------------------------------------------


def _metric_scale() -> Any:
    """Leaflet's scale in kilometres only (folium's `control_scale` adds miles too)."""
    from branca.element import MacroElement
    from jinja2 import Template

    scale = MacroElement()
    scale._template = Template(
        "{% macro script(this, kwargs) %}L.control.scale({imperial: false}).addTo({{ this._parent.get_name() }});"
        "{% endmacro %}"
    )
    return scale


def interactive_map(diagnostic: Diagnostic, key: str) -> str:
    """A full HTML page with the folium map; Leaflet comes from our static files, never from a CDN."""
    import folium

    communes = diagnostic.communes[diagnostic.communes["geometry"].notna()]
    fill, legend = colours(diagnostic, key)
    features = []
    indicator = INDICATORS.get(key)
    for code, row in communes.iterrows():
        if indicator is not None:
            shown = "secret statistique" if row.get(f"{key}__secret") is True else format_value(row[key], indicator)
        elif key == COVERAGE:
            shown = f"{row['distance_km']:.1f} km ({row['nearest_place']})" if row["nearest_place"] else "—"
        else:
            shown = ", ".join(row["fragility_labels"]) or "aucune"
        features.append(
            {
                "type": "Feature",
                "geometry": json.loads(row["geojson"]),
                "properties": {"nom": f"{row['name']} ({code})", "valeur": shown, "couleur": fill[code]},
            }
        )
    center = [float(communes["lat"].mean()), float(communes["lon"].mean())] if len(communes) else [46.6, 2.4]
    fmap = folium.Map(location=center, zoom_start=10, tiles=None)
    fmap.add_child(_metric_scale())
    # No CDN: folium's defaults point to jsdelivr & co; only Leaflet itself is needed for these layers. Instance
    # lists, because `add_js_link` would edit folium's class-level defaults (shared by every map of the process).
    fmap.default_js = [("leaflet", _static_url(LEAFLET_JS))]
    fmap.default_css = [("leaflet_css", _static_url(LEAFLET_CSS))]
    others, outlines, labels = background(diagnostic)
    if len(others):
        folium.GeoJson(
            {
                "type": "FeatureCollection",
                "features": [
                    {"type": "Feature", "geometry": json.loads(shapely_json(g)), "properties": {"nom": n}}
                    for n, g in zip(others["name"], others["geometry"], strict=True)
                ],
            },
            style_function=lambda f: {"fillColor": BACKGROUND, "color": "#bbbbbb", "weight": 0.5, "fillOpacity": 1},
            tooltip=folium.GeoJsonTooltip(fields=["nom"], aliases=["Commune voisine"]),
        ).add_to(fmap)
    if features:
        _commune_layer(features, diagnostic, key).add_to(fmap)
    for name, outline in outlines:
        folium.GeoJson(
            json.loads(shapely_json(outline.boundary)),
            style_function=lambda f: {"color": "#222222", "weight": 2, "fill": False},
            tooltip=name,
        ).add_to(fmap)
    for name, lon, lat, main in labels:
        css = "map-label" if main else "map-label map-label-neighbour"
        folium.Marker(
            location=[lat, lon],
            icon=folium.DivIcon(html=f'<span class="{css}">{escape(name)}</span>', icon_size=(0, 0)),
        ).add_to(fmap)
    cast(Any, fmap.get_root()).header.add_child(
        folium.Element(f'<link rel="stylesheet" href="{_static_url(MAP_CSS)}">')
    )
    fmap.add_child(_legend(title_of(diagnostic, key), legend))
    for place in _places(diagnostic).itertuples():
        folium.CircleMarker(
            location=[place.lat, place.lon],
            radius=6,
            color="#fff",
            weight=1.5,
            fill=True,
            fill_color=PLACE_COLOURS.get(place.kind, "#333"),
            fill_opacity=1,
            tooltip=f"{place.name} — {Place.Kind(place.kind).label}",
        ).add_to(fmap)
    if len(communes):
        bounds = _bounds(communes["geometry"])
        fmap.fit_bounds([[bounds[1], bounds[0]], [bounds[3], bounds[2]]])
    return str(fmap.get_root().render())


MAP_CSS = "diagnostics/map.css"


def shapely_json(geometry: Any) -> str:
    import shapely

    return str(shapely.to_geojson(geometry))


def _legend(title: str, legend: list[tuple[str, str]]) -> Any:
    """The legend of the interactive map, as on the static one (a Leaflet control)."""
    from branca.element import MacroElement
    from jinja2 import Template

    rows = "".join(
        f'<div class="map-legend-row"><span class="map-legend-swatch map-swatch-{i}"></span>{escape(text)}</div>'
        for i, (_colour, text) in enumerate(legend)
    )
    swatches = " ".join(f".map-swatch-{i}{{background:{colour}}}" for i, (colour, _text) in enumerate(legend))
    html = f'<div class="map-legend"><strong>{escape(title)}</strong>{rows}</div>'
    element = MacroElement()
    element._template = Template(
        "{% macro header(this, kwargs) %}<style>" + swatches + "</style>{% endmacro %}"
        "{% macro script(this, kwargs) %}"
        "var legend = L.control({position: 'bottomright'});"
        "legend.onAdd = function () { var div = L.DomUtil.create('div'); div.innerHTML = "
        + json.dumps(html)
        + "; return div; };"
        "legend.addTo({{ this._parent.get_name() }});"
        "{% endmacro %}"
    )
    return element


def _static_url(path: str) -> str:
    """The URL of one of our static files, even before it is collected (the manifest storage would refuse)."""
    try:
        return static(path)
    except ValueError:
        return f"{settings.STATIC_URL}{path}"


def _commune_layer(features: list[dict[str, Any]], diagnostic: Diagnostic, key: str) -> Any:
    import folium

    return folium.GeoJson(
        {"type": "FeatureCollection", "features": features},
        style_function=lambda f: {
            "fillColor": f["properties"]["couleur"],
            "color": "#555",
            "weight": 0.6,
            "fillOpacity": 0.85,
        },
        tooltip=folium.GeoJsonTooltip(fields=["nom", "valeur"], aliases=["Commune", title_of(diagnostic, key)]),
    )


def _bounds(geometries: pd.Series) -> tuple[float, float, float, float]:
    import shapely

    west, south, east, north = shapely.total_bounds(geometries.to_numpy(object))
    return (float(west), float(south), float(east), float(north))


# --- static images -------------------------------------------------------------------------------------


def new_figure(width: float, height: float) -> Any:
    """A matplotlib figure drawn off-screen, for the diagnostic's maps and the actors map (projectgroup)."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    # Constrained layout makes room for the legend and titles in one drawing pass (bbox_inches="tight" draws twice).
    return Figure(figsize=(width, height), dpi=150, layout="constrained")


def figure_bytes(fig: Any, fmt: str) -> bytes:
    """The figure as PNG or SVG bytes (SVG without a date, so the same map gives the same file)."""
    out = io.BytesIO()
    if fmt == "svg":
        fig.savefig(out, format=fmt, metadata={"Date": None})
    else:  # light compression: a third of the encoding time, files ~20 % larger
        fig.savefig(out, format=fmt, pil_kwargs={"compress_level": 3})
    return out.getvalue()


def static_map(
    diagnostic: Diagnostic, key: str, fmt: str = "png", *, caption: bool = True, for_print: bool = False
) -> bytes:
    """The same map as an image (PNG or SVG), with legend, places, title and source; sized for a slide or a page.

    `caption=False` for a document that prints the caption under the image itself (once, readable).
    `for_print=True` for paper, which may be black and white: the fragile side is hatched too (hatches cost a good
    part of the drawing time, and a screen shows the colours)."""
    import geopandas as gpd
    from matplotlib import patheffects
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    communes = diagnostic.communes[diagnostic.communes["geometry"].notna()]
    if not len(communes):
        fig = new_figure(10, 3)
        fig.text(0.5, 0.5, "Contours des communes non importés", ha="center", va="center", fontsize=14)
        return figure_bytes(fig, fmt)
    west, south, east, north = _bounds(communes["geometry"])
    pad_x, pad_y = (east - west) * 0.04, (north - south) * 0.04
    stretch = 1 / math.cos(math.radians((south + north) / 2))
    ratio = (north - south + 2 * pad_y) * stretch / max(east - west + 2 * pad_x, 1e-6)
    # Map width 7 in, plus 3.6 in for the legend on the right; height follows the territory's shape.
    fig = new_figure(10.6, min(max(7 * ratio, 4.5), 9.5) + 0.8)
    ax = fig.add_subplot()
    ax.set_axis_off()
    fill, legend = colours(diagnostic, key)
    others, outlines, labels = background(diagnostic)
    if len(others):
        around = gpd.GeoDataFrame(geometry=list(others["geometry"]), crs="EPSG:4326")
        around.plot(ax=ax, color=BACKGROUND, edgecolor="#bbbbbb", linewidth=0.3)
    frame = gpd.GeoDataFrame({"fill": fill.loc[communes.index]}, geometry=list(communes["geometry"]), crs="EPSG:4326")
    frame.plot(ax=ax, color=frame["fill"], edgecolor="#555555", linewidth=0.4)
    hatches = HATCHES if for_print else {}
    for colour, hatch in hatches.items():
        hatched = frame[frame["fill"] == colour]
        if len(hatched):
            hatched.plot(ax=ax, facecolor="none", edgecolor="#444444", hatch=hatch, linewidth=0)
    if outlines:
        gpd.GeoSeries([g.boundary for _n, g in outlines], crs="EPSG:4326").plot(ax=ax, color="#222222", linewidth=1.2)
    for name, lon, lat, main in labels:
        text = ax.text(
            lon,
            lat,
            name,
            ha="center",
            va="center",
            fontsize=7 if main else 6,
            color="#1b1f29" if main else "#666666",
            fontstyle="normal" if main else "italic",
            zorder=4,
            clip_on=True,
        )
        text.set_in_layout(False)  # the layout leaves room for the legend, not for every name
        text.set_path_effects([patheffects.withStroke(linewidth=2, foreground="white")])
    ax.set_aspect(stretch)
    _scale_bar(ax, west, south, east, north)
    places = _places(diagnostic)
    handles: list[Any] = [Patch(facecolor=c, edgecolor="#555555", hatch=hatches.get(c), label=t) for c, t in legend]
    # The dots' legend says what a dot is and of when (the source's vintage), as the caption does.
    vintages = {kind: sorted(set(places.loc[places["kind"] == kind, "vintage"])) for kind in PLACE_COLOURS}
    for kind, colour in PLACE_COLOURS.items():
        chosen = places[places["kind"] == kind]
        if len(chosen):
            marker = PLACE_MARKERS.get(kind, "o")
            ax.scatter(
                chosen["lon"], chosen["lat"], s=44, c=colour, marker=marker, edgecolors="white", linewidths=1, zorder=3
            )
            label = str(Place.Kind(kind).label).replace(" employant ", "\nemployant ")
            when = ", ".join(str(v) for v in vintages[kind] if v)
            label = f"{label} ({when})" if when else label
            handles.append(Line2D([], [], marker=marker, markersize=8, linestyle="", color=colour, label=label))
    if len(places):
        handles.insert(len(legend), Patch(facecolor="none", edgecolor="none", label="Points : lieux d'accompagnement"))
    ax.set_xlim(west - pad_x, east + pad_x)
    ax.set_ylim(south - pad_y, north + pad_y)
    fig.legend(handles=handles, loc="outside right upper", fontsize=11, frameon=False)
    title = textwrap.fill(f"{diagnostic.territory_name} — {title_of(diagnostic, key)}", 48)
    ax.set_title(title, fontsize=15, loc="left")
    if caption:
        fig.supxlabel(textwrap.fill(caption_of(diagnostic, key), 150), fontsize=9, color="#525a6b", x=0.01, ha="left")
    return figure_bytes(fig, fmt)


def _scale_bar(ax: Any, west: float, south: float, east: float, north: float) -> None:
    """A scale bar in kilometres (a round length, about a fifth of the map's width), bottom left."""
    km_per_degree = 111.32 * math.cos(math.radians((south + north) / 2))
    width_km = (east - west) * km_per_degree
    length = next((n for n in (1, 2, 5, 10, 20, 50, 100, 200) if n >= width_km / 5), 200)
    x0, y0 = west + (east - west) * 0.03, south + (north - south) * 0.03
    x1 = x0 + length / km_per_degree
    ax.plot([x0, x1], [y0, y0], color="#1b1f29", linewidth=2.5, solid_capstyle="butt", zorder=5)
    ax.text((x0 + x1) / 2, y0 + (north - south) * 0.015, f"{length} km", ha="center", va="bottom", fontsize=8, zorder=5)


def comparison_chart(diagnostic: Diagnostic, fmt: str = "png") -> bytes:
    """Bars: the territory and its département on each rate indicator."""
    figures = [f for f in diagnostic.figures if f.indicator.unit == "%" and f.territory.value is not None]
    fig = new_figure(8, 0.5 + 0.45 * max(len(figures), 1))
    ax = fig.add_subplot()
    labels = [str(f.indicator.label) for f in figures]
    y = np.arange(len(figures))
    ax.barh(y - 0.2, [f.territory.value or 0 for f in figures], height=0.4, color="#1f4e9c", label="Territoire")
    ax.barh(y + 0.2, [f.departement.value or 0 for f in figures], height=0.4, color="#9aa3b5", label="Département")
    ax.set_yticks(y, labels, fontsize=7)
    ax.invert_yaxis()
    ax.set_xlabel("%", fontsize=7)
    ax.tick_params(axis="x", labelsize=7)
    ax.legend(fontsize=7, frameon=False, loc="lower right")
    ax.spines[["top", "right"]].set_visible(False)
    ax.set_title(f"{diagnostic.territory_name} comparé au département", fontsize=9, loc="left")
    return figure_bytes(fig, fmt)
