"""The territorial diagnostic end to end: import the files, compute the indicators, draw the maps.

- Dordogne (real sample files of CAP_DATA_DIR, 503 communes): import of every file, indicators and coverage
  for the whole département, one interactive map (folium HTML), two static maps (PNG) and the comparison chart
  → `diagnostic_dordogne_s`.
- Import linearity: a synthetic national places file (schema v1.0.2) of 5,000 and of 20,000 rows; the time of the
  4× larger file over the time of the file → `import_linear_ratio` (target ≤ 5); the 20,000 rows →
  `import_places_national_s`.
- National scale, SYNTHETIC data (35,000 generated communes with 8-vertex contours in 96 départements, files
  written in the official formats: GeoJSON, BANATIC composition, INSEE comparateur and Filosofi with secrets,
  IFN, ARCEP, France services, lieux de médiation): the same steps for all of them, with one static map of the
  35,000 communes and an interactive map of one département → `diagnostic_national_s`.

Heavy modules (pandas, geopandas, matplotlib, folium) are imported before the clock starts; each run starts
from an empty diagnostic (fresh bench database).

    .venv/bin/python bench/diagnostics.py        (or: make bench only=diagnostics)
"""

from __future__ import annotations

import json
import math
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench import harness  # noqa: E402

TARGETS = {"diagnostic_dordogne_s": "<= 3", "diagnostic_national_s": "<= 60", "import_linear_ratio": "<= 5"}

# The national « lieux de médiation numérique » file (schema v1.0.2, validated field by field), SYNTHETIC rows.
NATIONAL_PLACES = 20_000

NATIONAL_COMMUNES = 35_000
DEPARTEMENTS = [f"{n:02d}" for n in range(1, 97) if n != 20]  # 95 codes + Corsica as 2A / 2B below


def log(message: str) -> None:
    print(f"[diagnostics] {message}", file=sys.stderr, flush=True)


