from __future__ import annotations

from pathlib import Path

import pytest
from django.db.models import Sum

from diagnostics.importers import (
    ImportFileError,
    Scope,
    import_arcep,
    import_communes_geojson,
    import_comparateur,
    import_conseillers_structures,
    import_epci_composition,
    import_filosofi,
    import_folder,
    import_ifn_communes,
    import_ifn_iris,
    import_passage,
)
from diagnostics.models import CommuneStatistic, Epci, Place
from territories.models import Commune, Territory

pytestmark = pytest.mark.django_db


def test_dordogne_reference_is_complete(dordogne: list) -> None:
    assert Commune.objects.filter(departement="24").count() == 503
    assert Commune.objects.filter(geometry__isnull=True).count() == 0
    assert Epci.objects.count() == 22
    assert Place.objects.filter(kind=Place.Kind.FRANCE_SERVICES).count() == 37
    # 49 conseiller-numérique places in the source, some the same venue twice
    assert 30 < Place.objects.filter(kind=Place.Kind.MEDIATION).count() < 49
    # the latest list in the folder (2023: 26 employer structures) is the one in force
    assert Place.objects.filter(kind=Place.Kind.CONSEILLER_NUMERIQUE).count() == 26
    # the IRIS file is in COG 2018 (520 communes): every row lands on one of today's 503 communes
    assert CommuneStatistic.objects.filter(indicator="ifn_global").count() == 503


def test_published_epci_populations_match_the_communes(dordogne: list) -> None:
    for siren, communes, population in (("200041572", 16, 11324), ("200040392", 43, 104024)):
        members = Commune.objects.filter(epci_siren=siren)
        assert members.count() == communes
        assert members.aggregate(p=Sum("population"))["p"] == population
        assert Epci.objects.get(siren=siren).published_population == population


def test_reimport_updates_without_duplicates(dordogne: list, data_dir: Path) -> None:
    before = CommuneStatistic.objects.count(), Place.objects.count(), Commune.objects.count()
    chomage = CommuneStatistic.objects.filter(indicator="chomage")
    zeros = chomage.filter(value=0).count()  # a few small communes have no unemployed person at all
    chomage.update(value=-1)
    import_folder(data_dir, Scope.for_departements("24"))
    assert (CommuneStatistic.objects.count(), Place.objects.count(), Commune.objects.count()) == before
    assert not chomage.filter(value=-1).exists()
    assert chomage.filter(value=0).count() == zeros


def test_secret_statistique_is_missing_never_zero(dordogne: list) -> None:
    poverty = CommuneStatistic.objects.filter(indicator="taux_pauvrete")
    assert poverty.filter(value__isnull=False).count() == 30
    assert poverty.filter(is_secret=True, value__isnull=True).count() == 503 - 30
    assert not poverty.filter(value=0).exists()
    assert CommuneStatistic.objects.filter(indicator="revenu_median", value__isnull=False).count() == 466
    # decimal comma read as such: Périgueux's poverty rate is published as "22,0"-like text
    perigueux = poverty.get(commune_id="24322")
    assert perigueux.value is not None and 15 < perigueux.value < 35


def test_old_codes_move_to_the_new_commune_weighted_by_population(dordogne: list) -> None:
    # Brantôme en Périgord (24064) merged several 2018 communes; its IFN is the population-weighted mean
    stat = CommuneStatistic.objects.get(commune_id="24064", indicator="ifn_global")
    assert stat.denominator is not None and stat.denominator > 2000
    assert stat.numerator is not None and stat.value == pytest.approx(stat.numerator / stat.denominator)
    # same as the published aggregate file (rounded to 0.1)
    import csv

    from django.conf import settings

    with open(Path(settings.CAP_DATA_DIR) / "ifn_mednum_2019_communes_24_cog2024_agrege.csv", encoding="utf-8") as f:
        published = {r["code_commune_cog2024"]: float(r["score_global"]) for r in csv.DictReader(f)}
    ours = dict(CommuneStatistic.objects.filter(indicator="ifn_global").values_list("commune_id", "value"))
    assert all(abs((ours[code] or 0) - value) <= 0.051 for code, value in published.items())


