"""Headers every response carries: the Content-Security-Policy, and `Cache-Control: private` on member pages.

The app serves its own JavaScript and CSS and writes no inline code (tests/test_templates_clean.py), so the policy
allows only 'self'. Two pages are the exception: the interactive maps (the diagnostic's, the actors'), folium
documents whose generated code is inline; they alone get the relaxed policy below, and may be framed, by our own
pages only.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control

# Views whose response is a generated document with inline script and style (see the module docstring).
INLINE_CODE_VIEWS = frozenset({"diagnostics:territory_map", "projectgroup:actor_map_frame"})
INLINE_CODE_POLICY = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'self'"
)


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            match = getattr(request, "resolver_match", None)
            inline = match is not None and match.view_name in INLINE_CODE_VIEWS
            response["Content-Security-Policy"] = INLINE_CODE_POLICY if inline else settings.CONTENT_SECURITY_POLICY
            if inline:
                # Framed by the diagnostic page of the same site (XFrameOptionsMiddleware keeps a header set here).
                response["X-Frame-Options"] = "SAMEORIGIN"
        if getattr(request, "user", None) is not None and request.user.is_authenticated:
            # A member's page must never be kept by a shared cache (a proxy, a library's computer).
            patch_cache_control(response, private=True)
        return response
