"""Factories of the questionnaires (found by tests.factories.all_factories for the isolation walk)."""

from __future__ import annotations

import factory
from factory.django import DjangoModelFactory

from questionnaires.models import Kind, Mode, Question, Questionnaire, RespondentCode, Response, ResponseLink
from tests.factories import OrganizationFactory, RoadmapFactory


class QuestionnaireFactory(DjangoModelFactory[Questionnaire]):
    class Meta:
        model = Questionnaire

    organization = factory.SubFactory(OrganizationFactory)
    roadmap = factory.SubFactory(RoadmapFactory, organization=factory.SelfAttribute("..organization"))
    title = factory.Sequence(lambda n: f"Questionnaire de satisfaction {n}")
    mode = Mode.OPEN


class QuestionFactory(DjangoModelFactory[Question]):
    class Meta:
        model = Question

    organization = factory.SubFactory(OrganizationFactory)
    questionnaire = factory.SubFactory(QuestionnaireFactory, organization=factory.SelfAttribute("..organization"))
    position = factory.Sequence(lambda n: n + 1)
    kind = Kind.LIKERT
    label = factory.Sequence(lambda n: f"Je me sens plus à l'aise avec le numérique ({n})")


class ResponseLinkFactory(DjangoModelFactory[ResponseLink]):
    class Meta:
        model = ResponseLink

    organization = factory.SubFactory(OrganizationFactory)
    questionnaire = factory.SubFactory(
        QuestionnaireFactory, organization=factory.SelfAttribute("..organization"), mode=Mode.LINK
    )
    number = factory.Sequence(lambda n: n + 1)


class RespondentCodeFactory(DjangoModelFactory[RespondentCode]):
    class Meta:
        model = RespondentCode

    organization = factory.SubFactory(OrganizationFactory)
    questionnaire = factory.SubFactory(
        QuestionnaireFactory, organization=factory.SelfAttribute("..organization"), mode=Mode.CODE
    )
    code = factory.Sequence(lambda n: f"K{n:05d}"[-6:].replace("0", "A").replace("1", "B"))


class ResponseFactory(DjangoModelFactory[Response]):
    class Meta:
        model = Response

    organization = factory.SubFactory(OrganizationFactory)
    questionnaire = factory.SubFactory(QuestionnaireFactory, organization=factory.SelfAttribute("..organization"))
