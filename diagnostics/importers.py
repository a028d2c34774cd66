"""Importers of the official national files of the diagnostic (INSEE, DGCL, La MedNum, ANCT, ARCEP).

Each importer keeps only the communes of a scope (a territory's communes, or whole départements for the
shared reference), moves old commune codes to today's with the COG passage table, is idempotent (a re-import
updates the rows) and atomic (a bad file changes nothing), and explains every refusal in French
(`ImportFileError`). Statistics are stored as numerator / denominator so that territories are weighted right.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from psycopg import sql

from diagnostics.indicators import INDICATORS, Aggregation
from diagnostics.models import AreaStatistic, CommunePassage, CommuneStatistic, Epci, Place, ReferenceLoad
from territories.models import Commune, Territory

MISSING_TOKENS = {"", "s", "nd", "n/a", "na", "nan", "null", "-", "/"}
SECRET_TOKENS = {"s"}


class ImportFileError(ValueError):
    """A file that cannot be imported; the message is in French, for the person importing."""


def departement_of(code: str) -> str:
    return code[:3] if code.startswith("97") else code[:2]


@dataclass(frozen=True)
class Scope:
    """Which communes an import keeps, and whose rows it writes.

    Whole départements for the national reference (`organization_id` None: an operator's load), or the communes
    of a territory for an organisation's own data (`organization_id` set: only its own rows are written or
    removed, never a shared row).
    """

    departements: frozenset[str]
    codes: frozenset[str] | None = None
    organization_id: int | None = None

    @classmethod
    def for_departements(cls, *departements: str) -> Scope:
        return cls(frozenset(departements))

    @classmethod
    def for_territory(cls, territory: Territory) -> Scope:
        codes = frozenset(territory.communes.values_list("code", flat=True))
        if not codes:
            raise ImportFileError(_("Le territoire n'a encore aucune commune : indiquez d'abord ses communes."))
        return cls(frozenset(departement_of(c) for c in codes), codes, territory.organization_id)

    @property
    def is_reference(self) -> bool:
        return self.organization_id is None

    def describe(self) -> str:
        if self.codes is not None:
            return _("les communes du territoire")
        deps = sorted(self.departements)
        return ngettext("le département %(deps)s", "les départements %(deps)s", len(deps)) % {"deps": ", ".join(deps)}

    def keeps(self, code: str) -> bool:
        return code in self.codes if self.codes is not None else departement_of(code) in self.departements

    def commune_codes(self) -> set[str]:
        if self.codes is not None:
            return set(self.codes)
        return {c for c in Commune.objects.values_list("code", flat=True) if departement_of(c) in self.departements}


@dataclass
class ImportResult:
    kind: str
    file_name: str
    rows: int = 0
    notes: list[str] = field(default_factory=list)
    sources: set[str] = field(default_factory=set)
    vintages: set[str] = field(default_factory=set)

    @property
    def source(self) -> str:
        return " ; ".join(sorted(self.sources))

    @property
    def vintage(self) -> str:
        return " ; ".join(sorted(self.vintages))

    def summary(self) -> str:
        text = ngettext("%(file)s : %(rows)d ligne importée", "%(file)s : %(rows)d lignes importées", self.rows) % {
            "file": self.file_name,
            "rows": self.rows,
        }
        return f"{text} ({' ; '.join(self.notes)})" if self.notes else text


# --- reading files ------------------------------------------------------------------------------------


def _read_text_head(path: Path) -> str:
    try:
        raw = path.read_bytes()[:20000]
    except OSError as error:
        raise ImportFileError(
            _("Impossible de lire le fichier %(file)s : %(error)s")
            % {"file": path.name, "error": error.strerror or error}
        ) from error
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return raw.decode("latin-1")


def _resolve_columns(columns: list[str], wanted: dict[str, list[str]]) -> dict[str, str | None]:
    lowered = {c.strip().lower(): c for c in columns}
    found: dict[str, str | None] = {}
    for key, aliases in wanted.items():
        found[key] = None
        for alias in aliases:
            if alias.startswith("re:"):
                pattern = re.compile(alias[3:], re.IGNORECASE)
                match = next((c for c in columns if pattern.fullmatch(c.strip())), None)
            else:
                match = lowered.get(alias.lower())
            if match is not None:
                found[key] = match
                break
    return found


def _check_field_counts(text: str, separator: str, file_name: str) -> None:
    """Refuse a line whose number of fields differs from the header's (a decimal comma in a comma CSV)."""
    rows = csv.reader(io.StringIO(text), delimiter=separator)
    expected = len(next(rows, []))
    for number, row in enumerate(rows, start=2):
        if row and len(row) != expected:
            hint = (
                " "
                + _(
                    "Les nombres à virgule décimale doivent être entre guillemets dans un fichier séparé par des "
                    "virgules : enregistrez plutôt le fichier avec le point-virgule comme séparateur."
                )
                if separator == ","
                else ""
            )
            message = _("%(file)s : la ligne %(number)d a %(count)d champs au lieu de %(expected)d.") % {
                "file": file_name,
                "number": number,
                "count": len(row),
                "expected": expected,
            }
            raise ImportFileError(message + hint)


def read_table(
    path: Path, required: dict[str, list[str]], optional: dict[str, list[str]] | None = None
) -> tuple[pd.DataFrame, dict[str, str | None]]:
    """The file as text columns, with the actual name of each wanted column (aliases tried in order).

    Separator `,`, `;` or tab is detected; a missing column, a separator that splits nothing or a line with
    too many fields (a decimal comma in a comma-separated file) is refused with a French message.
    """
    optional = optional or {}
    wanted = required | optional
    if path.suffix.lower() in (".xlsx", ".xls"):
        frame = _read_workbook(path, wanted)
        separator = None
    else:
        head = _read_text_head(path)
        header = head.splitlines()[0] if head.strip() else ""
        if not header:
            raise ImportFileError(_("Le fichier %(file)s est vide.") % {"file": path.name})
        counts = {sep: header.count(sep) for sep in (";", ",", "\t")}
        separator = max(counts, key=lambda s: counts[s])
        if counts[separator] >= MAX_COLUMNS:
            raise _too_many_columns(path.name)
        if counts[separator] == 0:
            raise ImportFileError(
                _(
                    "%(file)s : impossible de reconnaître les colonnes de la première ligne. Le séparateur attendu "
                    "est la virgule, le point-virgule ou la tabulation."
                )
                % {"file": path.name}
            )
        encoding = "utf-8-sig"
        try:
            path.read_bytes().decode("utf-8-sig")
        except UnicodeDecodeError:
            encoding = "cp1252"
        text = path.read_bytes().decode(encoding, errors="replace")
        _check_field_counts(text, separator, path.name)
        frame = pd.read_csv(
            io.StringIO(text), sep=separator, dtype=str, keep_default_na=False, skipinitialspace=True, index_col=False
        )
    frame.columns = [str(c).strip() for c in frame.columns]
    if len(frame.columns) > MAX_COLUMNS:
        raise _too_many_columns(path.name)
    columns = _resolve_columns(list(frame.columns), wanted)
    missing = [aliases[0].removeprefix("re:") for key, aliases in required.items() if columns[key] is None]
    if missing:
        message = ngettext(
            "%(file)s : colonne manquante : %(columns)s.", "%(file)s : colonnes manquantes : %(columns)s.", len(missing)
        ) % {
            "file": path.name,
            "columns": ", ".join(missing),
        }
        if len(frame.columns) == 1:
            other = next((s for s in (";", ",", "\t", "|") if s in frame.columns[0] and s != separator), None)
            if other:
                message += " " + _("Le fichier semble séparé par « %(sep)s » : vérifiez le séparateur.") % {
                    "sep": other
                }
        else:
            message += " " + _("Colonnes trouvées : %(columns)s.") % {"columns": ", ".join(list(frame.columns)[:12])}
        raise ImportFileError(message)
    used = [c for c in dict.fromkeys(columns.values()) if c is not None]
    frame = frame[used].copy()  # only the columns read: linear in the file's size, whatever its width
    for column in used:
        frame[column] = frame[column].astype(str).str.strip()
    return frame, columns


# An official file has tens of columns (a few hundred for the widest INSEE bases); beyond this, the file is not one.
MAX_COLUMNS = 2000
# Rows of an INSEE workbook above its header (title, source, notes) that are looked through for the header.
MAX_TITLE_ROWS = 30


def _too_many_columns(file_name: str) -> ImportFileError:
    return ImportFileError(
        _("%(file)s : la première ligne a plus de %(max)d colonnes ; ce n'est pas un fichier de données attendu.")
        % {"file": file_name, "max": MAX_COLUMNS}
    )


