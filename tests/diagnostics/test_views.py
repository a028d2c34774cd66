from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from demo.diagnostics import load_demo_data
from diagnostics.models import CommuneStatistic, ImportRun, TerritoryDiagnostic
from diagnostics.synthesis import for_roadmap
from roadmap.steps import roadmap_steps
from territories.models import Commune, Territory
from tests.conftest import Tenant

pytestmark = pytest.mark.django_db

DRONNE_ET_BELLE = "200041572"


def dronne(tenant: Tenant) -> Territory:
    territory = tenant.roadmap.territory
    territory.communes.set(Commune.objects.filter(epci_siren=DRONNE_ET_BELLE))
    return territory


def url(name: str, territory: Territory) -> str:
    return reverse(f"diagnostics:{name}", kwargs={"territory_pk": territory.pk})


def test_diagnostic_page_shows_figures_with_source_and_vintage(dordogne: list, tenant_a: Tenant) -> None:
    territory = dronne(tenant_a)
    response = tenant_a.client_for(tenant_a.lecteur).get(url("territory", territory))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Indice de fragilité numérique (global)" in page
    assert "98,9" in page  # the territory's population-weighted IFN
    assert "La MedNum / ANSA, indice de fragilité numérique (IRIS agrégés) — 2019" in page
    assert "ARCEP, Ma connexion internet (bêta) — 2019-09" in page
    assert "Brantôme en Périgord" in page and "Mareuil en Périgord" in page
    assert "Ce que les données ne disent pas" in page
    # no map assets: the static map is shown instead, and the table is there anyway
    assert url("territory_map_image", territory) + "?carte=ifn_global&amp;format=svg" in page
    # a lecteur sees no editing buttons
    assert url("synthesis_edit", territory) not in page


def test_commune_table_sorts(dordogne: list, client_a: Client, tenant_a: Tenant) -> None:
    territory = dronne(tenant_a)

    def first_commune(sort: str) -> str:
        page = client_a.get(url("territory", territory), {"tri": sort}).content.decode()
        table = page[page.index('<table class="sortable">') :]
        return re.findall(r"<tr><td>\d{5}</td><td>([^<]+)</td>", table)[0]

    assert first_commune("name") == "Biras"
    assert first_commune("-population") == "Brantôme en Périgord"
    assert first_commune("population") == "Saint-Félix-de-Bourdeilles"  # 68 inhabitants
    assert client_a.get(url("territory", territory), {"tri": "nimportequoi"}).status_code == 200


def test_other_tenants_and_outsiders_see_nothing(
    dordogne: list, tenant_a: Tenant, client_b: Client, outsider_client: Client
) -> None:
    territory = dronne(tenant_a)
    for name in ("territory", "territory_map", "territory_map_image", "synthesis_edit", "import_data"):
        assert client_b.get(url(name, territory)).status_code == 404
        assert outsider_client.get(url(name, territory)).status_code == 302


def test_page_without_data_explains_how_to_import(client_a: Client, tenant_a: Tenant) -> None:
    Commune.objects.create(code="24322", name="Périgueux", departement="24")
    tenant_a.roadmap.territory.communes.set(Commune.objects.filter(code="24322"))
    page = client_a.get(url("territory", tenant_a.roadmap.territory)).content.decode()
    assert "Aucune donnée n'est encore importée" in page
    assert "import_diagnostic --data-dir" in page


def test_query_count_does_not_grow_with_communes(
    dordogne: list, client_a: Client, tenant_a: Tenant, django_assert_num_queries
) -> None:
    # 1 session, 2 user, 3 membership (middleware), 4 territory, 5 synthesis/settings, 6 territory's codes,
    # 7 communes of the département(s), 8 their statistics, 9 help places, 10 sources and vintages,
    # 11 the user's memberships (organisation switcher in base.html), 12 the places' services (data·inclusion),
    # 13 the figures INSEE publishes for the whole EPCI / département (Filosofi)
    territory = tenant_a.roadmap.territory
    territory.communes.set(Commune.objects.filter(code__in=["24322", "24037"]))
    client_a.get(url("territory", territory))  # the first request of a session also saves the session
    with django_assert_num_queries(13):
        assert client_a.get(url("territory", territory)).status_code == 200
    territory.communes.set(Commune.objects.all())
    with django_assert_num_queries(13):
        assert client_a.get(url("territory", territory)).status_code == 200
    # A whole EPCI: one more, the DGCL's count of its members (is the territory all of it?)
    territory.communes.set(Commune.objects.filter(epci_siren=DRONNE_ET_BELLE))
    with django_assert_num_queries(14):
        assert client_a.get(url("territory", territory)).status_code == 200


def test_map_images_and_interactive_map_use_no_cdn(dordogne: list, client_a: Client, tenant_a: Tenant) -> None:
    territory = dronne(tenant_a)
    png = client_a.get(url("territory_map_image", territory), {"carte": "coverage", "format": "png"})
    assert png["Content-Type"] == "image/png" and png.content.startswith(b"\x89PNG")
    svg = client_a.get(url("territory_map_image", territory), {"carte": "comparaison", "format": "svg"})
    assert svg["Content-Type"] == "image/svg+xml" and b"<svg" in svg.content
    assert client_a.get(url("territory_map_image", territory), {"carte": "inconnue"}).status_code == 404
    html = client_a.get(url("territory_map", territory), {"carte": "chomage"}).content.decode()
    assert "/static/vendor/leaflet/leaflet.js" in html
    assert not re.search(r"(src|href)=\"https?://", html)
    assert "Brantôme en Périgord" in html
    assert "L.control.scale({imperial: false})" in html  # kilometres only, no miles


