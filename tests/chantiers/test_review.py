"""Step 4 under review: the resource map inside each fiche chantier (page and PDF), the organisation of every row
checked against its parents', a refused priority coming back as typed, and the priorities' lock under two scribes
at once."""

from __future__ import annotations

import re
import subprocess
import threading
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from chantiers import actions
from chantiers.models import ChantierGroup, ChantierSheet, InventoryEntry, Priority, SheetPerson
from documents import exporters
from documents.pdf import no_progress
from projectgroup.models import Actor
from resourcemaps import actions as map_actions
from resourcemaps.models import Resource, RotationSession, RotationTable
from roadmap.models import Action, Chantier, Enjeu
from tests.conftest import Tenant
from tests.factories import ChantierFactory, EnjeuFactory
from tests.resourcemaps.factories import ResourceFactory

OUT = Path(__file__).resolve().parents[2] / "var" / "test-artifacts" / "chantiers"


# --- The resource map in the fiche chantier -------------------------------------------------------------------------


def test_the_sheet_page_shows_the_chantiers_resource_map(tenant_a: Tenant, group_a: ChantierGroup) -> None:
    mapped = actions.create_sheet(group_a, "Bus numérique")
    ResourceFactory(organization=tenant_a.organization, chantier=mapped.chantier, label="Fablab du Périgord")
    bare = actions.create_sheet(group_a, "Services à domicile")
    client = tenant_a.client_for(tenant_a.lecteur)

    html = client.get(reverse("chantiers:sheet", kwargs={"chantier_pk": mapped.chantier_id})).content.decode()
    figure = html.split('data-testid="sheet-map"', 1)[1]
    assert "<svg" in figure and "Fablab du Périgord" in figure and "link-dotted" in figure

    html = client.get(reverse("chantiers:sheet", kwargs={"chantier_pk": bare.chantier_id})).content.decode()
    figure = html.split('data-testid="sheet-map"', 1)[1]
    assert "<svg" not in figure and "n'a encore aucune ressource" in figure


def test_the_pdf_has_each_chantiers_resource_map_after_its_fiche(tenant_a: Tenant, group_a: ChantierGroup) -> None:
    mapped = actions.create_sheet(group_a, "Bus numérique")
    ResourceFactory(organization=tenant_a.organization, chantier=mapped.chantier, label="Fablab du Périgord")
    ResourceFactory(
        organization=tenant_a.organization, chantier=mapped.chantier, label="Caisse des allocations", link="solid"
    )
    actions.create_sheet(group_a, "Services à domicile")  # no map: no map page

    exporter = exporters.get("chantiers_synthesis_pdf")
    rendered = exporter.render(exporter.load(tenant_a.organization.pk, tenant_a.roadmap.pk), no_progress)
    OUT.mkdir(parents=True, exist_ok=True)
    pdf = OUT / "chantiers-with-maps.pdf"
    pdf.write_bytes(rendered.content)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    pages = text.split("\f")
    assert rendered.pages == 4  # the table, the two fiches, one map
    map_pages = [i for i, page in enumerate(pages) if "Cartographie des ressources · Bus numérique" in page]
    assert len(map_pages) == 1
    index = map_pages[0]
    assert "Fiche chantier · Bus numérique" in pages[index - 1]  # right after its fiche
    assert "Fablab du Périgord" in pages[index] and "Caisse des allocations" in pages[index]
    assert not any("Cartographie des ressources · Services à domicile" in page for page in pages)
    subprocess.run(["pdftoppm", "-png", "-r", "50", str(pdf), str(OUT / "chantiers-with-maps")], check=True)


# --- Every row in its parents' organisation -------------------------------------------------------------------------


def test_a_row_cannot_join_a_parent_of_another_organisation(
    tenant_a: Tenant, tenant_b: Tenant, group_a: ChantierGroup
) -> None:
    chantier_b: Chantier = ChantierFactory(roadmap=tenant_b.roadmap, defi=None)
    enjeu_b: Enjeu = EnjeuFactory(roadmap=tenant_b.roadmap)
    actor_b = Actor.objects.create(organization=tenant_b.organization, name="Structure de Bêta")
    sheet_a = actions.create_sheet(group_a, "Chantier d'Alpha")
    refused = [
        # A's fiche for B's chantier, and a fiche of B's chantier put in A's group.
        lambda: ChantierSheet.objects.create(organization=tenant_a.organization, chantier=chantier_b),
        lambda: ChantierSheet.objects.create(organization=tenant_b.organization, chantier=chantier_b, group=group_a),
        lambda: SheetPerson.objects.create(
            organization=tenant_a.organization, sheet=sheet_a, role="pilote", actor=actor_b
        ),
        lambda: InventoryEntry.objects.create(
            organization=tenant_a.organization, roadmap=tenant_a.roadmap, enjeu=enjeu_b, title="x"
        ),
        lambda: ChantierGroup.objects.create(
            organization=tenant_a.organization, roadmap=tenant_a.roadmap, enjeu=enjeu_b
        ),
        lambda: Resource.objects.create(
            organization=tenant_a.organization, chantier=sheet_a.chantier, nature="humaine", actor=actor_b
        ),
        lambda: Resource.objects.create(organization=tenant_a.organization, chantier=chantier_b, nature="humaine"),
        lambda: RotationSession.objects.create(organization=tenant_a.organization, roadmap=tenant_b.roadmap),
    ]
    for attempt in refused:
        with pytest.raises(ValidationError, match="autre organisation"):
            attempt()
    session_a = RotationSession.objects.create(organization=tenant_a.organization, roadmap=tenant_a.roadmap)
    with pytest.raises(ValidationError):
        RotationTable.objects.create(organization=tenant_a.organization, session=session_a, chantier=chantier_b)
    with pytest.raises(map_actions.Refused):
        map_actions.create_session(
            RotationSession(organization=tenant_a.organization, roadmap=tenant_a.roadmap), [chantier_b]
        )
    assert not SheetPerson.objects.exists() and not Resource.objects.exists()
    assert RotationSession.objects.count() == 1 and not RotationTable.objects.exists()


