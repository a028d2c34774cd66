"""Factories of the chantiers app (found by the isolation harness through tests.factories.all_factories)."""

from __future__ import annotations

import factory
from factory.django import DjangoModelFactory

from chantiers.models import ChantierGroup, ChantierSheet, InventoryEntry
from tests.factories import ChantierFactory, EnjeuFactory, RoadmapFactory


class ChantierGroupFactory(DjangoModelFactory[ChantierGroup]):
    class Meta:
        model = ChantierGroup

    roadmap = factory.SubFactory(RoadmapFactory)
    organization = factory.SelfAttribute("roadmap.organization")
    enjeu = factory.SubFactory(EnjeuFactory, roadmap=factory.SelfAttribute("..roadmap"))


class ChantierSheetFactory(DjangoModelFactory[ChantierSheet]):
    class Meta:
        model = ChantierSheet

    group = factory.SubFactory(ChantierGroupFactory)
    organization = factory.SelfAttribute("group.organization")
    chantier = factory.SubFactory(
        ChantierFactory, roadmap=factory.SelfAttribute("..group.roadmap"), defi=None, title="Chantier de la fiche"
    )

    @factory.post_generation
    def answers_enjeu(self, create: bool, extracted: object, **kwargs: object) -> None:
        if create and self.group_id:
            self.chantier.enjeux.add(self.group.enjeu)


class InventoryEntryFactory(DjangoModelFactory[InventoryEntry]):
    class Meta:
        model = InventoryEntry

    roadmap = factory.SubFactory(RoadmapFactory)
    organization = factory.SelfAttribute("roadmap.organization")
    enjeu = factory.SubFactory(EnjeuFactory, roadmap=factory.SelfAttribute("..roadmap"))
    kind = "existant"
    title = factory.Sequence(lambda n: f"Action existante {n}")
