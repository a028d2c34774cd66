"""The actors on a map of the organisation's communes, with the diagnostic's map stack: an interactive folium map
(Leaflet served from our static files, shown in a frame of the page) and a static image (matplotlib, geopandas)
for print and the documents."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from html import escape
from typing import Any, cast

from projectgroup.models import Actor, ActorKind, Family
from tenancy.models import Organization
from territories.models import Commune

KIND_COLOURS = {
    ActorKind.COLLECTIVITE: "#1f4e9c",
    ActorKind.SERVICE_PUBLIC: "#6a3d9a",
    ActorKind.ASSOCIATION: "#1d7a46",
    ActorKind.ENTREPRISE: "#b35806",
    ActorKind.ETABLISSEMENT: "#b30000",
    ActorKind.AUTRE: "#525a6b",
}
# Above this many communes, their names would cover the markers: the contours' tooltips name them instead.
NAMED_COMMUNES_UP_TO = 40


@dataclass
class Placed:
    actor: Actor
    lon: float
    lat: float


@dataclass
class ActorsMap:
    svg: str
    placed: int
    unplaced: int


def _kind(actor: Actor) -> ActorKind:
    return ActorKind(actor.kind) if actor.kind in ActorKind.values else ActorKind.AUTRE


def communes_of(organization: Organization, actors: list[Actor]) -> list[Commune]:
    """The communes of the organisation's territories, and those of its actors outside them (one query)."""
    codes = {a.commune_id for a in actors if a.commune_id}
    communes = (
        Commune.objects.filter(geometry__isnull=False)
        .filter(territories__organization=organization)
        .union(Commune.objects.filter(geometry__isnull=False, code__in=codes))
    )
    return sorted(communes, key=lambda c: c.code)


def place_actors(actors: list[Actor], centroids: dict[str, tuple[float, float]]) -> list[Placed]:
    """Each actor at its coordinates when known, else at its commune's centre; actors sharing a point are spread
    on a small ring around it, so that every one of them can be seen and clicked."""
    sharing: dict[tuple[float, float], list[Actor]] = {}
    for actor in actors:
        if actor.latitude is not None and actor.longitude is not None:
            point = (actor.longitude, actor.latitude)
        elif actor.commune_id and actor.commune_id in centroids:
            point = centroids[actor.commune_id]
        else:
            continue
        sharing.setdefault((round(point[0], 6), round(point[1], 6)), []).append(actor)
    placed = []
    for (lon, lat), group in sharing.items():
        # A few hundred metres (400 m × √n): apart at the zoom of a communauté de communes, still inside the commune;
        # longitude degrees shrink with latitude.
        radius = 0.0 if len(group) == 1 else 0.0035 * math.sqrt(len(group))
        squeeze = max(math.cos(math.radians(lat)), 0.1)
        for rank, actor in enumerate(group):
            angle = math.pi / 2 - 2 * math.pi * rank / len(group)
            placed.append(Placed(actor, lon + radius * math.cos(angle) / squeeze, lat + radius * math.sin(angle)))
    return placed


def _geometry(communes: list[Commune]) -> tuple[dict[str, Any], dict[str, tuple[float, float]]]:
    import shapely

    shapes = {c.code: shapely.geometry.shape(c.geometry) for c in communes}
    return shapes, {code: (shape.centroid.x, shape.centroid.y) for code, shape in shapes.items()}


def actors_map(organization: Organization, actors: list[Actor]) -> ActorsMap:
    """The static image: the communes, each placed actor a dot coloured by its kind, with a legend."""
    import geopandas as gpd
    from matplotlib.lines import Line2D

    from diagnostics.maps import figure_bytes, new_figure

    communes = communes_of(organization, actors)
    shapes, centroids = _geometry(communes)
    placed = place_actors(actors, centroids)
    if not placed:
        return ActorsMap(svg="", placed=0, unplaced=len(actors))
    fig = new_figure(10, 7)
    ax = fig.add_subplot()
    ax.set_axis_off()
    if shapes:
        frame = gpd.GeoDataFrame(geometry=list(shapes.values()), crs="EPSG:4326")
        frame.plot(ax=ax, color="#eef2fa", edgecolor="#8a93a6", linewidth=0.4)
    ax.set_aspect(1 / math.cos(math.radians(sum(p.lat for p in placed) / len(placed))))
    handles: list[Any] = []
    for kind, colour in KIND_COLOURS.items():
        chosen = [p for p in placed if _kind(p.actor) == kind]
        if chosen:
            ax.scatter([p.lon for p in chosen], [p.lat for p in chosen], s=45, c=colour, edgecolors="white", zorder=3)
            handles.append(Line2D([], [], marker="o", markersize=8, linestyle="", color=colour, label=str(kind.label)))
    fig.legend(handles=handles, loc="outside right upper", fontsize=11, frameon=False)
    svg = figure_bytes(fig, "svg").decode()
    return ActorsMap(svg=svg[svg.find("<svg") :], placed=len(placed), unplaced=len(actors) - len(placed))


