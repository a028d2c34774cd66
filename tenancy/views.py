from __future__ import annotations

import re
from typing import Any, cast
from urllib.parse import urlsplit

import segno
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.contrib.auth.views import LoginView, redirect_to_login
from django.core import signing
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import Resolver404, resolve, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django_otp import login as otp_login
from django_otp import user_has_device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from tenancy import actions
from tenancy.access import TenantRequest, admin_required, member_required
from tenancy.forms import (
    AcceptInvitationForm,
    ConfirmWithPasswordForm,
    CurrentCodeForm,
    EmailAuthenticationForm,
    InvitationForm,
    MembershipRoleForm,
    ProfileForm,
    QueuedPasswordResetForm,
    TotpConfirmForm,
    check_second_factor,
)
from tenancy.middleware import SESSION_KEY
from tenancy.models import Invitation, Membership, Role, User
from tenancy.paths import organization_path, outside_prefix, public_reverse, split_organization


class EmailLoginView(LoginView):
    form_class = EmailAuthenticationForm
    template_name = "tenancy/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        if form.otp_device is not None:
            otp_login(self.request, form.otp_device)
        return response


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
    organization_id = request.POST.get("organization", "")
    if not re.fullmatch(r"[0-9]{1,18}", organization_id):
        messages.error(request, _("Choisissez une de vos organisations dans la liste."))
        return redirect("tenancy:home")
    membership = get_object_or_404(
        Membership.objects.select_related("organization"), user=request.user, organization_id=int(organization_id)
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


# --- Login throttling ---------------------------------------------------------------------------------------------


def login_throttled(request: HttpRequest, credentials: dict[str, Any] | None = None, *args: Any, **kwargs: Any) -> Any:
    """What django-axes answers while an account or an address is throttled: the login page, with why and when."""
    minutes = max(1, int(settings.AXES_COOLOFF_TIME.total_seconds() // 60))
    message = ngettext(
        "Trop de tentatives de connexion échouées. Par sécurité, réessayez dans %(minutes)d minute ou "
        "réinitialisez votre mot de passe.",
        "Trop de tentatives de connexion échouées. Par sécurité, réessayez dans %(minutes)d minutes ou "
        "réinitialisez votre mot de passe.",
        minutes,
    ) % {"minutes": minutes}
    form = EmailAuthenticationForm(request, initial={"username": (credentials or {}).get("username", "")})
    return render(request, "tenancy/login.html", {"form": form, "throttled": message}, status=429)


# --- Password reset (Django's views, French templates, the e-mail sent by the worker) ---------------------------

password_reset = auth_views.PasswordResetView.as_view(
    form_class=QueuedPasswordResetForm,
    template_name="tenancy/password_reset.html",
    email_template_name="tenancy/password_reset_email.txt",
    subject_template_name="tenancy/password_reset_subject.txt",
    success_url=reverse_lazy("tenancy:password_reset_done"),
)
password_reset_done = auth_views.PasswordResetDoneView.as_view(template_name="tenancy/password_reset_done.html")
password_reset_confirm = auth_views.PasswordResetConfirmView.as_view(
    template_name="tenancy/password_reset_confirm.html",
    success_url=reverse_lazy("tenancy:password_reset_complete"),
)
password_reset_complete = auth_views.PasswordResetCompleteView.as_view(
    template_name="tenancy/password_reset_complete.html"
)


# --- The person's own account -------------------------------------------------------------------------------------

EMAIL_CHANGE_SALT = "tenancy.email-change"
EMAIL_CHANGE_MAX_AGE = 60 * 60 * 24 * 2


@login_required
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)
    form = ProfileForm(request.POST or None, instance=user)
    if request.method == "POST" and form.is_valid():
        new_email = form.new_email
        with transaction.atomic():
            form.save()
            if new_email:
                _send_email_change_link(request, user, new_email)
        if new_email:
            messages.info(
                request,
                _("Un lien de confirmation a été envoyé à %(email)s : votre adresse changera quand vous l'ouvrirez.")
                % {"email": new_email},
            )
        messages.success(request, _("Votre profil est enregistré."))
        return redirect("tenancy:profile")
    memberships = [
        (m, organization_path(m.organization.slug, public_reverse("tenancy:leave_organization")))
        for m in user.memberships_with_organizations()
    ]
    context = {
        "form": form,
        "memberships": memberships,
        "has_totp": user_has_device(user),
        "is_any_admin": any(m.is_admin for m, _url in memberships),
    }
    return render(request, "tenancy/profile.html", context)


def _send_email_change_link(request: HttpRequest, user: User, new_email: str) -> None:
    token = signing.dumps({"user": user.pk, "email": new_email}, salt=EMAIL_CHANGE_SALT)
    link = request.build_absolute_uri(public_reverse("tenancy:email_confirm", kwargs={"token": token}))
    body = render_to_string("tenancy/email_change_email.txt", {"user": user, "link": link, "email": new_email})
    actions.send_email_on_commit(_("Confirmez votre nouvelle adresse e-mail sur Cap Partagé"), body, [new_email])


@require_safe
def email_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """The link sent to a new address: opened while logged in as that account, it makes the address the login."""
    try:
        data = signing.loads(token, salt=EMAIL_CHANGE_SALT, max_age=EMAIL_CHANGE_MAX_AGE)
    except signing.BadSignature:
        return render(request, "tenancy/email_confirm_invalid.html", status=410)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path(), public_reverse("tenancy:login"))
    if request.user.pk != data.get("user"):
        return render(request, "tenancy/email_confirm_invalid.html", status=403)
    if actions.change_email(cast(User, request.user), str(data.get("email", ""))):
        messages.success(request, _("Votre adresse e-mail est maintenant %(email)s.") % {"email": data["email"]})
    else:
        messages.error(request, _("Cette adresse est déjà celle d'un autre compte."))
    return redirect("tenancy:profile")


@login_required
@require_http_methods(["GET", "POST"])
def password_change(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)
    form = PasswordChangeForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        form.save()
        update_session_auth_hash(request, form.user)
        messages.success(request, _("Votre mot de passe a été changé."))
        return redirect("tenancy:profile")
    return render(request, "tenancy/password_change.html", {"form": form})


@login_required
@require_safe
def my_data(request: HttpRequest) -> HttpResponse:
    """The person's personal data, as a JSON file (the right of access and portability)."""
    user = cast(User, request.user)
    data = {
        "adresse_email": user.email,
        "nom_complet": user.full_name,
        "fonction": user.function,
        "structure": user.structure,
        "inscrit_le": user.date_joined.isoformat(),
        "derniere_connexion": user.last_login.isoformat() if user.last_login else None,
        "organisations": [
            {"organisation": m.organization.name, "role": m.get_role_display(), "depuis": m.created_at.isoformat()}
            for m in user.memberships_with_organizations()
        ],
        "double_authentification": user_has_device(user),
    }
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False, "indent": 2})
    response["Content-Disposition"] = 'attachment; filename="mes-donnees-cap-partage.json"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def delete_account(request: HttpRequest) -> HttpResponse:
    user = cast(User, request.user)
    form = ConfirmWithPasswordForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        try:
            actions.delete_account(user)
        except actions.LastAdministrator as blocked:
            messages.error(request, _last_admin_message(blocked))
            return redirect("tenancy:profile")
        logout(request)
        messages.success(request, _("Votre compte est supprimé. Vos contributions restent, signées « Ancien membre »."))
        return redirect("tenancy:login")
    return render(request, "tenancy/delete_account.html", {"form": form})


def _last_admin_message(blocked: actions.LastAdministrator) -> str:
    return _(
        "Vous êtes le seul administrateur de « %(organizations)s » : nommez d'abord un autre administrateur "
        "(page Membres)."
    ) % {"organizations": ", ".join(blocked.organizations)}


@member_required
@require_http_methods(["GET", "POST"])
def leave_organization(request: TenantRequest) -> HttpResponse:
    if request.method == "POST":
        try:
            actions.leave_organization(request.membership)
        except actions.LastAdministrator as blocked:
            messages.error(request, _last_admin_message(blocked))
            return redirect("tenancy:home")
        messages.success(request, _("Vous avez quitté « %(name)s ».") % {"name": request.tenant.name})
        request.session.pop(SESSION_KEY, None)
        return redirect(public_reverse("tenancy:profile"))
    return render(request, "tenancy/leave_organization.html")


@admin_required
@require_POST
def invitation_resend(request: TenantRequest, invitation_pk: int) -> HttpResponse:
    """Send a pending invitation's e-mail again (after a failed send, or a lost message)."""
    invitation = get_object_or_404(request.tenant.invitations.pending(), pk=invitation_pk)
    with transaction.atomic():
        Invitation.objects.filter(pk=invitation.pk).update(email_error="", email_sent_at=None)
        actions.send_invitation(invitation, request.build_absolute_uri(invitation.get_absolute_url()))
    messages.success(request, _("Invitation renvoyée à %(email)s.") % {"email": invitation.email})
    return redirect("tenancy:members")


