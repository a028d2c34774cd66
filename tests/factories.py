"""Factories of the shared models. Each app's own factories live in tests/<app>/factories.py and are
found by the isolation harness (tests/test_isolation.py) through `all_factories()`."""

from __future__ import annotations

import importlib
import pkgutil
from typing import Any

import factory
from django.db.models import Model
from factory.django import DjangoModelFactory

import tests
from roadmap.models import Action, Chantier, Defi, Enjeu, Roadmap
from tenancy.models import Invitation, Membership, Organization, Role, User
from territories.models import Commune, Territory

PASSWORD = "mot-de-passe-de-test"


class OrganizationFactory(DjangoModelFactory[Organization]):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"Organisation {n}")


class UserFactory(DjangoModelFactory[User]):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"personne{n}@exemple.fr")
    full_name = factory.Sequence(lambda n: f"Personne {n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def saved(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create:
            self.save()


class MembershipFactory(DjangoModelFactory[Membership]):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organization = factory.SubFactory(OrganizationFactory)
    role = Role.ADMINISTRATEUR


class InvitationFactory(DjangoModelFactory[Invitation]):
    class Meta:
        model = Invitation

    organization = factory.SubFactory(OrganizationFactory)
    email = factory.Sequence(lambda n: f"invite{n}@exemple.fr")
    role = Role.CONTRIBUTEUR


class CommuneFactory(DjangoModelFactory[Commune]):
    class Meta:
        model = Commune
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"{99000 + n % 1000:05d}")
    name = factory.Sequence(lambda n: f"Commune {n}")
    departement = "99"
    population = 1000


class TerritoryFactory(DjangoModelFactory[Territory]):
    class Meta:
        model = Territory

    organization = factory.SubFactory(OrganizationFactory)
    name = factory.Sequence(lambda n: f"Territoire {n}")


class RoadmapFactory(DjangoModelFactory[Roadmap]):
    class Meta:
        model = Roadmap

    organization = factory.SubFactory(OrganizationFactory)
    territory = factory.SubFactory(TerritoryFactory, organization=factory.SelfAttribute("..organization"))
    title = factory.Sequence(lambda n: f"Feuille de route {n}")
    period_start = 2025
    period_end = 2028


class EnjeuFactory(DjangoModelFactory[Enjeu]):
    class Meta:
        model = Enjeu

    roadmap = factory.SubFactory(RoadmapFactory)
    organization = factory.SelfAttribute("roadmap.organization")
    question = factory.Sequence(lambda n: f"Comment répondre au besoin n°{n} ?")


class DefiFactory(DjangoModelFactory[Defi]):
    class Meta:
        model = Defi

    roadmap = factory.SubFactory(RoadmapFactory)
    organization = factory.SelfAttribute("roadmap.organization")
    title = factory.Sequence(lambda n: f"Défi {n}")


class ChantierFactory(DjangoModelFactory[Chantier]):
    class Meta:
        model = Chantier

    roadmap = factory.SubFactory(RoadmapFactory)
    organization = factory.SelfAttribute("roadmap.organization")
    defi = factory.SubFactory(DefiFactory, roadmap=factory.SelfAttribute("..roadmap"))
    title = factory.Sequence(lambda n: f"Chantier {n}")


class ActionFactory(DjangoModelFactory[Action]):
    class Meta:
        model = Action

    roadmap = factory.SubFactory(RoadmapFactory)
    organization = factory.SelfAttribute("roadmap.organization")
    chantier = factory.SubFactory(ChantierFactory, roadmap=factory.SelfAttribute("..roadmap"))
    title = factory.Sequence(lambda n: f"Action {n}")


def all_factories() -> dict[type[Model], type[DjangoModelFactory[Any]]]:
    """Every model factory of the test suite: this module's and those of tests/<app>/factories.py."""
    modules = [importlib.import_module(__name__)]
    for info in pkgutil.iter_modules(tests.__path__):
        if info.ispkg:
            try:
                modules.append(importlib.import_module(f"tests.{info.name}.factories"))
            except ModuleNotFoundError as error:
                if error.name != f"tests.{info.name}.factories":
                    raise
    found: dict[type[Model], type[DjangoModelFactory[Any]]] = {}
    for module in modules:
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, DjangoModelFactory) and value._meta.model:
                found.setdefault(value._meta.model, value)
    return found
