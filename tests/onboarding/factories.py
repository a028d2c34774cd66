from __future__ import annotations

from typing import Any

import factory
from django.test import Client
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


def totp_code(device: Any) -> str:
    """The code the operator's application shows now."""
    from django_otp.oath import totp

    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def operator_client(user: Any) -> Client:
    """A client of an operator whose session was verified by their second factor, as after the back-office login."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or TOTPDevice.objects.create(
        user=user, name="Application", confirmed=True
    )
    client = Client()
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client
