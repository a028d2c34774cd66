"""The actors on a map of the organisation's communes: the diagnostic's static map stack (matplotlib, geopandas)
for the image and the documents, and the same places as a Cytoscape graph for the page (static/js/actors_map.js):
zoom, drag, focus an actor with the keyboard."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from diagnostics.maps import figure_bytes, new_figure
from projectgroup.models import Actor, ActorKind
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


@dataclass
class ActorsMap:
    svg: str
    placed: int
    unplaced: int
    # Cytoscape elements: communes, actors (at their place, spread when several share it), a line to their commune.
    graph: list[dict[str, Any]] = field(default_factory=list)

    @property
    def legend(self) -> list[tuple[str, str]]:
        """(kind, colour) of the kinds of structure on the graph, in the kinds' order."""
        present = {e["data"]["kind"] for e in self.graph if "actor" in e.get("classes", "")}
        return [(str(k.label), c) for k, c in KIND_COLOURS.items() if str(k.label) in present]


# Width of the graph's plane the territory is scaled to: wider with more places, so that neighbouring communes'
# rings of actors keep apart (Cytoscape fits the whole to the screen; zooming in then reads the labels).
GRAPH_WIDTH = 900.0
PLACE_ROOM = 250.0
SPREAD = 80.0  # radius of the ring of actors around the commune (or point) they share


def actors_graph(
    actors: list[Actor],
    points: dict[int, tuple[float, float]],
    centroids: dict[str, tuple[float, float]],
    names: dict[str, str],
) -> list[dict[str, Any]]:
    """Lon/lat to the graph's plane (north up, distances kept at the territory's latitude); actors without a place
    in a row under the map, so that every actor of the directory is in the graph."""
    every = list(points.values()) + [
        centroids[c] for c in {a.commune_id for a in actors if a.commune_id} if c in centroids
    ]
    elements: list[dict[str, Any]] = []
    if every:
        lon0 = sum(p[0] for p in every) / len(every)
        lat0 = sum(p[1] for p in every) / len(every)
        squeeze = math.cos(math.radians(lat0))
        span = max(max(abs(p[0] - lon0) * squeeze for p in every), max(abs(p[1] - lat0) for p in every), 0.01)
        width = max(GRAPH_WIDTH, PLACE_ROOM * math.sqrt(len(set(every))))
        scale = width / 2 / span
    else:
        lon0 = lat0 = 0.0
        squeeze, scale = 1.0, 1.0

    def plane(point: tuple[float, float]) -> tuple[float, float]:
        return round((point[0] - lon0) * squeeze * scale, 1), round(-(point[1] - lat0) * scale, 1)

    used = sorted({a.commune_id for a in actors if a.commune_id and a.commune_id in centroids})
    for code in used:
        x, y = plane(centroids[code])
        elements.append(
            {
                "group": "nodes",
                "data": {"id": f"c{code}", "label": names.get(code, code)},
                "position": {"x": x, "y": y},
                "classes": "commune",
            }
        )
    sharing: dict[tuple[float, float], list[Actor]] = {}
    for actor in actors:
        if actor.pk in points:
            sharing.setdefault(plane(points[actor.pk]), []).append(actor)
    unplaced = [a for a in actors if a.pk not in points]
    bottom = max((p[1] for p in sharing), default=0.0) + 120
    commune_places = {plane(centroids[code]) for code in used}
    for (x, y), group in sharing.items():
        # Around their commune's label (or each other), never on top of it: a ring from the top, clockwise.
        ring = len(group) > 1 or (x, y) in commune_places
        for rank, actor in enumerate(group):
            angle = -math.pi / 2 + 2 * math.pi * rank / len(group)
            radius = SPREAD * (0.65 if len(group) == 1 else 1.0) if ring else 0.0
            elements.append(_actor_node(actor, x + radius * math.cos(angle), y + radius * math.sin(angle)))
    for rank, actor in enumerate(unplaced):
        elements.append(
            _actor_node(actor, -GRAPH_WIDTH / 2 + (rank % 8) * 120, bottom + (rank // 8) * 70, placed=False)
        )
    for actor in actors:
        if actor.commune_id in used:
            elements.append(
                {
                    "group": "edges",
                    "data": {"id": f"l{actor.pk}", "source": f"a{actor.pk}", "target": f"c{actor.commune_id}"},
                }
            )
    return elements


def _actor_node(actor: Actor, x: float, y: float, *, placed: bool = True) -> dict[str, Any]:
    kind = ActorKind(actor.kind) if actor.kind in ActorKind.values else ActorKind.AUTRE
    return {
        "group": "nodes",
        "data": {
            "id": f"a{actor.pk}",
            "label": actor.name,
            "kind": str(kind.label),
            "colour": KIND_COLOURS[kind],
            "commune": actor.commune.name if actor.commune_id and actor.commune else "",
            "url": actor.get_absolute_url(),
        },
        "position": {"x": round(x, 1), "y": round(y, 1)},
        "classes": "actor" if placed else "actor unplaced",
    }


def _point(actor: Actor, centroids: dict[str, tuple[float, float]]) -> tuple[float, float] | None:
    if actor.latitude is not None and actor.longitude is not None:
        return actor.longitude, actor.latitude
    if actor.commune_id and actor.commune_id in centroids:
        return centroids[actor.commune_id]
    return None


def actors_map(organization: Organization, actors: list[Actor]) -> ActorsMap:
    """The communes of the organisation's territories (and of its actors), each actor a dot coloured by kind; an
    actor without coordinates sits at its commune's centre."""
    import geopandas as gpd
    import shapely
    from matplotlib.lines import Line2D

    codes = {a.commune_id for a in actors if a.commune_id}
    communes = list(
        Commune.objects.filter(geometry__isnull=False)
        .filter(territories__organization=organization)
        .union(Commune.objects.filter(geometry__isnull=False, code__in=codes))
    )
    shapes = {c.code: shapely.geometry.shape(c.geometry) for c in communes}
    centroids = {code: (shape.centroid.x, shape.centroid.y) for code, shape in shapes.items()}
    points = [(a, _point(a, centroids)) for a in actors]
    placed = [(a, p) for a, p in points if p is not None]
    graph = actors_graph(actors, {a.pk: p for a, p in placed}, centroids, {c.code: c.name for c in communes})
    if not placed:
        return ActorsMap(svg="", placed=0, unplaced=len(actors), graph=graph)
    fig = new_figure(10, 7)
    ax = fig.add_subplot()
    ax.set_axis_off()
    if shapes:
        frame = gpd.GeoDataFrame(geometry=list(shapes.values()), crs="EPSG:4326")
        frame.plot(ax=ax, color="#eef2fa", edgecolor="#8a93a6", linewidth=0.4)
    latitudes = [p[1] for _a, p in placed]
    ax.set_aspect(1 / math.cos(math.radians(sum(latitudes) / len(latitudes))))
    handles: list[Any] = []
    for kind, colour in KIND_COLOURS.items():
        chosen = [p for a, p in placed if a.kind == kind]
        if chosen:
            ax.scatter([p[0] for p in chosen], [p[1] for p in chosen], s=45, c=colour, edgecolors="white", zorder=3)
            handles.append(
                Line2D([], [], marker="o", markersize=8, linestyle="", color=colour, label=str(ActorKind(kind).label))
            )
    fig.legend(handles=handles, loc="outside right upper", fontsize=11, frameon=False)
    svg = figure_bytes(fig, "svg").decode()
    return ActorsMap(svg=svg[svg.find("<svg") :], placed=len(placed), unplaced=len(actors) - len(placed), graph=graph)
