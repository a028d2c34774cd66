"""Contacts from a file: everything or nothing, every faulty line named as the spreadsheet numbers it."""

from __future__ import annotations

import html
import io

import openpyxl
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from projectgroup.models import Actor, Contact
from tests.conftest import Tenant
from tests.projectgroup.factories import ActorFactory, ContactFactory

URL = reverse("projectgroup:contact_import")


def csv_file(text: str, name: str = "contacts.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


def xlsx_file(rows: list[list[object]], name: str = "contacts.xlsx") -> SimpleUploadedFile:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def post(client: Client, upload: SimpleUploadedFile) -> str:
    return html.unescape(client.post(URL, {"file": upload}, follow=True).content.decode())


def test_a_clean_file_imports_everyone_and_links_structures(tenant_a: Tenant, tenant_b: Tenant) -> None:
    ActorFactory(organization=tenant_a.organization, name="Médiathèque de Brantôme")
    ActorFactory(organization=tenant_b.organization, name="Centre social du Ribéracois")
    upload = csv_file(
        "Prénom;Nom;Structure;Fonction;Courriel;Téléphone;Accord\n"
        "Marie;Dupuy;mediatheque de brantome;Bibliothécaire;Marie.Dupuy@exemple.fr;05 53 00 00 01;oui\n"
        ";;;;;;\n"
        "Paul;Martin;Centre social du Ribéracois;Animateur;paul@exemple.fr;;non\n"
        "Lina;Roy;;;;;\n"
    )
    page = post(tenant_a.client_for(tenant_a.contributeur), upload)
    assert "3 contacts importés. 1 structure ajoutée à l'annuaire." in page
    marie = Contact.objects.get(full_name="Marie Dupuy")
    assert marie.actor is not None
    assert (marie.actor.name, marie.email, marie.consent, marie.consent_at is not None) == (
        "Médiathèque de Brantôme",  # the directory's structure, accents and case aside
        "marie.dupuy@exemple.fr",
        True,
        True,
    )
    paul = Contact.objects.get(full_name="Paul Martin")
    assert paul.actor is not None and paul.actor.organization == tenant_a.organization  # not B's structure
    assert not paul.consent and Actor.objects.filter(organization=tenant_a.organization).count() == 2
    assert Contact.objects.get(full_name="Lina Roy").actor is None


def test_one_faulty_line_and_nothing_is_imported_with_excel_line_numbers(tenant_a: Tenant) -> None:
    ContactFactory(organization=tenant_a.organization, full_name="Déjà Là", email="deja@exemple.fr")
    upload = xlsx_file(
        [
            ["Nom et prénom", "Structure", "Courriel", "Accord", "Ne plus contacter"],
            ["Marie Dupuy", "Nouvelle structure", "marie@exemple.fr", "oui", ""],  # line 2: fine
            [None, None, None, None, None],  # line 3: blank, left out but counted
            ["", "Mairie", "mairie@exemple.fr", "", ""],  # line 4: no name
            ["Jean Bon", "", "jean@", "", ""],  # line 5: bad address
            ["Ana Lys", "", "MARIE@exemple.fr", "peut-être", "non"],  # line 6: twice the address, bad « Accord »
            ["Léo Deux", "", "deja@exemple.fr", "", "oui"],  # line 7: already in the directory
        ]
    )
    page = post(tenant_a.client_for(tenant_a.contributeur), upload)
    assert "Rien n'a été importé" in page
    faults = page.split('data-testid="import-faults"')[1].split("</section>")[0]
    assert "Ligne 4\u00a0: le nom est vide." in faults
    assert "Ligne 5\u00a0: «\u00a0jean@\u00a0» n'est pas une adresse électronique valide." in faults
    assert "Ligne 6\u00a0: l'adresse «\u00a0marie@exemple.fr\u00a0» figure déjà ligne 2" in faults
    assert "écrivez «\u00a0oui\u00a0» ou «\u00a0non\u00a0» (et non «\u00a0peut-être\u00a0»)" in faults
    assert "Ligne 7\u00a0: «\u00a0deja@exemple.fr\u00a0» est déjà dans l'annuaire (Déjà Là)." in faults
    assert "Ligne 2" not in faults and "Ligne 3" not in faults
    assert Contact.objects.count() == 1 and not Actor.objects.filter(name="Nouvelle structure").exists()


def test_files_that_cannot_be_read(tenant_a: Tenant) -> None:
    client = tenant_a.client_for(tenant_a.admin)
    page = post(client, csv_file("Structure;Courriel\nMairie;mairie@exemple.fr\n"))
    assert "Aucune colonne ne donne le nom des personnes" in page
    assert "Format non reconnu" in post(client, csv_file("x", name="contacts.pdf"))
    assert "aucune ligne sous les noms de colonnes" in post(client, csv_file("Nom et prénom\n\n"))
    # A file full of faults: the first 50 lines named, the rest counted.
    page = post(client, csv_file("Nom et prénom;Courriel\n" + "Sans Courriel;pas-une-adresse\n" * 52))
    assert "Ligne 51\u00a0:" in page and "Ligne 52\u00a0:" not in page
    assert "… et 2 autres lignes en erreur." in page
    assert not Contact.objects.exists()


def test_who_may_import(tenant_a: Tenant, tenant_b: Tenant, outsider_client: Client) -> None:
    upload = "Nom et prénom\nMarie Dupuy\n"
    assert tenant_a.client_for(tenant_a.lecteur).post(URL, {"file": csv_file(upload)}).status_code == 403
    assert tenant_a.client_for(tenant_a.animateur).get(URL).status_code == 403
    assert outsider_client.get(tenant_a.url("projectgroup:contact_import")).status_code == 404
    post(tenant_b.client_for(tenant_b.admin), csv_file(upload))
    assert Contact.objects.get().organization == tenant_b.organization
    contacts = html.unescape(
        tenant_a.client_for(tenant_a.admin).get(reverse("projectgroup:contact_list")).content.decode()
    )
    assert "Marie Dupuy" not in contacts and "Importer des contacts (CSV, Excel)" in contacts