def test_save_sheet_refuses_another_organisations_people_even_without_the_form(
    tenant_a: Tenant, tenant_b: Tenant, group_a: ChantierGroup, directory_a: dict[str, Any]
) -> None:
    actor_b = Actor.objects.create(organization=tenant_b.organization, name="Structure de Bêta")
    sheet = actions.create_sheet(group_a, "Chantier d'Alpha")
    content = actions.SheetContent(
        title="Chantier d'Alpha",
        team="",
        success="Réussi",
        free_actions="",
        resources_available="",
        resources_needed="",
        blockers="",
        feasibility="orange",
        actions=[],
        people=[("pilote", directory_a["mairie"]), ("operateur", actor_b)],
    )
    with pytest.raises(actions.Refused):
        actions.save_sheet(sheet, content)
    saved = ChantierSheet.objects.get(pk=sheet.pk)
    assert saved.success == "" and not saved.people.exists()


# --- Locks ----------------------------------------------------------------------------------------------------------


def test_every_write_locks_the_group_before_the_sheet(tenant_a: Tenant, group_a: ChantierGroup) -> None:
    """set_priority locks group then sheet; save_sheet and promote_free_actions must take the same order, or two
    scribes saving at once could each hold the lock the other waits for."""
    sheet = actions.create_sheet(group_a, "Chantier")
    ChantierSheet.objects.filter(pk=sheet.pk).update(free_actions="Une action")
    content = actions.SheetContent("Chantier", "", "", "", "", "", "", "blanc", [], [])
    for write in (
        lambda: actions.promote_free_actions(sheet),
        lambda: actions.save_sheet(sheet, content),
        lambda: actions.set_priority(sheet, "", "", tenant_a.animateur),
    ):
        with CaptureQueriesContext(connection) as queries:
            write()
        locks = [q["sql"] for q in queries if "FOR UPDATE" in q["sql"]]
        assert locks, "no row lock taken"
        assert '"chantiers_chantiergroup"' in locks[0].split("FROM", 1)[1].split("WHERE")[0]
        assert any('"chantiers_chantiersheet"' in sql.split("FROM", 1)[1].split("WHERE")[0] for sql in locks[1:])


@pytest.mark.django_db(transaction=True)
def test_two_scribes_choosing_a_priority_at_once_cannot_make_three(tenant_a: Tenant) -> None:
    EnjeuFactory(roadmap=tenant_a.roadmap, question="Comment se déplacer sans voiture ?")
    group = actions.ensure_groups(tenant_a.roadmap)[0]
    sheets = [actions.create_sheet(group, f"Chantier {n}") for n in range(3)]
    actions.validate_group(group, tenant_a.animateur)
    actions.set_priority(sheets[0], Priority.PRIORITAIRE, "Déjà choisi", tenant_a.animateur)

    start = threading.Barrier(2)
    outcomes: list[str] = []

    def choose(sheet: ChantierSheet) -> None:
        try:
            start.wait()
            actions.set_priority(sheet, Priority.PRIORITAIRE, "En même temps", tenant_a.animateur)
            outcomes.append("saved")
        except actions.Refused:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=choose, args=(sheet,)) for sheet in sheets[1:]]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["refused", "saved"]
    assert ChantierSheet.objects.filter(group=group, priority=Priority.PRIORITAIRE).count() == 2