def _popup(actor: Actor) -> str:
    """The popup's HTML, every text escaped; the link opens the actor's page in the whole window, not the frame."""
    labels = dict(Family.choices)
    families = ", ".join(escape(str(labels.get(f, f))) for f in actor.families)
    commune = f"<br>{escape(actor.commune.name)}" if actor.commune_id and actor.commune else ""
    publics = f"<br><em>Publics\u00a0:</em> {families}" if families else ""
    return (
        f"<strong>{escape(actor.name)}</strong><br>{escape(str(_kind(actor).label))}{commune}{publics}"
        f'<br><a href="{escape(actor.get_absolute_url())}" target="_top">Ouvrir la fiche</a>'
    )


def _markers(placed: list[Placed]) -> Any:
    """One circle marker per actor, from a JSON list (no folium Popup: its template needs jQuery, which we do not
    serve). The list is JSON with « < » written \\u003c, so no text can close the script."""
    from branca.element import MacroElement
    from jinja2 import Template

    data = [
        {
            "lat": round(p.lat, 6),
            "lon": round(p.lon, 6),
            "colour": KIND_COLOURS[_kind(p.actor)],
            "name": p.actor.name,
            "tooltip": f"{escape(p.actor.name)} — {escape(str(_kind(p.actor).label))}",
            "popup": _popup(p.actor),
        }
        for p in placed
    ]
    encoded = json.dumps(data, ensure_ascii=False).replace("<", "\\u003c").replace(">", "\\u003e")
    element = cast(Any, MacroElement())
    element.data = encoded  # rendered as is: never part of the template's source
    element._template = Template(
        "{% macro script(this, kwargs) %}"
        "var cpActors = {{ this.data }};\n"
        "cpActors.forEach(function (a) {"
        " L.circleMarker([a.lat, a.lon], {radius: 8, color: '#fff', weight: 2, fillColor: a.colour,"
        " fillOpacity: 1, className: 'actor-marker', pane: 'actors'})"
        ".bindTooltip(a.tooltip).bindPopup(a.popup).addTo({{ this._parent.get_name() }});"
        "});"
        "{% endmacro %}"
    )
    return element


def interactive_map(organization: Organization, actors: list[Actor]) -> str:
    """A full HTML page with the folium map of the actors on the territory's communes; Leaflet comes from our
    static files, never from a CDN (as the diagnostic's map)."""
    import folium
    import shapely

    from diagnostics.maps import LEAFLET_CSS, LEAFLET_JS, MAP_CSS, _legend, _metric_scale, _static_url, shapely_json

    communes = communes_of(organization, actors)
    shapes, centroids = _geometry(communes)
    placed = place_actors(actors, centroids)
    points = [(p.lon, p.lat) for p in placed] + list(centroids.values())
    center = (
        [sum(p[1] for p in points) / len(points), sum(p[0] for p in points) / len(points)] if points else [46.6, 2.4]
    )
    fmap = folium.Map(location=center, zoom_start=10, tiles=None)
    fmap.add_child(_metric_scale())
    # Instance lists: folium's class-level defaults point to CDNs and are shared by every map of the process.
    fmap.default_js = [("leaflet", _static_url(LEAFLET_JS))]
    fmap.default_css = [("leaflet_css", _static_url(LEAFLET_CSS))]
    cast(Any, fmap.get_root()).header.add_child(
        folium.Element(f'<link rel="stylesheet" href="{_static_url(MAP_CSS)}">')
    )
    if communes:
        folium.GeoJson(
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "geometry": json.loads(shapely_json(shapes[c.code])),
                        "properties": {"nom": f"{c.name} ({c.code})"},
                    }
                    for c in communes
                ],
            },
            name="communes",
            style_function=lambda f: {"fillColor": "#eef2fa", "color": "#6b7489", "weight": 1, "fillOpacity": 0.7},
            tooltip=folium.GeoJsonTooltip(fields=["nom"], aliases=["Commune"]),
        ).add_to(fmap)
        if len(communes) <= NAMED_COMMUNES_UP_TO:
            for commune in communes:
                lon, lat = centroids[commune.code]
                folium.Marker(
                    location=[lat, lon],
                    # Just under the commune's centre, where its actors gather.
                    icon=folium.DivIcon(
                        html=f'<span class="map-label">{escape(commune.name)}</span>',
                        icon_size=(0, 0),
                        icon_anchor=(0, -18),
                    ),
                ).add_to(fmap)
    if placed:
        # The actors above the communes' names (Leaflet's marker pane is 600), under the tooltips (650).
        fmap.add_child(folium.map.CustomPane("actors", z_index=620, pointer_events=True))
        fmap.add_child(_markers(placed))
        kinds = [(c, str(k.label)) for k, c in KIND_COLOURS.items() if any(_kind(p.actor) == k for p in placed)]
        fmap.add_child(_legend("Types de structure", kinds))
    if points:
        west, south, east, north = shapely.MultiPoint(points).bounds
        if communes:
            west, south, east, north = _union_bounds((west, south, east, north), shapes.values())
        fmap.fit_bounds([[south, west], [north, east]])
    return str(fmap.get_root().render())


def _union_bounds(box: tuple[float, float, float, float], shapes: Any) -> tuple[float, float, float, float]:
    import shapely

    west, south, east, north = shapely.total_bounds(list(shapes))
    return min(box[0], west), min(box[1], south), max(box[2], east), max(box[3], north)
