"""The step's document through the document engine: the table of chantiers by enjeu, then one fiche per chantier."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

from chantiers import actions
from chantiers.models import ChantierGroup, Feasibility, Priority
from documents import exporters
from documents.pdf import no_progress
from tests.conftest import Tenant
from tests.factories import EnjeuFactory

OUT = Path(__file__).resolve().parents[2] / "var" / "test-artifacts" / "chantiers"


def test_the_pdf_has_the_table_and_one_page_per_chantier(
    tenant_a: Tenant, group_a: ChantierGroup, directory_a: dict[str, Any]
) -> None:
    EnjeuFactory(roadmap=tenant_a.roadmap, question="Comment former les agents d'accueil ?")
    groups = actions.ensure_groups(tenant_a.roadmap)
    bus = actions.create_sheet(group_a, "Bus numérique itinérant", "Anne, Karim")
    actions.save_sheet(
        bus,
        actions.SheetContent(
            title="Bus numérique itinérant",
            team="Anne, Karim",
            success="Si chaque bourg reçoit le bus deux fois par mois.",
            free_actions="Tournée hebdomadaire\nPermanences en mairie",
            resources_available="Véhicule de la communauté de communes",
            resources_needed="Un second conseiller numérique",
            blockers="",
            feasibility=Feasibility.VERT,
            actions=[],
            people=[
                ("pilote", directory_a["mairie"]),
                ("operateur", directory_a["france_services"]),
                ("associe", directory_a["anne"]),
            ],
        ),
    )
    actions.create_sheet(group_a, "Services à domicile")
    actions.validate_group(group_a, tenant_a.animateur)
    actions.set_priority(bus, Priority.PRIORITAIRE, "Attendu partout", tenant_a.animateur)
    other = next(g for g in groups if g.pk != group_a.pk)
    actions.create_sheet(other, "Formation des agents d'accueil")

    exporter = exporters.get("chantiers_synthesis_pdf")
    rendered = exporter.render(exporter.load(tenant_a.organization.pk, tenant_a.roadmap.pk), no_progress)
    OUT.mkdir(parents=True, exist_ok=True)
    pdf = OUT / "chantiers.pdf"
    pdf.write_bytes(rendered.content)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert rendered.pages == 4  # the table, then three fiches
    table, *sheets = text.split("\f")[:4]
    assert "Chantiers clés par enjeu" in table
    assert "E1 · Comment accompagner les seniors isolés ?" in table  # pdftotext: plain spaces
    assert "Bus numérique itinérant" in table and "(Vert)" in table and "★ Prioritaire" in table
    assert "Formation des agents d'accueil" in table
    assert "exécutable à court terme" in table  # the legend's meaning
    bus_page = next(s for s in sheets if "Fiche chantier · Bus numérique itinérant" in s)
    for expected in [
        "Si chaque bourg reçoit le bus deux fois par mois.",
        "Mairie de Ribérac",
        "France Services du Ribéracois",
        "Anne Pradier (Centre social La Source)",
        "Tournée hebdomadaire",
        "Un second conseiller numérique",
        "Attendu partout",
    ]:
        assert expected in bus_page, expected
    if shutil.which("pdftoppm"):
        subprocess.run(["pdftoppm", "-png", "-r", "50", str(pdf), str(OUT / "chantiers")], check=True)
