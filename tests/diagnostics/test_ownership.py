"""Reference data vs. an organisation's own data: an upload never touches a shared row nor another's figures."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Q
from django.urls import reverse

from diagnostics.analysis import build_diagnostic
from diagnostics.forms import MEMBER_KINDS
from diagnostics.importers import DEMO_FILES
from diagnostics.models import CommuneStatistic, ImportRun, Place, ReferenceLoad
from diagnostics.national import places_csv
from diagnostics.synthesis import key_figures
from territories.models import Commune, Territory
from tests.conftest import Tenant

pytestmark = pytest.mark.django_db

DRONNE_ET_BELLE = "200041572"
# Every kind a member may upload, with a real file of the data folder and the vintage it does not carry itself.
UPLOADS = {
    "comparateur": ("insee_comparateur_communes_24_2024.csv", ""),
    "filosofi": ("insee_filosofi_2021_communes_24.csv", ""),
    "ifn_iris": ("ifn_mednum_2019_iris_24.csv", ""),
    "ifn_communes": ("ifn_mednum_2019_communes_24_cog2024_agrege.csv", ""),
    "rp_rates": ("d4g_mednum_indicateurs_rp2017_communes_24.csv", ""),
    "arcep": ("arcep_ma_connexion_internet_debits_communes_24_2019-09.csv", ""),
    "mediation": ("lieux_mediation_numerique_conseillers_numeriques_24_2022.csv", ""),
    "france_services": ("france_services_24_20240801.csv", "2024-08-01"),
    "conseillers": ("conseillers_numeriques_structures_24_2021.csv", ""),
}


def same_communes(*tenants: Tenant) -> list[Territory]:
    territories = []
    for tenant in tenants:
        territory = tenant.roadmap.territory
        territory.communes.set(Commune.objects.filter(epci_siren=DRONNE_ET_BELLE))
        territories.append(territory)
    return territories


def seen_by(tenant: Tenant, territory: Territory) -> dict[str, Any]:
    """Everything of the diagnostic that organisation sees: its rows, its figures, its places."""
    visible = Q(organization__isnull=True) | Q(organization=tenant.organization)
    diagnostic = build_diagnostic(territory)
    return {
        "statistics": list(
            CommuneStatistic.objects.filter(visible)
            .order_by("pk")
            .values_list("pk", "commune_id", "indicator", "value", "numerator", "denominator", "source", "vintage")
        ),
        "places": list(
            Place.objects.filter(visible)
            .order_by("pk")
            .values_list("pk", "kind", "external_id", "name", "commune_id", "latitude", "longitude", "source")
        ),
        "figures": [(f.label, f.territory, f.departement, f.source, f.vintage) for f in key_figures(diagnostic)],
        "coverage": (diagnostic.coverage.places, diagnostic.coverage.communes_beyond),
    }


def upload(tenant: Tenant, territory: Territory, kind: str, name: str, content: bytes, vintage: str = "") -> Any:
    client = tenant.client_for(tenant.contributeur)
    return client.post(
        tenant.url("diagnostics:import_data", territory_pk=territory.pk),
        {"kind": kind, "file": SimpleUploadedFile(name, content), "vintage": vintage},
    )


def test_uploads_of_one_organisation_change_nothing_for_another(
    dordogne: list, data_dir: Path, tenant_a: Tenant, tenant_b: Tenant, django_capture_on_commit_callbacks
) -> None:
    territory_a, territory_b = same_communes(tenant_a, tenant_b)  # the same 16 communes: the worst case
    before = seen_by(tenant_b, territory_b)
    reference_rows = CommuneStatistic.objects.filter(organization__isnull=True).count()
    national = places_csv(territory_a).encode()  # the national schema, as exported
    structures = json.dumps(
        [
            {
                "source": "dora",
                "id": "dora--7",
                "nom": "Espace numérique de Brantôme",
                "date_maj": "2025-02-14",
                "code_insee": "24064",
                "reseaux_porteurs": ["france-service"],
            }
        ]
    ).encode()
    files = {kind: (name, (data_dir / name).read_bytes(), vintage) for kind, (name, vintage) in UPLOADS.items()}
    files["mediation_national"] = ("lieux.csv", national, "")
    files["data_inclusion"] = ("structures.json", structures, "")
    services = json.dumps(
        [
            {
                "source": "dora",
                "structure_id": "dora--7",
                "id": "dora--s7",
                "nom": "Aide aux démarches en ligne",
                "description": "Un conseiller numérique aide à faire ses démarches en ligne.",
                "date_maj": "2025-02-14",
            }
        ]
    ).encode()
    files["data_inclusion_services"] = ("services.json", services, "")
    assert set(files) == set(MEMBER_KINDS)
    for kind, (name, content, vintage) in files.items():
        with django_capture_on_commit_callbacks(execute=True):
            assert upload(tenant_a, territory_a, kind, name, content, vintage).status_code == 302
    # a file with only its header line (today « delete everything ») is refused
    with django_capture_on_commit_callbacks(execute=True):
        upload(tenant_a, territory_a, "france_services", "vide.csv", b"id_fs,lib_fs,insee_com\n", "2024")
    runs = ImportRun.objects.filter(organization=tenant_a.organization).order_by("pk")
    assert [(r.kind, r.status) for r in runs] == [(k, "done") for k in files] + [("france_services", "failed")]
    assert "aucune ligne de données" in runs.last().message  # type: ignore[union-attr]

    # A's files went into A's own rows, for its 16 communes only
    own = CommuneStatistic.objects.filter(organization=tenant_a.organization)
    assert own.exists() and set(own.values_list("commune_id", flat=True)) <= set(
        territory_a.communes.values_list("code", flat=True)
    )
    assert Place.objects.filter(organization=tenant_a.organization).exists()
    from diagnostics.models import PlaceService

    assert PlaceService.objects.filter(organization=tenant_a.organization, place__external_id="dora--7").exists()
    assert not PlaceService.objects.filter(organization__isnull=True).exists()
    assert CommuneStatistic.objects.filter(organization__isnull=True).count() == reference_rows
    # B sees exactly what it saw: same rows, same figures, same places, same coverage
    assert seen_by(tenant_b, territory_b) == before
    # A sees its own sources beside the reference
    figures_a = {f.label: f for f in key_figures(build_diagnostic(territory_a))}
    assert "fichier importé par l'organisation" in figures_a["Taux de chômage des 15-64 ans (recensement)"].source


def test_own_figures_replace_the_reference_in_the_own_territory_only(
    dordogne: list, tmp_path: Path, tenant_a: Tenant, tenant_b: Tenant, django_capture_on_commit_callbacks
) -> None:
    territory_a, territory_b = same_communes(tenant_a, tenant_b)
    codes = list(territory_a.communes.values_list("code", flat=True))
    lines = "\n".join(f"{c},1000,50,400" for c in codes)
    content = f"CODGEO,P21_POP,P21_CHOM1564,P21_ACT1564\n{lines}\n".encode()
    with django_capture_on_commit_callbacks(execute=True):
        upload(tenant_a, territory_a, "comparateur", "ccas.csv", content)
    rate_a = build_diagnostic(territory_a).figure("chomage")
    rate_b = build_diagnostic(territory_b).figure("chomage")
    assert rate_a is not None and rate_b is not None
    assert rate_a.territory.value == pytest.approx(12.5)  # 50 / 400, A's own file
    assert rate_b.territory.value != pytest.approx(12.5)  # the INSEE reference
    assert rate_a.departement.value == rate_b.departement.value  # the département stays the reference
    # A removes its own data: back to the reference
    client = tenant_a.client_for(tenant_a.admin)
    client.post(tenant_a.url("diagnostics:own_data_delete", territory_pk=territory_a.pk), {"indicator": "chomage"})
    assert build_diagnostic(territory_a).figure("chomage").territory.value == rate_b.territory.value  # type: ignore[union-attr]


def test_own_places_are_seen_by_their_organisation_only(
    dordogne: list, tenant_a: Tenant, tenant_b: Tenant, django_capture_on_commit_callbacks
) -> None:
    territory_a, territory_b = same_communes(tenant_a, tenant_b)
    content = "id_fs,lib_fs,insee_com,latitude,longitude\nX1,Espace numérique de Biras,24042,45.289,0.640\n".encode()
    with django_capture_on_commit_callbacks(execute=True):
        upload(tenant_a, territory_a, "france_services", "mes-lieux.csv", content, "2026-01")
    names_a = set(build_diagnostic(territory_a).places["name"])
    names_b = set(build_diagnostic(territory_b).places["name"])
    assert "Espace numérique de Biras" in names_a and "Espace numérique de Biras" not in names_b
    # and the organisation's file listing one place removed none of the 37 national France services
    assert Place.objects.filter(kind=Place.Kind.FRANCE_SERVICES, organization__isnull=True).count() == 37
    page = tenant_a.client_for(tenant_a.admin).get(tenant_a.url("diagnostics:territory", territory_pk=territory_a.pk))
    assert "fichier importé par l&#x27;organisation" in page.content.decode()


def test_reference_loads_are_recorded(dordogne: list, data_dir: Path) -> None:
    loads = ReferenceLoad.objects.all()
    assert loads.count() == len(DEMO_FILES)
    filosofi = loads.get(kind="filosofi")
    assert (filosofi.rows, filosofi.vintage, len(filosofi.checksum)) == (503, "Filosofi 2021", 64)
    assert filosofi.source == "INSEE, Filosofi (base communale)"
    assert loads.get(kind="france_services").vintage == "2024-08-01"


def test_import_job_rows_belong_to_their_organisation(
    dordogne: list, tenant_a: Tenant, tenant_b: Tenant, django_capture_on_commit_callbacks
) -> None:
    (territory_a,) = same_communes(tenant_a)
    with django_capture_on_commit_callbacks(execute=True):
        upload(tenant_a, territory_a, "filosofi", "f.csv", b"CODGEO;MED21\n24042;20000\n")
    run = ImportRun.objects.get(organization=tenant_a.organization)
    status = reverse("diagnostics:import_status", kwargs={"importrun_pk": run.pk})
    assert tenant_b.client_for(tenant_b.admin).get(status).status_code == 404
    assert tenant_a.client_for(tenant_a.lecteur).get(status).status_code == 200
