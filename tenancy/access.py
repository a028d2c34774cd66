"""Decorators that every tenant view goes through: login, membership, and the role's rights.

The one table of what each role may do is PERMISSIONS; every check of a role goes through `may()`.
"""

from collections.abc import Callable
from enum import StrEnum
from functools import wraps
from typing import Any, TypeVar, cast

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect
from django_htmx.middleware import HtmxDetails

from tenancy.middleware import SESSION_KEY
from tenancy.models import Membership, Organization, Role
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


class Permission(StrEnum):
    """What a member may do; which roles may is PERMISSIONS below, the one table (README « Rôles et droits »)."""

    VIEW = "view"  # read everything of the organisation, download its documents
    EDIT_CONTENT = "edit_content"  # spine, fiches, budget, actors, meetings, experiences, evaluation, own data
    RUN_WORKSHOPS = "run_workshops"  # prepare and run workshops, record their results, turn them into enjeux
    ADOPT = "adopt"  # present, adopt, reopen, publish a roadmap
    DELETE_ROADMAP = "delete_roadmap"
    MANAGE_MEMBERS = "manage_members"  # members and invitations
    MODERATE_COMMONS = "moderate_commons"  # the commons' report queue: unpublish or dismiss (from a hub only)


P = Permission
PERMISSIONS: dict[str, frozenset[Permission]] = {
    Role.ADMINISTRATEUR: frozenset(Permission),
    Role.CONTRIBUTEUR: frozenset({P.VIEW, P.EDIT_CONTENT, P.RUN_WORKSHOPS, P.MODERATE_COMMONS}),
    Role.ANIMATEUR: frozenset({P.VIEW, P.RUN_WORKSHOPS}),
    Role.LECTEUR: frozenset({P.VIEW}),
}


# Rights over what every organisation shares (the commons of experiences): the roles above hold them only in an
# organisation of kind « hub », whose staff accompany the territories; operator staff hold them from anywhere.
HUB_PERMISSIONS: frozenset[Permission] = frozenset({P.MODERATE_COMMONS})


def may(membership: Membership | None, permission: Permission, user: Any = None) -> bool:
    """Whether this member's role grants `permission` (no membership: nothing); `user`, the member, for the
    operator staff's hub rights."""
    if membership is None:
        return False
    if permission in HUB_PERMISSIONS:
        if getattr(user, "is_staff", False):
            return True
        if membership.organization.kind != Organization.Kind.HUB:
            return False
    return permission in PERMISSIONS.get(membership.role, frozenset())


def permission_required(permission: Permission, *, open_reads: bool = False) -> Callable[[View], View]:
    """The member's role grants `permission`, for every method, or (open_reads) only for what is not a GET/HEAD.

    Refused with a 403: the member belongs to the organisation, so the page exists for them. The permission is
    kept on the view for the templates (`can_edit`: may this member write here) and the isolation walk.
    """

    def decorator(view: View) -> View:
        @member_required
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            reading = request.method in ("GET", "HEAD")
            if not (open_reads and reading) and not may(request.membership, permission, request.user):  # type: ignore[attr-defined]
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapper.write_permission = permission  # type: ignore[attr-defined]
        wrapper.read_permission = P.VIEW if open_reads else permission  # type: ignore[attr-defined]
        return cast(View, wrapper)

    return decorator


# Every method needs the permission.
editor_required = permission_required(P.EDIT_CONTENT)
workshop_required = permission_required(P.RUN_WORKSHOPS)
adopt_required = permission_required(P.ADOPT)
delete_roadmap_required = permission_required(P.DELETE_ROADMAP)
admin_required = permission_required(P.MANAGE_MEMBERS)
# Any member reads (GET, HEAD); sending anything else (POST, PUT, DELETE…) needs the permission.
read_or_edit_required = permission_required(P.EDIT_CONTENT, open_reads=True)
read_or_workshop_required = permission_required(P.RUN_WORKSHOPS, open_reads=True)
read_or_adopt_required = permission_required(P.ADOPT, open_reads=True)


def page_permissions(request: HttpRequest) -> dict[str, Any]:
    """For the templates: `may` (each permission by name) and `can_edit`, whether the member may write on the page
    being shown (the permission its view requires for writes; editing content on pages that declare none)."""
    membership = getattr(request, "membership", None)
    match = getattr(request, "resolver_match", None)
    write = getattr(match.func, "write_permission", P.EDIT_CONTENT) if match else P.EDIT_CONTENT
    user = getattr(request, "user", None)  # a request refused before authentication (a 400) has none
    return {
        "may": {p.name.lower(): may(membership, p, user) for p in Permission},
        "can_edit": may(membership, write, user),
        "is_admin": may(membership, P.MANAGE_MEMBERS),
    }