def _read_workbook(path: Path, wanted: dict[str, list[str]]) -> pd.DataFrame:
    """The first sheet, its header found below the title rows of INSEE workbooks (the row naming a wanted column)."""
    try:
        raw = pd.read_excel(path, dtype=str, header=None).fillna("")
    except Exception as error:  # openpyxl raises many kinds of errors (zip, XML) on a bad workbook
        raise ImportFileError(
            _(
                "%(file)s n'est pas un classeur Excel lisible (.xlsx) : enregistrez-le de nouveau au format Excel "
                "ou en CSV."
            )
            % {"file": path.name}
        ) from error
    if raw.shape[1] > MAX_COLUMNS:
        raise _too_many_columns(path.name)
    for number in range(min(MAX_TITLE_ROWS, len(raw))):
        cells = [str(c).strip() for c in raw.iloc[number]]
        found = _resolve_columns(cells, wanted)
        if sum(v is not None for v in found.values()) >= 2 or (len(wanted) == 1 and any(found.values())):
            frame = raw.iloc[number + 1 :].reset_index(drop=True)
            frame.columns = cells
            # Errors name rows as Excel shows them: counted from the top of the sheet, title rows included.
            frame.attrs["first_line"] = number + 2
            return frame
    raise ImportFileError(
        _(
            "%(file)s : ligne d'en-tête introuvable dans les %(rows)d premières lignes du classeur (colonnes "
            "attendues : %(columns)s)."
        )
        % {
            "file": path.name,
            "rows": MAX_TITLE_ROWS,
            "columns": ", ".join(a[0].removeprefix("re:") for a in wanted.values()),
        }
    )


def line_of(data: pd.DataFrame | pd.Series, index: int) -> int:
    """The line a person finds the `index`-th data row on: in a CSV, under its header (line 1); in a workbook, as
    Excel numbers it, below its title rows (`first_line`, set when the sheet is read)."""
    return int(data.attrs.get("first_line", 2)) + int(index)


def to_number(
    frame: pd.DataFrame,
    column: str,
    file_name: str,
    *,
    minimum: float | None = 0.0,
    maximum: float | None = None,
) -> tuple[pd.Series, pd.Series]:
    """(numbers with NaN for missing, secret flags); a decimal comma is accepted; any other text is refused, and so
    is a value outside the plausible bounds of the indicator (a negative count, a rate above 100 %)."""
    text = frame[column].str.replace("\u00a0", "", regex=False).str.replace(" ", "", regex=False)
    lowered = text.str.lower()
    missing = lowered.isin(MISSING_TOKENS)
    secret = lowered.isin(SECRET_TOKENS)
    numbers = pd.to_numeric(text.str.replace(",", ".", regex=False).where(~missing), errors="coerce")
    bad = numbers.isna() & ~missing
    if bad.any():
        index = int(bad.to_numpy().nonzero()[0][0])
        raise ImportFileError(
            _("%(file)s, ligne %(line)d, colonne « %(column)s » : « %(value)s » n'est pas un nombre.")
            % {"file": file_name, "line": line_of(frame, index), "column": column, "value": frame[column].iloc[index]}
        )
    numbers = numbers.astype(float)
    for bound, outside, message in (
        (minimum, numbers.lt(minimum) if minimum is not None else None, _("inférieure à %(bound)s")),
        (maximum, numbers.gt(maximum) if maximum is not None else None, _("supérieure à %(bound)s")),
    ):
        if outside is not None and outside.any():
            index = int(outside.to_numpy().nonzero()[0][0])
            raise ImportFileError(
                _(
                    "%(file)s, ligne %(line)d, colonne « %(column)s » : la valeur « %(value)s » est %(what)s, ce qui "
                    "n'est pas plausible pour cet indicateur."
                )
                % {
                    "file": file_name,
                    "line": line_of(frame, index),
                    "column": column,
                    "value": frame[column].iloc[index],
                    "what": message % {"bound": f"{bound:g}"},
                }
            )
    return numbers, secret


def refuse_where(wrong: pd.Series, frame: pd.DataFrame, file_name: str, what: str) -> None:
    """Refuse the first row where two columns contradict each other (e.g. more unemployed than active people)."""
    if wrong.any():
        index = int(wrong.to_numpy().nonzero()[0][0])
        raise ImportFileError(
            _("%(file)s, ligne %(line)d : %(what)s, ce qui n'est pas plausible.")
            % {"file": file_name, "line": line_of(frame, index), "what": what}
        )


def normalize_codes(series: pd.Series) -> pd.Series:
    """INSEE codes as 5 characters (a spreadsheet may have dropped the leading zero: 1004 → 01004)."""
    codes = series.str.strip().str.upper()
    return codes.where(~codes.str.fullmatch(r"\d{4}"), "0" + codes)


class CodeResolver:
    """Maps codes of a file to today's communes of the scope, through the COG passage table."""

    def __init__(self, scope: Scope) -> None:
        self.scope = scope
        self.known = {
            c for c in Commune.objects.values_list("code", flat=True) if departement_of(c) in scope.departements
        }
        self.passage = {
            old: new
            for old, new in CommunePassage.objects.values_list("old_code", "new_code")
            if departement_of(old) in scope.departements
        }

    def resolve(self, codes: pd.Series, file_name: str, result: ImportResult | None = None) -> pd.Series:
        """Today's code for each row, or None for a row outside the scope; an unknown code of the scope fails."""
        codes = normalize_codes(codes)
        current = codes.where(codes.isin(self.known))
        moved = codes.map(self.passage).where(current.isna())
        resolved = current.where(current.notna(), moved)
        in_departements = codes.str.len().eq(5) & codes.map(departement_of).isin(self.scope.departements)
        unknown = in_departements & resolved.isna()
        if unknown.any():
            lines = [
                _("%(code)s (ligne %(line)d)") % {"code": codes.iloc[i], "line": line_of(codes, i)}
                for i in unknown.to_numpy().nonzero()[0][:5]
            ]
            raise ImportFileError(
                ngettext(
                    "%(file)s : code commune inconnu : %(codes)s. S'il s'agit d'un ancien code (commune "
                    "fusionnée), importez la table de passage du COG ; sinon importez d'abord le référentiel des "
                    "communes.",
                    "%(file)s : codes commune inconnus : %(codes)s. S'il s'agit d'anciens codes (communes "
                    "fusionnées), importez la table de passage du COG ; sinon importez d'abord le référentiel des "
                    "communes.",
                    int(unknown.sum()),
                )
                % {"file": file_name, "codes": ", ".join(lines) + (" …" if unknown.sum() > 5 else "")}
            )
        if result is not None and moved.notna().any():
            result.notes.append(
                ngettext(
                    "%(count)d ancien code ramené au COG en vigueur",
                    "%(count)d anciens codes ramenés au COG en vigueur",
                    int(moved.notna().sum()),
                )
                % {"count": int(moved.notna().sum())}
            )
        keep = resolved.notna() & resolved.map(lambda c: isinstance(c, str) and self.scope.keeps(c))
        return resolved.where(keep)


# --- writing statistics -------------------------------------------------------------------------------


def upsert(
    table: str, columns: dict[str, tuple[str, list[Any]]], conflict: list[str], conflict_where: str = ""
) -> None:
    """INSERT … ON CONFLICT DO UPDATE of whole columns: COPY into a temporary table, then one statement.

    The ORM's bulk_create spends ~50 µs per value; at national scale (35,000 communes) that was most of an
    import. Table, column names and types come from our code, never from a file. Must run in a transaction.
    `conflict_where` names the partial unique index (reference rows or an organisation's own rows).
    """
    if not columns or not next(iter(columns.values()))[1]:
        return
    names = list(columns)
    updates = [n for n in names if n not in conflict]
    staging = sql.Identifier(f"staging_{table}")
    cols = sql.SQL(", ").join(sql.Identifier(n) for n in names)
    with connection.cursor() as django_cursor:
        cursor = django_cursor.cursor  # the psycopg cursor, for COPY
        cursor.execute(
            sql.SQL("CREATE TEMPORARY TABLE {staging} ({definition}) ON COMMIT DROP").format(
                staging=staging,
                definition=sql.SQL(", ").join(
                    sql.SQL("{} {}").format(sql.Identifier(n), sql.SQL(columns[n][0])) for n in names
                ),
            )
        )
        with cursor.copy(sql.SQL("COPY {staging} ({cols}) FROM STDIN").format(staging=staging, cols=cols)) as copy:
            for row in zip(*(columns[n][1] for n in names), strict=True):
                copy.write_row(row)
        cursor.execute(
            sql.SQL(
                "INSERT INTO {table} ({cols}) SELECT {cols} FROM {staging} "
                "ON CONFLICT ({conflict}){where} DO UPDATE SET {updates}"
            ).format(
                table=sql.Identifier(table),
                cols=cols,
                staging=staging,
                conflict=sql.SQL(", ").join(sql.Identifier(n) for n in conflict),
                where=sql.SQL(f" WHERE {conflict_where}" if conflict_where else ""),
                updates=sql.SQL(", ").join(sql.SQL("{0} = EXCLUDED.{0}").format(sql.Identifier(n)) for n in updates),
            )
        )
        cursor.execute(sql.SQL("DROP TABLE {staging}").format(staging=staging))


