"""Decorators that every tenant view goes through: login, membership, and the role's rights."""

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django_htmx.middleware import HtmxDetails

from tenancy.middleware import SESSION_KEY
from tenancy.models import Membership, Organization
from tenancy.paths import organization_path

View = TypeVar("View", bound=Callable[..., HttpResponse])


class TenantRequest(HttpRequest):
    """An HttpRequest after TenantMiddleware, for type checking."""

    tenant: Organization
    membership: Membership
    htmx: HtmxDetails


def member_required(view: View) -> View:
    """The user is logged in and belongs to the organisation of the URL (tenancy.middleware).

    A tenant page reached without an organisation in its URL (an old link, `/`) is the same page in the member's
    current organisation: the one they opened last, or their first one.
    """

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if getattr(request, "tenant", None) is None:
            return redirect_into_organization(request)
        return view(request, *args, **kwargs)

    # Read by the tests' organisation clients and the isolation walk; kept by the decorators above it (wraps).
    wrapper.requires_organization = True  # type: ignore[attr-defined]
    return cast(View, wrapper)


def redirect_into_organization(request: HttpRequest) -> HttpResponse:
    memberships = Membership.objects.filter(user=cast(Any, request.user)).select_related("organization")
    current = request.session.get(SESSION_KEY)
    membership = (memberships.filter(organization_id=current).first() if current else None) or (
        memberships.order_by("organization__name").first()
    )
    if membership is None:
        return redirect("tenancy:no_organization")
    target = organization_path(membership.organization.slug, request.get_full_path())
    # 307 keeps the method and the body: a form posted to an old address is not lost.
    return HttpResponseRedirect(target, status=302 if request.method in ("GET", "HEAD") else 307)


def editor_required(view: View) -> View:
    """A member who may change content; read-only members (élus) get a 403 on every method."""

    @member_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.membership.can_edit:  # type: ignore[attr-defined]
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return cast(View, wrapper)


def admin_required(view: View) -> View:
    """An administrateur (référent technique) of the current organisation."""

    @member_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.membership.is_admin:  # type: ignore[attr-defined]
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return cast(View, wrapper)


def read_or_edit_required(view: View) -> View:
    """Any member may GET; only editors may send anything else (POST, PUT, DELETE…)."""

    @member_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method not in ("GET", "HEAD") and not request.membership.can_edit:  # type: ignore[attr-defined]
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return cast(View, wrapper)
