"""A resource map as Kumu (kumu.io) import files: Kumu reads one sheet per CSV file, « elements » (first columns
ID, Label) and « connections » (first columns From, To), so the export is a zip of the two CSV files.

Kumu matches the first cell of each file by its exact name: the files are UTF-8 without a byte-order mark, comma
separated, and several values in one cell are separated by « | » (Kumu's tags). Elements carry an ID column
(Kumu's way of keeping two elements with the same label apart: two resources both named « CAF », or one named like
its chantier), and the connections name those IDs.
"""

from __future__ import annotations

import csv
import io
import zipfile

from django.utils.translation import gettext as _

from documents.csv_cells import spreadsheet_text
from resourcemaps.models import LINK_SHORT, Availability, Horizon, LinkKind, Nature, Resource
from roadmap.models import Chantier

ELEMENT_COLUMNS = ["ID", "Label", "Type", "Description", "Tags", "Disponibilité", "Horizon", "Structure", "Contact"]
CONNECTION_COLUMNS = ["From", "To", "Type", "Description", "Tags"]


def _csv(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows([spreadsheet_text(cell) for cell in row] for row in rows)
    return buffer.getvalue().encode("utf-8")


def kumu_sheets(chantier: Chantier, resources: list[Resource]) -> dict[str, bytes]:
    """{"elements.csv": …, "connections.csv": …}: the chantier and its resources, then one connection per line
    drawn on the map (a resource without acquaintance has none, as on the map)."""
    chantier_id = f"chantier-{chantier.pk}"
    elements = [ELEMENT_COLUMNS, [chantier_id, chantier.title, _("Chantier"), chantier.description, "", "", "", "", ""]]
    connections = [CONNECTION_COLUMNS]
    for r in resources:
        availability = str(Availability(r.availability).label)
        horizon = str(Horizon(r.horizon).label) if r.horizon else ""
        tags = "|".join(t for t in (availability, horizon) if t)
        elements.append(
            [
                f"ressource-{r.pk}",
                r.name,
                str(Nature(r.nature).label),
                r.connection,
                tags,
                availability,
                horizon,
                r.actor.name if r.actor_id and r.actor else "",
                r.contact.full_name if r.contact_id and r.contact else "",
            ]
        )
        if r.link != LinkKind.NONE:
            connections.append(
                [
                    chantier_id,
                    f"ressource-{r.pk}",
                    str(LINK_SHORT[LinkKind(r.link)]),
                    str(LinkKind(r.link).label),
                    r.link,
                ]
            )
    return {"elements.csv": _csv(elements), "connections.csv": _csv(connections)}


def kumu_zip(chantier: Chantier, resources: list[Resource]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in kumu_sheets(chantier, resources).items():
            archive.writestr(name, content)
    return buffer.getvalue()