def _owner_columns(scope: Scope, count: int) -> tuple[dict[str, tuple[str, list[Any]]], list[str], str]:
    """The organisation column, the conflict target and the partial index of the rows a scope writes."""
    if scope.is_reference:
        return {"organization_id": ("bigint", [None] * count)}, [], "organization_id IS NULL"
    owner = {"organization_id": ("bigint", [scope.organization_id] * count)}
    return owner, ["organization_id"], "organization_id IS NOT NULL"


def save_statistics(
    codes: pd.Series,
    indicator: str,
    *,
    scope: Scope,
    result: ImportResult,
    source: str,
    vintage: str,
    value: pd.Series | None = None,
    numerator: pd.Series | None = None,
    denominator: pd.Series | None = None,
    secret: pd.Series | None = None,
) -> int:
    """Upsert one indicator for the rows whose code is not None; rows merged into one commune are summed.

    The rows written are the scope's: the reference for an operator, the organisation's own otherwise.
    """
    spec = INDICATORS[indicator]
    if not scope.is_reference:
        source = _("%(source)s — fichier importé par l'organisation") % {"source": source}
    result.sources.add(source)
    result.vintages.add(vintage)
    nan = pd.Series(float("nan"), index=codes.index)
    frame = pd.DataFrame(
        {
            "code": codes,
            "value": value if value is not None else nan,
            "num": numerator if numerator is not None else nan,
            "den": denominator if denominator is not None else nan,
            "secret": secret if secret is not None else False,
        }
    ).dropna(subset=["code"])
    if frame.empty:
        return 0
    by_code = frame.groupby("code", sort=False)
    grouped = pd.DataFrame(
        {
            "value": by_code["value"].first(),
            "count": by_code.size(),
            "num": by_code["num"].sum(min_count=1),
            "den": by_code["den"].sum(min_count=1),
            "secret": by_code["secret"].any(),
        }
    )
    scale = 100.0 if spec.unit == "%" else 1.0
    if spec.aggregation == Aggregation.RATIO:
        valid = grouped["num"].notna() & grouped["den"].gt(0)
        grouped["value"] = (scale * grouped["num"] / grouped["den"]).where(valid)
    elif spec.aggregation == Aggregation.SUM:
        grouped["value"] = grouped["num"]
    else:  # a median of several merged communes cannot be rebuilt
        grouped.loc[grouped["count"] > 1, "value"] = float("nan")

    def floats(column: str) -> list[float | None]:
        return [None if pd.isna(x) else float(x) for x in grouped[column]]

    values = floats("value")
    owner, conflict, where = _owner_columns(scope, len(grouped))
    upsert(
        CommuneStatistic._meta.db_table,
        owner
        | {
            "commune_id": ("varchar", list(grouped.index)),
            "indicator": ("varchar", [indicator] * len(grouped)),
            "value": ("double precision", values),
            "numerator": ("double precision", floats("num")),
            "denominator": ("double precision", floats("den")),
            "is_secret": ("boolean", [bool(x) and v is None for x, v in zip(grouped["secret"], values, strict=True)]),
            "source": ("varchar", [source] * len(grouped)),
            "vintage": ("varchar", [vintage] * len(grouped)),
            "imported_at": ("timestamptz", [timezone.now()] * len(grouped)),
        },
        conflict=[*conflict, "commune_id", "indicator"],
        conflict_where=where,
    )
    return len(grouped)


def _year_of(column: str | None, default: str) -> str:
    found = re.search(r"(\d{2})(?!.*\d)", column or "")
    return f"20{found[1]}" if found else default


# --- geography ----------------------------------------------------------------------------------------


def _reference_only(scope: Scope, path: Path) -> None:
    """The geography is national reference data: only an operator loads it."""
    if not scope.is_reference:
        raise ImportFileError(
            _("%(file)s : la géographie (communes, contours, EPCI, table de passage) est chargée par l'opérateur.")
            % {"file": path.name}
        )


@transaction.atomic
def import_passage(path: Path, scope: Scope, vintage: str = "") -> ImportResult:
    """The COG passage table: old code → today's code (e.g. passage_communes_24_cog2018_cog2024.csv)."""
    _reference_only(scope, path)
    frame, col = read_table(
        path,
        {
            "old": ["code_commune_cog2018", "re:CODGEO_\\d{4}", "ancien_code"],
            "new": ["code_commune_cog2024", "re:CODGEO_\\d{4}_2"],
        },
        {"name": ["nom_cog2018", "re:LIBGEO_\\d{4}"]},
    )
    result = ImportResult("passage", path.name)
    old, new = normalize_codes(frame[col["old"]]), normalize_codes(frame[col["new"]])
    names = frame[col["name"]] if col["name"] else pd.Series("", index=frame.index)
    keep = old.map(departement_of).isin(scope.departements)
    rows = [
        CommunePassage(old_code=o, new_code=n, old_name=name, source=path.name)
        for o, n, name, k in zip(old, new, names, keep, strict=True)
        if k and re.fullmatch(r"\w{5}", o) and re.fullmatch(r"\w{5}", n)
    ]
    CommunePassage.objects.bulk_create(
        rows, update_conflicts=True, unique_fields=["old_code"], update_fields=["new_code", "old_name", "source"]
    )
    result.rows = len(rows)
    result.sources.add("INSEE, code officiel géographique — table de passage")
    result.vintages.add(f"COG {_year_of_cog(col['new'])}".strip())
    return result


def _year_of_cog(column: str | None) -> str:
    found = re.search(r"(20\d\d)", column or "")
    return found[1] if found else ""


def read_json(path: Path) -> Any:
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportFileError(
            _("%(file)s n'est pas un fichier texte UTF-8 : un GeoJSON s'enregistre en UTF-8.") % {"file": path.name}
        ) from error
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise ImportFileError(
            _("%(file)s n'est pas un fichier JSON valide : erreur de syntaxe ligne %(line)d, colonne %(column)d.")
            % {"file": path.name, "line": error.lineno, "column": error.colno}
        ) from error


def check_geometries(geometries: list[Any], codes: list[str], file_name: str) -> None:
    """Every contour checked at once (vectorised); the first bad one is explained by `check_geometry`."""
    import shapely

    texts = []
    for index, geometry in enumerate(geometries):
        ok = isinstance(geometry, dict) and geometry.get("type") in ("Polygon", "MultiPolygon")
        if geometry is not None and not ok:
            check_geometry(geometry, file_name, index + 1, codes[index])
        texts.append(json.dumps(geometry) if geometry is not None else None)
    try:
        shapes = shapely.from_geojson(np.array(texts, dtype=object), on_invalid="raise")
    except Exception:  # a malformed one: found and explained one by one
        for index, geometry in enumerate(geometries):
            check_geometry(geometry, file_name, index + 1, codes[index])
        return
    present = ~shapely.is_missing(shapes)
    valid = shapely.is_valid(shapes) & ~shapely.is_empty(shapes)
    points = shapely.point_on_surface(np.where(valid, shapes, None))
    lon, lat = shapely.get_x(points), shapely.get_y(points)
    for found in np.flatnonzero(present):
        if not valid[found] or not in_france(float(lat[found]), float(lon[found])):
            check_geometry(geometries[found], file_name, int(found) + 1, codes[found])


def check_geometry(geometry: Any, file_name: str, index: int, code: str) -> None:
    """A contour must be a valid (Multi)Polygon lying in France; swapped latitude/longitude are named."""
    import shapely
    from shapely.geometry import shape

    if geometry is None:
        return
    where = _("%(file)s, entité n°%(index)d (commune %(code)s)") % {"file": file_name, "index": index, "code": code}
    try:
        if not isinstance(geometry, dict) or geometry.get("type") not in ("Polygon", "MultiPolygon"):
            raise ValueError
        polygon = shape(geometry)
    except Exception as error:  # shapely raises many kinds of errors on malformed coordinates
        raise ImportFileError(
            where
            + _(
                " : le contour n'est pas un polygone GeoJSON lisible (coordonnées en tableaux de "
                "[longitude, latitude])."
            )
        ) from error
    if polygon.is_empty or not polygon.is_valid:
        reason = shapely.is_valid_reason(polygon) if not polygon.is_empty else "vide"
        raise ImportFileError(
            where
            + _(
                " : le contour n'est pas valide (%(reason)s) ; un anneau doit avoir au moins 4 points et ne pas "
                "se croiser."
            )
            % {"reason": reason}
        )
    point = polygon.representative_point()
    if not in_france(point.y, point.x):
        hint = (
            _(" La latitude et la longitude semblent inversées.")
            if in_france(point.x, point.y)
            else _(" Ce contour n'est pas en France.")
        )
        raise ImportFileError(where + _(" : le contour est en %(y).4f, %(x).4f.") % {"y": point.y, "x": point.x} + hint)


class _Known(NamedTuple):
    code: str
    name: str
    epci_siren: str
    epci_name: str
    population: int | None
    population_vintage: str


