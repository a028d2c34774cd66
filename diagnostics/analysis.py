"""The diagnostic's figures: indicators per commune and for the territory compared with its département(s),
fragilities and their combination, the reach of the existing help and the publics concerned.

A territory's rate is always the sum of its communes' numerators over the sum of their denominators (never the
mean of the communes' rates); a median is not aggregated (only its range is shown). Where INSEE publishes the
figure of the whole EPCI or département the territory is (Filosofi), that figure is shown instead, said as such.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Q, QuerySet, TextField
from django.db.models.functions import Cast
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from diagnostics.importers import departement_of
from diagnostics.indicators import INDICATORS, KNOWN_GAPS, Aggregation, Indicator
from diagnostics.models import AreaStatistic, CommuneStatistic, Epci, Place
from territories.models import Commune, Territory

EARTH_RADIUS_KM = 6371.0088
# A commune is "fragile" on an indicator when it is among the quarter of its département's communes most exposed.
FRAGILE_QUANTILE = 0.75
# Communes combining at least this many fragilities are singled out.
COMBINED_FRAGILITIES = 3
# An indicator counts for the fragility classes only when most communes have a value.
MIN_COVERAGE_FOR_FRAGILITY = 0.5
# The IFN (global and its two axes) is built from the very indicators counted one by one (broadband, poverty,
# unemployment, ages, diplomas, one-person households): counting it as well would count the same signal twice.
# It is shown as such (figures, map), never added to the count.
NOT_COUNTED_IN_FRAGILITIES = {"ifn_global", "ifn_acces", "ifn_competences"}
FRAGILITY_RULE = _(
    "Une commune est « fragile » sur un indicateur quand elle fait partie du quart des communes du département "
    "les plus exposées. Sont comptés, chacun une fois : %(indicators)s. L'indice de fragilité numérique n'est pas "
    "compté en plus : il est calculé à partir de ces mêmes indicateurs. Un indicateur connu pour moins de la "
    "moitié des communes n'est pas compté."
)
COVERAGE_KINDS = (Place.Kind.MEDIATION, Place.Kind.FRANCE_SERVICES)


@dataclass
class Aggregate:
    value: float | None
    minimum: float | None
    maximum: float | None
    communes_with_data: int
    communes: int
    population_share: float | None  # share of the population living in communes with a value


@dataclass
class Figure:
    indicator: Indicator
    territory: Aggregate
    departement: Aggregate
    source: str
    vintage: str
    # Said beside the figure: e.g. that the whole EPCI's rate is not available, only some communes'.
    scale_note: str = ""
    # Where the value is the one INSEE publishes for the whole area rather than the communes' aggregate: what it is
    # (« publié par l'INSEE pour l'ensemble de l'EPCI, Filosofi 2021 »); "" when computed from the communes.
    territory_published: str = ""
    departement_published: str = ""

    @property
    def gap(self) -> float | None:
        if self.territory.value is None or self.departement.value is None:
            return None
        return self.territory.value - self.departement.value

    @property
    def worse_than_departement(self) -> bool | None:
        if self.gap is None or self.indicator.fragile_when_high is None:
            return None
        return self.gap > 0 if self.indicator.fragile_when_high else self.gap < 0


@dataclass
class Public:
    label: str | Promise
    figure: str
    note: str | Promise


@dataclass
class Coverage:
    distance_km: float
    places: int
    communes_beyond: int
    population_beyond: int
    population: int

    @property
    def share_beyond(self) -> float | None:
        return 100 * self.population_beyond / self.population if self.population else None


@dataclass
class Diagnostic:
    territory_name: str
    departements: list[str]
    communes: pd.DataFrame  # one row per commune of the territory (index = INSEE code)
    figures: list[Figure]
    coverage: Coverage
    places: pd.DataFrame  # the help places of the départements, with coordinates
    fragility_indicators: list[str]
    publics: list[Public] = field(default_factory=list)
    gaps: list[str | Promise] = field(default_factory=list)
    # indicator → number of the territory's communes where the organisation's own figure replaces the reference
    own_figures: dict[str, int] = field(default_factory=dict)
    # the communes of the département(s) around the territory: the background of the maps (no tile server)
    surroundings: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def population(self) -> int:
        return int(self.communes["population"].sum())

    def figure(self, key: str) -> Figure | None:
        return next((f for f in self.figures if f.indicator.key == key), None)

    @property
    def combined(self) -> pd.DataFrame:
        """Communes combining several fragilities, the most fragile first."""
        rows = self.communes[self.communes["fragilities"] >= COMBINED_FRAGILITIES]
        return rows.sort_values(["fragilities", "population"], ascending=[False, False])

    @property
    def has_data(self) -> bool:
        return any(f.territory.communes_with_data for f in self.figures)


# --- loading --------------------------------------------------------------------------------------------


def _fetch(queryset: QuerySet[Any]) -> list[tuple[Any, ...]]:
    """Rows of a values_list() query straight from the cursor: no per-row conversion (35,000 communes)."""
    try:
        sql, params = queryset.query.sql_with_params()
    except EmptyResultSet:  # e.g. a territory without communes: `code IN ()`
        return []
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def commune_frame(codes: Iterable[str] | None = None, departements: Iterable[str] | None = None) -> pd.DataFrame:
    """Communes (name, EPCI, population, contour, centroid) with each reference indicator's value, numerator,
    denominator. `geometry` holds shapely geometries (None without a contour)."""
    return commune_frames(codes, departements)[0]


def commune_frames(
    codes: Iterable[str] | None = None, departements: Iterable[str] | None = None, organization_id: int | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(the communes with the national reference figures, the organisation's own figures as long records).

    One query for both: the reference rows (no organisation) and the rows of `organization_id`, never another's.
    """
    import shapely

    communes = Commune.objects.all()
    stats = CommuneStatistic.objects.all()
    if codes is not None:
        codes = list(codes)
        communes, stats = communes.filter(code__in=codes), stats.filter(commune_id__in=codes)
    elif departements is not None:
        deps = list(departements)
        communes, stats = communes.filter(departement__in=deps), stats.filter(commune__departement__in=deps)
    rows = _fetch(
        communes.annotate(geojson=Cast("geometry", TextField())).values_list(
            "code", "name", "epci_name", "epci_siren", "population", "geojson"
        )
    )
    base = pd.DataFrame.from_records(
        rows, columns=["code", "name", "epci", "epci_siren", "population", "geojson"]
    ).set_index("code")
    base["population"] = base["population"].fillna(0).astype(int)
    texts = np.array([t if t and t != "null" else None for t in base["geojson"]], dtype=object)
    geometries = shapely.from_geojson(texts, on_invalid="ignore") if len(texts) else np.array([], dtype=object)
    base["geometry"] = geometries
    centroids = shapely.centroid(geometries) if len(texts) else np.array([], dtype=object)
    base["lon"] = shapely.get_x(centroids) if len(texts) else np.array([], dtype=float)
    base["lat"] = shapely.get_y(centroids) if len(texts) else np.array([], dtype=float)
    stats = stats.filter(_visible_to(organization_id))
    records = pd.DataFrame.from_records(
        _fetch(
            stats.values_list(
                "commune_id", "indicator", "value", "numerator", "denominator", "is_secret", "organization_id"
            )
        ),
        columns=["code", "indicator", "value", "num", "den", "secret", "owner"],
    )
    own = records[records["owner"].notna()].drop(columns="owner")
    records = records[records["owner"].isna()].drop(columns="owner")
    if not records.empty:
        wide = records.pivot(index="code", columns="indicator", values=["value", "num", "den", "secret"])
        wide.columns = [f"{ind}" if part == "value" else f"{ind}__{part}" for part, ind in wide.columns]
        base = base.join(wide.astype({c: float for c in wide.columns if not c.endswith("__secret")}))
    for key in INDICATORS:
        if key not in base.columns:
            base[key] = np.nan
            base[f"{key}__num"] = np.nan
            base[f"{key}__den"] = np.nan
            base[f"{key}__secret"] = False
    return base, own


