"""Territories, the commune reference and the demo data."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from demo.data import DEMO_PASSWORD, build_demo
from roadmap.models import Action, Enjeu, Roadmap
from tenancy.models import Membership, Organization
from territories.models import Commune, Territory
from tests.conftest import Tenant
from tests.factories import CommuneFactory

DATA_DIR = Path(settings.CAP_DATA_DIR)


def test_a_territory_is_defined_by_commune_codes(client_a: Client, tenant_a: Tenant) -> None:
    CommuneFactory(code="24042", name="Biras")
    CommuneFactory(code="24055", name="Bourdeilles")
    response = client_a.post(
        reverse("territories:territory_create"),
        {"name": "Mon EPCI", "kind": "epci", "commune_codes": "24042;24055, 24042"},
        follow=True,
    )
    territory = Territory.objects.get(name="Mon EPCI")
    assert territory.organization == tenant_a.organization
    assert sorted(territory.communes.values_list("code", flat=True)) == ["24042", "24055"]
    assert "Bourdeilles" in response.content.decode()


def test_unknown_commune_codes_are_named_and_nothing_is_saved(client_a: Client) -> None:
    CommuneFactory(code="24042")
    response = client_a.post(
        reverse("territories:territory_create"), {"name": "X", "kind": "epci", "commune_codes": "24042 24999 123"}
    )
    content = response.content.decode()
    assert "mal formé" in content and "123" in content
    response = client_a.post(
        reverse("territories:territory_create"), {"name": "X", "kind": "epci", "commune_codes": "24042 24999"}
    )
    assert "Commune inconnue : 24999" in response.content.decode()
    assert not Territory.objects.filter(name="X").exists()


def test_demo_builds_dronne_et_belle_from_the_shared_data_and_is_idempotent(db: None) -> None:
    assert (DATA_DIR / "communes_24_dordogne_cog2024.geojson").exists(), f"shared data missing in {DATA_DIR}"
    build_demo()
    counts = (Organization.objects.count(), Membership.objects.count(), Enjeu.objects.count(), Action.objects.count())
    build_demo()
    assert (
        Organization.objects.count(),
        Membership.objects.count(),
        Enjeu.objects.count(),
        Action.objects.count(),
    ) == counts
    territory = Territory.objects.get(organization__name="CC Dronne et Belle")
    assert territory.communes.count() == 16
    assert territory.population() == 11324  # published pmun 2024 of the EPCI
    assert territory.has_geometry()
    roadmap = Roadmap.objects.get(organization__name="CC Dronne et Belle")
    assert roadmap.enjeux.count() == 3 and roadmap.defis.count() == 2
    assert Membership.objects.filter(organization__name="CC Dronne et Belle").values("role").distinct().count() == 4
    assert Territory.objects.get(organization__name="CA Le Grand Périgueux").communes.count() == 43


def test_demo_users_log_in_with_the_documented_password(db: None) -> None:
    build_demo()
    client = Client()
    assert client.login(username="elu@dronne-belle.demo", password=DEMO_PASSWORD)
    content = client.get(reverse("tenancy:home"), follow=True).content.decode()
    assert "Feuille de route d&#x27;inclusion numérique Dronne et Belle" in content
    assert "Grand Périgueux" not in content.split("<main")[1]


def test_demo_without_the_data_folder_still_works(db: None, settings, tmp_path: Path) -> None:
    settings.CAP_DATA_DIR = tmp_path
    report = build_demo()
    assert "load_communes" in report[0]
    territory = Territory.objects.get(organization__name="CC Dronne et Belle")
    assert territory.communes.count() == 16
    assert not territory.has_geometry()
    assert territory.population() is None


def test_load_communes_refuses_a_bad_file_and_changes_nothing(db: None, tmp_path: Path) -> None:
    CommuneFactory(code="24042", name="Biras")
    bad = tmp_path / "communes.geojson"
    bad.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {"properties": {"code": "24042", "nom": "Biras modifiée"}, "geometry": None},
                    {"properties": {"nom": "Sans code"}, "geometry": None},
                ],
            }
        )
    )
    with pytest.raises(CommandError, match="entité n°2"):
        call_command("load_communes", file=bad)
    assert Commune.objects.get(code="24042").name == "Biras"
    bad.write_text("pas du json")
    with pytest.raises(CommandError, match="GeoJSON"):
        call_command("load_communes", file=bad)
