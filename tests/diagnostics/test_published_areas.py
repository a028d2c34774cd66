"""The figure INSEE publishes for a whole EPCI or département (Filosofi's EPCI and DEP bases) replaces the communes'
partial aggregate, said as such (#10 §3): loaded by operators only, refused when wrong, shown in the page, the key
figures of step 2 and the roadmap PDF the élus adopt.

../shared/data has no Filosofi EPCI file: the file here is written by the test in INSEE's format, with the real
SIRENs of Dordogne and made-up values (17,4 % for CC Dronne et Belle, whose communes' aggregate is 16,3 % on 2
communes of 16), so that a figure taken from the right row is told from one computed from the communes.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from diagnostics.analysis import build_diagnostic, publics
from diagnostics.forms import MEMBER_KINDS, ImportForm
from diagnostics.importers import ImportFileError, Scope, import_filosofi, import_filosofi_areas, import_folder
from diagnostics.models import AreaStatistic, ReferenceLoad
from diagnostics.synthesis import KeyFigure, key_figures
from fiches import exports
from fiches.document import roadmap_document
from projectgroup.keyfigures import key_figures as projector_figures
from territories.models import Commune
from tests.conftest import Tenant
from tests.diagnostics.test_views import DRONNE_ET_BELLE, dronne

pytestmark = pytest.mark.django_db

HEADER = "CODGEO;NBMENFISC21;NBPERSMENFISC21;MED21;PIMP21;TP6021;TP60AGE121"
ROWS = [
    "200041572;5 120;11 010;20 540;38;17,4;s",  # CC Dronne et Belle
    "200040392;48 300;101 200;22 870;52;13,9;21,0",  # CA Le Grand Périgueux
    "200054781;3 221 000;7 000 000;25 000;61;16,0;22,0",  # Métropole du Grand Paris: outside Dordogne
    "24;188 000;395 000;20 360;44;16,5;24,1",
    "33;730 000;1 580 000;23 000;55;13,1;20,0",  # Gironde: outside the scope
]
POVERTY = "Taux de pauvreté (seuil à 60 %)"
MEDIAN = "Revenu disponible médian par unité de consommation"


def write(folder: Path, *lines: str, name: str = "cc_filosofi_2021_EPCI.csv") -> Path:
    path = folder / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def areas_file(tmp_path: Path) -> Path:
    return write(tmp_path, HEADER, *ROWS)


@pytest.fixture
def published(dordogne: list, areas_file: Path) -> None:
    call_command("import_diagnostic", "--data-dir", str(areas_file.parent), "--file", "filosofi_epci", areas_file.name)


def figures_of(tenant: Tenant) -> dict[str, KeyFigure]:
    return {f.label: f for f in key_figures(build_diagnostic(dronne(tenant)))}


def flat(text: str) -> str:
    return " ".join(text.replace("\u202f", " ").replace("\u00a0", " ").split())


def test_the_operator_loads_the_epci_and_departement_rows_of_the_scope_and_the_load_is_recorded(
    dordogne: list, areas_file: Path
) -> None:
    [result] = import_folder(areas_file.parent, Scope.for_departements("24"), [("filosofi_epci", areas_file.name, "")])
    assert result.rows == 3
    assert result.summary() == (
        "cc_filosofi_2021_EPCI.csv : 3 lignes importées (2 EPCI, 1 département ; "
        "2 lignes hors du périmètre laissées de côté)"
    )
    stored = {(s.level, s.code, s.indicator): s for s in AreaStatistic.objects.all()}
    assert len(stored) == 6
    assert stored[("epci", DRONNE_ET_BELLE, "taux_pauvrete")].value == pytest.approx(17.4)
    assert stored[("epci", DRONNE_ET_BELLE, "revenu_median")].value == pytest.approx(20540)
    assert stored[("departement", "24", "taux_pauvrete")].value == pytest.approx(16.5)
    assert stored[("departement", "24", "taux_pauvrete")].source == "INSEE, Filosofi (base départementale)"
    assert {s.vintage for s in stored.values()} == {"Filosofi 2021"}  # read from the columns (MED21), not the name
    load = ReferenceLoad.objects.get(kind="filosofi_epci")
    assert (load.rows, load.vintage, len(load.checksum)) == (3, "Filosofi 2021", 64)

    # Idempotent: loading a corrected file updates the rows, adds none.
    write(areas_file.parent, HEADER, ROWS[0].replace("17,4", "17,6"), *ROWS[1:])
    import_filosofi_areas(areas_file, Scope.for_departements("24"))
    assert AreaStatistic.objects.count() == 6
    assert AreaStatistic.objects.get(code=DRONNE_ET_BELLE, indicator="taux_pauvrete").value == pytest.approx(17.6)


def test_the_whole_epci_figure_replaces_the_communes_partial_rate_and_says_where_it_comes_from(
    published: None, tenant_a: Tenant
) -> None:
    figures = figures_of(tenant_a)
    poverty, median = figures[POVERTY], figures[MEDIAN]
    assert flat(poverty.territory) == "17,4 %"
    assert flat(poverty.departement) == "16,5 %"
    assert "publié par l'INSEE pour l'ensemble de l'EPCI (INSEE, Filosofi (base EPCI), Filosofi 2021)" in (poverty.note)
    assert "Département : publié par l'INSEE pour l'ensemble du département" in poverty.note
    assert "non disponible" not in poverty.note
    # The median, which no sum of communes can give, is now a value, not only a range.
    assert flat(median.territory) == "20 540 €"
    assert flat(median.departement) == "20 360 €"
    diagnostic = build_diagnostic(dronne(tenant_a))
    assert not [g for g in diagnostic.gaps if "non disponible à l'échelle de l'EPCI" in str(g)]
    low_income = next(p.figure for p in publics(diagnostic) if p.figure.startswith("taux de pauvreté"))
    assert flat(low_income).startswith(
        "taux de pauvreté 17,4 % pour l'ensemble du territoire (publié par l'INSEE pour l'ensemble de l'EPCI"
    )
    assert re.search(r"revenu médian 20 540 € \(de [\d ]+ € à [\d ]+ € selon les communes\)", flat(low_income))


def test_a_part_of_an_epci_keeps_the_communes_rate_with_its_coverage(published: None, tenant_a: Tenant) -> None:
    territory = dronne(tenant_a)
    territory.communes.set(Commune.objects.filter(epci_siren=DRONNE_ET_BELLE).order_by("code")[:10])
    poverty = next(f for f in key_figures(build_diagnostic(territory)) if f.label == POVERTY)
    assert "17,4" not in poverty.territory
    assert re.fullmatch(r"[\d,]+ % \(sur \d+ communes? sur 10, \d+ % des habitants\)", flat(poverty.territory))
    assert flat(poverty.departement) == "16,5 %"  # the comparison is still the whole département's


def test_without_the_epci_file_the_epci_rate_is_still_said_unavailable(dordogne: list, tenant_a: Tenant) -> None:
    poverty = figures_of(tenant_a)[POVERTY]
    assert flat(poverty.territory).startswith("16,3 % (sur 2 communes sur 16")
    assert "non disponible à l'échelle de l'EPCI" in poverty.note


def test_the_projected_key_figures_say_the_coverage_or_the_whole_epci(dordogne: list, tenant_a: Tenant) -> None:
    dronne(tenant_a)
    partial = next(f for f in projector_figures(tenant_a.roadmap) if f.label == POVERTY)
    assert (flat(partial.value), flat(partial.coverage)) == ("16,3 %", "sur 2 communes sur 16, 53 % des habitants")
    assert partial.value == "16,3\u00a0%"  # never parted from its unit on a line
    page = tenant_a.client_for(tenant_a.lecteur).get(
        reverse("projectgroup:key_figures", kwargs={"roadmap_pk": tenant_a.roadmap.pk})
    )
    assert "sur 2 communes sur 16, 53 % des habitants" in flat(page.content.decode())


def test_the_roadmap_pdf_prints_the_whole_epci_figure(published: None, tenant_a: Tenant) -> None:
    dronne(tenant_a)
    pdf = exports.roadmap_document_pdf(roadmap_document(tenant_a.roadmap)).content
    text = flat(subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode())  # noqa: S607
    assert "taux de pauvreté 17,4 % pour l'ensemble du territoire" in text
    assert "publié par l'INSEE pour l'ensemble de l'EPCI" in text
    assert "non disponible à l'échelle de l'EPCI" not in text
    assert "sur 2 communes sur 16" not in text


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        ([HEADER], "ne contient aucune ligne de données"),
        ([HEADER, ROWS[0], ROWS[1], ROWS[0]], "« 200041572 » apparaît plusieurs fois (lignes 2, 4)"),
        (
            [HEADER, ROWS[0].replace("200041572", "200041572.0")],
            "ligne 2, colonne « CODGEO » : « 200041572.0 » n'est ni",
        ),
        (
            [HEADER, ROWS[0].replace("17,4", "117,4")],
            "ligne 2, colonne « TP6021 » : la valeur « 117,4 » est supérieure",
        ),
        ([HEADER, ROWS[0].replace("20 540", "-20540")], "colonne « MED21 » : la valeur « -20540 » est inférieure à 0"),
        ([HEADER, ROWS[0].replace("17,4", "dix-sept")], "« dix-sept » n'est pas un nombre"),
        ([HEADER, ROWS[2], ROWS[4]], "aucune ligne du fichier ne concerne le département 24 ; rien n'a été changé"),
        ([HEADER, "24322;1 000;2 000;20 000;40;15,0;s"], "C'est un code commune : la base communale de Filosofi"),
        (["CODGEO;MED21", "200041572;20 540"], "colonne manquante : TP60"),
    ],
)
def test_a_wrong_file_is_refused_in_french_and_changes_nothing(
    published: None, tmp_path: Path, lines: list[str], expected: str
) -> None:
    before = sorted(AreaStatistic.objects.values_list("level", "code", "indicator", "value"))
    (tmp_path / "wrong").mkdir()
    path = write(tmp_path / "wrong", *lines)
    with pytest.raises(ImportFileError) as refused:
        import_filosofi_areas(path, Scope.for_departements("24"))
    assert expected in flat(str(refused.value))
    assert sorted(AreaStatistic.objects.values_list("level", "code", "indicator", "value")) == before


def test_organisations_cannot_load_figures_shared_by_every_territory(
    published: None, areas_file: Path, tenant_a: Tenant
) -> None:
    assert "filosofi_epci" not in MEMBER_KINDS
    form = ImportForm(data={"kind": "filosofi_epci"})
    assert not form.is_valid() and "kind" in form.errors
    before = sorted(AreaStatistic.objects.values_list("code", "indicator", "value"))
    with pytest.raises(ImportFileError, match="chargées par l'opérateur"):
        import_filosofi_areas(areas_file, Scope.for_territory(dronne(tenant_a)))
    assert sorted(AreaStatistic.objects.values_list("code", "indicator", "value")) == before


def test_an_epci_file_given_as_the_communes_base_points_to_the_right_kind(dordogne: list, areas_file: Path) -> None:
    with pytest.raises(ImportFileError, match="C'est le SIREN d'un EPCI"):
        import_filosofi(areas_file, Scope.for_departements("24"))


def test_the_command_names_a_refused_file(dordogne: list, tmp_path: Path) -> None:
    path = write(tmp_path, HEADER)
    with pytest.raises(CommandError, match="Rien n'a été importé"):
        call_command("import_diagnostic", "--data-dir", str(tmp_path), "--file", "filosofi_epci", path.name)


def test_a_whole_departement_shows_the_departement_figure(published: None, tenant_a: Tenant) -> None:
    territory = dronne(tenant_a)
    territory.communes.set(Commune.objects.filter(departement="24"))
    poverty = next(f for f in key_figures(build_diagnostic(territory)) if f.label == POVERTY)
    assert (flat(poverty.territory), flat(poverty.departement)) == ("16,5 %", "16,5 %")
    assert "Territoire : publié par l'INSEE pour l'ensemble du département" in poverty.note


def test_an_epci_with_members_outside_the_loaded_departement_is_not_its_one_commune(
    published: None, tenant_a: Tenant
) -> None:
    # CC du Pays Foyen is based in Gironde: one of its 18 communes is in Dordogne. That commune is not the EPCI.
    from diagnostics.models import Epci

    foyen = Epci.objects.get(name__icontains="Foyen")
    AreaStatistic.objects.create(
        level="epci", code=foyen.siren, indicator="taux_pauvrete", value=42.0, source="INSEE", vintage="Filosofi 2021"
    )
    territory = dronne(tenant_a)
    territory.communes.set(Commune.objects.filter(epci_siren=foyen.siren))
    assert territory.communes.count() == 1 and foyen.member_count and foyen.member_count > 1
    poverty = next(f for f in key_figures(build_diagnostic(territory)) if f.label == POVERTY)
    assert "42" not in poverty.territory
