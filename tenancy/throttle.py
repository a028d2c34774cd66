"""Per-address counters for the public pages (phones joining a workshop, respondents of a questionnaire).

A counter lives in the shared cache (Redis) for a window of seconds, keyed on the client's address as our trusted
proxies forwarded it (`tenancy.client_ip`), never on a header the client wrote itself. The database's name is part
of the key so parallel test runs sharing one Redis stay apart. When the cache is down, the public pages go on
without the throttle rather than refusing a room.
"""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from redis.exceptions import RedisError

from tenancy.client_ip import client_ip


def address_key(scope: str, request: HttpRequest) -> str:
    return f"{scope}:{settings.DATABASES['default']['NAME']}:{client_ip(request)}"


def reached(scope: str, request: HttpRequest, allowed: int) -> bool:
    """Has this address already been counted `allowed` times in the current window?"""
    try:
        return int(cache.get(address_key(scope, request)) or 0) >= allowed
    except RedisError:
        return False


def count(scope: str, request: HttpRequest, window: int) -> None:
    """Count one more for this address; the first count opens a window of `window` seconds."""
    key = address_key(scope, request)
    try:
        cache.add(key, 0, window)
        cache.incr(key)
    except ValueError:  # the counter expired between add and incr: this one starts a new window
        cache.set(key, 1, window)
    except RedisError:
        pass
