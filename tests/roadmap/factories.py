"""Factories of the step-6 models (fiche action, budget, engagements, governance, versions, exports).

Each works when called with `organization=` and/or `roadmap=` alone, as the isolation harness does."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import factory
from factory.django import DjangoModelFactory

from adoption.models import RoadmapVersion
from documents.models import ExportJob
from fiches.models import ActionExpense, ActionFunding, ActionPartner, ActionStep, Engagement, GovernanceBody
from roadmap.models import BinEntry
from tests.factories import ActionFactory, RoadmapFactory


class ActionExpenseFactory(DjangoModelFactory[ActionExpense]):
    class Meta:
        model = ActionExpense

    action = factory.SubFactory(ActionFactory)
    organization = factory.SelfAttribute("action.organization")
    year = factory.LazyAttribute(lambda o: o.action.roadmap.period_start)
    kind = ActionExpense.Kind.FONCTIONNEMENT
    amount = Decimal("1000.00")


class ActionFundingFactory(DjangoModelFactory[ActionFunding]):
    class Meta:
        model = ActionFunding

    action = factory.SubFactory(ActionFactory)
    organization = factory.SelfAttribute("action.organization")
    year = factory.LazyAttribute(lambda o: o.action.roadmap.period_start)
    funder = ActionFunding.Funder.ETAT
    amount = Decimal("500.00")


class ActionPartnerFactory(DjangoModelFactory[ActionPartner]):
    class Meta:
        model = ActionPartner

    action = factory.SubFactory(ActionFactory)
    organization = factory.SelfAttribute("action.organization")
    name = factory.Sequence(lambda n: f"Partenaire {n}")
    nature = "met en œuvre l'action"


class ActionStepFactory(DjangoModelFactory[ActionStep]):
    class Meta:
        model = ActionStep

    action = factory.SubFactory(ActionFactory)
    organization = factory.SelfAttribute("action.organization")
    label = factory.Sequence(lambda n: f"Étape {n}")
    start_year = factory.LazyAttribute(lambda o: o.action.roadmap.period_start)
    start_quarter = 1
    end_year = factory.LazyAttribute(lambda o: o.action.roadmap.period_start)
    end_quarter = 4


class EngagementFactory(DjangoModelFactory[Engagement]):
    """Called with `organization=` alone (the harness), it builds an action in that organisation."""

    class Meta:
        model = Engagement

    stakeholder = factory.Sequence(lambda n: f"Association partenaire n°{n}")
    level = Engagement.Level.APPUI
    conditions = "Besoin d'un local équipé"

    @classmethod
    def _create(cls, model_class: type[Engagement], *args: Any, **kwargs: Any) -> Engagement:
        action = kwargs.get("action")
        if action is None:
            organization = kwargs.get("organization")
            roadmap = RoadmapFactory(organization=organization) if organization else RoadmapFactory()
            action = ActionFactory(roadmap=roadmap)
        kwargs["action"], kwargs["organization"] = action, action.organization
        return super()._create(model_class, *args, **kwargs)


class GovernanceBodyFactory(DjangoModelFactory[GovernanceBody]):
    class Meta:
        model = GovernanceBody

    roadmap = factory.SubFactory(RoadmapFactory)
    organization = factory.SelfAttribute("roadmap.organization")
    name = factory.Sequence(lambda n: f"Comité de pilotage n°{n}")
    members = "Présidente de la communauté de communes\nVice-président au numérique"
    frequency = "Deux fois par an"


class RoadmapVersionFactory(DjangoModelFactory[RoadmapVersion]):
    class Meta:
        model = RoadmapVersion

    roadmap = factory.SubFactory(RoadmapFactory)
    organization = factory.SelfAttribute("roadmap.organization")
    number = factory.Sequence(lambda n: n + 1)
    adopted_by = "Conseil communautaire"
    adopted_on = date(2026, 3, 12)
    deliberation_number = factory.Sequence(lambda n: f"DEL-2026-{n:03d}")
    snapshot = factory.LazyAttribute(lambda o: {"roadmap": {"title": o.roadmap.title}})
    pdf = factory.django.FileField(filename="feuille-de-route-adoptee.pdf", data=b"%PDF-1.4 test")


class ExportJobFactory(DjangoModelFactory[ExportJob]):
    class Meta:
        model = ExportJob

    roadmap = factory.SubFactory(RoadmapFactory)
    organization = factory.SelfAttribute("roadmap.organization")
    kind = "roadmap_pdf"
    object_id = factory.SelfAttribute("roadmap.pk")
    subject = factory.SelfAttribute("roadmap.title")
    status = ExportJob.Status.DONE
    file = factory.django.FileField(filename="feuille-de-route.pdf", data=b"%PDF-1.4 test")


class BinEntryFactory(DjangoModelFactory[BinEntry]):
    class Meta:
        model = BinEntry

    roadmap = factory.SubFactory(RoadmapFactory)
    organization = factory.SelfAttribute("roadmap.organization")
    kind = "enjeu"
    label = factory.Sequence(lambda n: f"Enjeu supprimé {n}")
    rows: Any = factory.LazyFunction(list)
