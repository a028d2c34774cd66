"""Importers refuse what they should, in French, naming the line and column, and change nothing."""

from __future__ import annotations

import json
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.utils import timezone

import diagnostics.importers
from diagnostics import tasks
from diagnostics.actions import start_import
from diagnostics.importers import (
    ImportFileError,
    Scope,
    import_communes_geojson,
    import_comparateur,
    import_filosofi,
    import_france_services,
    import_rp_rates,
)
from diagnostics.models import CommuneStatistic, ImportRun, Place
from territories.models import Commune
from tests.conftest import Tenant

pytestmark = pytest.mark.django_db

COMPARATEUR = "CODGEO,P21_POP,P21_CHOM1564,P21_ACT1564\n"


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def two_communes(db: None) -> Scope:
    Commune.objects.create(code="24322", name="Périgueux", departement="24", population=100)
    Commune.objects.create(code="24037", name="Bergerac", departement="24", population=100)
    return Scope.for_departements("24")


@pytest.fixture
def loaded(tmp_path: Path, two_communes: Scope) -> Scope:
    """Figures already in place, that a refused file must leave exactly as they are."""
    import_comparateur(write(tmp_path, "ok.csv", COMPARATEUR + "24322,1000,50,400\n24037,900,30,300\n"), two_communes)
    return two_communes


def unchanged() -> list[tuple[Any, ...]]:
    return list(CommuneStatistic.objects.order_by("pk").values_list("pk", "commune_id", "indicator", "value"))


@pytest.mark.parametrize(
    ("content", "message"),
    [
        # a commune twice: summed, it turned 11,324 inhabitants into 27,347
        (COMPARATEUR + "24322,1000,50,400\n24322,1000,50,400\n", "« 24322 » apparaît plusieurs fois \\(lignes 2, 3\\)"),
        (COMPARATEUR, "aucune ligne de données \\(seulement la ligne d'en-tête\\)"),
        (COMPARATEUR + "24322,-5,50,400\n", "ligne 2, colonne « P21_POP » : la valeur « -5 » est inférieure à 0"),
        (COMPARATEUR + "24322,1000,500,400\n", "ligne 2 : plus de chômeurs .*que d'actifs"),
        (COMPARATEUR + "24064.0,1000,50,400\n", "ligne 2, colonne « CODGEO » : « 24064.0 » n'est pas un code commune"),
        (COMPARATEUR + "33063,1000,50,400\n", "aucune ligne du fichier ne concerne le département 24"),
    ],
)
def test_bad_statistics_are_refused_and_change_nothing(
    tmp_path: Path, loaded: Scope, content: str, message: str
) -> None:
    before = unchanged()
    with pytest.raises(ImportFileError, match=message):
        import_comparateur(write(tmp_path, "bad.csv", content), loaded)
    assert unchanged() == before


def test_a_rate_above_100_is_refused(tmp_path: Path, loaded: Scope) -> None:
    path = write(tmp_path, "f.csv", "CODGEO;NBPERSMENFISC21;MED21;TP6021\n24322;1000;20000;120\n")
    with pytest.raises(ImportFileError, match="colonne « TP6021 » : la valeur « 120 » est supérieure à 100"):
        import_filosofi(path, loaded)
    rp = write(tmp_path, "rp.csv", "CODE_INSEE,TX_65ETPLUS,TX_NSCOL15P,TX_MENSEUL\n24322,30,101.5,40\n")
    with pytest.raises(ImportFileError, match="TX_NSCOL15P"):
        import_rp_rates(rp, loaded)


def test_a_file_with_no_row_in_the_territory_is_refused(tmp_path: Path, tenant_a: Tenant) -> None:
    Commune.objects.create(code="24322", name="Périgueux", departement="24", population=100)
    Commune.objects.create(code="24037", name="Bergerac", departement="24", population=100)
    territory = tenant_a.roadmap.territory
    territory.communes.set(Commune.objects.filter(code="24322"))
    path = write(tmp_path, "c.csv", COMPARATEUR + "24037,900,30,300\n")
    with pytest.raises(ImportFileError, match="aucune ligne du fichier ne concerne les communes du territoire"):
        import_comparateur(path, Scope.for_territory(territory))


