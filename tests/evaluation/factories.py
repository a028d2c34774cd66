"""Factories of step 7 (found by tests.factories.all_factories for the isolation walk)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import factory
from factory.django import DjangoModelFactory

from evaluation.models import (
    Effect,
    Evaluation,
    FollowUp,
    Indicator,
    IndicatorValue,
    Interview,
    InterviewGuide,
    Verbatim,
)
from tests.factories import ActionFactory, OrganizationFactory, RoadmapFactory


class OwnedByParent:
    """The row's organisation is its parent's (given by the test, or made in the organisation the walk asks for)."""

    _parent = ""

    @classmethod
    def _adjust_kwargs(cls, **kwargs: Any) -> dict[str, Any]:
        kwargs["organization"] = kwargs[cls._parent].organization
        return kwargs


class EvaluationFactory(DjangoModelFactory[Evaluation]):
    class Meta:
        model = Evaluation

    roadmap = factory.SubFactory(RoadmapFactory)
    organization = factory.SelfAttribute("roadmap.organization")


class EffectFactory(DjangoModelFactory[Effect]):
    class Meta:
        model = Effect

    roadmap = factory.SubFactory(RoadmapFactory)
    organization = factory.SelfAttribute("roadmap.organization")
    title = factory.Sequence(lambda n: f"Effet attendu numéro {n}")
    hypothesis = "Si les acteurs se rencontrent, ils coopèrent davantage."


class IndicatorFactory(DjangoModelFactory[Indicator]):
    class Meta:
        model = Indicator

    roadmap = factory.SubFactory(RoadmapFactory)
    organization = factory.SelfAttribute("roadmap.organization")
    effect = factory.SubFactory(EffectFactory, roadmap=factory.SelfAttribute("..roadmap"))
    label = factory.Sequence(lambda n: f"Indicateur mesuré numéro {n}")
    kind = Indicator.Kind.QUANTITATIF
    unit = "personnes"
    pertinent = partage = precis = possible = True


class IndicatorValueFactory(OwnedByParent, DjangoModelFactory[IndicatorValue]):
    _parent = "indicator"

    class Meta:
        model = IndicatorValue

    organization = factory.SubFactory(OrganizationFactory)
    indicator = factory.LazyAttribute(lambda o: IndicatorFactory(roadmap=RoadmapFactory(organization=o.organization)))
    date = datetime.date(2025, 6, 1)
    number = Decimal("10")


class InterviewGuideFactory(DjangoModelFactory[InterviewGuide]):
    class Meta:
        model = InterviewGuide

    roadmap = factory.SubFactory(RoadmapFactory)
    organization = factory.SelfAttribute("roadmap.organization")
    title = factory.Sequence(lambda n: f"Trame d'entretien {n}")
    questions = "Qu'est-ce qui a changé pour vous ?"


class InterviewFactory(DjangoModelFactory[Interview]):
    class Meta:
        model = Interview

    roadmap = factory.SubFactory(RoadmapFactory)
    organization = factory.SelfAttribute("roadmap.organization")
    interviewee = factory.Sequence(lambda n: f"Personne interrogée {n}")
    held_on = datetime.date(2025, 5, 12)
    transcript = "Nous nous connaissons mieux depuis les ateliers."


class VerbatimFactory(OwnedByParent, DjangoModelFactory[Verbatim]):
    _parent = "interview"

    class Meta:
        model = Verbatim

    organization = factory.SubFactory(OrganizationFactory)
    interview = factory.LazyAttribute(lambda o: InterviewFactory(roadmap=RoadmapFactory(organization=o.organization)))
    quote = factory.Sequence(lambda n: f"Une phrase marquante numéro {n}")


class FollowUpFactory(OwnedByParent, DjangoModelFactory[FollowUp]):
    _parent = "action"

    class Meta:
        model = FollowUp

    organization = factory.SubFactory(OrganizationFactory)
    action = factory.LazyAttribute(lambda o: ActionFactory(roadmap=RoadmapFactory(organization=o.organization)))
    status = FollowUp.Status.A_VENIR
