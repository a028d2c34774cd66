from __future__ import annotations

from urllib.parse import urlsplit

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.views import LoginView
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import Resolver404, resolve
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from tenancy import actions
from tenancy.access import TenantRequest, admin_required, member_required
from tenancy.forms import AcceptInvitationForm, EmailAuthenticationForm, InvitationForm, MembershipRoleForm
from tenancy.middleware import SESSION_KEY
from tenancy.models import Invitation, Membership, Role, User
from tenancy.paths import organization_path, outside_prefix, public_reverse, split_organization


class EmailLoginView(LoginView):
    form_class = EmailAuthenticationForm
    template_name = "tenancy/login.html"
    redirect_authenticated_user = True


login_view = EmailLoginView.as_view()


@member_required
@require_safe
def home(request: TenantRequest) -> HttpResponse:
    roadmaps = request.tenant.roadmaps.select_related("territory")
    territories = request.tenant.territories.all()
    return render(request, "tenancy/home.html", {"roadmaps": roadmaps, "territories": territories})


@require_safe
def no_organization(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect("tenancy:login")
    if getattr(request, "tenant", None) is not None:
        return redirect("tenancy:home")
    return render(request, "tenancy/no_organization.html")


@member_required
@require_POST
def switch_organization(request: TenantRequest) -> HttpResponse:
    """Any member may switch to another of their own organisations; someone else's is a 404."""
    membership = get_object_or_404(
        Membership.objects.select_related("organization"),
        user=request.user,
        organization_id=request.POST.get("organization"),
    )
    request.session[SESSION_KEY] = membership.organization_id
    messages.info(request, _("Vous travaillez maintenant pour « %(name)s ».") % {"name": membership.organization.name})
    return redirect(same_page_in(membership.organization.slug, request.POST.get("next", "")))


def same_page_in(slug: str, current: str) -> str:
    """The page of `current` (a path under the organisation being left) in another organisation, when it shows no
    particular object (a list, the members…); else that organisation's home."""
    home = organization_path(slug, public_reverse("tenancy:home"))
    if not url_has_allowed_host_and_scheme(current, allowed_hosts=None):
        return home
    _, rest = split_organization(urlsplit(current).path.removeprefix(outside_prefix().rstrip("/")))
    try:
        match = resolve(rest)
    except Resolver404:
        return home
    if any(name.endswith("_pk") for name in match.kwargs) or match.url_name in NOT_CARRIED_OVER:
        return home
    return organization_path(slug, rest)


# Pages that make no sense in the organisation one switches to.
NOT_CARRIED_OVER = {"switch_organization", "no_organization"}


@admin_required
@require_http_methods(["GET", "POST"])
def members(request: TenantRequest) -> HttpResponse:
    form = InvitationForm(request.POST or None, organization=request.tenant)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            invitation = form.save(commit=False)
            invitation.invited_by = request.user
            invitation.save()
            link = request.build_absolute_uri(invitation.get_absolute_url())
            actions.send_invitation(invitation, link)
        messages.success(
            request,
            _("Invitation envoyée à %(email)s. Vous pouvez aussi lui transmettre ce lien : %(link)s")
            % {"email": invitation.email, "link": link},
        )
        return redirect("tenancy:members")
    context = {
        "memberships": request.tenant.memberships.select_related("user").order_by("user__email"),
        "invitations": request.tenant.invitations.pending(),
        "form": form,
        "roles": Role.choices,
    }
    return render(request, "tenancy/members.html", context)


@admin_required
@require_POST
def membership_role(request: TenantRequest, membership_pk: int) -> HttpResponse:
    membership = get_object_or_404(request.tenant.memberships.select_related("user", "organization"), pk=membership_pk)
    form = MembershipRoleForm(request.POST, instance=membership)
    if form.is_valid():
        form.save()
        messages.success(
            request,
            _("%(user)s est maintenant « %(role)s ».")
            % {"user": membership.user, "role": membership.get_role_display()},
        )
    else:
        for error in form.errors.get("role", []):
            messages.error(request, str(error))
    return redirect("tenancy:members")


@admin_required
@require_POST
def membership_remove(request: TenantRequest, membership_pk: int) -> HttpResponse:
    membership = get_object_or_404(request.tenant.memberships.select_related("user"), pk=membership_pk)
    if membership.is_admin and not request.tenant.memberships.administrators().exclude(pk=membership.pk).exists():
        messages.error(request, _("L'organisation doit garder au moins un administrateur."))
    else:
        membership.delete()
        messages.success(request, _("%(user)s ne fait plus partie de l'organisation.") % {"user": membership.user})
    return redirect("tenancy:members")


@admin_required
@require_POST
def invitation_revoke(request: TenantRequest, invitation_pk: int) -> HttpResponse:
    invitation = get_object_or_404(request.tenant.invitations, pk=invitation_pk)
    invitation.delete()
    messages.success(request, _("Invitation de %(email)s annulée.") % {"email": invitation.email})
    return redirect("tenancy:members")


@require_http_methods(["GET", "POST"])
def accept_invitation(request: HttpRequest, token: str) -> HttpResponse:
    invitation = get_object_or_404(Invitation.objects.select_related("organization"), token=token)
    if not invitation.is_usable:
        return render(request, "tenancy/invitation_invalid.html", {"invitation": invitation}, status=410)
    existing = User.objects.filter(email=invitation.email).first()
    if request.user.is_authenticated:
        if request.user.email != invitation.email:
            return render(request, "tenancy/invitation_wrong_user.html", {"invitation": invitation}, status=403)
        if request.method == "POST":
            return _joined(request, invitation, request.user)
        return render(request, "tenancy/invitation_accept.html", {"invitation": invitation, "form": None})
    if existing is not None:
        messages.info(
            request,
            _("Connectez-vous avec %(email)s pour accepter l'invitation.") % {"email": existing.email},
        )
        return redirect(f"{redirect('tenancy:login').url}?next={invitation.get_absolute_url()}")
    form = AcceptInvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            user = User.objects.create_user(
                invitation.email, form.cleaned_data["password1"], full_name=form.cleaned_data["full_name"]
            )
            return _joined(request, invitation, user)
    return render(request, "tenancy/invitation_accept.html", {"invitation": invitation, "form": form})


def _joined(request: HttpRequest, invitation: Invitation, user: User) -> HttpResponse:
    membership = actions.accept_invitation(invitation, user)
    if not request.user.is_authenticated:
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    request.session[SESSION_KEY] = membership.organization_id
    messages.success(request, _("Bienvenue dans « %(name)s » !") % {"name": invitation.organization.name})
    return redirect("tenancy:home")