def test_commune_level_ifn_file_gives_the_same_scores(dordogne: list, data_dir: Path) -> None:
    before = dict(CommuneStatistic.objects.filter(indicator="ifn_global").values_list("commune_id", "value"))
    import_ifn_communes(data_dir / "ifn_mednum_2019_communes_24_cog2024_agrege.csv", Scope.for_departements("24"))
    after = dict(CommuneStatistic.objects.filter(indicator="ifn_global").values_list("commune_id", "value"))
    assert after.keys() == before.keys()
    assert all(abs((after[c] or 0) - (before[c] or 0)) <= 0.051 for c in before)


def test_territory_scope_keeps_only_its_communes(dordogne: list, data_dir: Path, tenant_a) -> None:
    CommuneStatistic.objects.filter(indicator="chomage").delete()
    territory = Territory.objects.create(organization=tenant_a.organization, name="Deux communes")
    territory.communes.set(Commune.objects.filter(code__in=["24322", "24037"]))
    result = import_comparateur(data_dir / "insee_comparateur_communes_24_2024.csv", Scope.for_territory(territory))
    assert result.rows == 2
    assert set(CommuneStatistic.objects.filter(indicator="chomage").values_list("commune_id", flat=True)) == {
        "24322",
        "24037",
    }


def test_arcep_non_thd_rate_of_dordogne_matches_sources(dordogne: list) -> None:
    rows = CommuneStatistic.objects.filter(indicator="sans_thd").aggregate(n=Sum("numerator"), d=Sum("denominator"))
    assert rows["d"] == 260284
    assert 1 - rows["n"] / rows["d"] == pytest.approx(81774 / 260284)


# --- bad files: a clear French message and nothing changed --------------------------------------------


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def two_communes(db: None) -> Scope:
    Commune.objects.create(code="24322", name="Périgueux", departement="24", population=100)
    Commune.objects.create(code="24037", name="Bergerac", departement="24", population=100)
    return Scope.for_departements("24")


def test_missing_column_is_named(tmp_path: Path, two_communes: Scope) -> None:
    path = write(tmp_path, "c.csv", "insee_com,population_2021,pop_15_64_active_2021\n24322,100,50\n")
    with pytest.raises(ImportFileError, match="colonne manquante : pop_15_64_chomage"):
        import_comparateur(path, two_communes)
    assert not CommuneStatistic.objects.exists()


def test_unknown_separator_is_explained(tmp_path: Path, two_communes: Scope) -> None:
    path = write(tmp_path, "c.csv", "CODGEO|MED21\n24322|20000\n")
    with pytest.raises(ImportFileError, match="séparateur"):
        import_filosofi(path, two_communes)


def test_decimal_comma_in_comma_separated_file_is_explained(tmp_path: Path, two_communes: Scope) -> None:
    header = "CODGEO,NBPERSMENFISC21,MED21,TP6021\n"
    path = write(tmp_path, "f.csv", header + "24322,1000,20000,12,5\n24037,900,19000,s\n")
    with pytest.raises(ImportFileError, match="virgule décimale"):
        import_filosofi(path, two_communes)
    assert not CommuneStatistic.objects.exists()


def test_semicolon_file_with_decimal_comma_is_read(tmp_path: Path, two_communes: Scope) -> None:
    path = write(tmp_path, "f.csv", "CODGEO;NBPERSMENFISC21;MED21;TP6021\n24322;1000;20000;12,5\n24037;900;s;s\n")
    import_filosofi(path, two_communes)
    poverty = dict(CommuneStatistic.objects.filter(indicator="taux_pauvrete").values_list("commune_id", "value"))
    assert poverty == {"24322": pytest.approx(12.5), "24037": None}


def test_text_in_a_number_column_names_line_and_column(tmp_path: Path, two_communes: Scope) -> None:
    path = write(tmp_path, "f.csv", "CODGEO;NBPERSMENFISC21;MED21;TP6021\n24322;1000;20000;12,5\n24037;900;abc;s\n")
    with pytest.raises(ImportFileError, match="ligne 3, colonne « MED21 »"):
        import_filosofi(path, two_communes)
    assert not CommuneStatistic.objects.exists()


def test_unknown_commune_code_fails_and_changes_nothing(tmp_path: Path, two_communes: Scope) -> None:
    good = write(tmp_path, "a.csv", "code_insee,nbr,elig_thd30,elig_thd100,elig_thd1g\n24322,100,50,0,0\n")
    import_arcep(good, two_communes, "2019-09")
    bad = write(tmp_path, "b.csv", "code_insee,nbr,elig_thd30,elig_thd100,elig_thd1g\n24322,100,0,0,0\n24999,5,0,0,0\n")
    with pytest.raises(ImportFileError, match="code commune inconnu : 24999 \\(ligne 3\\)"):
        import_arcep(bad, two_communes, "2019-09")
    assert CommuneStatistic.objects.get(indicator="sans_thd").value == pytest.approx(50.0)


