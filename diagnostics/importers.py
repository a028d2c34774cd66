"""Importers of the official national files of the diagnostic (INSEE, DGCL, La MedNum, ANCT, ARCEP).

Each importer keeps only the communes of a scope (a territory's communes, or whole départements for the
shared reference), moves old commune codes to today's with the COG passage table, is idempotent (a re-import
updates the rows) and atomic (a bad file changes nothing), and explains every refusal in French
(`ImportFileError`). Statistics are stored as numerator / denominator so that territories are weighted right.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import pandas as pd
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from psycopg import sql

from diagnostics.indicators import INDICATORS, Aggregation
from diagnostics.models import CommunePassage, CommuneStatistic, Epci, Place
from territories.models import Commune, Territory

MISSING_TOKENS = {"", "s", "nd", "n/a", "na", "nan", "null", "-", "/"}
SECRET_TOKENS = {"s"}


class ImportFileError(ValueError):
    """A file that cannot be imported; the message is in French, for the person importing."""


def departement_of(code: str) -> str:
    return code[:3] if code.startswith("97") else code[:2]


@dataclass(frozen=True)
class Scope:
    """Which communes an import keeps: whole départements, or a set of communes (a territory)."""

    departements: frozenset[str]
    codes: frozenset[str] | None = None

    @classmethod
    def for_departements(cls, *departements: str) -> Scope:
        return cls(frozenset(departements))

    @classmethod
    def for_territory(cls, territory: Territory) -> Scope:
        codes = frozenset(territory.communes.values_list("code", flat=True))
        if not codes:
            raise ImportFileError(_("Le territoire n'a encore aucune commune : indiquez d'abord ses communes."))
        return cls(frozenset(departement_of(c) for c in codes), codes)

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

    def summary(self) -> str:
        text = _("%(file)s : %(rows)d ligne(s) importée(s)") % {"file": self.file_name, "rows": self.rows}
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
        try:
            frame = pd.read_excel(path, dtype=str).fillna("")
        except Exception as error:  # openpyxl raises many kinds of errors on a bad workbook
            raise ImportFileError(
                _("Impossible de lire le classeur %(file)s : %(error)s") % {"file": path.name, "error": error}
            ) from error
        separator = None
    else:
        head = _read_text_head(path)
        header = head.splitlines()[0] if head.strip() else ""
        if not header:
            raise ImportFileError(_("Le fichier %(file)s est vide.") % {"file": path.name})
        counts = {sep: header.count(sep) for sep in (";", ",", "\t")}
        separator = max(counts, key=lambda s: counts[s])
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
    columns = _resolve_columns(list(frame.columns), wanted)
    missing = [aliases[0].removeprefix("re:") for key, aliases in required.items() if columns[key] is None]
    if missing:
        message = _("%(file)s : colonne(s) manquante(s) : %(columns)s.") % {
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
    for column in frame.columns:
        frame[column] = frame[column].astype(str).str.strip()
    return frame, columns


def to_number(frame: pd.DataFrame, column: str, file_name: str) -> tuple[pd.Series, pd.Series]:
    """(numbers with NaN for missing, secret flags); a decimal comma is accepted; any other text is refused."""
    text = frame[column].str.replace("\u00a0", "", regex=False).str.replace(" ", "", regex=False)
    lowered = text.str.lower()
    missing = lowered.isin(MISSING_TOKENS)
    secret = lowered.isin(SECRET_TOKENS)
    numbers = pd.to_numeric(text.str.replace(",", ".", regex=False).where(~missing), errors="coerce")
    bad = numbers.isna() & ~missing
    if bad.any():
        index = int(bad.idxmax())
        raise ImportFileError(
            _("%(file)s, ligne %(line)d, colonne « %(column)s » : « %(value)s » n'est pas un nombre.")
            % {"file": file_name, "line": index + 2, "column": column, "value": frame[column].iloc[index]}
        )
    return numbers.astype(float), secret


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
                _("%(code)s (ligne %(line)d)") % {"code": codes.iloc[i], "line": i + 2}
                for i in unknown.to_numpy().nonzero()[0][:5]
            ]
            raise ImportFileError(
                _(
                    "%(file)s : code(s) commune inconnu(s) : %(codes)s. S'il s'agit d'anciens codes (communes "
                    "fusionnées), importez la table de passage du COG ; sinon importez d'abord le référentiel des "
                    "communes."
                )
                % {"file": file_name, "codes": ", ".join(lines) + (" …" if unknown.sum() > 5 else "")}
            )
        if result is not None and moved.notna().any():
            result.notes.append(
                _("%(count)d ancien(s) code(s) ramené(s) au COG en vigueur") % {"count": int(moved.notna().sum())}
            )
        keep = resolved.notna() & resolved.map(lambda c: isinstance(c, str) and self.scope.keeps(c))
        return resolved.where(keep)


# --- writing statistics -------------------------------------------------------------------------------


def upsert(table: str, columns: dict[str, tuple[str, list[Any]]], conflict: list[str]) -> None:
    """INSERT … ON CONFLICT DO UPDATE of whole columns: COPY into a temporary table, then one statement.

    The ORM's bulk_create spends ~50 µs per value; at national scale (35,000 communes) that was most of an
    import. Table, column names and types come from our code, never from a file. Must run in a transaction.
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
                "ON CONFLICT ({conflict}) DO UPDATE SET {updates}"
            ).format(
                table=sql.Identifier(table),
                cols=cols,
                staging=staging,
                conflict=sql.SQL(", ").join(sql.Identifier(n) for n in conflict),
                updates=sql.SQL(", ").join(sql.SQL("{0} = EXCLUDED.{0}").format(sql.Identifier(n)) for n in updates),
            )
        )
        cursor.execute(sql.SQL("DROP TABLE {staging}").format(staging=staging))