def test_places_header_only_swapped_coordinates_and_missing_vintage(tmp_path: Path, two_communes: Scope) -> None:
    header = "id_fs,lib_fs,insee_com,latitude,longitude\n"
    good = write(tmp_path, "fs.csv", header + "F1,France services de Périgueux,24322,45.18,0.72\n")
    with pytest.raises(ImportFileError, match="ne porte pas la date de ses données. Indiquez son millésime"):
        import_france_services(good, two_communes)
    import_france_services(good, two_communes, "2024-08-01")
    assert Place.objects.get().vintage == "2024-08-01"
    renamed = write(tmp_path, "liste.csv", header + "F1,France services de Périgueux,24322,45.18,0.72\n")
    import_france_services(renamed, two_communes, "2024-08-01")  # the vintage does not come from the name
    assert Place.objects.get().vintage == "2024-08-01"
    with pytest.raises(ImportFileError, match="aucune ligne de données"):
        import_france_services(write(tmp_path, "empty.csv", header), two_communes, "2025")
    swapped = write(tmp_path, "s.csv", header + "F1,France services de Périgueux,24322,0.72,45.18\n")
    with pytest.raises(ImportFileError, match="ligne 2, .*latitude et la longitude semblent inversées"):
        import_france_services(swapped, two_communes, "2025")
    assert Place.objects.count() == 1 and Place.objects.get().latitude == pytest.approx(45.18)


SQUARE = [[0.70, 45.17], [0.74, 45.17], [0.74, 45.20], [0.70, 45.20], [0.70, 45.17]]


@pytest.mark.parametrize(
    ("coordinates", "message"),
    [
        ([[[0.70, 45.17], [0.74, 45.20], [0.74, 45.17], [0.70, 45.20], [0.70, 45.17]]], "n'est pas valide"),  # bow-tie
        ([[[0.70, 45.17], [0.74, 45.20]]], "pas un polygone GeoJSON lisible|n'est pas valide"),  # a 2-point ring
        ("0.70 45.17", "pas un polygone GeoJSON lisible"),  # not an array
        ([[[y, x] for x, y in SQUARE]], "latitude et la longitude semblent inversées"),
    ],
)
def test_invalid_contours_are_refused(tmp_path: Path, two_communes: Scope, coordinates: Any, message: str) -> None:
    feature = {
        "type": "Feature",
        "properties": {"code": "24322", "nom": "Périgueux"},
        "geometry": {"type": "Polygon", "coordinates": coordinates},
    }
    path = write(tmp_path, "c.geojson", json.dumps({"type": "FeatureCollection", "features": [feature]}))
    with pytest.raises(ImportFileError, match=f"entité n°1 \\(commune 24322\\).*({message})"):
        import_communes_geojson(path, two_communes)
    assert Commune.objects.get(code="24322").geometry is None


def test_errors_are_french_all_through(tmp_path: Path, two_communes: Scope) -> None:
    not_json = write(tmp_path, "c.geojson", '{"type": "FeatureCollection", "features": [')
    with pytest.raises(ImportFileError, match="n'est pas un fichier JSON valide : erreur de syntaxe ligne 1"):
        import_communes_geojson(not_json, two_communes)
    not_xlsx = write(tmp_path, "c.xlsx", "pas un classeur")
    with pytest.raises(ImportFileError, match="n'est pas un classeur Excel lisible") as error:
        import_comparateur(not_xlsx, two_communes)
    assert "zip" not in str(error.value)


def test_insee_workbook_with_title_rows(tmp_path: Path, two_communes: Scope) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Chômage des 15-64 ans en 2021"])
    sheet.append(["Source : Insee, RP 2021"])
    sheet.append([])
    sheet.append(["CODGEO", "P21_POP", "P21_CHOM1564", "P21_ACT1564"])
    sheet.append(["24322", "1000", "50", "400"])
    path = tmp_path / "insee.xlsx"
    book.save(path)
    result = import_comparateur(path, two_communes)
    assert result.rows == 1
    assert CommuneStatistic.objects.get(indicator="chomage").value == pytest.approx(12.5)


