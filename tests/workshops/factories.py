"""Factories of the workshops app (found by the isolation harness through tests.factories.all_factories)."""

from __future__ import annotations

import factory
from factory.django import DjangoModelFactory

from tests.factories import OrganizationFactory, RoadmapFactory
from workshops.models import Item, MergeProposal, Participant, Placement, Workshop, WorkshopGroup


class WorkshopFactory(DjangoModelFactory[Workshop]):
    class Meta:
        model = Workshop

    organization = factory.SubFactory(OrganizationFactory)
    roadmap = factory.SubFactory(RoadmapFactory, organization=factory.SelfAttribute("..organization"))
    title = factory.Sequence(lambda n: f"Atelier dix ans {n}")
    question = "Comment imaginez-vous le numérique sur notre territoire dans 10 ans ?"


class WorkshopGroupFactory(DjangoModelFactory[WorkshopGroup]):
    class Meta:
        model = WorkshopGroup

    organization = factory.SubFactory(OrganizationFactory)
    workshop = factory.SubFactory(WorkshopFactory, organization=factory.SelfAttribute("..organization"))
    name = factory.Sequence(lambda n: f"Groupe {n}")


class ItemFactory(DjangoModelFactory[Item]):
    class Meta:
        model = Item

    organization = factory.SubFactory(OrganizationFactory)
    group = factory.SubFactory(WorkshopGroupFactory, organization=factory.SelfAttribute("..organization"))
    number = factory.Sequence(lambda n: n + 1)
    label = factory.Sequence(lambda n: f"Idée numéro {n}")


class ParticipantFactory(DjangoModelFactory[Participant]):
    class Meta:
        model = Participant

    organization = factory.SubFactory(OrganizationFactory)
    group = factory.SubFactory(WorkshopGroupFactory, organization=factory.SelfAttribute("..organization"))
    first_name = factory.Sequence(lambda n: f"Camille{n}")


class MergeProposalFactory(DjangoModelFactory[MergeProposal]):
    class Meta:
        model = MergeProposal

    organization = factory.SubFactory(OrganizationFactory)
    group = factory.SubFactory(WorkshopGroupFactory, organization=factory.SelfAttribute("..organization"))
    label = factory.Sequence(lambda n: f"Fusion {n}")


class PlacementFactory(DjangoModelFactory[Placement]):
    class Meta:
        model = Placement

    organization = factory.SubFactory(OrganizationFactory)
    item = factory.SubFactory(ItemFactory, organization=factory.SelfAttribute("..organization"))
    moment = Placement.Moment.AUJOURDHUI
    x = "moyen"
