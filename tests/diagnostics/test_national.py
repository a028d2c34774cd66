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
    assert result.rows == 1 and "1 structure(s) hors des réseaux" in result.summary()
    assert Place.objects.get().siret == "21240322800012"
    structures[0]["siret"] = "123"
    path.write_text(json.dumps(structures), encoding="utf-8")
    with pytest.raises(ImportFileError, match="ligne 2, colonne « siret »"):
        import_data_inclusion(path, Scope.for_departements("24"))
