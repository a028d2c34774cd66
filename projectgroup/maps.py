"""The actors on a map of the organisation's communes: the diagnostic's static map stack (matplotlib, geopandas)."""

from __future__ import annotations

import math
from dataclasses import dataclass
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
    if not placed:
        return ActorsMap(svg="", placed=0, unplaced=len(actors))
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
    return ActorsMap(svg=svg[svg.find("<svg") :], placed=len(placed), unplaced=len(actors) - len(placed))
