"""A référent uploads the territory's own places: the import runs in the background, its row follows it, and the
organisation's own data is listed beside the national reference."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from django.urls import reverse
from playwright.sync_api import Page, expect

from diagnostics.models import ImportRun, Place
from tenancy.paths import organization_path
from territories.models import Commune
from tests.conftest import Tenant


def test_an_upload_is_followed_in_the_page_and_listed_as_own_data(
    page: Page, login: Callable[..., Page], tenant_a: Tenant, tmp_path: Path, live_server: object
) -> None:
    for code, name in (("24064", "Brantôme en Périgord"), ("24042", "Biras")):
        Commune.objects.create(code=code, name=name, departement="24", population=1000)
    territory = tenant_a.roadmap.territory
    territory.communes.set(Commune.objects.all())
    url = organization_path(
        tenant_a.organization.slug, reverse("diagnostics:import_data", kwargs={"territory_pk": territory.pk})
    )
    login(page, tenant_a.admin, url)

    mine = tmp_path / "nos-lieux.csv"
    mine.write_text("id_fs,lib_fs,insee_com,latitude,longitude\nL1,Espace numérique de Biras,24042,45.289,0.640\n")
    page.get_by_label("Type de fichier").select_option("france_services")
    page.locator("#id_file").set_input_files(mine)
    page.get_by_label("Millésime").fill("2026-01")
    page.get_by_role("button", name="Importer").click()
    row = page.locator(".job").first
    expect(row).to_contain_text("nos-lieux.csv : 1 ligne importée")
    expect(page.get_by_role("cell", name="France services", exact=True)).to_be_visible()
    assert Place.objects.get().organization == tenant_a.organization

    # a job still in the worker: its row polls until it ends, without reloading the page
    waiting = ImportRun.objects.create(
        organization=tenant_a.organization,
        territory=territory,
        kind="filosofi",
        file_name="filosofi-ccas.csv",
        status=ImportRun.Status.RUNNING,
        progress=30,
    )
    page.reload()
    pending = page.locator(f"#import-{waiting.pk}")
    expect(pending).to_contain_text("En cours — 30 %")
    ImportRun.objects.filter(pk=waiting.pk).update(
        status=ImportRun.Status.FAILED, progress=100, message="filosofi-ccas.csv : colonne manquante : MED21."
    )
    expect(pending).to_contain_text("Rien n'a été importé. filosofi-ccas.csv : colonne manquante : MED21.")
