"""Malformed requests are answered 400 before any view sees them.

A NUL byte is never part of what a person types, and PostgreSQL refuses it in any text column: a query string or
a form carrying one would otherwise end in a server error wherever it reaches the database.
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponse, QueryDict


def _has_nul(data: QueryDict) -> bool:
    return any("\x00" in key or any("\x00" in value for value in values) for key, values in data.lists())


class RejectMalformedInputMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if "\x00" in request.path or _has_nul(request.GET):
            raise BadRequest("NUL byte in the URL")
        if request.method == "POST" and _has_nul(request.POST):
            raise BadRequest("NUL byte in the form")
        return self.get_response(request)