@transaction.atomic
def import_communes_geojson(path: Path, scope: Scope, vintage: str = "") -> ImportResult:
    """Communes and contours (GeoJSON, properties `code` and `nom`); old codes are merged into today's commune."""
    _reference_only(scope, path)
    from shapely.geometry import mapping, shape
    from shapely.ops import unary_union

    from territories.communes import POPULATION_VINTAGE, CommuneFileError, read_communes_geojson

    read_json(path)  # a French message for a file that is not JSON, before the reader's
    try:
        communes = read_communes_geojson(path)
    except CommuneFileError as error:
        raise ImportFileError(str(error)) from error
    check_geometries([c.geometry for c in communes], [c.code for c in communes], path.name)
    result = ImportResult("communes", path.name)
    passage = dict(CommunePassage.objects.values_list("old_code", "new_code"))
    wanted = {c.code for c in communes} | {passage.get(c.code, c.code) for c in communes}
    existing = {
        row[0]: _Known(*row)
        for row in Commune.objects.filter(code__in=wanted).values_list(
            "code", "name", "epci_siren", "epci_name", "population", "population_vintage"
        )
    }
    groups: dict[str, list[Commune]] = {}
    for commune in communes:
        code = commune.code
        if code not in existing and code in passage and passage[code] != code:
            code = passage[code]
        if scope.keeps(code):
            groups.setdefault(code, []).append(commune)
    merged = 0
    to_save = []
    for code, parts in groups.items():
        base = next((c for c in parts if c.code == code), parts[0])
        old = existing.get(code)
        geometry = base.geometry
        if len(parts) > 1:
            merged += len(parts) - 1
            geometry = mapping(unary_union([shape(p.geometry) for p in parts if p.geometry]))
            geometry = json.loads(json.dumps(geometry))  # tuples → lists
        population = base.population if len(parts) == 1 else None
        to_save.append(
            Commune(
                code=code,
                name=base.name if base.code == code or old is None else old.name,
                departement=departement_of(code),
                epci_siren=base.epci_siren or (old.epci_siren if old else ""),
                epci_name=base.epci_name or (old.epci_name if old else ""),
                population=population if population is not None else (old.population if old else None),
                population_vintage=(
                    POPULATION_VINTAGE if population is not None else (old.population_vintage if old else "")
                ),
                geometry=geometry,
            )
        )
    upsert(
        Commune._meta.db_table,
        {
            "code": ("varchar", [c.code for c in to_save]),
            "name": ("varchar", [c.name for c in to_save]),
            "departement": ("varchar", [c.departement for c in to_save]),
            "epci_siren": ("varchar", [c.epci_siren for c in to_save]),
            "epci_name": ("varchar", [c.epci_name for c in to_save]),
            "population": ("integer", [c.population for c in to_save]),
            "population_vintage": ("varchar", [c.population_vintage for c in to_save]),
            "geometry": ("jsonb", [json.dumps(c.geometry) if c.geometry else None for c in to_save]),
        },
        conflict=["code"],
    )
    result.rows = len(to_save)
    result.sources.add("Contours des communes (GeoJSON)")
    result.vintages.add(vintage or POPULATION_VINTAGE)
    if merged:
        result.notes.append(
            ngettext(
                "%(count)d contour d'ancienne commune fusionné",
                "%(count)d contours d'anciennes communes fusionnés",
                merged,
            )
            % {"count": merged}
        )
    return result


@transaction.atomic
def import_epci_composition(path: Path, scope: Scope, vintage: str = "") -> ImportResult:
    """DGCL / BANATIC « composition des EPCI à fiscalité propre » (epcicom, CSV or XLSX)."""
    _reference_only(scope, path)
    frame, col = read_table(
        path,
        {
            "code": ["code_commune", "insee", "CODGEO"],
            "name": ["nom_commune", "nom_membre"],
            "siren": ["epci_siren", "siren"],
            "epci": ["epci_nom", "raison_sociale"],
        },
        {
            "nature": ["epci_nature", "nature_juridique"],
            "members": ["epci_nb_membres", "nb_membres"],
            "epci_pmun": ["epci_pmun", "total_pop_mun"],
            "pmun": ["re:pmun_(\\d{4})", "pop_mun"],
        },
    )
    result = ImportResult("epci", path.name)
    codes = normalize_codes(frame[col["code"]])
    keep = codes.map(lambda c: scope.keeps(c) if len(c) == 5 else False)
    frame, codes = frame[keep], codes[keep]
    population, _secret = to_number(frame, col["pmun"], path.name) if col["pmun"] else (None, None)
    year = _year_of(col["pmun"], "")
    vintage = f"populations légales {year} (RP {int(year) - 3})" if year else "populations légales"
    names = frame[col["name"]].where(frame[col["name"]] != "", codes)
    columns: dict[str, tuple[str, list[Any]]] = {
        "code": ("varchar", list(codes)),
        "name": ("varchar", list(names)),
        "departement": ("varchar", [departement_of(c) for c in codes]),
        "epci_siren": ("varchar", list(frame[col["siren"]])),
        "epci_name": ("varchar", list(frame[col["epci"]])),
    }
    if population is not None:
        columns["population"] = ("integer", [None if pd.isna(p) else int(p) for p in population])
        columns["population_vintage"] = ("varchar", ["" if pd.isna(p) else vintage for p in population])
    upsert(Commune._meta.db_table, columns, conflict=["code"])
    epcis: dict[str, Epci] = {}
    for i in frame.drop_duplicates(col["siren"]).index:
        siren = frame.at[i, col["siren"]]
        if siren and siren not in epcis:
            members = frame.at[i, col["members"]] if col["members"] else ""
            pmun = frame.at[i, col["epci_pmun"]] if col["epci_pmun"] else ""
            epcis[siren] = Epci(
                siren=siren,
                name=frame.at[i, col["epci"]],
                nature=frame.at[i, col["nature"]] if col["nature"] else "",
                member_count=int(members) if members.isdigit() else None,
                published_population=int(pmun) if pmun.isdigit() else None,
                source="DGCL, BANATIC — composition des EPCI à fiscalité propre",
                vintage=f"1er janvier {year}" if year else "",
            )
    Epci.objects.bulk_create(
        list(epcis.values()),
        update_conflicts=True,
        unique_fields=["siren"],
        update_fields=["name", "nature", "member_count", "published_population", "source", "vintage"],
    )
    result.rows = len(codes)
    result.sources.add("DGCL, BANATIC — composition des EPCI à fiscalité propre")
    result.vintages.add(f"1er janvier {year}" if year else "")
    result.notes.append(_("%(count)d EPCI") % {"count": len(epcis)})
    return result


@transaction.atomic
def import_cog_communes(path: Path, scope: Scope, vintage: str = "") -> ImportResult:
    """INSEE « code officiel géographique », communes: the one spelling of each commune (LIBELLE), in force."""
    _reference_only(scope, path)
    frame, col = read_table(path, {"code": ["COM", "CODGEO"], "name": ["LIBELLE", "LIBGEO"]}, {"type": ["TYPECOM"]})
    result = ImportResult("cog", path.name)
    if col["type"]:
        frame = frame[frame[col["type"]] == "COM"]  # not the associated or delegated communes
    codes = normalize_codes(frame[col["code"]])
    names = dict(zip(codes, frame[col["name"]], strict=True))
    communes = [c for c in Commune.objects.filter(code__in=[c for c in names if scope.keeps(c)]) if names[c.code]]
    renamed = 0
    for commune in communes:
        if commune.name != names[commune.code]:
            commune.name = names[commune.code]
            renamed += 1
    Commune.objects.bulk_update(communes, ["name"], batch_size=2000)
    result.rows = len(communes)
    result.sources.add("INSEE, code officiel géographique — communes")
    result.vintages.add(_vintage_of(path.name, "", vintage))  # the COG file carries no date: the operator says it
    if renamed:
        result.notes.append(
            ngettext(
                "%(count)d nom de commune rectifié selon le COG",
                "%(count)d noms de communes rectifiés selon le COG",
                renamed,
            )
            % {"count": renamed}
        )
    return result


# --- statistics -----------------------------------------------------------------------------------------


CODE_PATTERN = r"\d[\dAB]\d{3}"
SIREN_PATTERN = r"\d{9}"
DEPARTEMENT_PATTERN = r"\d{2}|2[AB]|97\d"


def check_not_empty(frame: pd.DataFrame, file_name: str) -> None:
    if frame.empty:
        raise ImportFileError(
            _("%(file)s ne contient aucune ligne de données (seulement la ligne d'en-tête) : rien n'a été changé.")
            % {"file": file_name}
        )