def _visible_to(organization_id: int | None) -> Q:
    """The national reference, plus the organisation's own rows (never another organisation's)."""
    if organization_id is None:
        return Q(organization__isnull=True)
    return Q(organization__isnull=True) | Q(organization_id=organization_id)


def apply_own(communes: pd.DataFrame, own: pd.DataFrame) -> dict[str, int]:
    """The organisation's own figures take the place of the reference in its own communes; {indicator: communes}."""
    replaced: dict[str, int] = {}
    own = own[own["code"].isin(communes.index)]
    for indicator, rows in own.groupby("indicator"):
        if indicator not in INDICATORS:
            continue
        at = rows.set_index("code")
        communes.loc[at.index, indicator] = at["value"].astype(float)
        communes.loc[at.index, f"{indicator}__num"] = at["num"].astype(float)
        communes.loc[at.index, f"{indicator}__den"] = at["den"].astype(float)
        communes.loc[at.index, f"{indicator}__secret"] = at["secret"].astype(bool)
        replaced[str(indicator)] = len(at)
    return replaced


def sources_by_indicator(
    codes: Iterable[str], departements: Iterable[str] = (), organization_id: int | None = None
) -> dict[str, tuple[str, str]]:
    codes = list(codes)
    found_rows = CommuneStatistic.objects.filter(_visible_to(organization_id))
    if len(codes) > 2000 and departements:  # a huge IN list is slower than the départements' rows
        found_rows = found_rows.filter(commune__departement__in=list(departements))
    else:
        found_rows = found_rows.filter(commune_id__in=codes)
    rows = found_rows.values_list("indicator", "source", "vintage").distinct()
    found: dict[str, tuple[set[str], set[str]]] = {}
    for indicator, source, vintage in rows:
        sources, vintages = found.setdefault(indicator, (set(), set()))
        sources.add(source)
        vintages.add(vintage)
    return {k: (" ; ".join(sorted(s)), " ; ".join(sorted(v))) for k, (s, v) in found.items()}


