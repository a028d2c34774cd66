"""Factories of step 5; found by tests/factories.py `all_factories()` (and so by the isolation walk)."""

from __future__ import annotations

import factory
from django.core.files.base import ContentFile
from django.utils import timezone
from factory.django import DjangoModelFactory

from inspiration.models import (
    Experience,
    ExperienceDocument,
    Inspiration,
    Recueil,
    Report,
    SiteVisit,
    VisitFeedback,
)
from projectgroup.models import Meeting, MeetingKind
from roadmap.models import Roadmap
from tests.factories import ChantierFactory, OrganizationFactory, RoadmapFactory

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


class ExperienceFactory(DjangoModelFactory[Experience]):
    """A private experience (the default): another organisation must not see it."""

    class Meta:
        model = Experience

    organization = factory.SubFactory(OrganizationFactory)
    title = factory.Sequence(lambda n: f"Expérience inspirante {n}")
    territory_name = "Sud Charente"
    description = "Un bus numérique fait des permanences sur les marchés des villages."


class ExperienceDocumentFactory(DjangoModelFactory[ExperienceDocument]):
    class Meta:
        model = ExperienceDocument

    organization = factory.SubFactory(OrganizationFactory)
    experience = factory.SubFactory(ExperienceFactory, organization=factory.SelfAttribute("..organization"))
    title = factory.Sequence(lambda n: f"Compte rendu numéro {n}")
    file = factory.LazyFunction(lambda: ContentFile(PDF_BYTES, name="compte-rendu.pdf"))
    content_type = "application/pdf"
    size = len(PDF_BYTES)


class InspirationFactory(DjangoModelFactory[Inspiration]):
    class Meta:
        model = Inspiration

    organization = factory.SubFactory(OrganizationFactory)
    experience = factory.SubFactory(ExperienceFactory)
    roadmap = factory.SubFactory(RoadmapFactory, organization=factory.SelfAttribute("..organization"))
    chantier = factory.SubFactory(ChantierFactory, roadmap=factory.SelfAttribute("..roadmap"))


class ReportFactory(DjangoModelFactory[Report]):
    class Meta:
        model = Report

    organization = factory.SubFactory(OrganizationFactory)
    experience = factory.SubFactory(ExperienceFactory, organization=factory.SelfAttribute("..organization"))
    reason = Report.Reason.OUTDATED
    comment = factory.Sequence(lambda n: f"Signalement numéro {n}")


class RecueilFactory(DjangoModelFactory[Recueil]):
    class Meta:
        model = Recueil

    organization = factory.SubFactory(OrganizationFactory)
    roadmap = factory.SubFactory(RoadmapFactory, organization=factory.SelfAttribute("..organization"))
    title = factory.Sequence(lambda n: f"Recueil pour l'atelier {n}")


def _visit_meeting(visit: object) -> Meeting:
    organization = visit.organization
    roadmap: Roadmap = RoadmapFactory(organization=organization)
    return Meeting.objects.create(
        organization=organization,
        roadmap=roadmap,
        kind=MeetingKind.VISITE,
        title=f"Visite chez {visit.host_territory}",  # one per visit: the isolation walks look for it elsewhere
        starts_at=timezone.now(),
    )


class SiteVisitFactory(DjangoModelFactory[SiteVisit]):
    class Meta:
        model = SiteVisit

    organization = factory.SubFactory(OrganizationFactory)
    meeting = factory.LazyAttribute(_visit_meeting)
    host_territory = factory.Sequence(lambda n: f"Territoire hôte {n}")


class VisitFeedbackFactory(DjangoModelFactory[VisitFeedback]):
    class Meta:
        model = VisitFeedback

    organization = factory.SubFactory(OrganizationFactory)
    visit = factory.SubFactory(SiteVisitFactory, organization=factory.SelfAttribute("..organization"))
    name = factory.Sequence(lambda n: f"Participante {n}")
    usefulness = 4