def check_rows(frame: pd.DataFrame, col: dict[str, str | None], file_name: str, unique: str | None) -> None:
    """Refuse a file without data rows, a malformed commune code (`24064.0`) and a key given twice."""
    check_not_empty(frame, file_name)
    column = col["code"]
    codes = normalize_codes(frame[column])
    bad = ~codes.str.fullmatch(CODE_PATTERN)
    if bad.any():
        i = int(bad.to_numpy().nonzero()[0][0])
        message = _(
            "%(file)s, ligne %(line)d, colonne « %(column)s » : « %(value)s » n'est pas un code commune INSEE "
            "(5 caractères, par exemple 24322)."
        ) % {"file": file_name, "line": line_of(frame, i), "column": column, "value": frame[column].iloc[i]}
        if re.fullmatch(SIREN_PATTERN, codes.iloc[i]):
            message += " " + _(
                "C'est le SIREN d'un EPCI : ce fichier donne des chiffres par EPCI, pas par commune. S'il s'agit de "
                "Filosofi, l'opérateur le charge comme « %(kind)s »."
            ) % {"kind": FILOSOFI_AREAS_LABEL}
        raise ImportFileError(message)
    key = col.get(unique) if unique else None
    if unique and not key and unique != "iris":
        key = column  # no column of the former codes: today's code must then be unique
    if key:
        values = normalize_codes(frame[key]) if unique == "code" else frame[key]
        refuse_repeated(
            values,
            frame,
            file_name,
            key,
            _("Chaque ligne doit porter une commune différente : un doublon fausserait les totaux."),
        )


def refuse_repeated(values: pd.Series, frame: pd.DataFrame, file_name: str, column: str, why: str) -> None:
    """Refuse a key given on several lines, naming the lines (as the file's reader numbers them) and why it matters."""
    repeated = values.duplicated(keep=False)
    if not repeated.any():
        return
    lines = repeated.to_numpy().nonzero()[0]
    first = values.iloc[lines[0]]
    same = [line_of(frame, n) for n in lines if values.iloc[n] == first]
    message = _("%(file)s, colonne « %(column)s » : « %(value)s » apparaît plusieurs fois (lignes %(lines)s).") % {
        "file": file_name,
        "column": column,
        "value": first,
        "lines": ", ".join(str(n) for n in same[:5]),
    }
    raise ImportFileError(f"{message} {why}")


# Where France is (metropolitan France and the overseas départements), as (south, north, west, east) in degrees.
FRANCE_BOXES = [
    (41.2, 51.2, -5.3, 9.7),  # métropole and Corse
    (15.8, 16.6, -61.9, -60.9),  # Guadeloupe
    (14.3, 14.9, -61.3, -60.7),  # Martinique
    (2.0, 5.9, -54.7, -51.5),  # Guyane
    (-21.5, -20.8, 55.1, 56.0),  # La Réunion
    (-13.1, -12.5, 44.9, 45.4),  # Mayotte
    (46.7, 47.2, -56.5, -56.0),  # Saint-Pierre-et-Miquelon
    (17.8, 18.2, -63.2, -62.7),  # Saint-Martin, Saint-Barthélemy
]


def in_france(lat: float, lon: float) -> bool:
    return any(s <= lat <= n and w <= lon <= e for s, n, w, e in FRANCE_BOXES)


def check_coordinates(frame: pd.DataFrame, col: dict[str, str | None], file_name: str) -> None:
    """Coordinates are numbers, in France; latitude and longitude swapped are named as such."""
    if not (col.get("latitude") and col.get("longitude")):
        return
    lat, _s1 = to_number(frame, col["latitude"], file_name, minimum=None)  # type: ignore[arg-type]
    lon, _s2 = to_number(frame, col["longitude"], file_name, minimum=None)  # type: ignore[arg-type]
    for i, (y, x) in enumerate(zip(lat, lon, strict=True)):
        if pd.isna(y) or pd.isna(x) or in_france(y, x):
            continue
        hint = (
            _(" La latitude et la longitude semblent inversées.")
            if in_france(x, y)
            else _(" Ce point n'est pas en France.")
        )
        raise ImportFileError(
            _("%(file)s, ligne %(line)d, colonnes « %(lat)s » / « %(lon)s » : %(y)s, %(x)s.")
            % {
                "file": file_name,
                "line": line_of(frame, i),
                "lat": col["latitude"],
                "lon": col["longitude"],
                "y": y,
                "x": x,
            }
            + hint
        )


def check_in_scope(codes: pd.Series, file_name: str, scope: Scope) -> None:
    if not codes.notna().any():
        raise ImportFileError(
            _("%(file)s : aucune ligne du fichier ne concerne %(scope)s ; rien n'a été changé.")
            % {"file": file_name, "scope": scope.describe()}
        )


def _statistics_import(
    kind: str,
    path: Path,
    scope: Scope,
    required: dict[str, list[str]],
    optional: dict[str, list[str]] | None,
    write: Callable[[pd.DataFrame, dict[str, str | None], pd.Series, ImportResult], None],
    unique: str = "code",
) -> ImportResult:
    """Read, check, resolve the codes, write: in one transaction, so a refusal at any step changes nothing."""
    with transaction.atomic():
        frame, col = read_table(path, required, optional)
        result = ImportResult(kind, path.name)
        check_rows(frame, col, path.name, unique)
        codes = CodeResolver(scope).resolve(frame[col["code"]], path.name, result)
        check_in_scope(codes, path.name, scope)
        write(frame, col, codes, result)
        result.rows = int(codes.notna().sum())
        return result


def import_comparateur(path: Path, scope: Scope, vintage: str = "") -> ImportResult:
    """INSEE « comparateur de territoires » (population, unemployed and active 15-64 year-olds)."""

    def write(frame: pd.DataFrame, col: dict[str, str | None], codes: pd.Series, result: ImportResult) -> None:
        source = "INSEE, comparateur de territoires"
        vintage = f"RP {_year_of(col['active'], '2021')}"
        population, _ignored = to_number(frame, col["population"], path.name)  # type: ignore[arg-type]
        unemployed, s1 = to_number(frame, col["unemployed"], path.name)  # type: ignore[arg-type]
        active, s2 = to_number(frame, col["active"], path.name)  # type: ignore[arg-type]
        refuse_where(
            unemployed > active,
            frame,
            path.name,
            _("plus de chômeurs (colonne « %(a)s ») que d'actifs (colonne « %(b)s »)")
            % {"a": col["unemployed"], "b": col["active"]},
        )
        save_statistics(
            codes, "population_rp", scope=scope, result=result, source=source, vintage=vintage, numerator=population
        )
        if col["households"]:
            households, _s = to_number(frame, col["households"], path.name)
            save_statistics(
                codes, "menages", scope=scope, result=result, source=source, vintage=vintage, numerator=households
            )
        save_statistics(
            codes,
            "chomeurs",
            scope=scope,
            result=result,
            source=source,
            vintage=vintage,
            numerator=unemployed,
            secret=s1,
        )
        save_statistics(
            codes,
            "chomage",
            scope=scope,
            result=result,
            source=source,
            vintage=vintage,
            numerator=unemployed,
            denominator=active,
            secret=s1 | s2,
        )

    return _statistics_import(
        "comparateur",
        path,
        scope,
        {
            "code": ["insee_com", "CODGEO", "code_commune"],
            "population": ["re:population_20\\d\\d", "re:P\\d\\d_POP"],
            "unemployed": ["re:pop_15_64_chomage_20\\d\\d", "re:P\\d\\d_CHOM1564"],
            "active": ["re:pop_15_64_active_20\\d\\d", "re:P\\d\\d_ACT1564"],
        },
        {"households": ["re:menages_20\\d\\d", "re:P\\d\\d_MEN", "re:C\\d\\d_MEN"]},
        write,
    )


def import_filosofi(path: Path, scope: Scope, vintage: str = "") -> ImportResult:
    """INSEE Filosofi, base communale (`s` = secret statistique: kept as missing, never 0)."""

    def write(frame: pd.DataFrame, col: dict[str, str | None], codes: pd.Series, result: ImportResult) -> None:
        year = _year_of(col["median"], "2021")
        source, vintage = "INSEE, Filosofi (base communale)", f"Filosofi {year}"
        persons, _ignored = to_number(frame, col["persons"], path.name)  # type: ignore[arg-type]
        median, s_median = to_number(frame, col["median"], path.name)  # type: ignore[arg-type]
        poverty, s_poverty = to_number(frame, col["poverty"], path.name, maximum=100)  # type: ignore[arg-type]
        save_statistics(
            codes,
            "revenu_median",
            scope=scope,
            result=result,
            source=source,
            vintage=vintage,
            value=median,
            denominator=persons,
            secret=s_median,
        )
        save_statistics(
            codes,
            "taux_pauvrete",
            scope=scope,
            result=result,
            source=source,
            vintage=vintage,
            numerator=poverty * persons / 100,
            denominator=persons.where(poverty.notna()),
            secret=s_poverty,
        )
        kept = codes.notna()
        published = int((poverty.notna() & kept).sum())
        result.notes.append(
            ngettext(
                "taux de pauvreté publié pour %(published)d commune, secret pour %(secret)d",
                "taux de pauvreté publié pour %(published)d communes, secret pour %(secret)d",
                published,
            )
            % {"published": published, "secret": int((s_poverty & kept).sum())}
        )

    return _statistics_import(
        "filosofi",
        path,
        scope,
        {
            "code": ["CODGEO", "code_commune"],
            "persons": ["re:NBPERSMENFISC\\d\\d"],
            "median": ["re:MED\\d\\d"],
            "poverty": ["re:TP60\\d\\d"],
        },
        None,
        write,
    )