# --- Error pages ------------------------------------------------------------------------------------------------


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """The French 404; on an object of another of the person's organisations, a link to open it there."""
    try:
        elsewhere = _same_object_elsewhere(request)
    except Exception:  # noqa: BLE001  # the 404 page itself must never fail
        elsewhere = None
    return render(request, "404.html", {"elsewhere": elsewhere}, status=404)


def _same_object_elsewhere(request: HttpRequest) -> dict[str, str] | None:
    tenant = getattr(request, "tenant", None)
    if tenant is None or not request.user.is_authenticated:
        return None
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return None
    others = Membership.objects.filter(user=cast(User, request.user)).exclude(organization=tenant)
    for argument, value in match.kwargs.items():
        if not argument.endswith("_pk"):
            continue
        model = _model_named(argument.removesuffix("_pk"))
        if model is None:
            return None
        fields = {f.name for f in model._meta.get_fields()}
        owner = "organization" if "organization" in fields else "roadmap__organization" if "roadmap" in fields else None
        if owner is None:
            return None
        found = (
            model._default_manager.filter(pk=value, **{f"{owner}__memberships__in": others})
            .values_list(f"{owner}__slug", f"{owner}__name")
            .first()
        )
        if found is None:
            return None
        slug, name = found
        return {"name": name, "url": organization_path(slug, request.path_info)}
    return None


def _model_named(model_name: str) -> Any:
    from django.apps import apps

    matches = [m for m in apps.get_models() if m._meta.model_name == model_name]
    return matches[0] if len(matches) == 1 else None


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form sent from an expired page: say so in French, and what to do."""
    return render(request, "403_csrf.html", status=403)


# --- Two-factor authentication (TOTP, django-otp) ----------------------------------------------------------------

RECOVERY_CODES = 10


@login_required
@require_http_methods(["GET", "POST"])
def two_factor(request: HttpRequest) -> HttpResponse:
    """Turn on TOTP: scan the QR code, type one code to confirm; ten single-use recovery codes are shown once.
    Turning it off, or new recovery codes, ask for a current code."""
    user = cast(User, request.user)
    confirmed = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if confirmed is not None:
        return _two_factor_manage(request, user)
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first() or TOTPDevice.objects.create(
        user=user, name=_("Application d'authentification"), confirmed=False
    )
    form = TotpConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"].strip()):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            codes = _new_recovery_codes(user)
            otp_login(request, device)
            messages.success(request, _("La double authentification est activée."))
            return render(request, "tenancy/two_factor_codes.html", {"codes": codes})
        form.add_error("token", _("Code incorrect : vérifiez l'heure du téléphone et saisissez le code affiché."))
    qr = segno.make(device.config_url, error="m").svg_inline(scale=4, title=str(_("QR code à scanner")))
    return render(request, "tenancy/two_factor_setup.html", {"form": form, "qr": qr, "secret": _base32(device)})


def _two_factor_manage(request: HttpRequest, user: User) -> HttpResponse:
    form = CurrentCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            check_second_factor(user, form.cleaned_data["token"])
        except forms.ValidationError as error:
            form.add_error("token", error)
        else:
            if request.POST.get("action") == "codes":
                codes = _new_recovery_codes(user)
                return render(request, "tenancy/two_factor_codes.html", {"codes": codes})
            TOTPDevice.objects.filter(user=user).delete()
            StaticDevice.objects.filter(user=user).delete()
            messages.success(request, _("La double authentification est désactivée."))
            return redirect("tenancy:profile")
    remaining = StaticToken.objects.filter(device__user=user).count()
    return render(request, "tenancy/two_factor_manage.html", {"form": form, "remaining": remaining})


def _new_recovery_codes(user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=_("Codes de secours"), confirmed=True)
    codes = [StaticToken.random_token() for _n in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


def _base32(device: TOTPDevice) -> str:
    from base64 import b32encode

    return b32encode(device.bin_key).decode()