def save_statistics(
    codes: pd.Series,
    indicator: str,
    *,
    source: str,
    vintage: str,
    value: pd.Series | None = None,
    numerator: pd.Series | None = None,
    denominator: pd.Series | None = None,
    secret: pd.Series | None = None,
) -> int:
    """Upsert one indicator for the rows whose code is not None; rows merged into one commune are summed."""
    spec = INDICATORS[indicator]
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
    upsert(
        CommuneStatistic._meta.db_table,
        {
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
        conflict=["commune_id", "indicator"],
    )
    return len(grouped)


def _year_of(column: str | None, default: str) -> str:
    found = re.search(r"(\d{2})(?!.*\d)", column or "")
    return f"20{found[1]}" if found else default


# --- geography ----------------------------------------------------------------------------------------


@transaction.atomic
def import_passage(path: Path, scope: Scope) -> ImportResult:
    """The COG passage table: old code → today's code (e.g. passage_communes_24_cog2018_cog2024.csv)."""
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
    return result


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
    from shapely.geometry import mapping, shape
    from shapely.ops import unary_union

    from territories.communes import POPULATION_VINTAGE, CommuneFileError, read_communes_geojson

    try:
        communes = read_communes_geojson(path)
    except CommuneFileError as error:
        raise ImportFileError(str(error)) from error
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
    if merged:
        result.notes.append(_("%(count)d contour(s) d'anciennes communes fusionné(s)") % {"count": merged})
    return result


@transaction.atomic
def import_epci_composition(path: Path, scope: Scope) -> ImportResult:
    """DGCL / BANATIC « composition des EPCI à fiscalité propre » (epcicom, CSV or XLSX)."""
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
    result.notes.append(_("%(count)d EPCI") % {"count": len(epcis)})
    return result


# --- statistics -----------------------------------------------------------------------------------------


def _statistics_import(
    kind: str,
    path: Path,
    scope: Scope,
    required: dict[str, list[str]],
    optional: dict[str, list[str]] | None,
    write: Callable[[pd.DataFrame, dict[str, str | None], pd.Series, ImportResult], None],
) -> ImportResult:
    with transaction.atomic():
        frame, col = read_table(path, required, optional)
        result = ImportResult(kind, path.name)
        codes = CodeResolver(scope).resolve(frame[col["code"]], path.name, result)
        write(frame, col, codes, result)
        result.rows = int(codes.notna().sum())
        return result


def import_comparateur(path: Path, scope: Scope) -> ImportResult:
    """INSEE « comparateur de territoires » (population, unemployed and active 15-64 year-olds)."""

    def write(frame: pd.DataFrame, col: dict[str, str | None], codes: pd.Series, result: ImportResult) -> None:
        source = "INSEE, comparateur de territoires"
        vintage = f"RP {_year_of(col['active'], '2021')}"
        population, _ignored = to_number(frame, col["population"], path.name)  # type: ignore[arg-type]
        unemployed, s1 = to_number(frame, col["unemployed"], path.name)  # type: ignore[arg-type]
        active, s2 = to_number(frame, col["active"], path.name)  # type: ignore[arg-type]
        save_statistics(codes, "population_rp", source=source, vintage=vintage, numerator=population)
        save_statistics(codes, "chomeurs", source=source, vintage=vintage, numerator=unemployed, secret=s1)
        save_statistics(
            codes, "chomage", source=source, vintage=vintage, numerator=unemployed, denominator=active, secret=s1 | s2
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
        None,
        write,
    )


def import_filosofi(path: Path, scope: Scope) -> ImportResult:
    """INSEE Filosofi, base communale (`s` = secret statistique: kept as missing, never 0)."""

    def write(frame: pd.DataFrame, col: dict[str, str | None], codes: pd.Series, result: ImportResult) -> None:
        year = _year_of(col["median"], "2021")
        source, vintage = "INSEE, Filosofi (base communale)", f"Filosofi {year}"
        persons, _ignored = to_number(frame, col["persons"], path.name)  # type: ignore[arg-type]
        median, s_median = to_number(frame, col["median"], path.name)  # type: ignore[arg-type]
        poverty, s_poverty = to_number(frame, col["poverty"], path.name)  # type: ignore[arg-type]
        save_statistics(
            codes, "revenu_median", source=source, vintage=vintage, value=median, denominator=persons, secret=s_median
        )
        save_statistics(
            codes,
            "taux_pauvrete",
            source=source,
            vintage=vintage,
            numerator=poverty * persons / 100,
            denominator=persons.where(poverty.notna()),
            secret=s_poverty,
        )
        kept = codes.notna()
        result.notes.append(
            _("taux de pauvreté publié pour %(published)d commune(s), secret pour %(secret)d")
            % {"published": int((poverty.notna() & kept).sum()), "secret": int((s_poverty & kept).sum())}
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


IFN_SCORES = {
    "ifn_global": "score_global",
    "ifn_acces": "score_global_acces",
    "ifn_competences": "score_global_competences",
}


def _import_ifn(
    kind: str, path: Path, scope: Scope, code_aliases: list[str], population_aliases: list[str], source: str
) -> ImportResult:
    def write(frame: pd.DataFrame, col: dict[str, str | None], codes: pd.Series, result: ImportResult) -> None:
        population, _ignored = to_number(frame, col["population"], path.name)  # type: ignore[arg-type]
        for indicator in IFN_SCORES:
            score, secret = to_number(frame, col[indicator], path.name)  # type: ignore[arg-type]
            weight = population.where(score.notna())
            save_statistics(
                codes,
                indicator,
                source=source,
                vintage="2019",
                numerator=score * weight,
                denominator=weight,
                secret=secret,
            )

    return _statistics_import(
        kind,
        path,
        scope,
        {"code": code_aliases, "population": population_aliases} | {k: [v] for k, v in IFN_SCORES.items()},
        None,
        write,
    )


def import_ifn_iris(path: Path, scope: Scope) -> ImportResult:
    """IFN La MedNum / ANSA at IRIS level, aggregated to communes weighted by the IRIS population."""
    return _import_ifn(
        "ifn_iris",
        path,
        scope,
        ["code_commune_iris", "code_commune", "DEPCOM"],
        ["population", "P_POP"],
        "La MedNum / ANSA, indice de fragilité numérique (IRIS agrégés)",
    )


def import_ifn_communes(path: Path, scope: Scope) -> ImportResult:
    """IFN La MedNum / ANSA at commune level."""
    return _import_ifn(
        "ifn_communes",
        path,
        scope,
        ["code_commune_cog2024", "code_commune", "CODGEO"],
        ["population_ifn", "population"],
        "La MedNum / ANSA, indice de fragilité numérique (communes)",
    )


def import_rp_rates(path: Path, scope: Scope) -> ImportResult:
    """RP 2017 rates per commune retraités by Data For Good for La MedNum (fallback for ages and diplomas)."""

    def write(frame: pd.DataFrame, col: dict[str, str | None], codes: pd.Series, result: ImportResult) -> None:
        source, vintage = "INSEE RP, retraité par Data For Good / La MedNum", "RP 2017"
        populations = dict(Commune.objects.filter(code__in=set(codes.dropna())).values_list("code", "population"))
        weight = codes.map(populations).astype(float)
        for indicator, key in (("part_65_plus", "old"), ("peu_diplomes", "diploma"), ("menages_seuls", "alone")):
            rate, secret = to_number(frame, col[key], path.name)  # type: ignore[arg-type]
            w = weight.where(rate.notna())
            save_statistics(
                codes, indicator, source=source, vintage=vintage, numerator=rate / 100 * w, denominator=w, secret=secret
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
        None,
        write,
    )


def import_arcep(path: Path, scope: Scope) -> ImportResult:
    """ARCEP « Ma connexion internet »: premises by best available speed class."""

    def write(frame: pd.DataFrame, col: dict[str, str | None], codes: pd.Series, result: ImportResult) -> None:
        total, _ignored = to_number(frame, col["total"], path.name)  # type: ignore[arg-type]
        thd = sum(to_number(frame, col[k], path.name)[0].fillna(0) for k in ("thd30", "thd100", "thd1g"))  # type: ignore[arg-type]
        dates = frame[col["date"]] if col["date"] else pd.Series("", index=frame.index)
        vintage = (max(d for d in dates if d) if any(dates) else "")[:7] or "date inconnue"
        save_statistics(
            codes,
            "sans_thd",
            source="ARCEP, Ma connexion internet (bêta)",
            vintage=vintage,
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


def _save_places(kind: str, places: Iterable[Place], scope: Scope, file_name: str) -> ImportResult:
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
        unique[place.external_id] = place
    Place.objects.bulk_create(
        list(unique.values()),
        update_conflicts=True,
        unique_fields=["kind", "external_id"],
        update_fields=[
            "name",
            "address",
            "postal_code",
            "commune",
            "latitude",
            "longitude",
            "details",
            "staff",
            "source",
            "vintage",
        ],
    )
    stale = Place.objects.filter(kind=kind, commune__in=scope.commune_codes()).exclude(external_id__in=list(unique))
    removed, _ignored = stale.delete()
    result.rows = len(unique)
    if duplicates:
        result.notes.append(_("%(count)d doublon(s) ignoré(s)") % {"count": duplicates})
    if removed:
        result.notes.append(_("%(count)d lieu(x) absent(s) du nouveau fichier retiré(s)") % {"count": removed})
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
        for key in ("latitude", "longitude"):
            if col.get(key):
                to_number(frame, col[key], path.name)  # type: ignore[arg-type]  # refuses text in coordinates
        codes = CodeResolver(scope).resolve(frame[col["code"]], path.name)
        return _save_places(kind, build(frame, col, codes), scope, path.name)


def _float(text: str) -> float | None:
    try:
        return float(text.replace(",", ".")) if text else None
    except ValueError:
        return None


def _get(frame: pd.DataFrame, col: dict[str, str | None], key: str, i: Any) -> str:
    name = col.get(key)
    return str(frame.at[i, name]) if name else ""


def import_mediation_places(path: Path, scope: Scope) -> ImportResult:
    """Lieux de médiation numérique in the national schema (La MedNum standard, v1)."""

    def build(frame: pd.DataFrame, col: dict[str, str | None], codes: pd.Series) -> Iterable[Place]:
        dates = [d for d in frame[col["date"]] if d] if col["date"] else []
        vintage = max(dates)[:10] if dates else "date inconnue"
        for i in frame.index[codes.notna()]:
            yield Place(
                kind=Place.Kind.MEDIATION,
                external_id=_get(frame, col, "id", i),
                name=_get(frame, col, "name", i)[:300],
                address=_get(frame, col, "address", i)[:400],
                postal_code=_get(frame, col, "postal_code", i)[:10],
                commune_id=codes.at[i],
                latitude=_float(_get(frame, col, "latitude", i)),
                longitude=_float(_get(frame, col, "longitude", i)),
                details="\n".join(t for t in (_get(frame, col, "services", i), _get(frame, col, "hours", i)) if t),
                staff=int(n) if (n := _get(frame, col, "staff", i)).isdigit() else None,
                source="Cartographie nationale des lieux de médiation numérique",
                vintage=vintage,
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
        },
        build,
    )


def import_france_services(path: Path, scope: Scope) -> ImportResult:
    """ANCT « Liste des structures France services »."""

    def build(frame: pd.DataFrame, col: dict[str, str | None], codes: pd.Series) -> Iterable[Place]:
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
                vintage=_year_from_name(path.name),
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


def import_conseillers_structures(path: Path, scope: Scope) -> ImportResult:
    """ANCT: structures employing conseillers numériques (2021 committee list or later open data)."""

    def build(frame: pd.DataFrame, col: dict[str, str | None], codes: pd.Series) -> Iterable[Place]:
        for i in frame.index[codes.notna()]:
            staff = _get(frame, col, "staff", i)
            yield Place(
                kind=Place.Kind.CONSEILLER_NUMERIQUE,
                external_id=_get(frame, col, "siret", i) or _get(frame, col, "id", i),
                name=_get(frame, col, "name", i)[:300],
                address=_get(frame, col, "address", i)[:400],
                postal_code=_get(frame, col, "postal_code", i)[:10],
                commune_id=codes.at[i],
                latitude=_float(_get(frame, col, "latitude", i)),
                longitude=_float(_get(frame, col, "longitude", i)),
                staff=int(staff) if staff.isdigit() else None,
                source="ANCT, dispositif Conseiller numérique",
                vintage=_year_from_name(path.name),
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
        },
        build,
    )


def _year_from_name(name: str) -> str:
    found = re.search(r"(20\d\d)(\d\d)?(\d\d)?", name)
    if not found:
        return "date inconnue"
    return "-".join(p for p in (found[1], found[2], found[3]) if p)


# --- the catalogue, for the command, the demo and the upload form ---------------------------------------

IMPORTERS: dict[str, tuple[str, Callable[[Path, Scope], ImportResult]]] = {
    "passage": ("Table de passage des codes communes (COG)", import_passage),
    "communes": ("Communes et contours (GeoJSON)", import_communes_geojson),
    "epci": ("Composition des EPCI (DGCL / BANATIC)", import_epci_composition),
    "comparateur": ("INSEE — comparateur de territoires (population, emploi)", import_comparateur),
    "filosofi": ("INSEE — Filosofi, revenus et pauvreté", import_filosofi),
    "ifn_iris": ("Indice de fragilité numérique — IRIS", import_ifn_iris),
    "ifn_communes": ("Indice de fragilité numérique — communes", import_ifn_communes),
    "rp_rates": ("Recensement — âges, diplômes, ménages (taux communaux)", import_rp_rates),
    "arcep": ("ARCEP — éligibilité au haut et très haut débit", import_arcep),
    "mediation": ("Lieux de médiation numérique (schéma national)", import_mediation_places),
    "france_services": ("France services (ANCT)", import_france_services),
    "conseillers": ("Structures des conseillers numériques (ANCT)", import_conseillers_structures),
}

# The sample files of the data folder (see SOURCES.md), in import order.
DEMO_FILES: list[tuple[str, str]] = [
    ("passage", "passage_communes_24_cog2018_cog2024.csv"),
    ("communes", "communes_24_dordogne_cog2024.geojson"),
    ("epci", "epci_composition_24_dordogne_2024.csv"),
    ("comparateur", "insee_comparateur_communes_24_2024.csv"),
    ("filosofi", "insee_filosofi_2021_communes_24.csv"),
    ("ifn_iris", "ifn_mednum_2019_iris_24.csv"),
    ("rp_rates", "d4g_mednum_indicateurs_rp2017_communes_24.csv"),
    ("arcep", "arcep_ma_connexion_internet_debits_communes_24_2019-09.csv"),
    ("mediation", "lieux_mediation_numerique_conseillers_numeriques_24_2022.csv"),
    ("france_services", "france_services_24_20240801.csv"),
    ("conseillers", "conseillers_numeriques_structures_24_2021.csv"),
]


def import_folder(data_dir: Path, scope: Scope, files: list[tuple[str, str]] | None = None) -> list[ImportResult]:
    """Every known file of a folder, in order; all or nothing."""
    results = []
    with transaction.atomic():
        for kind, name in files or DEMO_FILES:
            path = data_dir / name
            if not path.exists():
                raise ImportFileError(
                    _("Fichier absent du dossier %(dir)s : %(file)s.") % {"dir": data_dir, "file": name}
                )
            results.append(IMPORTERS[kind][1](path, scope))
    return results
