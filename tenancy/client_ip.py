"""The client's address, as forwarded by the trusted reverse proxies in front of the app.

Each proxy appends the address it received the request from to X-Forwarded-For. With `TRUSTED_PROXY_COUNT = n`,
the n-th address from the right is the one our outermost proxy saw: anything left of it was written by the client
and is ignored, so nobody escapes a throttle (or frames a neighbour) by sending their own header.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest, *args: Any) -> str:
    """The address throttles key on. (django-axes calls it with the request and the credentials.)"""
    remote = request.META.get("REMOTE_ADDR", "") or "0.0.0.0"  # noqa: S104  # a placeholder, never bound
    count = settings.TRUSTED_PROXY_COUNT
    if count <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if len(forwarded) < count:
        # Fewer hops than configured: the request did not come through our proxies.
        return remote
    candidate = forwarded[-count]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote
