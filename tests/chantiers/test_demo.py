"""The demo territory's chantiers clés workshop: built once, re-runnable, and step 4 reads as a référent expects."""

from __future__ import annotations

from chantiers.models import ChantierGroup, ChantierSheet, InventoryEntry, Priority
from demo.chantiers import build_chantiers_demo
from demo.data import build_demo
from roadmap.models import Chantier, Roadmap
from roadmap.steps import roadmap_steps


def test_the_demo_workshop_is_built_once_and_is_complete(db: None) -> None:
    build_demo()
    roadmap = Roadmap.objects.get(organization__name="CC Dronne et Belle")
    counts = (
        ChantierGroup.objects.count(),
        ChantierSheet.objects.count(),
        InventoryEntry.objects.count(),
        Chantier.objects.count(),
    )
    assert build_chantiers_demo(roadmap) == "Chantiers clés : déjà en place."
    build_demo()
    assert counts == (
        ChantierGroup.objects.count(),
        ChantierSheet.objects.count(),
        InventoryEntry.objects.count(),
        Chantier.objects.count(),
    )
    assert ChantierGroup.objects.filter(roadmap=roadmap).count() == roadmap.enjeux.count() == 3
    for group in ChantierGroup.objects.filter(roadmap=roadmap):
        assert group.validated_at is not None
        priorities = group.sheets.filter(priority=Priority.PRIORITAIRE).count()
        assert 1 <= priorities <= 2
        assert group.sheets.filter(priority=Priority.INCONNU).count() <= 1
    assert ChantierSheet.objects.filter(feasibility="vert").exists()
    assert InventoryEntry.objects.filter(roadmap=roadmap, kind="cartons").exists()
    step4 = roadmap_steps(roadmap)[4]
    assert "Chaque enjeu a ses chantiers prioritaires" in step4.done
