"""Factories of the resource maps (found by tests.factories.all_factories for the isolation walk)."""

from __future__ import annotations

import factory
from factory.django import DjangoModelFactory

from resourcemaps.models import HandoverNote, Resource, RotationSession, RotationTable
from tests.factories import ChantierFactory, OrganizationFactory, RoadmapFactory


class ResourceFactory(DjangoModelFactory[Resource]):
    class Meta:
        model = Resource

    organization = factory.SubFactory(OrganizationFactory)
    chantier = factory.LazyAttribute(lambda o: ChantierFactory(roadmap=RoadmapFactory(organization=o.organization)))
    nature = "humaine"
    label = factory.Sequence(lambda n: f"Ressource numéro {n}")
    link = "dotted"


class RotationSessionFactory(DjangoModelFactory[RotationSession]):
    class Meta:
        model = RotationSession

    organization = factory.SubFactory(OrganizationFactory)
    roadmap = factory.SubFactory(RoadmapFactory, organization=factory.SelfAttribute("..organization"))
    title = factory.Sequence(lambda n: f"Séance de rotation {n}")


class RotationTableFactory(DjangoModelFactory[RotationTable]):
    class Meta:
        model = RotationTable

    organization = factory.SubFactory(OrganizationFactory)
    session = factory.SubFactory(RotationSessionFactory, organization=factory.SelfAttribute("..organization"))
    chantier = factory.LazyAttribute(lambda o: ChantierFactory(roadmap=o.session.roadmap))


class HandoverNoteFactory(DjangoModelFactory[HandoverNote]):
    class Meta:
        model = HandoverNote

    organization = factory.SubFactory(OrganizationFactory)
    table = factory.SubFactory(RotationTableFactory, organization=factory.SelfAttribute("..organization"))
    round = 1
    text = "Nous avons listé les financeurs possibles."
