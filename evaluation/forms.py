"""Forms of step 7: each section of the evaluation, the impact framework, values, interviews, the follow-up."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from evaluation.models import (
    Effect,
    Evaluation,
    FollowUp,
    Indicator,
    IndicatorValue,
    Interview,
    InterviewGuide,
    Verbatim,
    value_date_bounds,
)
from fiches.forms import AmountField
from fiches.models import ActionExpense, ActionFunding
from projectgroup.forms import GuardedForm
from roadmap.forms import FrenchDecimalField, Textarea
from roadmap.models import Action, Roadmap


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class NumberField(FrenchDecimalField):
    """A measured number, French way; text typed in it is refused with what was typed."""

    default_error_messages = {
        "invalid": _("« %(value)s » n'est pas un nombre : saisissez par exemple 12 ou 4,5."),
        "max_digits": _("Ce nombre est trop grand."),
        "max_whole_digits": _("Ce nombre est trop grand."),
        "max_decimal_places": _("Deux décimales au plus."),
    }

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_digits=14, decimal_places=2, **kwargs)

    def to_python(self, value: Any) -> Any:
        try:
            return super().to_python(value)
        except forms.ValidationError as error:
            if error.code == "invalid":
                raise forms.ValidationError(
                    self.error_messages["invalid"], code="invalid", params={"value": value}
                ) from error
            raise


def _textareas(*names: str, rows: int = 3) -> dict[str, Any]:
    return {name: Textarea(attrs={"rows": rows}) for name in names}


class FramingForm(GuardedForm, forms.ModelForm):
    class Meta:
        model = Evaluation
        fields = [
            "objectives",
            "context",
            "team",
            "method",
            "activities_evaluated",
            "calendar",
            "targets",
            "resources",
            "periodicity",
        ]
        widgets = _textareas(
            "objectives", "context", "team", "activities_evaluated", "calendar", "targets", "resources"
        ) | {"method": forms.RadioSelect}


class TheoryForm(GuardedForm, forms.ModelForm):
    class Meta:
        model = Evaluation
        fields = ["need", "vision", "activities", "outputs", "results", "impact", "covered_defis", "covered_actions"]
        widgets = _textareas("need", "vision", "activities", "outputs", "results", "impact", rows=4) | {
            "covered_defis": forms.CheckboxSelectMultiple,
            "covered_actions": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args: Any, roadmap: Roadmap, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["covered_defis"].queryset = roadmap.defis.order_by("order", "pk")  # type: ignore[attr-defined]
        self.fields["covered_actions"].queryset = (  # type: ignore[attr-defined]
            Action.objects.filter(roadmap=roadmap)
            .select_related("chantier__defi")
            .order_by("chantier__defi__order", "chantier__order", "order")
        )
        self.fields["covered_actions"].label_from_instance = lambda a: f"{a.ref} {a.title}"  # type: ignore[attr-defined]
        self.fields["covered_defis"].label_from_instance = lambda d: f"{d.ref} {d.title}"  # type: ignore[attr-defined]


class QuestionForm(forms.ModelForm):
    class Meta:
        model = Evaluation
        fields = ["question_object", "question_verb", "question_effect", "question_public"]
        widgets = {
            "question_object": forms.TextInput(attrs={"placeholder": _("la feuille de route"), "data-question": "1"}),
            "question_verb": forms.TextInput(attrs={"placeholder": _("a-t-elle renforcé"), "data-question": "2"}),
            "question_effect": forms.TextInput(
                attrs={"placeholder": _("la coopération entre acteurs"), "data-question": "3"}
            ),
            "question_public": forms.TextInput(
                attrs={"placeholder": _("de l'inclusion numérique du territoire"), "data-question": "4"}
            ),
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        parts = [data.get(name, "").strip() for name in self.Meta.fields]
        if any(parts) and not all(parts):
            raise forms.ValidationError(
                _("Complétez les quatre parties de la question (objet, verbe, effet, public) ou laissez-les vides.")
            )
        if any("?" in part for part in parts):
            raise forms.ValidationError(_("Le point d'interrogation est ajouté pour vous : retirez-le des parties."))
        return data


class SynthesisForm(forms.ModelForm):
    class Meta:
        model = Evaluation
        fields = ["synthesis"]
        widgets = _textareas("synthesis", rows=8)


class EffectForm(forms.ModelForm):
    class Meta:
        model = Effect
        fields = ["title", "hypothesis"]
        widgets = _textareas("hypothesis", rows=2)


class IndicatorForm(forms.ModelForm):
    target_value = NumberField(label=_("cible (nombre)"), required=False)

    class Meta:
        model = Indicator
        fields = [
            "effect",
            "label",
            "kind",
            "unit",
            "source",
            "collection",
            "timing",
            "internal",
            "target_value",
            "target_text",
            "target_date",
            "pertinent",
            "partage",
            "precis",
            "possible",
        ]
        widgets = {"kind": forms.RadioSelect, "timing": forms.RadioSelect, "target_date": DateInput()}

    def __init__(self, *args: Any, roadmap: Roadmap, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.roadmap = roadmap
        self.fields["effect"].queryset = roadmap.evaluation_effects.order_by("order", "pk")  # type: ignore[attr-defined]
        self.instance.roadmap = roadmap
        self.instance.organization_id = roadmap.organization_id

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("internal") and data.get("kind") == Indicator.Kind.QUALITATIF:
            self.add_error(
                "internal", _("Un indicateur calculé par l'application est un nombre : choisissez « quantitatif ».")
            )
        if self.instance.pk and self.instance.values.exists():
            # Values already typed would no longer fit: numbers under a qualitative indicator, or typed values
            # mixed with the figure the application computes.
            stored = Indicator.objects.get(pk=self.instance.pk)
            if "kind" in data and data["kind"] != stored.kind:
                self.add_error(
                    "kind",
                    _(
                        "Cet indicateur a déjà des valeurs relevées : son type ne peut plus changer. "
                        "Créez plutôt un nouvel indicateur."
                    ),
                )
            if data.get("internal") and not stored.internal:
                self.add_error(
                    "internal",
                    _("Cet indicateur a des valeurs saisies : il ne peut pas devenir calculé par l'application."),
                )
        target_date = data.get("target_date")
        if target_date:
            first, _last = value_date_bounds(self.roadmap)
            end = first.replace(year=self.roadmap.period_end + 1, month=12, day=31)
            if not first <= target_date <= end:
                self.add_error(
                    "target_date",
                    _("La date de la cible doit tomber entre %(first)s et %(last)s.")
                    % {"first": first.year, "last": end.year},
                )
        return data


class IndicatorValueForm(forms.ModelForm):
    number = NumberField(label=_("valeur"), required=False)

    class Meta:
        model = IndicatorValue
        fields = ["date", "number", "text", "source", "comment"]
        widgets = {"date": DateInput(), "text": Textarea(attrs={"rows": 2}), "comment": Textarea(attrs={"rows": 2})}

    def __init__(self, *args: Any, indicator: Indicator, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.indicator = indicator
        self.instance.organization_id = indicator.organization_id
        if indicator.is_quantitative:
            del self.fields["text"]
            self.fields["number"].required = True
            self.fields["number"].error_messages["required"] = _(
                "Cet indicateur est quantitatif : saisissez un nombre, par exemple 12 ou 4,5."
            )
            if indicator.unit:
                self.fields["number"].help_text = _("En %(unit)s.") % {"unit": indicator.unit}
        else:
            del self.fields["number"]
            self.fields["text"].required = True
            self.fields["text"].error_messages["required"] = _(
                "Cet indicateur est qualitatif : décrivez ce qui a été constaté."
            )


class ValuesImportForm(forms.Form):
    file = forms.FileField(
        label=_("fichier CSV"),
        help_text=_("Colonnes : indicateur, date, valeur, source, commentaire (séparateur « ; » ou « , »)."),
    )


class InterviewGuideForm(forms.ModelForm):
    class Meta:
        model = InterviewGuide
        fields = ["title", "audience", "questions"]
        widgets = _textareas("questions", rows=6)


class InterviewForm(forms.ModelForm):
    class Meta:
        model = Interview
        fields = ["guide", "interviewee", "held_on", "transcript"]
        widgets = {"held_on": DateInput(), "transcript": Textarea(attrs={"rows": 10})}

    def __init__(self, *args: Any, roadmap: Roadmap, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["guide"].queryset = roadmap.interview_guides.all()  # type: ignore[attr-defined]
        self.instance.roadmap = roadmap
        self.instance.organization_id = roadmap.organization_id


class VerbatimForm(forms.ModelForm):
    class Meta:
        model = Verbatim
        fields = ["quote", "effect"]
        widgets = _textareas("quote", rows=3)

    def __init__(self, *args: Any, interview: Interview, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["effect"].queryset = interview.roadmap.evaluation_effects.order_by("order")  # type: ignore[attr-defined]
        self.instance.interview = interview
        self.instance.organization_id = interview.organization_id

    def clean_quote(self) -> str:
        quote: str = self.cleaned_data["quote"].strip().strip('«»"').strip()
        if not quote:
            raise forms.ValidationError(_("Recopiez la phrase citée."))
        return quote


class FollowUpForm(forms.ModelForm):
    class Meta:
        model = FollowUp
        fields = ["status", "started_on", "finished_on", "postponed_to", "progress", "note"]
        widgets = {
            "started_on": DateInput(),
            "finished_on": DateInput(),
            "postponed_to": DateInput(),
            "progress": forms.NumberInput(attrs={"min": 0, "max": 100, "step": 5}),
            "note": Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["progress"].error_messages |= {
            "invalid": _("L'avancement est un pourcentage entier, de 0 à 100."),
            "min_value": _("L'avancement est un pourcentage entier, de 0 à 100."),
            "max_value": _("L'avancement est un pourcentage entier, de 0 à 100."),
        }


class RealisedForm(forms.Form):
    """Realised expenses and financing received, one field per row and year of the roadmap."""

    def __init__(self, *args: Any, action: Action, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.years = list(action.roadmap.years)
        if not self.is_bound:
            for kind, year, amount in action.realised_expenses.values_list("kind", "year", "amount"):
                self.initial[f"expense_{kind}_{year}"] = amount
            for funder, year, amount in action.realised_fundings.values_list("funder", "year", "amount"):
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

    def amounts(self, prefix: str) -> dict[tuple[str, int], Decimal]:
        found = {}
        for name, value in self.cleaned_data.items():
            if name.startswith(prefix + "_") and value:
                key, year = name.removeprefix(prefix + "_").rsplit("_", 1)
                found[(key, int(year))] = value
        return found