def test_old_code_is_moved_with_the_passage_table(tmp_path: Path, two_communes: Scope) -> None:
    passage = write(tmp_path, "p.csv", "code_commune_cog2018,nom_cog2018,code_commune_cog2024\n24999,Ancienne,24322\n")
    import_passage(passage, two_communes)
    path = write(
        tmp_path,
        "iris.csv",
        "code_commune_iris,population,score_global,score_global_acces,score_global_competences\n"
        "24322,300,100,100,100\n24999,100,140,100,100\n33063,1000,50,50,50\n",
    )
    result = import_ifn_iris(path, two_communes)
    stat = CommuneStatistic.objects.get(indicator="ifn_global")
    assert (stat.commune_id, stat.value) == ("24322", pytest.approx(110.0))  # (300×100 + 100×140) / 400
    assert result.rows == 2  # Gironde's row is outside the scope
    assert "1 ancien code ramené au COG en vigueur" in result.summary()


def test_leading_zero_lost_by_a_spreadsheet_is_restored(tmp_path: Path, db: None) -> None:
    Commune.objects.create(code="01004", name="Ambérieu-en-Bugey", departement="01")
    path = write(tmp_path, "a.csv", "code_insee,nbr,elig_thd30,elig_thd100,elig_thd1g\n1004,10,5,0,0\n")
    import_arcep(path, Scope.for_departements("01"), "2019-09")
    assert CommuneStatistic.objects.get().commune_id == "01004"


def test_epci_file_missing_columns(tmp_path: Path, two_communes: Scope) -> None:
    path = write(tmp_path, "e.csv", "code_commune;nom_commune\n24322;Périgueux\n")
    with pytest.raises(ImportFileError, match="epci_siren"):
        import_epci_composition(path, two_communes)


def test_cog_2018_contours_are_merged_into_todays_communes(db: None, data_dir: Path) -> None:
    scope = Scope.for_departements("24")
    import_passage(data_dir / "passage_communes_24_cog2018_cog2024.csv", scope)
    import_epci_composition(data_dir / "epci_composition_24_dordogne_2024.csv", scope)
    result = import_communes_geojson(data_dir / "communes_24_dordogne_cog2018_gregoiredavid.geojson", scope)
    assert Commune.objects.count() == 503
    assert result.rows == 503 and "17 contours d'anciennes communes fusionnés" in result.summary()
    brantome = Commune.objects.get(code="24064")
    assert brantome.name == "Brantôme en Périgord"  # today's name kept, not the 2018 one
    assert brantome.geometry is not None and brantome.population == 3721  # population from BANATIC kept


def test_conseillers_numeriques_2023_open_data(db: None, data_dir: Path) -> None:
    scope = Scope.for_departements("24")
    import_epci_composition(data_dir / "epci_composition_24_dordogne_2024.csv", scope)
    result = import_conseillers_structures(data_dir / "conseillers_numeriques_structures_24_2023.csv", scope, "2023")
    places = Place.objects.filter(kind=Place.Kind.CONSEILLER_NUMERIQUE)
    assert result.rows == places.count() == 26
    assert places.filter(latitude__isnull=True).count() == 26  # this file has no coordinates
    assert places.get(external_id="81804765600025").vintage == "2023"


def test_import_command(db: None, data_dir: Path, tmp_path: Path) -> None:
    from io import StringIO

    from django.core.management import CommandError, call_command

    out = StringIO()
    call_command("import_diagnostic", "--data-dir", str(data_dir), stdout=out)
    assert "insee_filosofi_2021_communes_24.csv : 503 lignes importées" in out.getvalue()
    (tmp_path / "f.csv").write_text("CODGEO;MED21\n24322;1\n", encoding="utf-8")
    with pytest.raises(CommandError, match="Rien n'a été importé.*NBPERSMENFISC"):
        call_command("import_diagnostic", "--data-dir", str(tmp_path), "--file", "filosofi", "f.csv")
    with pytest.raises(CommandError, match="Dossier introuvable"):
        call_command("import_diagnostic", "--data-dir", str(tmp_path / "absent"))
