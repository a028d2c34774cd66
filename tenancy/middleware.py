from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from tenancy.models import Membership

SESSION_KEY = "current_organization_id"


class TenantMiddleware:
    """Sets `request.tenant` (the current Organization) and `request.membership` for a logged-in member.

    The current organisation is kept in the session; it is re-checked against the user's memberships on
    every request, so a removed member loses access at once.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.tenant = None  # type: ignore[attr-defined]
        request.membership = None  # type: ignore[attr-defined]
        if request.user.is_authenticated:
            memberships = Membership.objects.filter(user=request.user).select_related("organization")
            wanted = request.session.get(SESSION_KEY)
            membership = (memberships.filter(organization_id=wanted).first() if wanted else None) or (
                memberships.order_by("organization__name").first()
            )
            if membership is not None:
                request.tenant = membership.organization  # type: ignore[attr-defined]
                request.membership = membership  # type: ignore[attr-defined]
                if wanted != membership.organization_id:
                    request.session[SESSION_KEY] = membership.organization_id
        return self.get_response(request)
