from __future__ import annotations

import factory
from factory.django import DjangoModelFactory

from onboarding.models import JoinRequest


class JoinRequestFactory(DjangoModelFactory[JoinRequest]):
    class Meta:
        model = JoinRequest

    organization_name = factory.Sequence(lambda n: f"Communauté de communes {n}")
    kind = JoinRequest.Kind.EPCI
    siren = "200040392"
    full_name = "Claire Dupont"
    function = "Chargée de mission numérique"
    email = factory.Sequence(lambda n: f"demandeur{n}@cc-exemple.fr")
