"""The spine's forms: roadmap, enjeux, défis, chantiers, actions."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from roadmap.models import Action, Chantier, Defi, Enjeu, Roadmap
from tenancy.models import Organization

if TYPE_CHECKING:
    from roadmap.actions import StaleEdit


class SeenVersionForm(forms.Form):
    """Optimistic locking: the hidden `seen_version` carries the `updated_at` (ISO) the editor started from.

    The comparison is not made here but by the write workflow, under the row lock (`roadmap.actions.lock_unchanged`):
    a check in `clean` would let two saves started from the same version both pass. When the workflow refuses, the
    view calls `refuse_stale_edit`, and the form is shown again with the person's input and `stale_message`.
    """

    seen_version = forms.CharField(widget=forms.HiddenInput, required=False)

    stale_message: Any = _(
        "Quelqu'un a modifié cet élément pendant que vous l'éditiez (enregistré à %(time)s). "
        "Votre saisie n'a pas été enregistrée : rechargez pour voir la version actuelle."
    )
    deleted_message: Any = _(
        "Quelqu'un a supprimé cet élément pendant que vous l'éditiez : votre saisie n'a pas été enregistrée."
    )

    def refuse_stale_edit(self, stale: StaleEdit) -> None:
        if stale.saved_at is None:
            error = forms.ValidationError(self.deleted_message, code="deleted")
        else:
            time = timezone.localtime(stale.saved_at).strftime("%H:%M:%S")
            error = forms.ValidationError(self.stale_message, params={"time": time}, code="stale")
        self.add_error(None, error)


class Textarea(forms.Textarea):
    """A textarea whose text comes back with the line breaks it was stored with.

    Browsers submit a textarea's line breaks as CRLF; normalising them to "\\n" as the data is read keeps the
    stored text consistent and lets an unchanged textarea count as unchanged (no empty history lines)."""

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        value = super().value_from_datadict(data, files, name)
        return value.replace("\r\n", "\n").replace("\r", "\n") if isinstance(value, str) else value


class FrenchDecimalField(forms.DecimalField):
    """A decimal number typed the French way, « 1,5 » or « 1.5 », « 12 500 » with spaces between thousands.

    A text input with a numeric keypad on phones, not `<input type=number>`: Chromium refuses the localized
    value « 1,50 » such an input is given and shows it empty, and an unchanged save then erased the number."""

    widget = forms.TextInput

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(localize=True, **kwargs)
        self.widget.attrs.setdefault("inputmode", "decimal")

    def to_python(self, value: Any) -> Any:
        if isinstance(value, str):
            # Both separators are read as decimal separators whatever the active locale.
            value = "".join(value.replace("\u202f", "").replace("\u00a0", "").split()).replace(",", ".")
        return super().to_python(value)


class SpineForm(SeenVersionForm, forms.ModelForm):
    """Base form for spine elements: choices limited to the roadmap, and no silent overwrite.

    `seen_version` carries the `updated_at` the editor started from; if someone saved in between,
    `roadmap.actions.save_spine_item` refuses instead of overwriting their change.
    """

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
            "description": Textarea(attrs={"rows": 2}),
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
        widgets = {"description": Textarea(attrs={"rows": 2}), "enjeux": forms.CheckboxSelectMultiple}


class ChantierForm(SpineForm):
    class Meta:
        model = Chantier
        fields = ["title", "description", "defi", "enjeux"]
        widgets = {"description": Textarea(attrs={"rows": 2}), "enjeux": forms.CheckboxSelectMultiple}


class ActionForm(SpineForm):
    class Meta:
        model = Action
        fields = ["title", "description", "chantier"]
        widgets = {"description": Textarea(attrs={"rows": 2})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        chantier_field = cast(forms.ModelChoiceField, self.fields["chantier"])
        chantier_field.empty_label = None
        if not self.fields["chantier"].queryset.exists():  # type: ignore[attr-defined]
            self.fields["chantier"].help_text = _("Créez d'abord un chantier : chaque action appartient à un chantier.")


class RoadmapForm(forms.ModelForm):
    class Meta:
        model = Roadmap
        fields = [
            "title",
            "territory",
            "period_start",
            "period_end",
            "introduction",
            "resources",
            "evaluation_arrangements",
        ]
        widgets = {
            name: Textarea(attrs={"rows": 3}) for name in ("introduction", "resources", "evaluation_arrangements")
        }

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.organization = organization
        self.fields["territory"].queryset = organization.territories.all()  # type: ignore[attr-defined]
        territory_field = cast(forms.ModelChoiceField, self.fields["territory"])
        territory_field.empty_label = None
