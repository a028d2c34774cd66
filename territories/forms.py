"""The territory form: its communes typed as INSEE codes."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from tenancy.models import Organization
from territories.models import Commune, Territory


class TerritoryForm(forms.ModelForm):
    """A territory and its communes; `territories.actions.save_territory` saves both."""

    commune_codes = forms.CharField(
        label=_("Communes (codes INSEE)"),
        widget=forms.Textarea(attrs={"rows": 3, "placeholder": "24042, 24055, 24064"}),
        help_text=_("Les codes INSEE des communes du territoire, séparés par des virgules, espaces ou retours."),
    )

    class Meta:
        model = Territory
        fields = ["name", "kind"]

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.organization = organization
        if self.instance.pk and not self.is_bound:
            self.initial["commune_codes"] = ", ".join(self.instance.communes.values_list("code", flat=True))

    def clean_commune_codes(self) -> list[Commune]:
        raw = self.cleaned_data["commune_codes"].replace(",", " ").replace(";", " ").split()
        codes = list(dict.fromkeys(code.strip().upper() for code in raw))
        malformed = [c for c in codes if len(c) != 5]
        if malformed:
            raise forms.ValidationError(
                ngettext(
                    "Code INSEE mal formé (5 caractères attendus) : %(codes)s",
                    "Codes INSEE mal formés (5 caractères attendus) : %(codes)s",
                    len(malformed),
                ),
                params={"codes": ", ".join(malformed)},
            )
        communes = {c.code: c for c in Commune.objects.filter(code__in=codes)}
        unknown = [c for c in codes if c not in communes]
        if unknown:
            raise forms.ValidationError(
                ngettext(
                    "Commune inconnue : %(codes)s. Vérifiez le code (code officiel géographique en vigueur) ou "
                    "importez le référentiel des communes (manage.py load_communes).",
                    "Communes inconnues : %(codes)s. Vérifiez les codes (code officiel géographique en vigueur) ou "
                    "importez le référentiel des communes (manage.py load_communes).",
                    len(unknown),
                ),
                params={"codes": ", ".join(unknown)},
            )
        return [communes[c] for c in codes]