def write_synthetic_files(folder: Path) -> list[tuple[str, str, str]]:
    """National-size files in the official formats; values drawn from a seeded generator (synthetic)."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(2026)
    deps = DEPARTEMENTS[:94] + ["2A", "2B"]
    per_dep = NATIONAL_COMMUNES // len(deps)
    codes, dep_of = [], []
    for dep in deps:
        for i in range(1, per_dep + 1 + (1 if dep == deps[0] else 0) * (NATIONAL_COMMUNES - per_dep * len(deps))):
            codes.append(f"{dep}{i:03d}")
            dep_of.append(dep)
    n = len(codes)
    side = math.ceil(math.sqrt(n))
    cell_lon, cell_lat = 9.5 / side, 8.5 / side
    lon0 = -4.5 + (np.arange(n) % side) * cell_lon
    lat0 = 42.5 + (np.arange(n) // side) * cell_lat
    population = np.maximum(20, rng.lognormal(6.2, 1.3, n)).astype(int)
    features = []
    angles = np.linspace(0, 2 * np.pi, 9)[:-1]
    for i, code in enumerate(codes):
        cx, cy = lon0[i] + cell_lon / 2, lat0[i] + cell_lat / 2
        ring = [[round(cx + cell_lon / 2 * math.cos(a), 5), round(cy + cell_lat / 2 * math.sin(a), 5)] for a in angles]
        ring.append(ring[0])
        features.append(
            {
                "type": "Feature",
                "properties": {"code": code, "nom": f"Commune synthétique {code}", "pmun_2024": int(population[i])},
                "geometry": {"type": "Polygon", "coordinates": [ring]},
            }
        )
    (folder / "communes.geojson").write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    epci = [f"2{abs(hash(d)) % 10**6:06d}{k:02d}" for d, k in zip(dep_of, np.arange(n) // 25 % 100, strict=True)]
    pd.DataFrame(
        {
            "code_commune": codes,
            "nom_commune": [f"Commune synthétique {c}" for c in codes],
            "epci_siren": epci,
            "epci_nom": [f"CC synthétique {e}" for e in epci],
            "epci_nature": "CC",
            "pmun_2024": population,
        }
    ).to_csv(folder / "epci.csv", index=False)
    active = (population * rng.uniform(0.35, 0.5, n)).astype(int)
    pd.DataFrame(
        {
            "insee_com": codes,
            "population_2021": population,
            "pop_15_64_chomage_2021": (active * rng.uniform(0.03, 0.2, n)).astype(int),
            "pop_15_64_active_2021": active,
        }
    ).to_csv(folder / "comparateur.csv", index=False)
    households = (population / 2.1).astype(int)
    median = rng.normal(22000, 2500, n).round(-1)
    poverty = rng.uniform(8, 30, n).round(1)
    pd.DataFrame(
        {
            "CODGEO": codes,
            "NBMENFISC21": households,
            "NBPERSMENFISC21": population,
            "MED21": np.where(households < 50, "s", median.astype(str)),
            "TP6021": np.where(households < 1000, "s", [f"{p}".replace(".", ",") for p in poverty]),
        }
    ).to_csv(folder / "filosofi.csv", index=False, sep=";")
    scores = rng.normal(100, 15, (n, 3)).round(1)
    pd.DataFrame(
        {
            "code_commune": codes,
            "population": population,
            "score_global": scores[:, 0],
            "score_global_acces": scores[:, 1],
            "score_global_competences": scores[:, 2],
        }
    ).to_csv(folder / "ifn.csv", index=False)
    premises = (population * 0.6).astype(int) + 1
    thd = (premises * rng.uniform(0, 1, n)).astype(int)
    pd.DataFrame(
        {
            "code_insee": codes,
            "nbr": premises,
            "elig_thd30": thd,
            "elig_thd100": 0,
            "elig_thd1g": 0,
            "date": "2019-09-30",
        }
    ).to_csv(folder / "arcep.csv", index=False)

    def places(count: int) -> pd.DataFrame:
        chosen = rng.choice(n, count, replace=False)
        return pd.DataFrame(
            {
                "code": [codes[i] for i in chosen],
                "lat": lat0[chosen] + cell_lat / 2,
                "lon": lon0[chosen] + cell_lon / 2,
            }
        )

    fs = places(2_800)
    pd.DataFrame(
        {
            "id_fs": range(1, len(fs) + 1),
            "lib_fs": [f"France services synthétique {i}" for i in range(len(fs))],
            "insee_com": fs["code"],
            "latitude": fs["lat"],
            "longitude": fs["lon"],
            "type_fs": "Principal",
        }
    ).to_csv(folder / "france_services.csv", index=False)
    mediation = places(6_000)
    pd.DataFrame(
        {
            "id": [f"lieu-{i}" for i in range(len(mediation))],
            "nom": [f"Lieu de médiation synthétique {i}" for i in range(len(mediation))],
            "code_insee": mediation["code"],
            "latitude": mediation["lat"],
            "longitude": mediation["lon"],
            "date_maj": "2024-01-01",
        }
    ).to_csv(folder / "mediation.csv", index=False)
    return [
        ("communes", "communes.geojson", ""),
        ("epci", "epci.csv", ""),
        ("comparateur", "comparateur.csv", ""),
        ("filosofi", "filosofi.csv", ""),
        ("ifn_communes", "ifn.csv", ""),
        ("arcep", "arcep.csv", ""),
        ("france_services", "france_services.csv", "2024-08-01"),
        ("mediation", "mediation.csv", ""),
    ]


def write_national_places(path: Path, rows: int, codes: list[str]) -> None:
    """A synthetic national places file in the La MedNum / ANCT schema v1.0.2 (every required field filled)."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(rows)
    chosen = [codes[i] for i in rng.integers(0, len(codes), rows)]
    pd.DataFrame(
        {
            "id": [f"lieu-{i}" for i in range(rows)],
            "pivot": [f"{10**13 + i:014d}" for i in range(rows)],
            "nom": [f"Lieu de médiation synthétique {i}" for i in range(rows)],
            "commune": [f"Commune synthétique {c}" for c in chosen],
            "code_postal": [f"{c[:2].replace('A', '0').replace('B', '0')}100" for c in chosen],
            "code_insee": chosen,
            "adresse": [f"{i % 90 + 1} rue de la République" for i in range(rows)],
            "latitude": rng.uniform(43.0, 50.0, rows).round(5),
            "longitude": rng.uniform(-1.0, 6.0, rows).round(5),
            "services": "Aide aux démarches administratives|Maîtrise des outils numériques du quotidien",
            "frais_a_charge": "Gratuit",
            "dispositif_programmes_nationaux": "Conseillers numériques",
            "date_maj": "2024-06-01",
        }
    ).to_csv(path, index=False)