# --- computing ------------------------------------------------------------------------------------------


def aggregate(frame: pd.DataFrame, indicator: Indicator) -> Aggregate:
    """The value of a group of communes: sum of numerators / sum of denominators, a sum, or only a range."""
    key = indicator.key
    values = frame[key]
    has = values.notna()
    population = frame["population"].sum()
    share = float(frame.loc[has, "population"].sum() / population * 100) if population else None
    value: float | None
    if indicator.aggregation == Aggregation.RATIO:
        usable = frame[f"{key}__num"].notna() & frame[f"{key}__den"].gt(0)
        den = frame.loc[usable, f"{key}__den"].sum()
        scale = 100.0 if indicator.unit == "%" else 1.0
        value = float(scale * frame.loc[usable, f"{key}__num"].sum() / den) if den else None
    elif indicator.aggregation == Aggregation.SUM:
        value = float(values.sum()) if has.any() else None
    else:
        value = None
    return Aggregate(
        value=value,
        minimum=float(values.min()) if has.any() else None,
        maximum=float(values.max()) if has.any() else None,
        communes_with_data=int(has.sum()),
        communes=len(frame),
        population_share=share,
    )


def add_fragilities(communes: pd.DataFrame, reference: pd.DataFrame) -> list[str]:
    """Flag each commune on each fragility indicator against the département's quartile; count them."""
    used = []
    communes["fragilities"] = 0
    for key, indicator in INDICATORS.items():
        if (
            not indicator.is_fragility
            or key in NOT_COUNTED_IN_FRAGILITIES
            or reference[key].notna().mean() < MIN_COVERAGE_FOR_FRAGILITY
        ):
            continue
        used.append(key)
        quantile = FRAGILE_QUANTILE if indicator.fragile_when_high else 1 - FRAGILE_QUANTILE
        threshold = reference[key].quantile(quantile)
        flag = communes[key] >= threshold if indicator.fragile_when_high else communes[key] <= threshold
        flag = flag & communes[key].notna()
        communes[f"{key}__fragile"] = flag
        communes["fragilities"] += flag.astype(int)
    labels = [str(INDICATORS[key].label) for key in used]
    flags = communes[[f"{key}__fragile" for key in used]].to_numpy(bool) if used else np.zeros((len(communes), 0))
    communes["fragility_labels"] = [[labels[j] for j in np.flatnonzero(row)] for row in flags]
    communes["fragility_class"] = communes["fragilities"].clip(upper=COMBINED_FRAGILITIES)
    return used


def haversine(lat1: np.ndarray, lon1: np.ndarray, lat2: np.ndarray, lon2: np.ndarray) -> np.ndarray:
    """Great-circle distance in km between paired points (degrees)."""
    lat1, lon1, lat2, lon2 = (np.radians(a) for a in (lat1, lon1, lat2, lon2))
    a = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    return np.asarray(2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0, 1))))


