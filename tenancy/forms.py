from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.contrib.auth.password_validation import validate_password
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _
from django_otp import user_has_device

from tenancy.actions import send_email_on_commit
from tenancy.models import Invitation, Membership, Organization, Role, User


class EmailAuthenticationForm(AuthenticationForm):
    """E-mail and password; and the second factor's code for those who turned it on (django-otp)."""

    username = forms.EmailField(
        label=_("Adresse e-mail"), widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"})
    )
    error_messages = {
        "invalid_login": _("Adresse e-mail ou mot de passe incorrect."),
        "inactive": _("Ce compte est désactivé."),
    }

    otp_token = forms.CharField(
        label=_("Code de double authentification"),
        required=False,
        max_length=16,
        help_text=_("Seulement si vous l'avez activée : les 6 chiffres de votre application, ou un code de secours."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )

    def clean_username(self) -> str:
        return self.cleaned_data["username"].strip().lower()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        self.otp_device = None
        user = self.get_user()
        if user is not None and user_has_device(user):
            self.otp_device = check_second_factor(user, self.cleaned_data.get("otp_token", ""))
        return cleaned


class InvitationForm(forms.ModelForm):
    class Meta:
        model = Invitation
        fields = ["email", "role"]

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.organization = organization
        self.instance.organization = organization

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        if Membership.objects.filter(organization=self.organization, user__email=email).exists():
            raise forms.ValidationError(_("Cette personne est déjà membre de l'organisation."))
        return email


class MembershipRoleForm(forms.ModelForm):
    class Meta:
        model = Membership
        fields = ["role"]

    def clean_role(self) -> str:
        role = self.cleaned_data["role"]
        membership = self.instance
        if (
            membership.role == Role.ADMINISTRATEUR
            and role != Role.ADMINISTRATEUR
            and not membership.organization.memberships.administrators().exclude(pk=membership.pk).exists()
        ):
            raise forms.ValidationError(_("L'organisation doit garder au moins un administrateur."))
        return role


class AcceptInvitationForm(forms.Form):
    """For someone who has no account yet: their name and a password."""

    full_name = forms.CharField(label=_("Nom complet"), max_length=150)
    password1 = forms.CharField(label=_("Mot de passe"), widget=forms.PasswordInput)
    password2 = forms.CharField(label=_("Confirmation du mot de passe"), widget=forms.PasswordInput)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        p1, p2 = cleaned.get("password1"), cleaned.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("Les deux mots de passe ne correspondent pas."))
        elif p1:
            try:
                validate_password(p1)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class QueuedPasswordResetForm(PasswordResetForm):
    """Django's password reset, its e-mail sent by the worker once the request is answered."""

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        subject = "".join(render_to_string(subject_template_name, context).splitlines())
        body = render_to_string(email_template_name, context)
        send_email_on_commit(subject, body, [to_email])


class ProfileForm(forms.ModelForm):
    """Name, function and structure; a new e-mail address is only taken once confirmed from that address."""

    email = forms.EmailField(
        label=_("Adresse e-mail"),
        help_text=_("Un lien de confirmation est envoyé à la nouvelle adresse ; l'actuelle reste valable d'ici là."),
    )

    class Meta:
        model = User
        fields = ["full_name", "function", "structure"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["full_name"].required = True
        self.fields["full_name"].label = _("Nom complet")
        self.fields["function"].label = _("Fonction")
        self.fields["structure"].label = _("Structure")
        if not self.is_bound:
            self.initial["email"] = self.instance.email

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip().lower()
        if email != self.instance.email and User.objects.filter(email=email).exists():
            raise forms.ValidationError(_("Cette adresse est déjà celle d'un autre compte."))
        return email

    @property
    def new_email(self) -> str | None:
        email = self.cleaned_data.get("email")
        return email if email and email != self.instance.email else None


class ConfirmWithPasswordForm(forms.Form):
    """A sensitive step (deleting one's account) asks for the password again."""

    password = forms.CharField(
        label=_("Votre mot de passe"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("Mot de passe incorrect."))
        return password


def check_second_factor(user: User, token: str) -> Any:
    """The device that accepts `token` for this user, or a French ValidationError."""
    from django_otp import match_token

    token = token.strip().replace(" ", "")
    if not token:
        raise forms.ValidationError(
            _("Votre compte est protégé par la double authentification : saisissez aussi le code de votre application.")
        )
    device = match_token(user, token)
    if device is None:
        raise forms.ValidationError(_("Code de double authentification incorrect ou expiré."))
    return device


class TotpConfirmForm(forms.Form):
    token = forms.CharField(
        label=_("Code affiché par l'application"),
        max_length=6,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class CurrentCodeForm(forms.Form):
    """A code of the application or a recovery code, to change the second factor."""

    token = forms.CharField(
        label=_("Un code actuel (application ou code de secours)"),
        max_length=16,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code"}),
    )
