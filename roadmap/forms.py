from __future__ import annotations

from decimal import Decimal
from typing import Any, cast

from django import forms
from django.db.models import DecimalField, Model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from roadmap.models import (
    FICHE_FIELDS,
    Action,
    ActionExpense,
    ActionFunding,
    ActionPartner,
    ActionStep,
    Chantier,
    Commune,
    Defi,
    Enjeu,
    Roadmap,
    Territory,
)
from tenancy.models import Organization


def refuse_stale_edit(model: type[Model], pk: int | None, seen: str | None, message: Any) -> None:
    """Optimistic locking: refuse with `message` (which shows %(time)s) when the row was saved after `seen`.

    `seen` is the `updated_at` (ISO) the editor started from, carried in the form's hidden `seen_version`.
    """
    if not (pk and seen):
        return
    current = model._default_manager.filter(pk=pk).values_list("updated_at", flat=True).first()
    if current is not None and current.isoformat() != seen:
        raise forms.ValidationError(
            message, params={"time": timezone.localtime(current).strftime("%H:%M:%S")}, code="stale"
        )


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
        refuse_stale_edit(
            type(self.instance),
            self.instance.pk,
            cleaned.get("seen_version"),
            _(
                "Quelqu'un a modifié cet élément pendant que vous l'éditiez (enregistré à %(time)s). "
                "Votre saisie n'a pas été enregistrée : rechargez pour voir la version actuelle."
            ),
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


# --- Fiche action ----------------------------------------------------------------------------------


class FicheForm(SpineForm):
    """Every field of the fiche action; the chantier must belong to the same roadmap."""

    class Meta:
        model = Action
        fields = ["title", "chantier", *FICHE_FIELDS]
        widgets = {
            name: Textarea(attrs={"rows": 3})
            for name in FICHE_FIELDS
            if name not in ("completed_by", "lead_structure", "human_fte")
        }
        field_classes = {
            field.name: FrenchDecimalField
            for field in Action._meta.get_fields()
            if isinstance(field, DecimalField) and field.name in FICHE_FIELDS
        }
        error_messages = {
            "chantier": {
                "invalid_choice": _(
                    "Ce chantier n'appartient pas à cette feuille de route : une action ne peut être déplacée que "
                    "vers un chantier de sa propre feuille de route."
                )
            },
            "human_fte": {"invalid": _("Indiquez un nombre d'ETP, par exemple 0,5.")},
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["chantier"]).empty_label = None


class PartnerForm(forms.ModelForm):
    class Meta:
        model = ActionPartner
        fields = ["name", "nature"]


class StepForm(forms.ModelForm):
    class Meta:
        model = ActionStep
        fields = ["label", "start_year", "start_quarter", "end_year", "end_quarter"]
        widgets = {
            "start_quarter": forms.Select(choices=[(q, f"T{q}") for q in range(1, 5)]),
            "end_quarter": forms.Select(choices=[(q, f"T{q}") for q in range(1, 5)]),
        }

    def __init__(self, *args: Any, roadmap: Roadmap, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.roadmap = roadmap
        years = [("", "—"), *((y, str(y)) for y in roadmap.years)]
        for name in ("start_year", "end_year"):
            self.fields[name] = forms.TypedChoiceField(
                label=self.fields[name].label,
                choices=years,
                coerce=int,
                empty_value=None,
                error_messages={
                    "invalid_choice": _("Choisissez une année de la période %(start)s–%(end)s.")
                    % {"start": roadmap.period_start, "end": roadmap.period_end}
                },
            )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start = (cleaned.get("start_year"), cleaned.get("start_quarter"))
        end = (cleaned.get("end_year"), cleaned.get("end_quarter"))
        if None not in start and None not in end and end < start:
            raise forms.ValidationError(_("La fin de l'étape précède son début."))
        return cleaned


PartnerFormSet = forms.inlineformset_factory(Action, ActionPartner, form=PartnerForm, extra=2, can_delete=True)
StepFormSet = forms.inlineformset_factory(Action, ActionStep, form=StepForm, extra=2, can_delete=True)


class AmountField(FrenchDecimalField):
    """A euro amount typed the French way (« 12 345,50 »), never negative, to the cent."""

    default_error_messages = {
        "invalid": _("« %(value)s » n'est pas un montant : saisissez un nombre, par exemple 12 500,50."),
        "min_value": _("Un montant ne peut pas être négatif."),
        "max_decimal_places": _("Un montant s'arrête aux centimes (deux décimales au plus)."),
        "max_digits": _("Ce montant est trop grand."),
        "max_whole_digits": _("Ce montant est trop grand."),
    }

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_digits=12, decimal_places=2, min_value=0, required=False, **kwargs)
        self.widget.attrs["class"] = "amount"

    def to_python(self, value: Any) -> Any:
        if isinstance(value, str):
            value = value.replace("€", "")
        try:
            return super().to_python(value)
        except forms.ValidationError as error:
            if error.code == "invalid":
                raise forms.ValidationError(
                    self.error_messages["invalid"], code="invalid", params={"value": value}
                ) from error
            raise


class BudgetForm(forms.Form):
    """The expense and financing grid of one fiche action: one field per row and year of the roadmap."""

    seen_version = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, action: Action, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.action = action
        self.years = list(action.roadmap.years)
        if not self.is_bound:
            self.initial["seen_version"] = action.updated_at.isoformat()
            for kind, year, amount in action.expenses.values_list("kind", "year", "amount"):
                self.initial[f"expense_{kind}_{year}"] = amount
            for funder, year, amount in action.fundings.values_list("funder", "year", "amount"):
                self.initial[f"funding_{funder}_{year}"] = amount
        for kind, label in ActionExpense.Kind.choices:
            for year in self.years:
                self.fields[f"expense_{kind}_{year}"] = AmountField(label=f"{label} {year}")
        for funder, label in ActionFunding.Funder.choices:
            for year in self.years:
                self.fields[f"funding_{funder}_{year}"] = AmountField(label=f"{label} {year}")

    def rows(self, prefix: str, choices: list[tuple[str, Any]]) -> list[tuple[str, list[forms.BoundField]]]:
        return [(str(label), [self[f"{prefix}_{key}_{year}"] for year in self.years]) for key, label in choices]

    def expense_rows(self) -> list[tuple[str, list[forms.BoundField]]]:
        return self.rows("expense", ActionExpense.Kind.choices)

    def funding_rows(self) -> list[tuple[str, list[forms.BoundField]]]:
        return self.rows("funding", ActionFunding.Funder.choices)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        refuse_stale_edit(
            Action,
            self.action.pk,
            cleaned.get("seen_version"),
            _(
                "Quelqu'un a modifié cette fiche pendant que vous saisissiez le budget (enregistré à %(time)s). "
                "Votre saisie est conservée ci-dessous mais n'a pas été enregistrée : rechargez la page dans un "
                "autre onglet pour voir la version actuelle, puis reportez vos montants."
            ),
        )
        return cleaned

    def amounts(self, prefix: str) -> dict[tuple[str, int], Decimal]:
        found = {}
        for name, value in self.cleaned_data.items():
            if name.startswith(prefix + "_") and value:
                key, year = name.removeprefix(prefix + "_").rsplit("_", 1)
                found[(key, int(year))] = value
        return found