def import_linearity(folder: Path, departements: list[str]) -> tuple[float, float]:
    """(time of 4× the rows / time of the rows, seconds for NATIONAL_PLACES rows): places of the schema v1.0.2."""
    from django.db import connection

    from diagnostics.importers import Scope, import_national_places
    from territories.models import Commune

    codes = list(Commune.objects.values_list("code", flat=True))
    scope = Scope.for_departements(*departements)
    timings = {}
    for rows in (NATIONAL_PLACES // 4, NATIONAL_PLACES):
        path = folder / f"lieux-{rows}.csv"
        write_national_places(path, rows, codes)
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM diagnostics_place")
        start = time.perf_counter()
        result = import_national_places(path, scope)
        timings[rows] = time.perf_counter() - start
        log(f"lieux (schéma national) : {result.rows} lignes en {timings[rows]:.2f} s ({path.stat().st_size} octets)")
    return timings[NATIONAL_PLACES] / timings[NATIONAL_PLACES // 4], timings[NATIONAL_PLACES]


def run(
    label: str, data_dir: Path, departements: list[str], files: list[tuple[str, str, str]] | None
) -> dict[str, float]:
    from diagnostics import maps
    from diagnostics.analysis import diagnose
    from diagnostics.importers import Scope, import_folder
    from territories.models import Commune

    timings: dict[str, float] = {}
    start = time.perf_counter()
    results = import_folder(data_dir, Scope.for_departements(*departements), files)
    timings["import"] = time.perf_counter() - start
    for result in results:
        log(f"{label}: {result.summary()}")
    step = time.perf_counter()
    codes = list(Commune.objects.values_list("code", flat=True))
    diagnostic = diagnose(label, codes, distance_km=10)
    timings["indicators"] = time.perf_counter() - step
    step = time.perf_counter()
    maps.static_map(diagnostic, "ifn_global", "png")
    if len(codes) < 1000:
        maps.static_map(diagnostic, "coverage", "png")
        maps.interactive_map(diagnostic, "ifn_global")
    else:  # the interactive map of a whole country is not a use case: one département
        one = [c for c in codes if c.startswith(departements[0])]
        maps.interactive_map(diagnose(f"{label} {departements[0]}", one), "ifn_global")
    maps.comparison_chart(diagnostic, "png")
    timings["maps"] = time.perf_counter() - step
    timings["total"] = time.perf_counter() - start
    log(
        f"{label}: {len(codes)} communes, {diagnostic.coverage.population_beyond} hab. à plus de 10 km, "
        + ", ".join(f"{k} {v:.2f} s" for k, v in timings.items())
    )
    return timings


def main() -> None:
    with harness.bench_database("diagnostics", collectstatic=False):
        import folium  # noqa: F401
        import geopandas  # noqa: F401
        import matplotlib.figure  # noqa: F401
        from django.conf import settings
        from django.db import connection

        import diagnostics.maps  # noqa: F401 - heavy imports before the clock

        data_dir = Path(settings.CAP_DATA_DIR)
        if not (data_dir / "epci_composition_24_dordogne_2024.csv").exists():
            raise SystemExit(f"données d'exemple absentes : {data_dir}")
        dordogne = run("Dordogne", data_dir, ["24"], None)
        harness.emit("diagnostic_dordogne_s", dordogne["total"], "s")
        harness.emit("diagnostic_dordogne_import_s", dordogne["import"], "s")
        harness.emit("diagnostic_dordogne_indicators_s", dordogne["indicators"], "s")
        harness.emit("diagnostic_dordogne_maps_s", dordogne["maps"], "s")

        with connection.cursor() as cursor:  # start the national run from an empty reference
            cursor.execute(
                "TRUNCATE diagnostics_communestatistic, diagnostics_place, diagnostics_epci, "
                "diagnostics_communepassage, territories_territory_communes, territories_commune CASCADE"
            )
        with tempfile.TemporaryDirectory() as folder:
            generated = time.perf_counter()
            files = write_synthetic_files(Path(folder))
            log(f"synthetic national files written in {time.perf_counter() - generated:.1f} s (not counted)")
            deps = DEPARTEMENTS[:94] + ["2A", "2B"]
            national = run("France (synthétique)", Path(folder), deps, files)
            harness.emit("diagnostic_national_s", national["total"], "s synthetic 35000 communes")
            harness.emit("diagnostic_national_import_s", national["import"], "s synthetic")
            harness.emit("diagnostic_national_indicators_s", national["indicators"], "s synthetic")
            harness.emit("diagnostic_national_maps_s", national["maps"], "s synthetic")
            ratio, seconds = import_linearity(Path(folder), deps)
        harness.emit("import_linear_ratio", ratio, "x for a 4x larger file (synthetic national places)")
        harness.emit("import_places_national_s", seconds, f"s synthetic {NATIONAL_PLACES} places, schema v1.0.2")


if __name__ == "__main__":
    harness.run_main(main)
