"""The demo's resource maps (demo/resourcemaps.py): one per chantier, built once, re-runnable, drawn and exported."""

from __future__ import annotations

from demo.resourcemaps import build_resourcemaps_demo
from resourcemaps.kumu import kumu_sheets
from resourcemaps.models import HandoverNote, Resource, RotationSession
from resourcemaps.svg import map_svg
from roadmap.models import Chantier
from tests.conftest import Tenant
from tests.factories import ChantierFactory
from tests.projectgroup.factories import ActorFactory


def test_the_demo_maps_every_chantier_once(tenant_a: Tenant, tenant_b: Tenant) -> None:
    roadmap = tenant_a.roadmap
    chantiers: list[Chantier] = [ChantierFactory.create(roadmap=roadmap) for _ in range(5)]
    other: Chantier = ChantierFactory(roadmap=tenant_b.roadmap)
    ActorFactory(organization=tenant_a.organization, name="Médiathèque de Brantôme")
    assert build_resourcemaps_demo(roadmap) == "Cartographies des ressources : 29 ressources ajoutées (5 chantiers)."
    counts = (Resource.objects.count(), RotationSession.objects.count(), HandoverNote.objects.count())
    # The second run adds nothing (« 0 ressource ajoutée » once the lead's catalogue has the French plural).
    assert build_resourcemaps_demo(roadmap).startswith("Cartographies des ressources : 0 ressource")
    assert counts == (Resource.objects.count(), RotationSession.objects.count(), HandoverNote.objects.count())
    for chantier in chantiers:
        resources = list(Resource.objects.of_map(chantier))
        assert resources and all(r.organization_id == roadmap.organization_id for r in resources)
    assert not Resource.objects.filter(chantier=other).exists()
    first = chantiers[0]
    assert set(Resource.objects.filter(chantier=first).values_list("link", flat=True)) == {"none", "dotted", "solid"}
    # The directory's actor is linked, not duplicated; the missing ones are added to the directory.
    assert Resource.objects.filter(chantier=first, actor__name="Médiathèque de Brantôme").count() == 1
    assert tenant_a.organization.actors.filter(name="Médiathèque de Brantôme").count() == 1
    assert "Médiathèque de Brantôme" in map_svg(first)
    elements = kumu_sheets(first, list(Resource.objects.of_map(first)))["elements.csv"].decode()
    assert "Caisse d'allocations familiales" in elements
    session = RotationSession.objects.get(roadmap=roadmap)
    assert (session.status, session.tables.count()) == ("finished", 3)
    assert HandoverNote.objects.filter(table__session=session).count() == 2
