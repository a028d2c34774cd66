"""The operators' back-office requires a verified second factor (django-otp's OTPAdminSite).

An operator sees every organisation's data; a stolen password alone must not open it. The login asks for the code
of the operator's authentication application (or one of their recovery codes), checked as on the app's own login
(`tenancy.forms.check_second_factor`). An operator enrols as any user does (Profil → Double authentification), or
from the command line with `manage.py enrol_operator_totp <e-mail>`.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.utils.translation import gettext_lazy as _
from django_otp import user_has_device
from django_otp.admin import OTPAdminSite

from tenancy.forms import check_second_factor


class OperatorAuthenticationForm(AdminAuthenticationForm):
    username = forms.EmailField(
        label=_("Adresse e-mail"), widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"})
    )
    otp_token = forms.CharField(
        label=_("Code de double authentification"),
        required=False,
        max_length=16,
        help_text=_("Les 6 chiffres de votre application d'authentification, ou un code de secours."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )
    error_messages = {
        **AdminAuthenticationForm.error_messages,
        "invalid_login": _("Adresse e-mail ou mot de passe incorrect, ou compte sans accès au back-office."),
        "no_second_factor": _(
            "Le back-office exige la double authentification, que ce compte n'a pas activée : activez-la depuis "
            "votre profil (« Double authentification »), ou demandez à un opérateur de lancer "
            "« manage.py enrol_operator_totp <votre e-mail> »."
        ),
    }

    def clean_username(self) -> str:
        return self.cleaned_data["username"].strip().lower()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()  # the password, then staff status
        user: Any = self.get_user()
        if user is not None:
            if not user_has_device(user, confirmed=True):
                raise forms.ValidationError(self.error_messages["no_second_factor"], code="no_second_factor")
            # On login, django-otp records this device in the session (its user_logged_in handler): verified.
            user.otp_device = check_second_factor(user, self.cleaned_data.get("otp_token", ""))
        return cleaned


class OperatorsAdminSite(OTPAdminSite):
    """Django's admin, for staff whose session was verified by a second factor."""

    login_form = OperatorAuthenticationForm
    login_template = "tenancy/admin_login.html"

    def __init__(self, name: str = "admin") -> None:
        # Named « admin », as Django's default site: every `admin:…` URL name stays as it was.
        super().__init__(name)
