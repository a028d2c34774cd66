"""Loading the shared commune reference (INSEE code, name, EPCI, population, contour) from official files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from territories.models import Commune

# The file of COG 2024 communes with EPCI and population, as published in the sample data (SOURCES.md).
COMMUNES_GEOJSON = "communes_24_dordogne_cog2024.geojson"
POPULATION_VINTAGE = "populations légales 2024 (RP 2021)"


class CommuneFileError(ValueError):
    """A commune file that cannot be read; the message is in French, for the person importing."""


def _int_or_none(value: Any) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def read_communes_geojson(path: Path) -> list[Commune]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise CommuneFileError(
            _("Impossible de lire %(file)s comme un fichier GeoJSON : %(error)s") % {"file": path.name, "error": error}
        ) from error
    features = data.get("features") if isinstance(data, dict) else None
    if not isinstance(features, list) or not features:
        raise CommuneFileError(_("%(file)s ne contient aucune entité GeoJSON (« features »).") % {"file": path.name})
    communes = []
    for index, feature in enumerate(features, start=1):
        props = feature.get("properties") or {}
        code, name = str(props.get("code", "")).strip(), str(props.get("nom", "")).strip()
        if len(code) != 5 or not name:
            raise CommuneFileError(
                _("%(file)s, entité n°%(index)d : il manque le code INSEE (« code ») ou le nom (« nom »).")
                % {"file": path.name, "index": index}
            )
        population = _int_or_none(props.get("pmun_2024"))
        communes.append(
            Commune(
                code=code,
                name=name,
                departement=code[:3] if code.startswith("97") else code[:2],
                epci_siren=str(props.get("epci_siren") or ""),
                epci_name=str(props.get("epci_nom") or ""),
                population=population,
                population_vintage=POPULATION_VINTAGE if population is not None else "",
                geometry=feature.get("geometry"),
            )
        )
    return communes


@transaction.atomic
def load_communes(path: Path) -> int:
    """Insert or update every commune of the file; a bad file changes nothing. Returns the count."""
    communes = read_communes_geojson(path)
    Commune.objects.bulk_create(
        communes,
        update_conflicts=True,
        unique_fields=["code"],
        update_fields=[
            "name",
            "departement",
            "epci_siren",
            "epci_name",
            "population",
            "population_vintage",
            "geometry",
        ],
    )
    return len(communes)
