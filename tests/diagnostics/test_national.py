"""The national formats both ways: « lieux de médiation numérique » (schema v1.0.2) and data·inclusion."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest

from diagnostics.importers import ImportFileError, Scope, import_data_inclusion, import_national_places
from diagnostics.models import Place
from diagnostics.national import MEDIATION_SCHEMA, _all_columns, places_csv, schema_file, table_schema_rules, validate
from territories.models import Commune
from tests.conftest import Tenant

pytestmark = pytest.mark.django_db

DRONNE_ET_BELLE = "200041572"


def test_the_reference_example_of_the_schema_is_valid_and_imported(data_dir: Path) -> None:
    example = data_dir / "schemas" / "lieux-mediation-numerique_exemple-valide.csv"
    validate(_all_columns(example), table_schema_rules(schema_file(MEDIATION_SCHEMA)), example.name)
    Commune.objects.create(code="51454", name="Reims", departement="51")
    result = import_national_places(example, Scope.for_departements("51"))
    assert result.rows >= 1
    place = Place.objects.get(commune_id="51454")
    assert place.organization_id is None and place.siret == "43493312300029"


def test_a_value_outside_the_schema_is_refused(tmp_path: Path, data_dir: Path) -> None:
    Commune.objects.create(code="51454", name="Reims", departement="51")
    example = (data_dir / "schemas" / "lieux-mediation-numerique_exemple-valide.csv").read_text(encoding="utf-8")
    bad = tmp_path / "lieux.csv"
    bad.write_text(example.replace('"51100"', '"5110"', 1), encoding="utf-8")
    with pytest.raises(ImportFileError, match="ligne 2, colonne « code_postal » : valeur hors du format attendu"):
        import_national_places(bad, Scope.for_departements("51"))
    assert not Place.objects.exists()


def test_a_territory_exports_its_places_in_the_schema_and_reads_them_back(
    dordogne: list, tmp_path: Path, tenant_a: Tenant, tenant_b: Tenant
) -> None:
    territory = tenant_a.roadmap.territory
    territory.communes.set(Commune.objects.filter(epci_siren=DRONNE_ET_BELLE))
    response = tenant_a.client_for(tenant_a.lecteur).get(
        tenant_a.url("diagnostics:places_export", territory_pk=territory.pk)
    )
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    content = response.content.decode()
    assert content == places_csv(territory)
    rows = list(csv.DictReader(io.StringIO(content)))
    assert rows and {r["dispositif_programmes_nationaux"] for r in rows} <= {
        "",
        "France Services",
        "Conseillers numériques",
    }
    path = tmp_path / "export.csv"
    path.write_text(content, encoding="utf-8")
    validate(_all_columns(path), table_schema_rules(schema_file(MEDIATION_SCHEMA)), path.name)
    # another territory reads the file back into its own places
    other = tenant_b.roadmap.territory
    other.communes.set(Commune.objects.filter(epci_siren=DRONNE_ET_BELLE))
    result = import_national_places(path, Scope.for_territory(other))
    assert result.rows == Place.objects.filter(organization=tenant_b.organization).count() > 0


def test_data_inclusion_structures_of_digital_networks(tmp_path: Path, db: None) -> None:
    Commune.objects.create(code="24322", name="Périgueux", departement="24")
    structures: list[dict[str, Any]] = [
        {
            "source": "dora",
            "id": "dora--1",
            "nom": "Espace numérique de Périgueux",
            "date_maj": "2025-02-14",
            "code_insee": "24322",
            "siret": "21240322800012",
            "latitude": 45.18,
            "longitude": 0.72,
            "reseaux_porteurs": ["conseillers-numeriques"],
        },
        {
            "source": "dora",
            "id": "dora--2",
            "nom": "Banque alimentaire",
            "date_maj": "2025-02-14",
            "code_insee": "24322",
            "reseaux_porteurs": ["banques-alimentaires"],
        },
    ]
    path = tmp_path / "structures.json"
    path.write_text(json.dumps(structures), encoding="utf-8")
    result = import_data_inclusion(path, Scope.for_departements("24"))
    assert result.rows == 1 and "1 structure hors des réseaux d'accompagnement numérique écartée" in result.summary()
    assert Place.objects.get().siret == "21240322800012"
    structures[0]["siret"] = "123"
    path.write_text(json.dumps(structures), encoding="utf-8")
    with pytest.raises(ImportFileError, match="élément n° 1, colonne « siret »"):
        import_data_inclusion(path, Scope.for_departements("24"))


def _structures_and_services(tmp_path: Path) -> tuple[Path, list[dict[str, Any]]]:
    Commune.objects.create(code="24322", name="Périgueux", departement="24")
    structures = [
        {
            "source": "dora",
            "id": "dora--1",
            "nom": "Espace numérique de Périgueux",
            "date_maj": "2025-02-14",
            "code_insee": "24322",
            "reseaux_porteurs": ["conseillers-numeriques"],
        },
        {
            "source": "dora",
            "id": "dora--2",
            "nom": "Banque alimentaire",
            "date_maj": "2025-02-14",
            "code_insee": "24322",
            "reseaux_porteurs": ["banques-alimentaires"],
        },
    ]
    path = tmp_path / "structures.json"
    path.write_text(json.dumps(structures), encoding="utf-8")
    import_data_inclusion(path, Scope.for_departements("24"))
    services: list[dict[str, Any]] = [
        {
            "source": "dora",
            "structure_id": "dora--1",
            "id": "dora--s1",
            "nom": "Atelier « premiers pas sur l'ordinateur »",
            "description": "Deux heures pour découvrir la souris, le clavier et la messagerie.",
            "date_maj": "2025-03-01",
            "type": "atelier",
            "frais": "gratuit",
            "thematiques": ["numerique--maitriser-les-fondamentaux-du-numerique"],
            "modes_accueil": ["en-presentiel"],
        },
        {
            "source": "dora",
            "structure_id": "dora--1",
            "id": "dora--s2",
            "nom": "Aide aux démarches en ligne",
            "description": "Un conseiller numérique aide à faire ses démarches administratives en ligne.",
            "date_maj": "2025-04-10",
        },
        {  # the structure of a food bank was not kept (not a digital-help network): its service neither
            "source": "dora",
            "structure_id": "dora--2",
            "id": "dora--s3",
            "nom": "Colis alimentaires",
            "description": "Distribution hebdomadaire de colis.",
            "date_maj": "2025-03-01",
        },
    ]
    return tmp_path / "services.json", services


def test_data_inclusion_services_attach_to_their_structures(tmp_path: Path, db: None) -> None:
    from diagnostics.importers import IMPORTERS, import_data_inclusion_services
    from diagnostics.models import PlaceService

    path, services = _structures_and_services(tmp_path)
    path.write_text(json.dumps(services), encoding="utf-8")
    result = import_data_inclusion_services(path, Scope.for_departements("24"))
    assert result.rows == 2 and result.vintage == "2025-04-10"
    assert "1 service d'une structure absente du territoire ou hors des réseaux numériques écarté" in result.summary()
    place = Place.objects.get(external_id="dora--1")
    assert sorted(place.services.values_list("name", flat=True)) == [
        "Aide aux démarches en ligne",
        "Atelier « premiers pas sur l'ordinateur »",
    ]
    workshop = PlaceService.objects.get(external_id="dora--s1")
    assert (workshop.kind, workshop.fees, workshop.thematiques) == (
        "atelier",
        "gratuit",
        "numerique--maitriser-les-fondamentaux-du-numerique",
    )
    assert workshop.organization_id is None and workshop.source == "data·inclusion (services)"
    # What the diagnostic page lists under the place (one query, whatever the number of communes).
    from diagnostics.analysis import place_services

    assert place_services(["24322"], None) == {
        place.pk: ["Aide aux démarches en ligne", "Atelier « premiers pas sur l'ordinateur »"]
    }
    # Idempotent: loading the same file again leaves two services.
    import_data_inclusion_services(path, Scope.for_departements("24"))
    assert PlaceService.objects.count() == 2
    assert "data_inclusion_services" in IMPORTERS


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"thematiques": ["numerique--inventee"]},
            "élément n° 1, colonne « thematiques » : valeur absente du référentiel",
        ),
        ({"date_maj": "14/02/2025"}, "colonne « date_maj »"),
        ({"description": ""}, "colonne « description » : valeur obligatoire absente"),
        ({"id": "dora--s2"}, "élément n° 2, colonne « id » : service déjà présent plus haut"),
    ],
)
def test_a_wrong_services_file_is_refused_and_changes_nothing(
    tmp_path: Path, db: None, change: dict[str, Any], message: str
) -> None:
    from diagnostics.importers import import_data_inclusion_services
    from diagnostics.models import PlaceService

    path, services = _structures_and_services(tmp_path)
    path.write_text(json.dumps(services), encoding="utf-8")
    import_data_inclusion_services(path, Scope.for_departements("24"))
    before = list(PlaceService.objects.order_by("pk").values_list("pk", "name"))
    services[0] = {**services[0], **change}  # for « id »: the first takes the second's, the second is the twin
    path.write_text(json.dumps(services), encoding="utf-8")
    with pytest.raises(ImportFileError, match=message.replace("(", r"\(")):
        import_data_inclusion_services(path, Scope.for_departements("24"))
    assert list(PlaceService.objects.order_by("pk").values_list("pk", "name")) == before


def test_services_without_their_structures_are_refused(tmp_path: Path, db: None) -> None:
    from diagnostics.importers import import_data_inclusion_services

    path, services = _structures_and_services(tmp_path)
    path.write_text(json.dumps([services[2]]), encoding="utf-8")  # only the food bank's
    with pytest.raises(ImportFileError, match="Importez d'abord le fichier des structures"):
        import_data_inclusion_services(path, Scope.for_departements("24"))
    path.write_text("[]", encoding="utf-8")
    with pytest.raises(ImportFileError, match="ne contient aucun service"):
        import_data_inclusion_services(path, Scope.for_departements("24"))


def test_an_operator_loads_services_as_reference_data_recorded_with_its_checksum(tmp_path: Path, db: None) -> None:
    from diagnostics.importers import import_folder
    from diagnostics.models import ReferenceLoad

    path, services = _structures_and_services(tmp_path)
    path.write_text(json.dumps(services), encoding="utf-8")
    import_folder(tmp_path, Scope.for_departements("24"), [("data_inclusion_services", "services.json", "")])
    load = ReferenceLoad.objects.get(kind="data_inclusion_services")
    assert (load.file_name, load.rows, load.vintage) == ("services.json", 2, "2025-04-10")
    assert load.source == "data·inclusion (services)" and len(load.checksum) == 64
