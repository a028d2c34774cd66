"""The national formats of help places, both ways: the « lieux de médiation numérique » schema (La MedNum / ANCT,
v1.0.2) and data·inclusion (structures, services).

A territory's places are exported in the national schema so that it can feed the national map back.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import pandas as pd
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from diagnostics.importers import (
    CodeResolver,
    ImportFileError,
    ImportResult,
    Scope,
    _float,
    _save_places,
    _siret,
    check_coordinates,
    check_in_scope,
    check_rows,
    line_of,
    read_json,
    read_table,
)
from diagnostics.models import Place
from territories.models import Territory

# The columns of the national schema, in its order (schemas/lieux-mediation-numerique_schema_v1.0.2.json).
MEDIATION_FIELDS = [
    "id",
    "pivot",
    "nom",
    "commune",
    "code_postal",
    "code_insee",
    "adresse",
    "complement_adresse",
    "latitude",
    "longitude",
    "typologie",
    "telephone",
    "courriels",
    "site_web",
    "horaires",
    "presentation_resume",
    "presentation_detail",
    "source",
    "itinerance",
    "structure_parente",
    "date_maj",
    "services",
    "publics_specifiquement_adresses",
    "prise_en_charge_specifique",
    "frais_a_charge",
    "dispositif_programmes_nationaux",
    "formations_labels",
    "autres_formations_labels",
    "modalites_acces",
    "modalites_accompagnement",
    "fiche_acces_libre",
    "prise_rdv",
]
PROGRAMMES = {
    Place.Kind.FRANCE_SERVICES: "France Services",
    Place.Kind.CONSEILLER_NUMERIQUE: "Conseillers numériques",
}
NO_PIVOT = "00000000000000"


def places_csv(territory: Territory) -> str:
    """The places of the territory's communes (reference and the organisation's own) in the national schema; a place
    without an address or a postal code (required by the schema) is left out."""
    places = (
        Place.objects.filter(commune__in=territory.communes.all())
        .filter(Q(organization__isnull=True) | Q(organization_id=territory.organization_id))
        .select_related("commune")
        .order_by("name", "pk")
    )
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=MEDIATION_FIELDS, lineterminator="\n")
    writer.writeheader()
    for place in places:
        if not (place.address and re.fullmatch(r"\d{5}", place.postal_code)):
            continue  # the address and the postal code are required by the schema: such a place cannot be sent
        siret = (
            place.siret or place.external_id
            if place.external_id.isdigit() and len(place.external_id) == 14
            else NO_PIVOT
        )
        writer.writerow(
            {
                "id": f"{place.kind}-{place.external_id}",
                "pivot": siret,
                "nom": place.name,
                "commune": place.commune.name if place.commune else "",
                "code_postal": place.postal_code,
                "code_insee": place.commune_id or "",
                "adresse": place.address,
                "latitude": "" if place.latitude is None else f"{place.latitude:.6f}",
                "longitude": "" if place.longitude is None else f"{place.longitude:.6f}",
                "source": place.source,
                "date_maj": _date(place.vintage),
                "dispositif_programmes_nationaux": PROGRAMMES.get(Place.Kind(place.kind), ""),
            }
        )
    return out.getvalue()


def _date(vintage: str) -> str:
    """`date_maj` is a full date in the schema: a year or a month is completed with its first day."""
    parts = vintage.strip().split("-")
    if not parts[0].isdigit() or len(parts[0]) != 4:
        return ""
    return "-".join([parts[0], *(parts[1:] + ["01", "01"])[:2]])


# --- importing the national formats ----------------------------------------------------------------------

MEDIATION_SCHEMA = "lieux-mediation-numerique_schema_v1.0.2.json"
DATA_INCLUSION_STRUCTURE = "data-inclusion_v1.0.8_structure.json"
DATA_INCLUSION_SERVICE = "data-inclusion_v1.0.8_service.json"
STRUCTURES_SOURCE = "data·inclusion (structures)"
SERVICES_SOURCE = "data·inclusion (services)"
# data·inclusion lists every inclusion structure: the diagnostic keeps those of the digital-help networks.
DIGITAL_NETWORKS = {"aidants-connect", "conseillers-numeriques", "espaces-publics-numeriques", "france-service"}
DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True)
class FieldRule:
    name: str
    required: bool = False
    pattern: str | None = None
    min_length: int | None = None
    max_length: int | None = None
    number: bool = False
    date: bool = False
    unique: bool = False
    # The values a referential allows (data·inclusion's thématiques, types…), each of « | »-separated values.
    choices: frozenset[str] | None = None


def schema_file(name: str) -> Path:
    path = Path(settings.CAP_DATA_DIR) / "schemas" / name
    if not path.exists():
        raise ImportFileError(
            _("Le schéma national %(name)s est introuvable dans %(dir)s : l'opérateur doit le fournir.")
            % {"name": name, "dir": path.parent}
        )
    return path


def table_schema_rules(path: Path) -> list[FieldRule]:
    """The rules of a Frictionless Table Schema (the « lieux de médiation numérique » standard)."""
    schema = json.loads(path.read_text(encoding="utf-8"))
    rules = []
    for spec in schema["fields"]:
        constraints = spec.get("constraints", {})
        rules.append(
            FieldRule(
                spec["name"],
                required=bool(constraints.get("required")),
                pattern=constraints.get("pattern"),
                max_length=constraints.get("maxLength"),
                number=spec.get("type") == "number",
                date=spec.get("type") == "date",
                unique=bool(constraints.get("unique")),
            )
        )
    return rules


def json_schema_rules(path: Path) -> list[FieldRule]:
    """The rules of a data·inclusion JSON Schema, for the text and number fields a CSV or JSON row carries."""
    schema = json.loads(path.read_text(encoding="utf-8"))
    rules = []
    for name, spec in schema["properties"].items():
        branch = next((b for b in spec.get("anyOf", [spec]) if b.get("type") in ("string", "number")), spec)
        rules.append(
            FieldRule(
                name,
                required=name in schema.get("required", []),
                pattern=branch.get("pattern"),
                min_length=branch.get("minLength"),
                max_length=branch.get("maxLength"),
                number=branch.get("type") == "number",
                date=branch.get("format") == "date",
            )
        )
    return rules


def row_name(frame: pd.DataFrame, i: int) -> str:
    """Where the i-th record is, as its reader finds it: a CSV's line (the header is line 1), a JSON list's item."""
    if frame.attrs.get("json"):
        return _("élément n° %(n)d") % {"n": i + 1}
    return _("ligne %(line)d") % {"line": line_of(frame, i)}


def _outside(allowed: frozenset[str], text: str) -> bool:
    return any(v.strip() not in allowed for v in text.split("|") if v.strip())


def json_schema_choices(path: Path) -> dict[str, frozenset[str]]:
    """For each field of a data·inclusion JSON Schema that refers to a referential ($defs with an enum), its
    allowed values: a value outside the referential is refused, as the national schema would."""
    schema = json.loads(path.read_text(encoding="utf-8"))
    definitions = schema.get("$defs", {})
    found = {}
    for name, spec in schema["properties"].items():
        for branch in spec.get("anyOf", [spec]):
            ref = branch.get("$ref") or (branch.get("items") or {}).get("$ref")
            if ref and ref.startswith("#/$defs/"):
                enum = definitions.get(ref.removeprefix("#/$defs/"), {}).get("enum")
                if enum:
                    found[name] = frozenset(str(v) for v in enum)
    return found


def validate(frame: pd.DataFrame, rules: list[FieldRule], file_name: str) -> None:
    """Refuse the first value that breaks the schema, naming its line and column (in French)."""
    missing = [r.name for r in rules if r.required and r.name not in frame.columns]
    if missing:
        raise ImportFileError(
            ngettext(
                "%(file)s : colonne obligatoire du schéma national absente : %(columns)s.",
                "%(file)s : colonnes obligatoires du schéma national absentes : %(columns)s.",
                len(missing),
            )
            % {"file": file_name, "columns": ", ".join(missing)}
        )
    for rule in rules:
        if rule.name not in frame.columns:
            continue
        values = frame[rule.name].astype(str).str.strip()
        problems: list[tuple[pd.Series, str]] = []
        empty = values.eq("")
        if rule.required:
            problems.append((empty, _("valeur obligatoire absente")))
        if rule.pattern:
            problems.append((~empty & ~values.str.fullmatch(rule.pattern), _("valeur hors du format attendu")))
        if rule.max_length:
            too_long = _("plus de %(n)d caractères") % {"n": rule.max_length}
            problems.append((values.str.len().gt(rule.max_length), too_long))
        if rule.min_length:
            too_short = _("moins de %(n)d caractères") % {"n": rule.min_length}
            problems.append((~empty & values.str.len().lt(rule.min_length), too_short))
        if rule.number:
            numbers = pd.to_numeric(values.str.replace(",", ".", regex=False), errors="coerce")
            problems.append((~empty & numbers.isna(), _("nombre attendu")))
        if rule.date:
            problems.append((~empty & ~values.str.fullmatch(DATE), _("date attendue au format AAAA-MM-JJ")))
        if rule.unique:
            problems.append((~empty & values.duplicated(keep="first"), _("identifiant déjà présent plus haut")))
        if rule.choices is not None:
            outside = values.map(partial(_outside, rule.choices))
            problems.append((~empty & outside, _("valeur absente du référentiel national")))
        for wrong, what in problems:
            if wrong.any():
                i = int(wrong.to_numpy().nonzero()[0][0])
                raise ImportFileError(
                    _("%(file)s, %(where)s, colonne « %(column)s » : %(what)s (« %(value)s »).")
                    % {
                        "file": file_name,
                        "where": row_name(frame, i),
                        "column": rule.name,
                        "what": what,
                        "value": values.iloc[i][:80],
                    }
                )


def _records(path: Path, services: bool = False) -> pd.DataFrame:
    """A data·inclusion file: JSON (a list of structures, or of services) or CSV, as text columns."""
    if path.suffix.lower() == ".json":
        data = read_json(path)
        if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
            expected = (
                _("%(file)s : une liste de services (objets JSON) est attendue.")
                if services
                else _("%(file)s : une liste de structures (objets JSON) est attendue.")
            )
            raise ImportFileError(expected % {"file": path.name})
        rows = [
            {k: "|".join(map(str, v)) if isinstance(v, list) else ("" if v is None else str(v)) for k, v in r.items()}
            for r in data
        ]
        frame = pd.DataFrame(rows, dtype=str).fillna("")
        frame.attrs["json"] = True  # errors name the list's item, not a line
        return frame
    read_table(path, {"id": ["id"], "nom": ["nom"]})  # the usual checks: empty file, separator, size of a line
    return _all_columns(path)


def _place_rows(frame: pd.DataFrame, codes: pd.Series, source: str, siret_column: str) -> Iterable[Place]:
    kept = codes.notna().to_numpy()
    for row, code in zip(frame[kept].to_dict("records"), codes[kept], strict=True):  # dicts: no per-row Series
        yield Place(
            kind=Place.Kind.MEDIATION,
            external_id=str(row["id"])[:80],
            siret=_siret(str(row.get(siret_column, ""))),
            name=str(row["nom"])[:300],
            address=" ".join(t for t in (str(row.get("adresse", "")), str(row.get("complement_adresse", ""))) if t)[
                :400
            ],
            postal_code=str(row.get("code_postal", ""))[:10],
            commune_id=code,
            latitude=_float(str(row.get("latitude", ""))),
            longitude=_float(str(row.get("longitude", ""))),
            details="\n".join(t for t in (str(row.get("services", "")), str(row.get("horaires", ""))) if t),
            staff=None,
            source=source,
            vintage=str(row["date_maj"])[:10],
        )


def _import_validated(
    kind: str, path: Path, scope: Scope, frame: pd.DataFrame, source: str, siret_column: str
) -> ImportResult:
    with transaction.atomic():
        col: dict[str, str | None] = {
            "code": "code_insee" if "code_insee" in frame.columns else None,
            "latitude": "latitude" if "latitude" in frame.columns else None,
            "longitude": "longitude" if "longitude" in frame.columns else None,
        }
        if col["code"] is None:
            raise ImportFileError(
                _("%(file)s : la colonne « code_insee » est nécessaire pour rattacher chaque lieu à sa commune.")
                % {"file": path.name}
            )
        check_rows(frame, col, path.name, unique=None)
        check_coordinates(frame, col, path.name)
        codes = CodeResolver(scope).resolve(frame["code_insee"], path.name)
        check_in_scope(codes, path.name, scope)
        frame = frame.copy()
        dates = frame["date_maj"].where(frame["date_maj"] != "")
        if dates.isna().any():
            frame["date_maj"] = dates.fillna(dates.max() if dates.notna().any() else "")
        return _save_places(Place.Kind.MEDIATION, _place_rows(frame, codes, source, siret_column), scope, path.name)


def import_national_places(path: Path, scope: Scope, vintage: str = "") -> ImportResult:
    """« Lieux de médiation numérique », national schema v1.0.2 (La MedNum / ANCT), validated field by field."""
    read_table(path, {"id": ["id"], "nom": ["nom"], "date_maj": ["date_maj"]})  # empty file, separator, width
    full = _all_columns(path)
    validate(full, table_schema_rules(schema_file(MEDIATION_SCHEMA)), path.name)
    return _import_validated(
        "mediation_national", path, scope, full, "Cartographie nationale des lieux de médiation numérique", "pivot"
    )


def import_data_inclusion(path: Path, scope: Scope, vintage: str = "") -> ImportResult:
    """data·inclusion structures (v1.0.8), JSON or CSV: those of the digital-help networks are kept."""
    frame = _records(path)
    if frame.empty:
        raise ImportFileError(_("%(file)s ne contient aucune structure.") % {"file": path.name})
    validate(frame, json_schema_rules(schema_file(DATA_INCLUSION_STRUCTURE)), path.name)
    networks = frame.get("reseaux_porteurs", pd.Series("", index=frame.index)).astype(str)
    digital = networks.map(lambda text: bool(DIGITAL_NETWORKS & set(text.split("|"))))
    if not digital.any():
        raise ImportFileError(
            _(
                "%(file)s : aucune structure d'un réseau d'accompagnement numérique (%(networks)s) ; rien n'a été "
                "changé."
            )
            % {"file": path.name, "networks": ", ".join(sorted(DIGITAL_NETWORKS))}
        )
    kept = frame[digital].reset_index(drop=True)
    result = _import_validated("data_inclusion", path, scope, kept, STRUCTURES_SOURCE, "siret")
    if (~digital).any():
        result.notes.append(
            ngettext(
                "%(count)d structure hors des réseaux d'accompagnement numérique écartée",
                "%(count)d structures hors des réseaux d'accompagnement numérique écartées",
                int((~digital).sum()),
            )
            % {"count": int((~digital).sum())}
        )
    return result


def import_data_inclusion_services(path: Path, scope: Scope, vintage: str = "") -> ImportResult:
    """data·inclusion services (v1.0.8), JSON or CSV, each attached to its structure already imported.

    Strict: the file is validated against the service schema (required fields, formats, the referentials'
    values); an identifier twice, or a file none of whose services belongs to an imported structure of the
    scope, is refused with nothing changed. A load replaces the scope's services of data·inclusion structures.
    """
    from diagnostics.models import PlaceService

    frame = _records(path, services=True)
    if frame.empty:
        raise ImportFileError(_("%(file)s ne contient aucun service.") % {"file": path.name})
    schema = schema_file(DATA_INCLUSION_SERVICE)
    choices = json_schema_choices(schema)
    rules = [
        dataclasses.replace(r, choices=choices[r.name]) if r.name in choices else r for r in json_schema_rules(schema)
    ]
    validate(frame, rules, path.name)
    keys = frame["source"].str.strip() + "\x1f" + frame["id"].str.strip()
    twice = keys.duplicated(keep="first")
    if twice.any():
        i = int(twice.to_numpy().nonzero()[0][0])
        raise ImportFileError(
            _("%(file)s, %(where)s, colonne « id » : service déjà présent plus haut (« %(value)s »).")
            % {"file": path.name, "where": row_name(frame, i), "value": frame["id"].iloc[i][:80]}
        )
    owner = Q(organization__isnull=True) if scope.is_reference else Q(organization_id=scope.organization_id)
    source = (
        STRUCTURES_SOURCE
        if scope.is_reference
        else _("%(source)s — fichier importé par l'organisation") % {"source": STRUCTURES_SOURCE}
    )
    structures = Place.objects.filter(owner, kind=Place.Kind.MEDIATION, source=source)
    structures = structures.filter(commune__in=scope.commune_codes())
    wanted = set(frame["structure_id"].str.strip())
    places = dict(structures.filter(external_id__in=wanted).values_list("external_id", "pk"))
    attached = frame["structure_id"].str.strip().isin(places)
    if not attached.any():
        raise ImportFileError(
            _(
                "%(file)s : aucun de ses services n'appartient à une structure data·inclusion importée pour ce "
                "territoire. Importez d'abord le fichier des structures (type « data·inclusion — structures »), "
                "puis celui des services ; rien n'a été changé."
            )
            % {"file": path.name}
        )
    kept = frame[attached]
    label = (
        SERVICES_SOURCE
        if scope.is_reference
        else _("%(source)s — fichier importé par l'organisation") % {"source": SERVICES_SOURCE}
    )
    rows = [
        PlaceService(
            organization_id=scope.organization_id,
            place_id=places[row["structure_id"].strip()],
            external_id=str(row["id"]).strip()[:80],
            name=str(row["nom"]).strip()[:300],
            description=str(row["description"]).strip()[:2000],
            kind=str(row.get("type", "")).strip()[:60],
            thematiques=str(row.get("thematiques", "")).strip(),
            publics=str(row.get("publics", "")).strip(),
            fees=str(row.get("frais", "")).strip()[:60],
            reception=str(row.get("modes_accueil", "")).strip()[:200],
            source=label[:200],
            vintage=str(row["date_maj"]).strip()[:10],
        )
        for row in kept.to_dict("records")
    ]
    with transaction.atomic():
        PlaceService.objects.filter(owner, place__in=structures).delete()
        PlaceService.objects.bulk_create(rows)
    result = ImportResult("data_inclusion_services", path.name, rows=len(rows))
    result.sources.add(label)
    result.vintages.add(max(r.vintage for r in rows))
    if (~attached).any():
        left = int((~attached).sum())
        result.notes.append(
            ngettext(
                "%(count)d service d'une structure absente du territoire ou hors des réseaux numériques écarté",
                "%(count)d services de structures absentes du territoire ou hors des réseaux numériques écartés",
                left,
            )
            % {"count": left}
        )
    return result


def _all_columns(path: Path) -> pd.DataFrame:
    """Every column of a CSV as text (the schema validates them all), lines numbered as in the file."""
    text = path.read_bytes().decode("utf-8-sig", errors="replace")
    header = text.splitlines()[0] if text else ""
    separator = max((";", ",", "\t"), key=header.count)
    frame = pd.read_csv(io.StringIO(text), sep=separator, dtype=str, keep_default_na=False, index_col=False)
    frame.columns = [str(c).strip() for c in frame.columns]
    return frame
