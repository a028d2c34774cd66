"""Login throttling (django-axes) as an authentication backend placed before Django's own."""

from __future__ import annotations

from typing import Any

from axes.backends import AxesStandaloneBackend
from django.http import HttpRequest


class ThrottledLoginBackend(AxesStandaloneBackend):
    """Refuses a login while its account or address is throttled. Throttling is about requests from the web: an
    `authenticate()` without a request (a management command, the test client's `login()`) is not checked."""

    def authenticate(self, request: HttpRequest | None, *args: Any, **kwargs: Any) -> Any:
        if request is None:
            return None
        return super().authenticate(request, *args, **kwargs)


def login_username(request: HttpRequest, credentials: dict[str, Any] | None) -> str:
    """The e-mail address as the login form normalises it, so `Alice@X.fr` and `alice@x.fr` count as one account."""
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    return str(username).strip().lower()[:254]
