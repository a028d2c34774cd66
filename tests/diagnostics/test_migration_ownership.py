"""diagnostics 0003: the rows of a database with data are carried over as national reference data."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

from diagnostics.models import CommuneStatistic, ImportRun, Place, ReferenceLoad
from tenancy.models import Organization

BEFORE = [("diagnostics", "0002_alter_communestatistic_commune_and_more")]
# The models as they were then: diagnostics before 0003, on top of the communes' tables of territories.
STATE_BEFORE = [*BEFORE, ("territories", "0002_rename_tables"), ("tenancy", "0001_initial")]


def _migrate(targets: list[tuple[str, str]], state: list[tuple[str, str]] | None = None) -> Any:
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state(state or targets).apps


@pytest.mark.django_db(transaction=True)
def test_existing_statistics_and_places_become_reference_data() -> None:
    old = _migrate(BEFORE, STATE_BEFORE)
    organization = old.get_model("tenancy", "Organization").objects.create(name="CC Avant", slug="cc-avant")
    commune = old.get_model("territories", "Commune").objects.create(code="24053", name="Brantôme", departement="24")
    territory = old.get_model("territories", "Territory").objects.create(organization=organization, name="Avant")
    old.get_model("diagnostics", "CommuneStatistic").objects.create(
        commune=commune,
        indicator="chomage",
        value=12.5,
        numerator=50,
        denominator=400,
        source="INSEE",
        vintage="RP 2021",
    )
    old.get_model("diagnostics", "Place").objects.create(
        kind="france_services",
        external_id="FS1",
        name="France services de Brantôme",
        commune=commune,
        source="ANCT",
        vintage="2024-08-01",
    )
    runs = old.get_model("diagnostics", "ImportRun").objects
    runs.create(organization=organization, territory=territory, kind="filosofi", file_name="a.csv", succeeded=True)
    runs.create(organization=organization, territory=territory, kind="arcep", file_name="b.csv", succeeded=False)

    _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    statistic = CommuneStatistic.objects.get()
    assert (statistic.organization_id, statistic.value, statistic.denominator) == (None, 12.5, 400)
    place = Place.objects.get()
    assert (place.organization_id, place.external_id) == (None, "FS1")
    assert dict(ImportRun.objects.values_list("file_name", "status")) == {"a.csv": "done", "b.csv": "failed"}
    # the register says what the reference held before it existed, for the operator to reload
    assert set(ReferenceLoad.objects.values_list("source", "vintage", "rows", "checksum")) == {
        ("INSEE", "RP 2021", 1, ""),
        ("ANCT", "2024-08-01", 1, ""),
    }
    # the reference stays unique per commune and indicator; an organisation's own row sits beside it
    with pytest.raises(IntegrityError), transaction.atomic():
        CommuneStatistic.objects.create(commune_id="24053", indicator="chomage", source="x", vintage="x")
    owner = Organization.objects.get(slug="cc-avant")
    CommuneStatistic.objects.create(
        organization=owner, commune_id="24053", indicator="chomage", value=9.0, source="CCAS", vintage="2025"
    )
    assert CommuneStatistic.objects.filter(commune_id="24053", indicator="chomage").count() == 2