FILOSOFI_AREAS_LABEL = "INSEE — Filosofi, EPCI et départements (revenus et pauvreté)"
FILOSOFI_AREA_SOURCES = {
    AreaStatistic.Level.EPCI: "INSEE, Filosofi (base EPCI)",
    AreaStatistic.Level.DEPARTEMENT: "INSEE, Filosofi (base départementale)",
}


def _area_levels(codes: pd.Series, column: str, frame: pd.DataFrame, file_name: str) -> pd.Series:
    """The level of each row from its code: a SIREN (9 digits) is an EPCI, 2 or 3 characters a département."""
    levels = pd.Series("", index=codes.index, dtype=object)
    levels[codes.str.fullmatch(SIREN_PATTERN)] = AreaStatistic.Level.EPCI
    levels[codes.str.fullmatch(DEPARTEMENT_PATTERN)] = AreaStatistic.Level.DEPARTEMENT
    bad = levels.eq("")
    if bad.any():
        i = int(bad.to_numpy().nonzero()[0][0])
        message = _(
            "%(file)s, ligne %(line)d, colonne « %(column)s » : « %(value)s » n'est ni le SIREN d'un EPCI (9 chiffres, "
            "par exemple 200041572) ni un code de département (par exemple 24)."
        ) % {"file": file_name, "line": line_of(frame, i), "column": column, "value": frame[column].iloc[i]}
        if re.fullmatch(CODE_PATTERN, codes.iloc[i]):
            message += " " + _(
                "C'est un code commune : la base communale de Filosofi s'importe comme « %(kind)s »."
            ) % {"kind": IMPORTERS_LABELS["filosofi"]}
        raise ImportFileError(message)
    refuse_repeated(codes, frame, file_name, column, _("Chaque ligne doit porter un EPCI ou un département différent."))
    return levels


@transaction.atomic
def import_filosofi_areas(path: Path, scope: Scope, vintage: str = "") -> ImportResult:
    """INSEE Filosofi for whole EPCI (CODGEO = SIREN) and départements (bases « EPCI » and « DEP »).

    The honest figure of a territory that is exactly an EPCI or a département: the communes' rates cover part of
    it only (secret under 1 000 ménages fiscaux) and their medians do not add up. Reference data: operators only.
    Rows of EPCI and départements outside the scope (the national file has every EPCI) are left out.
    """
    if not scope.is_reference:
        raise ImportFileError(
            _(
                "%(file)s : les chiffres que l'INSEE publie pour un EPCI ou un département sont des données de "
                "référence, chargées par l'opérateur pour tous les territoires."
            )
            % {"file": path.name}
        )
    frame, col = read_table(
        path,
        {"code": ["CODGEO", "siren", "code"], "median": ["re:MED\\d\\d"], "poverty": ["re:TP60\\d\\d"]},
    )
    check_not_empty(frame, path.name)
    column = col["code"]
    assert column is not None
    codes = frame[column].str.strip().str.upper()
    levels = _area_levels(codes, column, frame, path.name)
    median, s_median = to_number(frame, col["median"], path.name)  # type: ignore[arg-type]
    poverty, s_poverty = to_number(frame, col["poverty"], path.name, maximum=100)  # type: ignore[arg-type]
    in_scope = Commune.objects.filter(departement__in=scope.departements).exclude(epci_siren="")
    sirens = set(in_scope.values_list("epci_siren", flat=True).distinct())
    keep = (levels.eq(AreaStatistic.Level.EPCI) & codes.isin(sirens)) | (
        levels.eq(AreaStatistic.Level.DEPARTEMENT) & codes.isin(scope.departements)
    )
    check_in_scope(codes.where(keep), path.name, scope)
    year = _year_of(col["median"], "2021")
    found_vintage = f"Filosofi {year}"
    result = ImportResult("filosofi_epci", path.name)
    rows = []
    for i in keep.to_numpy().nonzero()[0]:
        level = levels.iloc[i]
        for indicator, values, secret in (("revenu_median", median, s_median), ("taux_pauvrete", poverty, s_poverty)):
            value = None if pd.isna(values.iloc[i]) else float(values.iloc[i])
            rows.append(
                AreaStatistic(
                    level=level,
                    code=codes.iloc[i],
                    indicator=indicator,
                    value=value,
                    is_secret=bool(secret.iloc[i]) and value is None,
                    source=FILOSOFI_AREA_SOURCES[level],
                    vintage=found_vintage,
                )
            )
            result.sources.add(FILOSOFI_AREA_SOURCES[level])
    AreaStatistic.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["level", "code", "indicator"],
        update_fields=["value", "is_secret", "source", "vintage", "imported_at"],
    )
    result.vintages.add(found_vintage)
    result.rows = int(keep.sum())
    epcis = int((keep & levels.eq(AreaStatistic.Level.EPCI)).sum())
    departements = int(keep.sum()) - epcis
    result.notes.append(
        _("%(count)d EPCI") % {"count": epcis}
        + ", "
        + ngettext("%(count)d département", "%(count)d départements", departements) % {"count": departements}
    )
    outside = int((~keep).sum())
    if outside:
        result.notes.append(
            ngettext(
                "%(count)d ligne hors du périmètre laissée de côté",
                "%(count)d lignes hors du périmètre laissées de côté",
                outside,
            )
            % {"count": outside}
        )
    return result


IFN_SCORES = {
    "ifn_global": "score_global",
    "ifn_acces": "score_global_acces",
    "ifn_competences": "score_global_competences",
}


def _import_ifn(
    kind: str,
    path: Path,
    scope: Scope,
    code_aliases: list[str],
    population_aliases: list[str],
    source: str,
    vintage: str,
) -> ImportResult:
    def write(frame: pd.DataFrame, col: dict[str, str | None], codes: pd.Series, result: ImportResult) -> None:
        population, _ignored = to_number(frame, col["population"], path.name)  # type: ignore[arg-type]
        if kind == "ifn_iris" and scope.is_reference:  # the population of each former commune, for the weights
            former = normalize_codes(frame[col["code"]])
            people = population.groupby(former).sum().to_dict()
            passages = list(CommunePassage.objects.filter(old_code__in=list(people)))
            for passage in passages:
                passage.old_population = float(people[passage.old_code])
            CommunePassage.objects.bulk_update(passages, ["old_population"], batch_size=2000)
        for indicator in IFN_SCORES:
            score, secret = to_number(frame, col[indicator], path.name)  # type: ignore[arg-type]
            weight = population.where(score.notna())
            save_statistics(
                codes,
                indicator,
                scope=scope,
                result=result,
                source=source,
                vintage=vintage or "2019",  # the La MedNum / ANSA index of 2019, unless told otherwise
                numerator=score * weight,
                denominator=weight,
                secret=secret,
            )

    iris = {"iris": ["code_iris", "IRIS"]} if kind == "ifn_iris" else {}
    return _statistics_import(
        kind,
        path,
        scope,
        {"code": code_aliases, "population": population_aliases} | {k: [v] for k, v in IFN_SCORES.items()},
        iris,
        write,
        unique="iris" if kind == "ifn_iris" else "code",  # an IRIS file has several rows per commune
    )


def import_ifn_iris(path: Path, scope: Scope, vintage: str = "") -> ImportResult:
    """IFN La MedNum / ANSA at IRIS level, aggregated to communes weighted by the IRIS population."""
    return _import_ifn(
        "ifn_iris",
        path,
        scope,
        ["code_commune_iris", "code_commune", "DEPCOM"],
        ["population", "P_POP"],
        "La MedNum / ANSA, indice de fragilité numérique (IRIS agrégés)",
        vintage,
    )


def import_ifn_communes(path: Path, scope: Scope, vintage: str = "") -> ImportResult:
    """IFN La MedNum / ANSA at commune level."""
    return _import_ifn(
        "ifn_communes",
        path,
        scope,
        ["code_commune_cog2024", "code_commune", "CODGEO"],
        ["population_ifn", "population"],
        "La MedNum / ANSA, indice de fragilité numérique (communes)",
        vintage,
    )


def former_share(former: pd.Series, codes: pd.Series) -> pd.Series:
    """Each row's share of today's commune: 1 for a commune unchanged; for communes merged since, the former
    commune's population over the merged ones' (from the IFN's IRIS), or an equal split when it is unknown.

    Without it, a merged commune counted today's population once per former commune (three times for three).
    """
    former = normalize_codes(former)
    known = dict(CommunePassage.objects.filter(old_code__in=set(former)).values_list("old_code", "old_population"))
    weight = former.map(lambda c: known.get(c)).astype(float)
    group = codes.fillna("")
    count = group.map(group.value_counts())
    total = weight.groupby(group).transform("sum")
    complete = weight.notna().groupby(group).transform("all") & total.gt(0)
    return (weight / total).where(complete, 1.0 / count).astype(float)


