from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from roadmap.models import Action, Chantier, Commune, Defi, Enjeu, Roadmap, Territory
from tenancy.models import Organization


class StaleEditError(Exception):
    pass


class SpineForm(forms.ModelForm):
    """Base form for spine elements: choices limited to the roadmap, and no silent overwrite.

    `seen_version` carries the `updated_at` the editor started from; if someone saved in between, the
    form refuses with a French message instead of overwriting their change.
    """

    seen_version = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, roadmap: Roadmap, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.roadmap = roadmap
        if self.instance.pk and not self.is_bound:
            self.initial["seen_version"] = self.instance.updated_at.isoformat()
        for name in ("enjeux",):
            if name in self.fields:
                self.fields[name].queryset = roadmap.enjeux.order_by("order")  # type: ignore[attr-defined]
        if "defi" in self.fields:
            self.fields["defi"].queryset = roadmap.defis.order_by("order")  # type: ignore[attr-defined]
        if "chantier" in self.fields:
            self.fields["chantier"].queryset = roadmap.chantiers.order_by("order")  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        seen = cleaned.get("seen_version")
        if self.instance.pk and seen:
            current = type(self.instance).objects.filter(pk=self.instance.pk).values_list("updated_at", flat=True)
            current_version = current.first()
            if current_version is not None and current_version.isoformat() != seen:
                raise forms.ValidationError(
                    _(
                        "Quelqu'un a modifié cet élément pendant que vous l'éditiez (enregistré à %(time)s). "
                        "Votre saisie n'a pas été enregistrée : rechargez pour voir la version actuelle."
                    ),
                    params={"time": timezone.localtime(current_version).strftime("%H:%M:%S")},
                    code="stale",
                )
        return cleaned

    def save(self, commit: bool = True) -> Any:
        scope_fields = getattr(self.instance, "scope_fields", ())
        if self.instance.pk and any(f.removesuffix("_id") in self.changed_data for f in scope_fields):
            self.instance.order = 0  # moved to another list: goes to its end
        self.instance.roadmap = self.roadmap
        self.instance.organization = self.roadmap.organization
        return super().save(commit=commit)


class EnjeuForm(SpineForm):
    class Meta:
        model = Enjeu
        fields = ["question", "description"]
        widgets = {
            "question": forms.TextInput(attrs={"placeholder": _("Comment … ?")}),
            "description": forms.Textarea(attrs={"rows": 2}),
        }

    def clean_question(self) -> str:
        question = " ".join(self.cleaned_data["question"].split())
        if not question.endswith("?"):
            raise forms.ValidationError(
                _("Un enjeu se formule comme une question : terminez-la par un point d'interrogation.")
            )
        return question


class DefiForm(SpineForm):
    class Meta:
        model = Defi
        fields = ["title", "description", "enjeux"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2}), "enjeux": forms.CheckboxSelectMultiple}


class ChantierForm(SpineForm):
    class Meta:
        model = Chantier
        fields = ["title", "description", "defi", "enjeux"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2}), "enjeux": forms.CheckboxSelectMultiple}


class ActionForm(SpineForm):
    class Meta:
        model = Action
        fields = ["title", "description", "chantier"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        chantier_field = cast(forms.ModelChoiceField, self.fields["chantier"])
        chantier_field.empty_label = None
        if not self.fields["chantier"].queryset.exists():  # type: ignore[attr-defined]
            self.fields["chantier"].help_text = _("Créez d'abord un chantier : chaque action appartient à un chantier.")


class RoadmapForm(forms.ModelForm):
    class Meta:
        model = Roadmap
        fields = ["title", "territory", "period_start", "period_end"]

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.organization = organization
        self.fields["territory"].queryset = organization.territories.all()  # type: ignore[attr-defined]
        territory_field = cast(forms.ModelChoiceField, self.fields["territory"])
        territory_field.empty_label = None


class TerritoryForm(forms.ModelForm):
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
                _("Code(s) INSEE mal formé(s) (5 caractères attendus) : %(codes)s"),
                params={"codes": ", ".join(malformed)},
            )
        communes = {c.code: c for c in Commune.objects.filter(code__in=codes)}
        unknown = [c for c in codes if c not in communes]
        if unknown:
            raise forms.ValidationError(
                _(
                    "Commune(s) inconnue(s) : %(codes)s. Vérifiez les codes (code officiel géographique en "
                    "vigueur) ou importez le référentiel des communes (manage.py load_communes)."
                ),
                params={"codes": ", ".join(unknown)},
            )
        return [communes[c] for c in codes]

    def save(self, commit: bool = True) -> Territory:
        territory = super().save(commit=True)
        territory.communes.set(self.cleaned_data["commune_codes"])
        return territory