def haversine_nearest(
    lat: np.ndarray, lon: np.ndarray, place_lat: np.ndarray, place_lon: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(distance in km, index of the place) of the nearest place to each point; NaN / -1 without places.

    A spatial index on a local equirectangular projection finds the candidates (every place within 1.5 times
    the planar nearest distance), then the exact great-circle distance decides: O((n + m) log m), not n × m.
    """
    import shapely

    n = len(lat)
    distances = np.full(n, np.nan)
    nearest = np.full(n, -1)
    located = ~(np.isnan(lat) | np.isnan(lon))
    if not len(place_lat) or not located.any():
        return distances, nearest
    scale = math.cos(math.radians(float(np.mean(place_lat))))
    tree = shapely.STRtree(shapely.points(place_lon * scale, place_lat))
    points = shapely.points(lon[located] * scale, lat[located])
    _pairs, planar = tree.query_nearest(points, return_distance=True, all_matches=False)
    point_idx, place_idx = tree.query(points, predicate="dwithin", distance=planar * 1.5 + 1e-9)
    rows = np.flatnonzero(located)[point_idx]
    exact = haversine(lat[rows], lon[rows], place_lat[place_idx], place_lon[place_idx])
    order = np.lexsort((exact, rows))  # by point, then distance: the first of each point is its nearest
    first = np.r_[True, rows[order][1:] != rows[order][:-1]]
    chosen = order[first]
    distances[rows[chosen]] = exact[chosen]
    nearest[rows[chosen]] = place_idx[chosen]
    return distances, nearest


def places_frame(departements: Iterable[str], organization_id: int | None = None) -> pd.DataFrame:
    """The reference places of the départements and the organisation's own places (`own`)."""
    rows = (
        Place.objects.filter(commune__departement__in=list(departements))
        .filter(_visible_to(organization_id))
        .values_list(
            "pk",
            "kind",
            "name",
            "address",
            "commune_id",
            "latitude",
            "longitude",
            "staff",
            "source",
            "vintage",
            "organization_id",
            "siret",
        )
    )
    frame = pd.DataFrame.from_records(
        list(rows),
        columns=[
            "pk",
            "kind",
            "name",
            "address",
            "commune",
            "lat",
            "lon",
            "staff",
            "source",
            "vintage",
            "owner",
            "siret",
        ],
    )
    frame["own"] = frame["owner"].notna()
    # One structure is one place, whatever its roles: same SIRET, or same name in the same commune.
    names = frame["name"].map(_simple_name)
    frame["key"] = frame["siret"].where(frame["siret"] != "", names + "|" + frame["commune"].fillna(""))
    return frame.drop(columns="owner")


def _simple_name(name: str) -> str:
    import unicodedata

    text = unicodedata.normalize("NFKD", name.lower())
    return " ".join("".join(c if c.isalnum() else " " for c in text if not unicodedata.combining(c)).split())


@dataclass
class DistinctPlace:
    name: str
    roles: list[str]
    address: str
    staff: int | None  # conseillers numériques of the structure, when known
    sources: list[str]
    vintages: list[str]
    services: list[str] = field(default_factory=list)  # what it offers (data·inclusion services), when known


def place_services(codes: Iterable[str], organization_id: int | None) -> dict[int, list[str]]:
    """The names of the services (data·inclusion) of the places of these communes, by place id, in one query; the
    reference's and the organisation's own, never another organisation's."""
    from diagnostics.models import PlaceService

    found: dict[int, list[str]] = {}
    rows = PlaceService.objects.filter(_visible_to(organization_id), place__commune_id__in=list(codes))
    for place_id, name in rows.order_by("name").values_list("place_id", "name"):
        found.setdefault(place_id, []).append(name)
    return found


def distinct_places(places: pd.DataFrame, services: dict[int, list[str]] | None = None) -> list[DistinctPlace]:
    """The places, each structure once with all its roles (a mediation place that employs conseillers numériques
    is one place, not two), with the services of any of its rows (`services`: by place id)."""
    services = services or {}
    found = []
    order = {kind: i for i, kind in enumerate(Place.Kind.values)}
    for _key, rows in places.groupby("key", sort=False):
        rows = rows.sort_values("kind", key=lambda k: k.map(order))
        staff = rows.loc[rows["kind"] == Place.Kind.CONSEILLER_NUMERIQUE, "staff"].dropna()
        if staff.empty:
            staff = rows["staff"].dropna()
        found.append(
            DistinctPlace(
                name=str(rows["name"].iloc[0]),
                roles=[str(Place.Kind(k).label) for k in dict.fromkeys(rows["kind"])],
                address=next((str(a) for a in rows["address"] if a), ""),
                staff=int(staff.max()) if not staff.empty else None,
                sources=list(dict.fromkeys(rows["source"])),
                vintages=list(dict.fromkeys(rows["vintage"])),
                services=list(dict.fromkeys(name for pk in rows["pk"] for name in services.get(int(pk), []))),
            )
        )
    return sorted(found, key=lambda p: _simple_name(p.name))


def add_coverage(communes: pd.DataFrame, places: pd.DataFrame, distance_km: float) -> Coverage:
    located = places[places["kind"].isin(COVERAGE_KINDS) & places["lat"].notna() & places["lon"].notna()]
    located = located.reset_index(drop=True)
    distances, nearest = haversine_nearest(
        communes["lat"].to_numpy(float),
        communes["lon"].to_numpy(float),
        located["lat"].to_numpy(float),
        located["lon"].to_numpy(float),
    )
    communes["distance_km"] = distances
    names = np.append(located["name"].to_numpy(object), "")
    communes["nearest_place"] = names[nearest]  # index -1 (no place) picks the empty name
    fs = places[(places["kind"] == Place.Kind.FRANCE_SERVICES) & places["lat"].notna()]
    communes["distance_fs_km"], _ = haversine_nearest(
        communes["lat"].to_numpy(float),
        communes["lon"].to_numpy(float),
        fs["lat"].to_numpy(float),
        fs["lon"].to_numpy(float),
    )
    beyond = communes["distance_km"] > distance_km
    if located.empty:
        beyond = pd.Series(True, index=communes.index)
    communes["beyond"] = beyond
    return Coverage(
        distance_km=distance_km,
        places=len(located),
        communes_beyond=int(beyond.sum()),
        population_beyond=int(communes.loc[beyond, "population"].sum()),
        population=int(communes["population"].sum()),
    )


def _fmt(value: float | None, unit: str) -> str:
    if value is None or pd.isna(value):
        return "—"
    if unit == "%":
        return f"{value:.1f}\u00a0%".replace(".", ",")
    if unit in ("€", "hab.", "ménages"):  # a number never parted from its unit at the end of a line
        return f"{value:,.0f}\u00a0{unit}".replace(",", "\u202f")
    return f"{value:.1f}".replace(".", ",")


def publics(diagnostic: Diagnostic) -> list[Public]:
    """The publics concerned that the data can describe, each with its honest limits."""
    found = []

    def fig(key: str) -> Figure | None:
        return diagnostic.figure(key)

    if (f := fig("part_65_plus")) and f.territory.value is not None:
        found.append(
            Public(
                _("Personnes âgées"),
                f"{_fmt(f.territory.value, '%')} des 15 ans et plus ont 65 ans ou plus "
                f"(département : {_fmt(f.departement.value, '%')})",
                _("Recensement 2017 ; la part des 75 ans et plus n'est pas disponible dans les fichiers importés."),
            )
        )
    if (f := fig("chomeurs")) and f.territory.value is not None:
        rate = fig("chomage")
        unemployed = _fmt(f.territory.value, "hab.").removesuffix("\u00a0hab.")
        found.append(
            Public(
                _("Demandeurs d'emploi"),
                f"{unemployed} chômeurs de 15 à 64 ans" + (f", taux {_fmt(rate.territory.value, '%')}" if rate else ""),
                _("Chômage au sens du recensement ; les inscrits à France Travail ne sont pas importés."),
            )
        )
    if (f := fig("taux_pauvrete")) is not None:
        median = fig("revenu_median")
        text = (
            _("taux de pauvreté %(rate)s pour l'ensemble du territoire (%(published)s)")
            % {"rate": _fmt(f.territory.value, "%"), "published": f.territory_published}
            if f.territory_published
            else ngettext(
                "taux de pauvreté %(rate)s sur %(count)d commune publiée sur %(all)d",
                "taux de pauvreté %(rate)s sur %(count)d communes publiées sur %(all)d",
                f.territory.communes_with_data,
            )
            % {
                "rate": _fmt(f.territory.value, "%"),
                "count": f.territory.communes_with_data,
                "all": f.territory.communes,
            }
            if f.territory.value is not None
            else "taux de pauvreté couvert par le secret statistique dans toutes les communes"
        )
        if median and median.territory_published and median.territory.value is not None:
            text += _(" ; revenu médian %(median)s") % {"median": _fmt(median.territory.value, "€")}
            if median.territory.minimum is not None:
                text += _(" (de %(low)s à %(high)s selon les communes)") % {
                    "low": _fmt(median.territory.minimum, "€"),
                    "high": _fmt(median.territory.maximum, "€"),
                }
        elif median and median.territory.minimum is not None:
            text += f" ; revenu médian de {_fmt(median.territory.minimum, '€')} à {_fmt(median.territory.maximum, '€')}"
        found.append(
            Public(
                _("Ménages à bas revenus"), text, _("Filosofi : secret statistique sous 1\u202f000 ménages fiscaux.")
            )
        )
    if (f := fig("peu_diplomes")) and f.territory.value is not None:
        found.append(
            Public(
                _("Personnes pas ou peu diplômées"),
                f"{_fmt(f.territory.value, '%')} des 15 ans et plus (département : {_fmt(f.departement.value, '%')})",
                _("Recensement 2017 retraité ; à actualiser avec la base « diplômes-formation » de l'INSEE."),
            )
        )
    if (f := fig("menages_seuls")) and f.territory.value is not None:
        found.append(
            Public(
                _("Personnes vivant seules"),
                f"{_fmt(f.territory.value, '%')} des ménages",
                _("Recensement 2017 retraité."),
            )
        )
    return found


# Filosofi's rates are published per commune only above 1 000 ménages fiscaux, and a median does not add up. INSEE
# also publishes Filosofi per EPCI and per département: that is the honest figure of a territory that is exactly
# one of them (`AreaStatistic`, loaded by the operators). Without it, the EPCI's figure is said unavailable at that
# scale rather than replaced by a partial one.
FILOSOFI_RATES = ("taux_pauvrete",)
PUBLISHED_FOR_AREAS = ("taux_pauvrete", "revenu_median")
EPCI_FIGURE_UNAVAILABLE = _(
    "Taux de l'ensemble de l'EPCI : non disponible à l'échelle de l'EPCI. L'INSEE le publie dans Filosofi pour "
    "chaque EPCI, mais ce fichier ne fait pas partie des données de référence chargées ; le taux ci-dessus ne porte "
    "que sur les communes où il est publié (plus de 1\u202f000 ménages fiscaux)."
)
PUBLISHED_FOR: dict[str, Promise] = {
    AreaStatistic.Level.EPCI: _("publié par l'INSEE pour l'ensemble de l'EPCI (%(source)s, %(vintage)s)"),
    AreaStatistic.Level.DEPARTEMENT: _("publié par l'INSEE pour l'ensemble du département (%(source)s, %(vintage)s)"),
}


def exact_area(communes: pd.DataFrame, reference: pd.DataFrame) -> tuple[str, str] | None:
    """(level, code) of the EPCI or département whose communes are exactly the territory's, else None.

    `reference` holds every commune of the territory's département(s). An EPCI counts only with all its members
    there (an EPCI based in another département, of which one commune is loaded, is not the territory of that
    commune): the DGCL's count of its members says so.
    """
    wanted = set(communes.index)
    if not wanted:
        return None
    sirens = set(communes["epci_siren"])
    if len(sirens) == 1 and (siren := sirens.pop()):
        members = set(reference.index[reference["epci_siren"] == siren])
        if members == wanted:
            declared = Epci.objects.filter(siren=siren).values_list("member_count", flat=True).first()
            if declared in (None, len(members)):
                return AreaStatistic.Level.EPCI, siren
    departements = {departement_of(c) for c in wanted}
    if len(departements) == 1 and wanted == set(reference.index):
        return AreaStatistic.Level.DEPARTEMENT, departements.pop()
    return None


def apply_published(figures: list[Figure], communes: pd.DataFrame, reference: pd.DataFrame) -> None:
    """The figures INSEE publishes for the whole territory (an EPCI, a département) and for its département replace
    the communes' aggregates, each said as such; the range over the communes stays."""
    wanted = [f for f in figures if f.indicator.key in PUBLISHED_FOR_AREAS]
    if not wanted:
        return
    area = exact_area(communes, reference)
    departements = {departement_of(c) for c in reference.index}
    comparison = (AreaStatistic.Level.DEPARTEMENT, departements.pop()) if len(departements) == 1 else None
    areas = [a for a in (area, comparison) if a is not None]
    if not areas:
        return
    query = Q()
    for level, code in areas:
        query |= Q(level=level, code=code)
    published = {
        (s.level, s.code, s.indicator): s
        for s in AreaStatistic.objects.filter(query, indicator__in=PUBLISHED_FOR_AREAS, value__isnull=False)
    }

    def said(found: AreaStatistic) -> str:
        return str(PUBLISHED_FOR[found.level] % {"source": found.source, "vintage": found.vintage})

    for figure in wanted:
        key = figure.indicator.key
        if area and (found := published.get((*area, key))):
            figure.territory = replace(figure.territory, value=found.value)
            figure.territory_published = said(found)
        if comparison and (found := published.get((*comparison, key))):
            figure.departement = replace(figure.departement, value=found.value)
            figure.departement_published = said(found)


def build_diagnostic(territory: Territory, distance_km: float = 10.0) -> Diagnostic:
    """Everything the diagnostic page, the static maps and the roadmap document show: the national reference,
    with the organisation's own figures and places (its uploads) in its own territory."""
    codes = list(territory.communes.values_list("code", flat=True))
    diagnostic = diagnose(territory.name, codes, distance_km, organization_id=territory.organization_id)
    if territory.kind == Territory.Kind.EPCI:
        for key in FILOSOFI_RATES:
            figure = diagnostic.figure(key)
            if (
                figure is not None
                and not figure.territory_published
                and figure.territory.communes_with_data < figure.territory.communes
            ):
                figure.scale_note = str(EPCI_FIGURE_UNAVAILABLE)
                diagnostic.gaps.append(
                    _("%(indicator)s — %(note)s") % {"indicator": figure.indicator.label, "note": figure.scale_note}
                )
    return diagnostic


def diagnose(name: str, codes: list[str], distance_km: float = 10.0, organization_id: int | None = None) -> Diagnostic:
    departements = sorted({departement_of(c) for c in codes})
    reference, own = commune_frames(departements=departements, organization_id=organization_id)
    communes = reference.loc[reference.index.intersection(codes)].copy()
    if len(communes) < len(codes):  # communes of the territory outside the loaded départements
        communes, own = commune_frames(codes=codes, organization_id=organization_id)
    own_figures = apply_own(communes, own)
    used = add_fragilities(communes, reference)
    places = places_frame(departements, organization_id)
    coverage = add_coverage(communes, places, distance_km)
    sources = sources_by_indicator(communes.index, departements, organization_id)
    figures = [
        Figure(
            indicator=indicator,
            territory=aggregate(communes, indicator),
            departement=aggregate(reference, indicator),
            source=sources.get(key, ("", ""))[0],
            vintage=sources.get(key, ("", ""))[1],
        )
        for key, indicator in INDICATORS.items()
        if key in sources
    ]
    apply_published(figures, communes, reference)
    diagnostic = Diagnostic(
        territory_name=name,
        departements=departements,
        communes=communes.sort_values("name", key=alphabetical),
        figures=figures,
        coverage=coverage,
        places=places,
        fragility_indicators=used,
        own_figures=own_figures,
        surroundings=reference[["name", "epci", "population", "geometry", "lat", "lon"]],
    )
    diagnostic.publics = publics(diagnostic)
    diagnostic.gaps = list(KNOWN_GAPS)
    return diagnostic


def alphabetical(names: pd.Series) -> pd.Series:
    """Names as a French list sorts them: « Étouars » among the E, not after « Vieux-Mareuil »."""
    return names.map(lambda name: unicodedata.normalize("NFKD", str(name)).encode("ascii", "ignore").decode().lower())


def format_value(value: float | None, indicator: Indicator) -> str:
    return _fmt(value, indicator.unit)
