"""Decorators that every tenant view goes through: login, membership, and the role's rights."""

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django_htmx.middleware import HtmxDetails

from tenancy.models import Membership, Organization

View = TypeVar("View", bound=Callable[..., HttpResponse])


class TenantRequest(HttpRequest):
    """An HttpRequest after TenantMiddleware, for type checking."""

    tenant: Organization
    membership: Membership
    htmx: HtmxDetails


def member_required(view: View) -> View:
    """The user is logged in and belongs to the current organisation."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if getattr(request, "tenant", None) is None:
            return redirect("tenancy:no_organization")
        return view(request, *args, **kwargs)

    return cast(View, wrapper)


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
