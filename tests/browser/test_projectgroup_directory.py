"""The référent fills the directory from a spreadsheet: upload, preview with a duplicate, confirm."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from django.urls import reverse
from playwright.sync_api import Page, expect

from projectgroup.models import Actor
from tests.conftest import Tenant
from tests.factories import CommuneFactory
from tests.projectgroup.factories import ActorFactory


def test_a_referent_imports_a_file_and_merges_a_duplicate(
    open_page: Callable[..., Page],
    login: Callable[..., Page],
    screenshot: Callable[..., Path],
    tenant_a: Tenant,
    tmp_path: Path,
) -> None:
    CommuneFactory(code="24352", name="Ribérac")
    ActorFactory(organization=tenant_a.organization, name="CS Ribérac", siret="12345678900012")
    source = tmp_path / "structures.csv"
    source.write_text(
        "nom;siret;code_insee;publics\n"
        "Centre social de Ribérac;12345678900012;24352;Familles\n"
        "Mission locale du Ribéracois;;24352;Jeunes de 16 à 30 ans\n",
        encoding="utf-8",
    )
    page = login(open_page("desktop"), tenant_a.admin)
    page.goto(reverse("projectgroup:actor_import"))
    page.get_by_label("Fichier des structures").set_input_files(str(source))
    page.get_by_role("button", name="Lire le fichier").click()
    expect(page.get_by_text("2 lignes lues.")).to_be_visible()
    expect(page.get_by_text("Doublon de «\u00a0CS Ribérac\u00a0» (même SIRET)")).to_be_visible()
    screenshot(page, "projectgroup-import-preview")
    page.get_by_role("button", name="Importer toutes les lignes").click()
    expect(page.get_by_text("Import terminé")).to_be_visible()
    assert sorted(Actor.objects.values_list("name", flat=True)) == ["CS Ribérac", "Mission locale du Ribéracois"]
    assert Actor.objects.get(name="CS Ribérac").families == ["familles"]
    # The panorama now shows young people and families as represented.
    page.goto(reverse("projectgroup:panorama"))
    expect(page.get_by_text("8 publics pas encore représentés")).to_be_visible()
