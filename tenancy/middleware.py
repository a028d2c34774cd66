"""The organisation in the URL: every tenant page lives under `/<organisation-slug>/…`.

One middleware reads the first segment of the path. When it names an organisation, the user must be logged in and
belong to it (else a 404, never a hint that it exists); `request.tenant` and `request.membership` are set, the
segment is taken off `path_info` so that each app's URL patterns stay free of it, and the script prefix becomes
`/<slug>/` for the time of the request, so that every `reverse()` and `{% url %}` made while answering links back
into the same organisation. Two tabs on two organisations therefore both keep working, and a colleague's link opens
the right organisation.

Links meant for people outside the organisation (a workshop's join code, a public roadmap page, an invitation) are
made with `public_reverse()`, which leaves the organisation out. A tenant page reached without the organisation (an
old bookmark) is redirected by `tenancy.access` to the same page in the member's current organisation.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse

from tenancy.models import Membership, Organization, url_segments
from tenancy.paths import enter_organization, leave_organization, public_reverse, split_organization

# What an organisation's slug can look like (a SlugField); anything else is not looked up (a NUL byte, a huge path).
SLUG = re.compile(r"[-a-zA-Z0-9_]{1,80}")

# The organisation `/` and old organisation-free links lead to: the last one the member opened.
SESSION_KEY = "current_organization_id"


class TenantMiddleware:
    """Sets `request.tenant` (the Organization of the URL) and `request.membership`, or answers 404."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.tenant = None  # type: ignore[attr-defined]
        request.membership = None  # type: ignore[attr-defined]
        slug, rest = split_organization(request.path_info)
        if not slug or slug in url_segments() or not SLUG.fullmatch(slug):
            # The project's own first segments (connexion, atelier, public…) are never an organisation.
            return self.get_response(request)
        if not request.user.is_authenticated:
            # An organisation's slug is not a secret, but nothing says whether it exists before login.
            if _is_organization(slug):
                return redirect_to_login(request.get_full_path(), public_reverse("tenancy:login"))
            return self.get_response(request)
        membership = (
            Membership.objects.filter(user=request.user, organization__slug=slug).select_related("organization").first()
        )
        if membership is None:
            if _is_organization(slug):
                raise Http404
            return self.get_response(request)
        request.tenant = membership.organization  # type: ignore[attr-defined]
        request.membership = membership  # type: ignore[attr-defined]
        if request.session.get(SESSION_KEY) != membership.organization_id:
            request.session[SESSION_KEY] = membership.organization_id
        request.path_info = rest
        outside = enter_organization(slug)
        try:
            return self.get_response(request)
        finally:
            leave_organization(outside)


def _is_organization(slug: str) -> bool:
    return Organization.objects.filter(slug=slug).exists()
