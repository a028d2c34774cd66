"""What a resource map draws, once for every drawing: the screen's Cytoscape elements and the PDFs' SVG read the
same nodes, places, colours, shapes and lines from here."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import reverse

from resourcemaps.models import LINK_SHORT, Availability, Horizon, LinkKind, Nature, Resource, default_positions
from roadmap.models import Chantier

# Colour and shape per nature: the shape carries the nature too, for readers who don't tell the colours apart and
# for black-and-white prints. Shapes are Cytoscape's names; svg.py draws the same ones.
NATURE_STYLE: dict[str, tuple[str, str]] = {
    Nature.FINANCIERE: ("#b35806", "diamond"),
    Nature.HUMAINE: ("#1d7a46", "ellipse"),
    Nature.TECHNIQUE: ("#1f4e9c", "round-rectangle"),
    Nature.INTELLECTUELLE: ("#6a3d9a", "hexagon"),
    Nature.MATERIELLE: ("#a1005b", "triangle"),
}
CHANTIER_COLOUR = "#1b1f2a"


@dataclass(frozen=True)
class Node:
    pk: int
    name: str
    nature: str
    nature_label: str
    colour: str
    shape: str
    availability: str
    horizon: str
    horizon_label: str
    link: str
    x: float
    y: float

    @property
    def label_above(self) -> bool:
        return self.y < -20

    @property
    def caption(self) -> str:
        """The label under the node: its name, and when it operates if that was said."""
        return f"{self.name}\n({self.horizon_label.lower()})" if self.horizon else self.name


@dataclass(frozen=True)
class Drawing:
    chantier: Chantier
    nodes: list[Node]

    @property
    def edges(self) -> list[Node]:
        """The nodes joined to the chantier: « none » draws no line at all (the guide's legend)."""
        return [n for n in self.nodes if n.link != LinkKind.NONE]


def drawing(chantier: Chantier, resources: list[Resource]) -> Drawing:
    positions = default_positions(resources)
    nodes = []
    for r in resources:
        colour, shape = NATURE_STYLE[r.nature]
        x, y = positions[r.pk]
        nodes.append(
            Node(
                pk=r.pk,
                name=r.name,
                nature=r.nature,
                nature_label=str(Nature(r.nature).label),
                colour=colour,
                shape=shape,
                availability=r.availability,
                horizon=r.horizon,
                horizon_label=str(Horizon(r.horizon).label),
                link=r.link,
                x=x,
                y=y,
            )
        )
    return Drawing(chantier=chantier, nodes=nodes)


def cytoscape_elements(d: Drawing, *, editable: bool) -> list[dict[str, Any]]:
    """The elements given to Cytoscape.js (preset layout): the chantier, each resource, a line per link that is
    drawn; each resource carries the addresses its keyboard and mouse edits are sent to."""
    elements: list[dict[str, Any]] = [
        {
            "group": "nodes",
            "data": {"id": "chantier", "label": d.chantier.title, "kind": "chantier"},
            "position": {"x": 0, "y": 0},
            "classes": "chantier",
        }
    ]
    for n in d.nodes:
        data: dict[str, Any] = {
            "id": f"r{n.pk}",
            "pk": n.pk,
            "kind": "resource",
            "label": n.caption,
            "name": n.name,
            "nature": n.nature_label,
            "colour": n.colour,
            "shape": n.shape,
            "link": n.link,
            "link_label": str(LINK_SHORT[LinkKind(n.link)]),
        }
        if editable:
            data["place_url"] = reverse("resourcemaps:resource_place", kwargs={"resource_pk": n.pk})
            data["link_url"] = reverse("resourcemaps:resource_link", kwargs={"resource_pk": n.pk})
            data["edit_url"] = reverse("resourcemaps:resource_edit", kwargs={"resource_pk": n.pk})
        elements.append(
            {
                "group": "nodes",
                "data": data,
                "position": {"x": n.x, "y": n.y},
                "classes": f"resource {n.availability}" + (" above" if n.label_above else ""),
            }
        )
    for n in d.edges:
        elements.append(
            {
                "group": "edges",
                "data": {"id": f"e{n.pk}", "source": "chantier", "target": f"r{n.pk}", "link": n.link},
                "classes": n.link,
            }
        )
    return elements


AVAILABILITY_LEGEND = [
    (Availability.ACQUISE, Availability.ACQUISE.label),
    (Availability.A_MOBILISER, Availability.A_MOBILISER.label),
    (Availability.A_CREER, Availability.A_CREER.label),
]