def test_another_organisations_action_cannot_be_combined_in_a_fiche(
    tenant_a: Tenant, tenant_b: Tenant, group_a: ChantierGroup
) -> None:
    chantier_b: Chantier = ChantierFactory(roadmap=tenant_b.roadmap, defi=None)
    action_b = Action.objects.create(
        organization=tenant_b.organization, roadmap=tenant_b.roadmap, chantier=chantier_b, title="Action de Bêta"
    )
    sheet = actions.create_sheet(group_a, "Chantier d'Alpha")
    response = tenant_a.client_for(tenant_a.animateur).post(
        reverse("chantiers:sheet_edit", kwargs={"chantier_pk": sheet.chantier_id}),
        {"title": "Chantier d'Alpha", "feasibility": "orange", "success": "Tapé", "actions": [action_b.pk]},
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert "Action de Bêta" not in html
    assert "Tapé</textarea>" in html  # what was typed comes back
    saved = ChantierSheet.objects.get(pk=sheet.pk)
    assert saved.feasibility == "blanc" and not saved.actions.exists()


def test_an_import_cannot_reach_another_organisations_enjeu(
    tenant_a: Tenant, tenant_b: Tenant, group_a: ChantierGroup
) -> None:
    enjeu_b: Enjeu = EnjeuFactory(roadmap=tenant_b.roadmap, question="Comment aider les voisins de Bêta ?")
    upload = SimpleUploadedFile(
        "inventaire.csv", f"enjeu;état;intitulé\n{enjeu_b.question};existant;Intrusion\n".encode(), "text/csv"
    )
    response = tenant_a.client_for(tenant_a.animateur).post(
        reverse("chantiers:inventory_import", kwargs={"roadmap_pk": tenant_a.roadmap.pk}), {"file": upload}, follow=True
    )
    assert "Rien n&#x27;a été importé" in response.content.decode()
    assert not InventoryEntry.objects.exists()
    # Nor with B's roadmap in A's address.
    other = tenant_a.client_for(tenant_a.animateur).post(
        reverse("chantiers:inventory_import", kwargs={"roadmap_pk": tenant_b.roadmap.pk}), {"file": upload}
    )
    assert other.status_code == 404


def test_a_handover_note_sent_just_after_the_session_finished_is_kept(tenant_a: Tenant) -> None:
    """The keeper types the last note while the animator presses « Terminer »: the note is not lost."""
    chantier: Chantier = ChantierFactory(roadmap=tenant_a.roadmap, defi=None, title="Mobilité des jeunes")
    session = RotationSession.objects.create(organization=tenant_a.organization, roadmap=tenant_a.roadmap)
    map_actions.create_session(session, [chantier])
    table = RotationTable.objects.get(session=session)
    client = tenant_a.client_for(tenant_a.animateur)
    action_url = reverse("resourcemaps:rotation_action", kwargs={"rotationsession_pk": session.pk})
    client.post(action_url, {"action": "start"})
    client.post(action_url, {"action": "finish"})
    response = client.post(
        reverse("resourcemaps:rotation_note", kwargs={"rotationtable_pk": table.pk}),
        {f"t{table.pk}-text": "Le minibus du CIAS est libre le mercredi."},
        follow=True,
    )
    assert "Le minibus du CIAS est libre le mercredi." in response.content.decode()  # in the session's history
    assert table.notes.get().round == 1


def test_the_database_refuses_a_second_unknown_desirable_in_a_group(tenant_a: Tenant, group_a: ChantierGroup) -> None:
    first, second = (actions.create_sheet(group_a, f"Chantier {n}") for n in range(2))
    ChantierSheet.objects.filter(pk=first.pk).update(priority=Priority.INCONNU)
    with pytest.raises(IntegrityError), transaction.atomic():
        ChantierSheet.objects.filter(pk=second.pk).update(priority=Priority.INCONNU)
    assert ChantierSheet.objects.filter(priority=Priority.INCONNU).count() == 1


def test_a_fiche_saved_meanwhile_from_another_laptop_is_not_overwritten_and_nothing_typed_is_lost(
    tenant_a: Tenant, group_a: ChantierGroup
) -> None:
    sheet = actions.create_sheet(group_a, "Bus numérique")
    url = reverse("chantiers:sheet_edit", kwargs={"chantier_pk": sheet.chantier_id})
    scribe = tenant_a.client_for(tenant_a.animateur)
    opened = re.search(r'name="seen" value="([^"]+)"', scribe.get(url).content.decode())
    assert opened
    # The other scribe of the trio saves first.
    other = ChantierSheet.objects.with_people().get(pk=sheet.pk)
    actions.save_sheet(
        other,
        actions.SheetContent(
            "Bus numérique", "", "Version de Karim", "", "", "", "", "orange", [], [], other.seen_token
        ),
    )
    typed = {"seen": opened.group(1), "title": "Bus numérique", "feasibility": "rouge", "success": "Version d'Anne"}
    response = scribe.post(url, typed)
    assert response.status_code == 422
    html = response.content.decode()
    assert "enregistrée depuis un autre poste" in html and "Version d&#x27;Anne</textarea>" in html
    assert ChantierSheet.objects.get(pk=sheet.pk).success == "Version de Karim"
    # Sent again from the page she now has, knowingly: her version is saved.
    again = re.search(r'name="seen" value="([^"]+)"', html)
    assert again and again.group(1) != opened.group(1)
    assert scribe.post(url, typed | {"seen": again.group(1)}).status_code == 302
    assert ChantierSheet.objects.get(pk=sheet.pk).success == "Version d'Anne"