def import_rp_rates(path: Path, scope: Scope, vintage: str = "") -> ImportResult:
    """RP 2017 rates per commune retraités by Data For Good for La MedNum (fallback for ages and diplomas)."""

    def write(frame: pd.DataFrame, col: dict[str, str | None], codes: pd.Series, result: ImportResult) -> None:
        source, vintage = "INSEE RP, retraité par Data For Good / La MedNum", "RP 2017"
        wanted = set(codes.dropna())
        populations = dict(Commune.objects.filter(code__in=wanted).values_list("code", "population"))
        households = dict(
            CommuneStatistic.objects.filter(organization__isnull=True, indicator="menages", commune_id__in=wanted)
            .exclude(numerator__isnull=True)
            .values_list("commune_id", "numerator")
        )
        share = former_share(frame[col["former"]] if col["former"] else codes, codes)
        by_people = codes.map(populations).astype(float) * share
        # a rate of households is weighted by households (by people, one-person households came out too low)
        by_households = codes.map(households).astype(float) * share if households else by_people
        for indicator, key, weight in (
            ("part_65_plus", "old", by_people),
            ("peu_diplomes", "diploma", by_people),
            ("menages_seuls", "alone", by_households),
        ):
            rate, secret = to_number(frame, col[key], path.name, maximum=100)  # type: ignore[arg-type]
            w = weight.where(rate.notna())
            save_statistics(
                codes,
                indicator,
                scope=scope,
                result=result,
                source=source,
                vintage=vintage,
                numerator=rate / 100 * w,
                denominator=w,
                secret=secret,
            )

    return _statistics_import(
        "rp_rates",
        path,
        scope,
        {
            "code": ["code_commune_cog2024", "CODE_INSEE", "CODGEO"],
            "old": ["TX_65ETPLUS"],
            "diploma": ["TX_NSCOL15P"],
            "alone": ["TX_MENSEUL"],
        },
        {"former": ["CODE_INSEE"]},
        write,
        unique="former",  # one row per commune of the census year; several may have merged since
    )


def import_arcep(path: Path, scope: Scope, vintage: str = "") -> ImportResult:
    """ARCEP « Ma connexion internet »: premises by best available speed class."""

    def write(frame: pd.DataFrame, col: dict[str, str | None], codes: pd.Series, result: ImportResult) -> None:
        total, _ignored = to_number(frame, col["total"], path.name)  # type: ignore[arg-type]
        thd = sum(to_number(frame, col[k], path.name)[0].fillna(0) for k in ("thd30", "thd100", "thd1g"))  # type: ignore[arg-type]
        refuse_where(
            thd > total,
            frame,
            path.name,
            _("plus de locaux éligibles au très haut débit que de locaux (colonne « %(total)s »)")
            % {"total": col["total"]},
        )
        dates = frame[col["date"]] if col["date"] else pd.Series("", index=frame.index)
        found = _vintage_of(path.name, (max(d for d in dates if d) if any(dates) else "")[:7], vintage)
        save_statistics(
            codes,
            "sans_thd",
            scope=scope,
            result=result,
            source="ARCEP, Ma connexion internet (bêta)",
            vintage=found,
            numerator=total - thd,
            denominator=total,
        )

    return _statistics_import(
        "arcep",
        path,
        scope,
        {
            "code": ["code_insee", "code_commune", "CODGEO"],
            "total": ["nbr"],
            "thd30": ["elig_thd30"],
            "thd100": ["elig_thd100"],
            "thd1g": ["elig_thd1g"],
        },
        {"date": ["date"]},
        write,
    )


# --- places ---------------------------------------------------------------------------------------------


PLACE_COLUMNS = {
    "kind": "varchar",
    "external_id": "varchar",
    "siret": "varchar",
    "name": "varchar",
    "address": "varchar",
    "postal_code": "varchar",
    "commune_id": "varchar",
    "latitude": "double precision",
    "longitude": "double precision",
    "details": "text",
    "staff": "smallint",
    "source": "varchar",
    "vintage": "varchar",
}


def _save_places(kind: str, places: Iterable[Place], scope: Scope, file_name: str) -> ImportResult:
    """Upsert the file's places into the scope's rows and remove the scope's places of this kind it no longer lists.

    An organisation's file writes and removes only its own places; the reference is never touched by it.
    """
    result = ImportResult(kind, file_name)
    unique: dict[str, Place] = {}
    seen_spots: set[tuple[str, float, float]] = set()
    duplicates = 0
    for place in places:
        if place.latitude is not None and place.longitude is not None:
            spot = (place.name.strip().lower(), round(place.latitude, 4), round(place.longitude, 4))
            if spot in seen_spots:
                duplicates += 1
                continue
            seen_spots.add(spot)
        if not scope.is_reference:
            place.source = _("%(source)s — fichier importé par l'organisation") % {"source": place.source}
        unique[place.external_id] = place
        result.sources.add(place.source)
        result.vintages.add(place.vintage)
    rows = list(unique.values())
    owner, conflict, where = _owner_columns(scope, len(rows))
    upsert(
        Place._meta.db_table,
        owner | {name: (kind_of, [getattr(p, name) for p in rows]) for name, kind_of in PLACE_COLUMNS.items()},
        conflict=[*conflict, "kind", "external_id"],
        conflict_where=where,
    )
    mine = Place.objects.filter(
        Q(organization__isnull=True) if scope.organization_id is None else Q(organization_id=scope.organization_id)
    )
    stale = mine.filter(kind=kind, commune__in=scope.commune_codes()).exclude(external_id__in=list(unique))
    removed, _ignored = stale.delete()
    result.rows = len(unique)
    if duplicates:
        result.notes.append(
            ngettext("%(count)d doublon ignoré", "%(count)d doublons ignorés", duplicates) % {"count": duplicates}
        )
    if removed:
        result.notes.append(
            ngettext(
                "%(count)d lieu absent du nouveau fichier retiré",
                "%(count)d lieux absents du nouveau fichier retirés",
                removed,
            )
            % {"count": removed}
        )
    return result


def _places_import(
    kind: str,
    path: Path,
    scope: Scope,
    required: dict[str, list[str]],
    optional: dict[str, list[str]],
    build: Callable[[pd.DataFrame, dict[str, str | None], pd.Series], Iterable[Place]],
) -> ImportResult:
    with transaction.atomic():
        frame, col = read_table(path, required, optional)
        check_rows(frame, col, path.name, unique=None)
        check_coordinates(frame, col, path.name)
        codes = CodeResolver(scope).resolve(frame[col["code"]], path.name)
        check_in_scope(codes, path.name, scope)
        return _save_places(kind, build(frame, col, codes), scope, path.name)


def _float(text: str) -> float | None:
    try:
        return float(text.replace(",", ".")) if text else None
    except ValueError:
        return None


def _get(frame: pd.DataFrame, col: dict[str, str | None], key: str, i: Any) -> str:
    name = col.get(key)
    return str(frame.at[i, name]) if name else ""


def import_mediation_places(path: Path, scope: Scope, vintage: str = "") -> ImportResult:
    """Lieux de médiation numérique in the national schema (La MedNum standard, v1)."""

    def build(frame: pd.DataFrame, col: dict[str, str | None], codes: pd.Series) -> Iterable[Place]:
        dates = [d for d in frame[col["date"]] if d] if col["date"] else []
        found = _vintage_of(path.name, max(dates)[:10] if dates else "", vintage)
        for i in frame.index[codes.notna()]:
            yield Place(
                kind=Place.Kind.MEDIATION,
                external_id=_get(frame, col, "id", i),
                siret=_siret(_get(frame, col, "pivot", i)),
                name=_get(frame, col, "name", i)[:300],
                address=_get(frame, col, "address", i)[:400],
                postal_code=_get(frame, col, "postal_code", i)[:10],
                commune_id=codes.at[i],
                latitude=_float(_get(frame, col, "latitude", i)),
                longitude=_float(_get(frame, col, "longitude", i)),
                details="\n".join(t for t in (_get(frame, col, "services", i), _get(frame, col, "hours", i)) if t),
                staff=int(n) if (n := _get(frame, col, "staff", i)).isdigit() else None,
                source="Cartographie nationale des lieux de médiation numérique",
                vintage=found,
            )

    return _places_import(
        Place.Kind.MEDIATION,
        path,
        scope,
        {"id": ["id"], "name": ["nom"], "code": ["code_insee", "code_insee_pip_cog2024"]},
        {
            "address": ["adresse"],
            "postal_code": ["code_postal"],
            "latitude": ["latitude"],
            "longitude": ["longitude"],
            "services": ["services"],
            "hours": ["horaires"],
            "date": ["date_maj"],
            "staff": ["nb_conseillers_rattaches"],
            "pivot": ["pivot", "siret"],
        },
        build,
    )


