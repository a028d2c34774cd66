from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from resourcemaps.models import LINK_CYCLE, POSITION_LIMIT, LinkKind, Resource, RotationSession
from roadmap.models import Chantier
from tenancy.models import Organization


class ResourceForm(forms.ModelForm):
    class Meta:
        model = Resource
        fields = ["nature", "label", "actor", "contact", "availability", "link", "connection", "horizon"]
        widgets = {"link": forms.RadioSelect, "availability": forms.RadioSelect}

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Only this organisation's directory: an id from elsewhere is « not a valid choice ».
        self.fields["actor"].queryset = organization.actors.order_by("name")  # type: ignore[attr-defined]
        self.fields["contact"].queryset = organization.contacts.order_by("full_name")  # type: ignore[attr-defined]
        self.fields["link"].choices = [(k.value, k.label) for k in LINK_CYCLE]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not (data.get("label") or "").strip() and not data.get("actor") and not data.get("contact"):
            raise forms.ValidationError(
                _("Nommez la ressource, ou choisissez une structure ou un contact de l'annuaire.")
            )
        return data


class PositionForm(forms.Form):
    x = forms.FloatField(min_value=-POSITION_LIMIT, max_value=POSITION_LIMIT)
    y = forms.FloatField(min_value=-POSITION_LIMIT, max_value=POSITION_LIMIT)


class LinkForm(forms.Form):
    link = forms.ChoiceField(choices=LinkKind.choices)


class RotationSessionForm(forms.ModelForm):
    chantiers = forms.ModelMultipleChoiceField(
        queryset=Chantier.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        label=_("Chantiers, une table chacun"),
        error_messages={"required": _("Choisissez au moins un chantier : chaque table travaille sur un chantier.")},
    )

    class Meta:
        model = RotationSession
        fields = ["title", "minutes", "rotations"]

    def __init__(self, *args: Any, chantiers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["chantiers"].queryset = chantiers  # type: ignore[attr-defined]
        self.fields["chantiers"].initial = list(chantiers)


class HandoverNoteForm(forms.Form):
    text = forms.CharField(
        label=_("Note de passation"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Écrivez la note avant de l'enregistrer.")},
    )
    keeper = forms.CharField(label=_("Personne qui reste à la table"), max_length=150, required=False)
