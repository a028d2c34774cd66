"""Factories of steps 1 and 2 (found by tests.factories.all_factories for the isolation walk)."""

from __future__ import annotations

import datetime

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from projectgroup.models import (
    Actor,
    ActorImport,
    AgendaItem,
    Attendance,
    Contact,
    DefinitionVersion,
    GroupMember,
    Mandate,
    Meeting,
    MeetingInvitation,
    Milestone,
    Objective,
)
from tests.factories import OrganizationFactory, RoadmapFactory


class ActorFactory(DjangoModelFactory[Actor]):
    class Meta:
        model = Actor

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Structure numéro {n}")
    kind = "association"


class ContactFactory(DjangoModelFactory[Contact]):
    class Meta:
        model = Contact

    organization = factory.SubFactory(OrganizationFactory)
    actor = factory.SubFactory(ActorFactory, organization=factory.SelfAttribute("..organization"))
    full_name = factory.Sequence(lambda n: f"Camille Contact{n}")
    email = factory.Sequence(lambda n: f"contact{n}@exemple.fr")
    consent = True


class ActorImportFactory(DjangoModelFactory[ActorImport]):
    class Meta:
        model = ActorImport

    organization = factory.SubFactory(OrganizationFactory)
    filename = factory.Sequence(lambda n: f"structures-{n}.csv")
    headers = factory.LazyFunction(lambda: ["nom", "siret"])
    rows = factory.LazyFunction(lambda: [["Centre social des Tilleuls", ""]])
    mapping = factory.LazyFunction(lambda: {"name": "nom", "siret": "siret"})


class MandateFactory(DjangoModelFactory[Mandate]):
    class Meta:
        model = Mandate

    roadmap = factory.SubFactory(RoadmapFactory)
    organization = factory.SelfAttribute("roadmap.organization")
    text = factory.Sequence(lambda n: f"Mandat confié numéro {n}")


class ObjectiveFactory(DjangoModelFactory[Objective]):
    class Meta:
        model = Objective

    roadmap = factory.SubFactory(RoadmapFactory)
    organization = factory.SelfAttribute("roadmap.organization")
    text = factory.Sequence(lambda n: f"Objectif atteint numéro {n}")


class GroupMemberFactory(DjangoModelFactory[GroupMember]):
    class Meta:
        model = GroupMember

    roadmap = factory.SubFactory(RoadmapFactory)
    organization = factory.SelfAttribute("roadmap.organization")
    contact = factory.SubFactory(ContactFactory, organization=factory.SelfAttribute("..organization"))
    role = "membre"


class MilestoneFactory(DjangoModelFactory[Milestone]):
    class Meta:
        model = Milestone

    roadmap = factory.SubFactory(RoadmapFactory)
    organization = factory.SelfAttribute("roadmap.organization")
    title = factory.Sequence(lambda n: f"Jalon numéro {n}")
    planned_start = factory.LazyFunction(lambda: timezone.localdate())
    planned_end = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=30))


class MeetingFactory(DjangoModelFactory[Meeting]):
    class Meta:
        model = Meeting

    roadmap = factory.SubFactory(RoadmapFactory)
    organization = factory.SelfAttribute("roadmap.organization")
    title = factory.Sequence(lambda n: f"Réunion numéro {n}")
    starts_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=7))
    place = "Salle du conseil"


class AgendaItemFactory(DjangoModelFactory[AgendaItem]):
    class Meta:
        model = AgendaItem

    organization = factory.SubFactory(OrganizationFactory)
    meeting = factory.SubFactory(MeetingFactory, roadmap__organization=factory.SelfAttribute("...organization"))
    title = factory.Sequence(lambda n: f"Point à l'ordre du jour {n}")
    duration = 20


class MeetingInvitationFactory(DjangoModelFactory[MeetingInvitation]):
    class Meta:
        model = MeetingInvitation

    organization = factory.SubFactory(OrganizationFactory)
    meeting = factory.SubFactory(MeetingFactory, roadmap__organization=factory.SelfAttribute("...organization"))
    contact = factory.SubFactory(ContactFactory, organization=factory.SelfAttribute("..organization"))


class AttendanceFactory(DjangoModelFactory[Attendance]):
    class Meta:
        model = Attendance

    organization = factory.SubFactory(OrganizationFactory)
    meeting = factory.SubFactory(MeetingFactory, roadmap__organization=factory.SelfAttribute("...organization"))
    name = factory.Sequence(lambda n: f"Dominique Présent{n}")


class DefinitionVersionFactory(DjangoModelFactory[DefinitionVersion]):
    class Meta:
        model = DefinitionVersion

    roadmap = factory.SubFactory(RoadmapFactory)
    organization = factory.SelfAttribute("roadmap.organization")
    number = factory.Sequence(lambda n: n + 1)
    text = factory.Sequence(lambda n: f"L'inclusion numérique, version de travail {n}")