def import_france_services(path: Path, scope: Scope, vintage: str = "") -> ImportResult:
    """ANCT « Liste des structures France services »."""

    def build(frame: pd.DataFrame, col: dict[str, str | None], codes: pd.Series) -> Iterable[Place]:
        found = _vintage_of(path.name, "", vintage)  # the ANCT list carries no date: the person importing says it
        for i in frame.index[codes.notna()]:
            kind = _get(frame, col, "type", i)
            yield Place(
                kind=Place.Kind.FRANCE_SERVICES,
                external_id=_get(frame, col, "id", i),
                name=_get(frame, col, "name", i)[:300],
                address=_get(frame, col, "address", i)[:400],
                postal_code=_get(frame, col, "postal_code", i)[:10],
                commune_id=codes.at[i],
                latitude=_float(_get(frame, col, "latitude", i)),
                longitude=_float(_get(frame, col, "longitude", i)),
                details=f"{kind} · {_get(frame, col, 'format', i)}".strip(" ·"),
                source="ANCT, liste des structures France services",
                vintage=found,
            )

    return _places_import(
        Place.Kind.FRANCE_SERVICES,
        path,
        scope,
        {"id": ["id_fs"], "name": ["lib_fs"], "code": ["insee_com", "code_insee"]},
        {
            "address": ["adresse"],
            "postal_code": ["code_postal"],
            "latitude": ["latitude"],
            "longitude": ["longitude"],
            "type": ["type_fs"],
            "format": ["format_fs"],
        },
        build,
    )


def import_conseillers_structures(path: Path, scope: Scope, vintage: str = "") -> ImportResult:
    """ANCT: structures employing conseillers numériques (2021 committee list or later open data)."""

    def build(frame: pd.DataFrame, col: dict[str, str | None], codes: pd.Series) -> Iterable[Place]:
        dates = [d for d in frame[col["date"]] if d] if col["date"] else []
        found = _vintage_of(path.name, max(dates)[:7] if dates else "", vintage)
        for i in frame.index[codes.notna()]:
            staff = _get(frame, col, "staff", i)
            yield Place(
                kind=Place.Kind.CONSEILLER_NUMERIQUE,
                external_id=_get(frame, col, "siret", i) or _get(frame, col, "id", i),
                siret=_siret(_get(frame, col, "siret", i)),
                name=_get(frame, col, "name", i)[:300],
                address=_get(frame, col, "address", i)[:400],
                postal_code=_get(frame, col, "postal_code", i)[:10],
                commune_id=codes.at[i],
                latitude=_float(_get(frame, col, "latitude", i)),
                longitude=_float(_get(frame, col, "longitude", i)),
                staff=int(staff) if staff.isdigit() else None,
                source="ANCT, dispositif Conseiller numérique",
                vintage=found,
            )

    return _places_import(
        Place.Kind.CONSEILLER_NUMERIQUE,
        path,
        scope,
        {"name": ["raison_sociale"], "code": ["insee_com", "code_insee"], "siret": ["siret"]},
        {
            "id": ["id"],
            "address": ["adresse"],
            "postal_code": ["code_postal"],
            "latitude": ["latitude"],
            "longitude": ["longitude"],
            "staff": ["nb_conseillers_recrutes", "nb_cnfs"],
            "date": ["date_validation_comite", "date_maj"],
        },
        build,
    )


def _siret(text: str) -> str:
    """A SIRET (14 digits), or nothing for the schema's « 00000000000000 » (no SIRET)."""
    digits = re.sub(r"\D", "", text)
    return digits if len(digits) == 14 and digits.strip("0") else ""


def _vintage_of(file_name: str, found: str, asked: str) -> str:
    """The vintage read in the file's content, else the one the person importing gave; never guessed from a name."""
    if found.strip():
        return found.strip()
    if asked.strip():
        return asked.strip()[:60]
    raise ImportFileError(
        _(
            "%(file)s : le fichier ne porte pas la date de ses données. Indiquez son millésime (par exemple "
            "« 2024-08-01 » ou « 2023 ») et importez-le à nouveau."
        )
        % {"file": file_name}
    )


def import_national_places(path: Path, scope: Scope, vintage: str = "") -> ImportResult:
    """« Lieux de médiation numérique », national schema (see diagnostics.national)."""
    from diagnostics import national

    return national.import_national_places(path, scope, vintage)


def import_data_inclusion(path: Path, scope: Scope, vintage: str = "") -> ImportResult:
    """data·inclusion structures (see diagnostics.national)."""
    from diagnostics import national

    return national.import_data_inclusion(path, scope, vintage)


def import_data_inclusion_services(path: Path, scope: Scope, vintage: str = "") -> ImportResult:
    """data·inclusion services, attached to the structures already imported (see diagnostics.national)."""
    from diagnostics import national

    return national.import_data_inclusion_services(path, scope, vintage)


# --- the catalogue, for the command, the demo and the upload form ---------------------------------------

IMPORTERS: dict[str, tuple[str, Callable[[Path, Scope, str], ImportResult]]] = {
    "passage": ("Table de passage des codes communes (COG)", import_passage),
    "communes": ("Communes et contours (GeoJSON)", import_communes_geojson),
    "epci": ("Composition des EPCI (DGCL / BANATIC)", import_epci_composition),
    "cog": ("Code officiel géographique — communes (INSEE)", import_cog_communes),
    "comparateur": ("INSEE — comparateur de territoires (population, emploi)", import_comparateur),
    "filosofi": ("INSEE — Filosofi, revenus et pauvreté", import_filosofi),
    "filosofi_epci": (FILOSOFI_AREAS_LABEL, import_filosofi_areas),
    "ifn_iris": ("Indice de fragilité numérique — IRIS", import_ifn_iris),
    "ifn_communes": ("Indice de fragilité numérique — communes", import_ifn_communes),
    "rp_rates": ("Recensement — âges, diplômes, ménages (taux communaux)", import_rp_rates),
    "arcep": ("ARCEP — éligibilité au haut et très haut débit", import_arcep),
    "mediation": ("Lieux des conseillers numériques (cartographie nationale, extrait)", import_mediation_places),
    "mediation_national": (
        "Lieux de médiation numérique — schéma national v1.0.2 (contrôlé champ par champ)",
        import_national_places,
    ),
    "data_inclusion": ("data·inclusion — structures (JSON ou CSV, schéma v1.0.8)", import_data_inclusion),
    "data_inclusion_services": (
        "data·inclusion — services des structures déjà importées (JSON ou CSV, schéma v1.0.8)",
        import_data_inclusion_services,
    ),
    "france_services": ("France services (ANCT)", import_france_services),
    "conseillers": ("Structures des conseillers numériques (ANCT)", import_conseillers_structures),
}

IMPORTERS_LABELS = {kind: label for kind, (label, _importer) in IMPORTERS.items()}
# Loaded by operators only: the geography and the figures published for whole EPCI and départements.
REFERENCE_ONLY_KINDS = {"passage", "communes", "epci", "cog", "filosofi_epci"}

# The sample files of the data folder (see SOURCES.md), in import order, with the vintage of the files that do
# not carry it themselves (SOURCES.md gives it). The latest conseillers numériques list (2023) is the one in force.
DEMO_FILES: list[tuple[str, str, str]] = [
    ("passage", "passage_communes_24_cog2018_cog2024.csv", ""),
    ("communes", "communes_24_dordogne_cog2024.geojson", ""),
    ("epci", "epci_composition_24_dordogne_2024.csv", ""),
    ("cog", "cog2024_communes_24_dordogne.csv", "COG 2024"),
    ("comparateur", "insee_comparateur_communes_24_2024.csv", ""),
    ("filosofi", "insee_filosofi_2021_communes_24.csv", ""),
    ("ifn_iris", "ifn_mednum_2019_iris_24.csv", ""),
    ("rp_rates", "d4g_mednum_indicateurs_rp2017_communes_24.csv", ""),
    ("arcep", "arcep_ma_connexion_internet_debits_communes_24_2019-09.csv", ""),
    ("mediation", "lieux_mediation_numerique_conseillers_numeriques_24_2022.csv", ""),
    ("france_services", "france_services_24_20240801.csv", "2024-08-01"),
    ("conseillers", "conseillers_numeriques_structures_24_2023.csv", "2023-09"),
]


def checksum(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def import_folder(data_dir: Path, scope: Scope, files: list[tuple[str, str, str]] | None = None) -> list[ImportResult]:
    """Every known file of a folder, in order (kind, file name, vintage when the file has none); all or nothing.

    A load of the reference (an operator's) is recorded file by file: source, vintage, rows, SHA-256.
    """
    results = []
    with transaction.atomic():
        for kind, name, vintage in files or DEMO_FILES:
            path = data_dir / name
            if not path.exists():
                raise ImportFileError(
                    _("Fichier absent du dossier %(dir)s : %(file)s.") % {"dir": data_dir, "file": name}
                )
            result = IMPORTERS[kind][1](path, scope, vintage)
            if scope.is_reference:
                ReferenceLoad.objects.create(
                    kind=kind,
                    file_name=name[:255],
                    source=result.source[:200],
                    vintage=result.vintage[:60],
                    rows=result.rows,
                    checksum=checksum(path),
                    scope=", ".join(sorted(scope.departements))[:200],
                )
            results.append(result)
    return results
