"""Importing structures: preview, column mapping, duplicates, a French report, all or nothing, real files."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from projectgroup.models import Actor, ActorImport, Family
from tests.conftest import Tenant
from tests.factories import CommuneFactory
from tests.projectgroup.conftest import text
from tests.projectgroup.factories import ActorFactory

pytestmark = pytest.mark.django_db

CSV_OK = (
    "Nom;Type;SIRET;Code INSEE;Publics;Site web\n"
    "Centre social du Ribéracois;association;12345678900012;24352;Familles, Seniors;centresocial.fr\n"
    "Mairie de Brantôme;collectivité;;24053;Action publique;\n"
)


def _upload(client: Client, name: str, content: bytes) -> Any:
    return client.post(reverse("projectgroup:actor_import"), {"file": SimpleUploadedFile(name, content)})


def _preview(client: Client, response: Any) -> tuple[ActorImport, str]:
    assert response.status_code == 302, text(response)
    actor_import = ActorImport.objects.latest("pk")
    return actor_import, text(client.get(response["Location"]))


def _confirm(client: Client, actor_import: ActorImport, **extra: str) -> Any:
    return client.post(actor_import.get_absolute_url(), actor_import.mapping | extra)


@pytest.fixture
def communes(db: None) -> None:
    CommuneFactory(code="24352", name="Ribérac")
    CommuneFactory(code="24053", name="Brantôme en Périgord")


def test_preview_then_import(tenant_a: Tenant, tenant_b: Tenant, communes: None) -> None:
    client = tenant_a.client_for(tenant_a.contributeur)
    actor_import, page = _preview(client, _upload(client, "structures.csv", CSV_OK.encode("cp1252")))
    assert "2 lignes lues." in page and "nouvelle structure" in page
    assert not Actor.objects.exists()  # nothing is written before the confirmation
    assert actor_import.mapping["name"] == "Nom" and actor_import.mapping["code_insee"] == "Code INSEE"
    # Another organisation cannot see or confirm it.
    other = tenant_b.client_for(tenant_b.admin)
    assert other.get(actor_import.get_absolute_url()).status_code == 404
    assert other.post(actor_import.get_absolute_url(), actor_import.mapping).status_code == 404
    response = _confirm(client, actor_import)
    assert response.status_code == 302
    centre = Actor.objects.get(siret="12345678900012")
    assert centre.organization == tenant_a.organization and centre.commune_id == "24352"
    assert centre.families == [Family.FAMILLES, Family.SENIORS] and centre.website == "https://centresocial.fr"
    assert Actor.objects.get(name="Mairie de Brantôme").kind == "collectivite"
    # Confirmed twice (a double click): nothing more.
    _confirm(client, actor_import)
    assert Actor.objects.count() == 2


def test_a_faulty_line_refuses_the_whole_file_with_a_french_report(tenant_a: Tenant, communes: None) -> None:
    content = b"nom,siret,code_insee,publics,courriel\nBonne structure,,24352,,\n,1234,99999,Martiens,pas-un-courriel\n"
    client = tenant_a.client_for(tenant_a.admin)
    actor_import, page = _preview(client, _upload(client, "a.csv", content))
    assert "Ligne 3 : le nom de la structure manque" in page
    assert "le SIRET « 1234 » ne compte pas 14 chiffres" in page
    assert "code INSEE « 99999 » inconnu" in page and "public « Martiens » inconnu" in page
    assert "courriel « pas-un-courriel » invalide" in page
    response = _confirm(client, actor_import)
    assert response.status_code == 200
    assert "Rien n&#x27;a été importé." in text(response) and "Import refusé" in text(response)
    assert not Actor.objects.exists()
    assert ActorImport.objects.get().status == ActorImport.Status.PREVIEW


def test_the_mapping_can_be_changed_in_the_preview(tenant_a: Tenant) -> None:
    content = "Structure,Remarque\nAssociation Lire et écrire,à rappeler\n".encode()
    client = tenant_a.client_for(tenant_a.admin)
    actor_import, page = _preview(client, _upload(client, "a.csv", content))
    assert actor_import.mapping["name"] == "Structure"
    mapping = actor_import.mapping | {"name": "Remarque"}
    page = text(client.get(actor_import.get_absolute_url(), mapping))
    assert "à rappeler" in page
    client.post(actor_import.get_absolute_url(), mapping)
    assert Actor.objects.get().name == "à rappeler"


def test_duplicates_are_suggested_for_merge(tenant_a: Tenant, tenant_b: Tenant, communes: None) -> None:
    by_siret = ActorFactory(organization=tenant_a.organization, name="CS Ribérac", siret="12345678900012")
    by_name = ActorFactory(organization=tenant_a.organization, name="Mairie de Brantome", commune_id="24053")
    ActorFactory(organization=tenant_b.organization, name="Mairie de Brantôme", commune_id="24053")  # not A's
    client = tenant_a.client_for(tenant_a.admin)
    actor_import, page = _preview(client, _upload(client, "s.csv", CSV_OK.encode()))
    assert "2 doublons probables." in page
    assert "Doublon de « CS Ribérac » (même SIRET)" in page
    assert "Doublon de « Mairie de Brantome » (même nom dans la même commune)" in page
    # The first is merged (the default), the second skipped.
    _confirm(client, actor_import, **{"ligne-3": "skip"})
    assert Actor.objects.filter(organization=tenant_a.organization).count() == 2
    by_siret.refresh_from_db()
    assert by_siret.name == "CS Ribérac" and by_siret.families == [Family.FAMILLES, Family.SENIORS]
    assert by_siret.commune_id == "24352"  # an empty field filled by the merge
    by_name.refresh_from_db()
    assert by_name.families == []


def test_the_same_structure_twice_in_a_file_is_a_fault(tenant_a: Tenant) -> None:
    content = b"nom;siret\nA;12345678900012\nB;12345678900012\n"
    client = tenant_a.client_for(tenant_a.admin)
    _actor_import, page = _preview(client, _upload(client, "a.csv", content))
    assert "Ligne 3 : même structure que la ligne 2." in page


def test_unreadable_files_are_explained(tenant_a: Tenant) -> None:
    client = tenant_a.client_for(tenant_a.admin)
    assert "Format non reconnu" in text(_upload(client, "a.pdf", b"%PDF"))
    assert "ne peut pas être lu" in text(_upload(client, "a.xlsx", b"not a workbook"))
    assert "aucune ligne" in text(_upload(client, "a.csv", b"nom;siret\n"))
    assert not ActorImport.objects.exists()
    reader = tenant_a.client_for(tenant_a.lecteur)
    assert _upload(reader, "a.csv", CSV_OK.encode()).status_code == 403


def test_xlsx_import(tenant_a: Tenant, communes: None) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["nom", "siret", "code_insee", "latitude", "longitude"])
    sheet.append(["Espace numérique", 12345678900012, 24352, 45.24, 0.34])
    buffer = io.BytesIO()
    book.save(buffer)
    client = tenant_a.client_for(tenant_a.admin)
    actor_import, _page = _preview(client, _upload(client, "s.xlsx", buffer.getvalue()))
    _confirm(client, actor_import)
    actor = Actor.objects.get()
    assert (actor.siret, actor.commune_id, actor.latitude, actor.longitude) == ("12345678900012", "24352", 45.24, 0.34)


def test_data_inclusion_structures(tenant_a: Tenant, communes: None) -> None:
    """A JSON list of structures with the fields of the data·inclusion schema."""
    schema = json.loads((Path(settings.CAP_DATA_DIR) / "schemas/data-inclusion_v1.0.8_structure.json").read_text())
    fields = set(schema["properties"])
    structures = [
        {
            "id": "s1",
            "source": "dora",
            "nom": "Maison France services de Ribérac",
            "siret": "21240352600019",
            "code_insee": "24352",
            "commune": "Ribérac",
            "adresse": "1 place du marché",
            "courriel": "fs@riberac.fr",
            "site_web": "https://riberac.fr",
            "telephone": "0553000000",
            "latitude": 45.25,
            "longitude": 0.33,
            "reseaux_porteurs": ["france-services"],
        }
    ]
    assert set(structures[0]) <= fields  # the test file follows the schema
    client = tenant_a.client_for(tenant_a.admin)
    actor_import, _page = _preview(client, _upload(client, "di.json", json.dumps(structures).encode()))
    _confirm(client, actor_import)
    actor = Actor.objects.get()
    assert (actor.name, actor.commune_id, actor.email, actor.address) == (
        "Maison France services de Ribérac",
        "24352",
        "fs@riberac.fr",
        "1 place du marché",
    )


def test_the_real_france_services_file_of_dordogne(tenant_a: Tenant) -> None:
    path = Path(settings.CAP_DATA_DIR) / "france_services_24_20240801.csv"
    content = path.read_bytes()
    rows = list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))
    for code in {r["insee_com"] for r in rows}:
        CommuneFactory(code=code)
    client = tenant_a.client_for(tenant_a.admin)
    actor_import, page = _preview(client, _upload(client, path.name, content))
    assert f"{len(rows)} lignes lues." in page
    assert actor_import.mapping["name"] == "lib_fs" and actor_import.mapping["code_insee"] == "insee_com"
    response = _confirm(client, actor_import)
    assert response.status_code == 302, text(response)
    assert Actor.objects.count() == len(rows)
    assert Actor.objects.filter(commune__isnull=False, latitude__isnull=False).count() == len(rows)
