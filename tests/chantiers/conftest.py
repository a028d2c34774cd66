from __future__ import annotations

import pytest

from chantiers import actions
from chantiers.models import ChantierGroup
from projectgroup.models import Actor, Contact
from roadmap.models import Enjeu
from tests.conftest import Tenant
from tests.factories import EnjeuFactory


@pytest.fixture
def enjeu_a(tenant_a: Tenant) -> Enjeu:
    return EnjeuFactory(roadmap=tenant_a.roadmap, question="Comment accompagner les seniors isolés ?")


@pytest.fixture
def group_a(tenant_a: Tenant, enjeu_a: Enjeu) -> ChantierGroup:
    return actions.ensure_groups(tenant_a.roadmap)[0]


@pytest.fixture
def directory_a(tenant_a: Tenant) -> dict[str, Actor | Contact]:
    org = tenant_a.organization
    mairie = Actor.objects.create(organization=org, name="Mairie de Ribérac")
    centre = Actor.objects.create(organization=org, name="Centre social La Source")
    return {
        "mairie": mairie,
        "centre": centre,
        "france_services": Actor.objects.create(organization=org, name="France Services du Ribéracois"),
        "anne": Contact.objects.create(organization=org, full_name="Anne Pradier", actor=centre),
    }