def test_synthesis_is_written_by_editors_only(dordogne: list, tenant_a: Tenant, tenant_b: Tenant) -> None:
    territory = dronne(tenant_a)
    editor = tenant_a.client_for(tenant_a.contributeur)
    response = editor.post(
        url("synthesis_edit", territory), {"synthesis": "Les aînés des bourgs ruraux d'abord.", "distance_km": "8"}
    )
    assert response.status_code == 302
    saved = TerritoryDiagnostic.objects.get(territory=territory)
    assert (saved.organization, saved.distance_km, saved.updated_by) == (
        tenant_a.organization,
        8,
        tenant_a.contributeur,
    )
    page = editor.get(url("territory", territory)).content.decode()
    assert "Les aînés des bourgs ruraux d&#x27;abord." in page and "à plus de 8 km" in page
    bad = editor.post(url("synthesis_edit", territory), {"synthesis": "x", "distance_km": "0"})
    assert bad.status_code == 200 and "supérieure ou égale à 1" in bad.content.decode()
    reader = tenant_a.client_for(tenant_a.lecteur)
    assert reader.post(url("synthesis_edit", territory), {"synthesis": "non", "distance_km": "5"}).status_code == 403
    assert TerritoryDiagnostic.objects.get(territory=territory).synthesis == "Les aînés des bourgs ruraux d'abord."


def test_upload_keeps_the_territory_communes_and_refuses_bad_files(
    dordogne: list, data_dir: Path, client_a: Client, tenant_a: Tenant, django_capture_on_commit_callbacks
) -> None:
    territory = dronne(tenant_a)
    reference = CommuneStatistic.objects.filter(indicator="chomage", organization__isnull=True).count()
    content = (data_dir / "insee_comparateur_communes_24_2024.csv").read_bytes()
    with django_capture_on_commit_callbacks(execute=True):
        response = client_a.post(
            url("import_data", territory),
            {"kind": "comparateur", "file": SimpleUploadedFile("comparateur.csv", content)},
        )
    assert response.status_code == 302
    # the organisation's own rows for its 16 communes; the reference is untouched
    own = CommuneStatistic.objects.filter(indicator="chomage", organization=tenant_a.organization)
    assert own.count() == 16
    assert CommuneStatistic.objects.filter(indicator="chomage", organization__isnull=True).count() == reference
    with django_capture_on_commit_callbacks(execute=True):
        client_a.post(
            url("import_data", territory),
            {"kind": "filosofi", "file": SimpleUploadedFile("f.csv", b"CODGEO;MED21\n24042;20000\n")},
        )
    page = client_a.get(url("import_data", territory)).content.decode()
    assert "Rien n'a été importé" in page and "NBPERSMENFISC" in page
    runs = ImportRun.objects.filter(organization=tenant_a.organization).order_by("created_at")
    assert [(r.kind, r.status, r.succeeded) for r in runs] == [
        ("comparateur", "done", True),
        ("filosofi", "failed", False),
    ]
    # the job's row, polled by the page
    status = client_a.get(reverse("diagnostics:import_status", kwargs={"importrun_pk": runs[0].pk}))
    assert status.status_code == 200 and "16 lignes importées" in status.content.decode()
    assert "hx-get" not in status.content.decode()  # finished: no more polling


def test_for_roadmap_gives_figures_maps_and_text(dordogne: list, tenant_a: Tenant) -> None:
    dronne(tenant_a)
    TerritoryDiagnostic.objects.create(
        organization=tenant_a.organization, territory=tenant_a.roadmap.territory, synthesis="Constat partagé."
    )
    document = for_roadmap(tenant_a.roadmap)
    assert document is not None
    assert document.synthesis == "Constat partagé."
    ifn = next(f for f in document.figures if f.label.startswith("Indice de fragilité"))
    assert (ifn.territory, ifn.vintage) == ("98,9", "2019")
    assert set(document.images) == {"ifn_global", "coverage", "comparison"}
    assert all(image.startswith(b"\x89PNG") for image in document.images.values())
    assert "Toutes les communes ont un lieu d'accompagnement à moins de 10 km" in document.coverage


def test_for_roadmap_without_data(tenant_a: Tenant) -> None:
    assert for_roadmap(tenant_a.roadmap) is None


def test_step_three_reports_the_diagnostic(dordogne: list, tenant_a: Tenant) -> None:
    territory = dronne(tenant_a)
    step = roadmap_steps(tenant_a.roadmap)[3]
    assert any("Diagnostic chiffré disponible" in str(d) for d in step.done)
    assert not any("Importez les données du diagnostic" in str(m) for m in step.missing)
    assert any(link.url == url("territory", territory) for link in step.links)


def test_demo_loader(db: None, data_dir: Path, tmp_path: Path) -> None:
    missing = load_demo_data(tmp_path / "absent")
    assert len(missing) == 1 and "import_diagnostic --data-dir" in missing[0]
    first = load_demo_data(data_dir)
    count = CommuneStatistic.objects.count()
    second = load_demo_data(data_dir)
    assert first == second and CommuneStatistic.objects.count() == count
    assert any("ifn_mednum_2019_iris_24.csv" in line for line in first)


def test_members_cannot_upload_the_shared_geography(dordogne: list, client_a: Client, tenant_a: Tenant) -> None:
    territory = dronne(tenant_a)
    before = Commune.objects.get(code="24064").name
    feature = {"type": "Feature", "properties": {"code": "24064", "nom": "X"}, "geometry": None}
    geojson = json.dumps({"type": "FeatureCollection", "features": [feature]}).encode()
    response = client_a.post(
        url("import_data", territory), {"kind": "communes", "file": SimpleUploadedFile("c.geojson", geojson)}
    )
    assert response.status_code == 200 and "Sélectionnez un choix valide" in response.content.decode()
    assert Commune.objects.get(code="24064").name == before
