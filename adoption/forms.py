"""The forms of the adoption page: presentation, adoption, public page."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class DatePickerInput(forms.DateInput):
    """The browser's date picker, which takes and gives ISO dates and stops at today."""

    input_type = "date"

    def __init__(self) -> None:
        # ISO, not the French 12/03/2026 a DateInput shows: a date input refuses it and shows an empty box.
        super().__init__(format="%Y-%m-%d")

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        return super().get_context(name, value, {**(attrs or {}), "max": timezone.localdate().isoformat()})


class PastDateField(forms.DateField):
    """The date of a meeting that took place: a presentation or an adoption is recorded afterwards."""

    widget = DatePickerInput

    def validate(self, value: Any) -> None:
        super().validate(value)
        if value and value > timezone.localdate():
            raise forms.ValidationError(
                _(
                    "Cette date est dans le futur : indiquez la date de la séance, qui a déjà eu lieu "
                    "(aujourd'hui au plus tard)."
                ),
                code="future",
            )


class PresentForm(forms.Form):
    presented_to = forms.CharField(label=_("Instance devant laquelle elle est présentée"), max_length=300)
    presented_on = PastDateField(label=_("Date de présentation"))


class AdoptForm(forms.Form):
    adopted_by = forms.CharField(label=_("Assemblée délibérante"), max_length=300)
    adopted_on = PastDateField(label=_("Date d'adoption"))
    deliberation_number = forms.CharField(label=_("N° de délibération"), max_length=100)
    # The points to complete shown on the page (their fingerprint), and the explicit confirmation to adopt anyway.
    gaps_fingerprint = forms.CharField(widget=forms.HiddenInput, required=False)
    confirm_gaps = forms.BooleanField(
        label=_("Adopter malgré ces points : l'assemblée a voté la feuille de route telle qu'elle est"), required=False
    )


class PublicForm(forms.Form):
    is_public = forms.BooleanField(label=_("Publier la dernière version adoptée (lecture seule)"), required=False)
