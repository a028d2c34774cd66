"""The inventory before the workshop: entered or imported (CSV, XLSX) with every line checked, nothing half-saved;
inspiring experiences linked to the enjeu shown beside it."""

from __future__ import annotations

import io

import openpyxl
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from chantiers.models import InventoryEntry
from inspiration.models import Experience, Inspiration
from roadmap.models import Chantier, Enjeu
from tests.conftest import Tenant
from tests.factories import ChantierFactory, EnjeuFactory


def _csv(text: str, name: str = "inventaire.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


def _import(tenant: Tenant, upload: SimpleUploadedFile, user: object = None) -> object:
    client = tenant.client_for(user or tenant.animateur)
    url = reverse("chantiers:inventory_import", kwargs={"roadmap_pk": tenant.roadmap.pk})
    return client.post(url, {"file": upload}, follow=True)


def test_a_csv_inventory_is_imported_per_enjeu(tenant_a: Tenant, enjeu_a: Enjeu) -> None:
    second = EnjeuFactory(roadmap=tenant_a.roadmap, question="Comment former les agents d'accueil ?")
    text = (
        "enjeu;état;intitulé;porté par;description\n"
        f"{enjeu_a.ref};existant;Ateliers seniors;Centre social;Le mardi\n"
        f"{second.question};dans les cartons;Formation des agents;CDG 24;\n"
        f"{second.ref};prévu;Guide d'accueil;;\n"
    )
    response = _import(tenant_a, _csv(text))
    assert "3 lignes importées." in response.content.decode()
    entries = InventoryEntry.objects.filter(organization=tenant_a.organization)
    assert entries.count() == 3
    assert entries.get(title="Formation des agents").enjeu == second
    assert entries.get(title="Guide d'accueil").kind == "cartons"
    page = tenant_a.client_for(tenant_a.lecteur).get(
        reverse("chantiers:inventory", kwargs={"roadmap_pk": tenant_a.roadmap.pk})
    )
    html = page.content.decode()
    assert "Ateliers seniors" in html and "Formation des agents" in html
    assert "Importer" not in html  # a lecteur sees, changes nothing


def test_one_bad_line_refuses_the_whole_file_with_each_line_named(tenant_a: Tenant, enjeu_a: Enjeu) -> None:
    text = (
        "enjeu,état,intitulé\n"
        f"{enjeu_a.ref},existant,Ateliers seniors\n"
        "E9,existant,Action d'un enjeu inconnu\n"
        f"{enjeu_a.ref},peut-être,\n"
    )
    response = _import(tenant_a, _csv(text))
    html = response.content.decode()
    assert "Rien n&#x27;a été importé" in html
    assert "Ligne 3 : l&#x27;enjeu « E9 » n&#x27;existe pas" in html
    assert "Ligne 4 : l&#x27;état « peut-être » n&#x27;est pas reconnu" in html
    assert "l&#x27;intitulé est vide" in html
    assert not InventoryEntry.objects.exists()  # not even the good first line


def test_missing_columns_and_wrong_formats_are_explained(tenant_a: Tenant, enjeu_a: Enjeu) -> None:
    html = _import(tenant_a, _csv("titre;porteur\nAteliers;Mairie\n")).content.decode()
    assert "Colonnes manquantes : enjeu, état" in html
    html = _import(tenant_a, SimpleUploadedFile("inventaire.pdf", b"%PDF-1.4")).content.decode()
    assert "envoyez un fichier CSV ou XLSX" in html
    html = _import(tenant_a, SimpleUploadedFile("inventaire.xlsx", b"pas un classeur")).content.decode()
    assert "Ce fichier Excel ne peut pas être lu" in html
    assert not InventoryEntry.objects.exists()


def test_an_xlsx_inventory_is_imported(tenant_a: Tenant, enjeu_a: Enjeu) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Enjeu", "Etat", "Intitulé", "Porté par"])
    sheet.append([1, "Existant", "Point numérique de la médiathèque", "Médiathèque"])
    data = io.BytesIO()
    book.save(data)
    upload = SimpleUploadedFile("inventaire.xlsx", data.getvalue())
    assert "1 ligne importée." in _import(tenant_a, upload).content.decode()
    assert InventoryEntry.objects.get().enjeu == enjeu_a


def test_the_import_and_the_entry_form_are_for_workshop_runners(tenant_a: Tenant, enjeu_a: Enjeu) -> None:
    text = f"enjeu;état;intitulé\n{enjeu_a.ref};existant;Ateliers\n"
    assert _import(tenant_a, _csv(text), tenant_a.lecteur).status_code == 403
    url = reverse("chantiers:inventory", kwargs={"roadmap_pk": tenant_a.roadmap.pk})
    data = {"enjeu": enjeu_a.pk, "kind": "cartons", "title": "Tiers-lieu à Verteillac"}
    assert tenant_a.client_for(tenant_a.lecteur).post(url, data).status_code == 403
    assert not InventoryEntry.objects.exists()
    assert tenant_a.client_for(tenant_a.animateur).post(url, data).status_code == 302
    assert InventoryEntry.objects.get().title == "Tiers-lieu à Verteillac"


def test_an_enjeu_of_another_roadmap_cannot_be_picked(tenant_a: Tenant, tenant_b: Tenant, enjeu_a: Enjeu) -> None:
    enjeu_b = EnjeuFactory(roadmap=tenant_b.roadmap)
    url = reverse("chantiers:inventory", kwargs={"roadmap_pk": tenant_a.roadmap.pk})
    response = tenant_a.client_for(tenant_a.admin).post(url, {"enjeu": enjeu_b.pk, "kind": "existant", "title": "X"})
    assert response.status_code == 200
    assert "Sélectionnez un choix valide" in response.content.decode()
    assert not InventoryEntry.objects.exists()


def test_inspiring_experiences_linked_to_the_enjeu_are_shown(
    tenant_a: Tenant, tenant_b: Tenant, enjeu_a: Enjeu
) -> None:
    own = Experience.objects.create(
        organization=tenant_a.organization,
        title="Le bus numérique du Périgord",
        territory_name="Nontron",
        description=".",
    )
    own.enjeux.add(enjeu_a)
    elsewhere = Experience.objects.create(  # drawn on from the commons: published
        organization=tenant_b.organization,
        title="Cafés numériques de Bretagne",
        territory_name="Lannion",
        description=".",
        published_at=timezone.now(),
    )
    chantier: Chantier = ChantierFactory(roadmap=tenant_a.roadmap, defi=None)
    chantier.enjeux.add(enjeu_a)
    Inspiration.objects.create(
        organization=tenant_a.organization, experience=elsewhere, roadmap=tenant_a.roadmap, chantier=chantier
    )
    Experience.objects.create(
        organization=tenant_a.organization, title="Expérience sans enjeu", territory_name="Thiviers", description="."
    )
    html = (
        tenant_a.client_for(tenant_a.lecteur)
        .get(reverse("chantiers:inventory", kwargs={"roadmap_pk": tenant_a.roadmap.pk}))
        .content.decode()
    )
    assert "Le bus numérique du Périgord" in html
    assert "Cafés numériques de Bretagne" in html
    assert "Expérience sans enjeu" not in html
    printed = (
        tenant_a.client_for(tenant_a.lecteur)
        .get(reverse("chantiers:inventory_print", kwargs={"roadmap_pk": tenant_a.roadmap.pk}))
        .content.decode()
    )
    assert "Le bus numérique du Périgord" in printed and "data-print" in printed