def _titled_workbook(tmp_path: Path, rows: list[list[str]]) -> Path:
    """An INSEE workbook: title, source, a blank row, then the header on row 4 of the sheet."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Chômage des 15-64 ans en 2021"])
    sheet.append(["Source : Insee, RP 2021"])
    sheet.append([])
    sheet.append(["CODGEO", "P21_POP", "P21_CHOM1564", "P21_ACT1564"])
    for row in rows:
        sheet.append(row)
    path = tmp_path / "insee.xlsx"
    book.save(path)
    return path


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        # the wrong value is on row 6 of the sheet, as Excel numbers it (row 5 is good; the header is on row 4)
        ([["24322", "1000", "50", "400"], ["24037", "x", "1", "2"]], "ligne 6, colonne « P21_POP »"),
        ([["24322", "1000", "50", "400"], ["24037.0", "800", "20", "300"]], "ligne 6, colonne « CODGEO »"),
        ([["24322", "1000", "-5", "400"]], "ligne 5, colonne « P21_CHOM1564 »"),
        ([["24322", "1000", "50", "400"], ["24037", "800", "500", "300"]], "ligne 6 :"),
        ([["24322", "1000", "50", "400"], ["24322", "900", "20", "300"]], r"lignes 5, 6\)"),
        ([["24322", "1000", "50", "400"], ["24999", "900", "20", "300"]], r"24999 \(ligne 6\)"),
    ],
)
def test_a_workbook_error_names_the_row_as_excel_shows_it(
    tmp_path: Path, two_communes: Scope, rows: list[list[str]], message: str
) -> None:
    path = _titled_workbook(tmp_path, rows)
    with pytest.raises(ImportFileError, match=message):
        import_comparateur(path, two_communes)
    assert not CommuneStatistic.objects.exists()


def test_parsing_stays_linear_for_a_wide_single_line(tmp_path: Path, two_communes: Scope) -> None:
    # 0.8 MB on one line took 70 s before (a quadratic column loop)
    path = write(tmp_path, "wide.csv", ",".join(f"c{i}" for i in range(120_000)))
    started = time.perf_counter()
    with pytest.raises(ImportFileError, match="plus de 2000 colonnes"):
        import_comparateur(path, two_communes)
    assert time.perf_counter() - started < 2


def test_a_killed_import_leaves_the_previous_data_intact(
    tmp_path: Path, tenant_a: Tenant, monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    Commune.objects.create(code="24322", name="Périgueux", departement="24", population=100)
    territory = tenant_a.roadmap.territory
    territory.communes.set(Commune.objects.filter(code="24322"))
    with django_capture_on_commit_callbacks(execute=True):
        start_import(
            territory,
            "comparateur",
            SimpleUploadedFile("a.csv", (COMPARATEUR + "24322,1000,50,400\n").encode()),
            "",
            None,
        )
    before = unchanged()
    assert len(before) == 3

    calls = {"n": 0}
    real = diagnostics.importers.upsert

    def dies_midway(*args: Any, **kwargs: Any) -> None:
        calls["n"] += 1
        if calls["n"] == 2:  # the worker dies after the first indicator was written
            raise SystemExit("worker killed")
        real(*args, **kwargs)

    monkeypatch.setattr(diagnostics.importers, "upsert", dies_midway)
    content = (COMPARATEUR + "24322,2000,10,800\n").encode()
    with pytest.raises(SystemExit), django_capture_on_commit_callbacks(execute=True):
        start_import(territory, "comparateur", SimpleUploadedFile("b.csv", content), "", None)
    assert unchanged() == before  # the transaction of the import was rolled back as a whole
    stuck = ImportRun.objects.get(file_name="b.csv")
    assert stuck.status == ImportRun.Status.RUNNING
    ImportRun.objects.filter(pk=stuck.pk).update(updated_at=timezone.now() - timedelta(minutes=11))
    stuck.refresh_from_db()
    assert stuck.is_stale and stuck.can_retry  # shown as stuck, with a retry
    monkeypatch.setattr(diagnostics.importers, "upsert", real)
    from diagnostics.actions import retry_import

    with django_capture_on_commit_callbacks(execute=True):
        retry_import(stuck)
    stuck.refresh_from_db()
    assert stuck.status == ImportRun.Status.DONE
    assert CommuneStatistic.objects.get(indicator="chomage", organization=tenant_a.organization).value == 1.25
    tasks.run_import(stuck.pk)  # idempotent: a finished job is left alone
