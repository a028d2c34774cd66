from __future__ import annotations

import factory
from factory.django import DjangoModelFactory

from diagnostics.models import ImportRun, TerritoryDiagnostic
from tests.factories import OrganizationFactory, TerritoryFactory


class TerritoryDiagnosticFactory(DjangoModelFactory[TerritoryDiagnostic]):
    class Meta:
        model = TerritoryDiagnostic

    organization = factory.SubFactory(OrganizationFactory)
    territory = factory.SubFactory(TerritoryFactory, organization=factory.SelfAttribute("..organization"))
    synthesis = factory.Sequence(lambda n: f"Synthèse confidentielle numéro {n}")


class ImportRunFactory(DjangoModelFactory[ImportRun]):
    class Meta:
        model = ImportRun

    organization = factory.SubFactory(OrganizationFactory)
    territory = factory.SubFactory(TerritoryFactory, organization=factory.SelfAttribute("..organization"))
    kind = "filosofi"
    file_name = factory.Sequence(lambda n: f"fichier-secret-{n}.csv")
    succeeded = True
