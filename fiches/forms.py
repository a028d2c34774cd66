"""The fiche action's forms: its text, partners, calendar, budget grid, engagements, and governance bodies."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, cast

from django import forms
from django.db.models import DecimalField
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fiches.models import (
    FICHE_FIELDS,
    FUNDER_HELP,
    ActionExpense,
    ActionFunding,
    ActionPartner,
    ActionStep,
    Engagement,
    GovernanceBody,
)
from roadmap.forms import FrenchDecimalField, SeenVersionForm, SpineForm, Textarea
from roadmap.models import Action, Roadmap


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


PartnerFormSet = forms.inlineformset_factory(Action, ActionPartner, form=PartnerForm, extra=2, can_delete=True)


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


class BudgetForm(SeenVersionForm):
    """The expense and financing grid of one fiche action: one field per row and year of the roadmap.

    Financing: one line per category of funder, with an optional funder's name (« FEDER »); below, extra lines for
    a second funder of the same category (FEDER and FSE+), each with its category and its name.

    `seen_version` is the fiche's `updated_at`; `fiches.actions.save_budget` compares it under the fiche's lock."""

    stale_message = _(
        "Quelqu'un a modifié cette fiche pendant que vous saisissiez le budget (enregistré à %(time)s). "
        "Votre saisie est conservée ci-dessous mais n'a pas été enregistrée : rechargez la page dans un "
        "autre onglet pour voir la version actuelle, puis reportez vos montants."
    )
    BLANK_EXTRA_LINES = 2

    def __init__(self, *args: Any, action: Action, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.action = action
        self.years = list(action.roadmap.years)
        categories = [key for key, _label in ActionFunding.Funder.choices]
        # Each category's first line (the unnamed one, else the first name) goes on the category's row.
        lines: dict[str, list[str]] = {}
        amounts: dict[tuple[str, str, int], Decimal] = {}
        for funder, name, year, amount in action.fundings.values_list("funder", "funder_name", "year", "amount"):
            amounts[(funder, name, year)] = amount
            if name not in lines.setdefault(funder, []):
                lines[funder].append(name)
        main = {f: sorted(names, key=lambda n: (n != "", n.casefold(), n))[0] for f, names in lines.items()}
        extras = sorted(
            ((f, n) for f, names in lines.items() for n in names if n != main[f]),
            key=lambda line: (categories.index(line[0]) if line[0] in categories else 99, line[1].casefold()),
        )
        if self.is_bound:
            # As many extra lines as were posted (the page may have had more than the saved ones).
            posted = {k.split("_")[1] for k in self.data if k.startswith("fundingx_") and k.count("_") >= 2}
            extra_count = max(len(extras) + self.BLANK_EXTRA_LINES, len(posted))
        else:
            extra_count = len(extras) + self.BLANK_EXTRA_LINES
            self.initial["seen_version"] = action.updated_at.isoformat()
            for kind, year, amount in action.expenses.values_list("kind", "year", "amount"):
                self.initial[f"expense_{kind}_{year}"] = amount
            for funder, name in main.items():
                self.initial[f"funding_{funder}_name"] = name
                for year in self.years:
                    if (funder, name, year) in amounts:
                        self.initial[f"funding_{funder}_{year}"] = amounts[(funder, name, year)]
            for i, (funder, name) in enumerate(extras):
                self.initial[f"fundingx_{i}_funder"] = funder
                self.initial[f"fundingx_{i}_name"] = name
                for year in self.years:
                    if (funder, name, year) in amounts:
                        self.initial[f"fundingx_{i}_{year}"] = amounts[(funder, name, year)]
        for kind, label in ActionExpense.Kind.choices:
            for year in self.years:
                self.fields[f"expense_{kind}_{year}"] = AmountField(label=f"{label} {year}")
        name_field = ActionFunding._meta.get_field("funder_name")
        for funder, label in ActionFunding.Funder.choices:
            self.fields[f"funding_{funder}_name"] = forms.CharField(
                label=_("Nom du financeur — %(category)s") % {"category": label},
                required=False,
                max_length=name_field.max_length,
                help_text=FUNDER_HELP.get(funder, ""),
            )
            for year in self.years:
                self.fields[f"funding_{funder}_{year}"] = AmountField(label=f"{label} {year}")
        self.extra_count = extra_count
        for i in range(extra_count):
            self.fields[f"fundingx_{i}_funder"] = forms.ChoiceField(
                label=_("Catégorie du financeur supplémentaire %(n)s") % {"n": i + 1},
                choices=[("", "—"), *ActionFunding.Funder.choices],
                required=False,
            )
            self.fields[f"fundingx_{i}_name"] = forms.CharField(
                label=_("Nom du financeur supplémentaire %(n)s") % {"n": i + 1},
                required=False,
                max_length=name_field.max_length,
            )
            for year in self.years:
                self.fields[f"fundingx_{i}_{year}"] = AmountField(
                    label=_("Financeur supplémentaire %(n)s, %(year)s") % {"n": i + 1, "year": year}
                )

    def rows(self, prefix: str, choices: list[tuple[str, Any]]) -> list[tuple[str, list[forms.BoundField]]]:
        return [(str(label), [self[f"{prefix}_{key}_{year}"] for year in self.years]) for key, label in choices]

    def expense_rows(self) -> list[tuple[str, list[forms.BoundField]]]:
        return self.rows("expense", ActionExpense.Kind.choices)

    def funding_rows(self) -> list[tuple[str, forms.BoundField, str, list[forms.BoundField]]]:
        """Per category: its label, its name field, what it covers, its amounts."""
        return [
            (str(label), self[f"funding_{key}_name"], str(FUNDER_HELP.get(key, "")), fields)
            for (key, label), (_label, fields) in zip(
                ActionFunding.Funder.choices, self.rows("funding", ActionFunding.Funder.choices), strict=True
            )
        ]

    def extra_funding_rows(self) -> list[tuple[forms.BoundField, forms.BoundField, list[forms.BoundField]]]:
        return [
            (
                self[f"fundingx_{i}_funder"],
                self[f"fundingx_{i}_name"],
                [self[f"fundingx_{i}_{year}"] for year in self.years],
            )
            for i in range(self.extra_count)
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        seen: set[tuple[str, str]] = set()
        for funder, _label in ActionFunding.Funder.choices:
            if any(cleaned.get(f"funding_{funder}_{year}") for year in self.years):
                seen.add((funder, (cleaned.get(f"funding_{funder}_name") or "").strip()))
        for i in range(self.extra_count):
            funder = cleaned.get(f"fundingx_{i}_funder") or ""
            name = (cleaned.get(f"fundingx_{i}_name") or "").strip()
            has_amount = any(cleaned.get(f"fundingx_{i}_{year}") for year in self.years)
            if not has_amount:
                continue
            if not funder:
                self.add_error(f"fundingx_{i}_funder", _("Choisissez la catégorie de ce financeur."))
            if not name:
                self.add_error(
                    f"fundingx_{i}_name",
                    _("Nommez ce financeur : c'est son nom qui le distingue de la ligne de sa catégorie."),
                )
            elif funder and (funder, name) in seen:
                self.add_error(
                    f"fundingx_{i}_name",
                    _("« %(name)s » figure déjà dans cette catégorie : une seule ligne par financeur.")
                    % {"name": name},
                )
            seen.add((funder, name))
        return cleaned

    def amounts(self, prefix: str) -> dict[tuple[str, int], Decimal]:
        found = {}
        for name, value in self.cleaned_data.items():
            if name.startswith(prefix + "_") and value and not name.endswith("_name"):
                key, year = name.removeprefix(prefix + "_").rsplit("_", 1)
                found[(key, int(year))] = value
        return found

    def funding_amounts(self) -> dict[tuple[tuple[str, str], int], Decimal]:
        """Financing by ((category, funder's name), year)."""
        found: dict[tuple[tuple[str, str], int], Decimal] = {}
        data = self.cleaned_data
        for funder, _label in ActionFunding.Funder.choices:
            name = (data.get(f"funding_{funder}_name") or "").strip()
            for year in self.years:
                if data.get(f"funding_{funder}_{year}"):
                    found[((funder, name), year)] = data[f"funding_{funder}_{year}"]
        for i in range(self.extra_count):
            funder = data.get(f"fundingx_{i}_funder") or ""
            name = (data.get(f"fundingx_{i}_name") or "").strip()
            for year in self.years:
                if funder and data.get(f"fundingx_{i}_{year}"):
                    found[((funder, name), year)] = data[f"fundingx_{i}_{year}"]
        return found


class EngagementForm(forms.ModelForm):
    """A stakeholder's engagement on one fiche action, in the fiche's organisation."""

    class Meta:
        model = Engagement
        fields = ["stakeholder", "level", "conditions"]
        widgets = {"conditions": Textarea(attrs={"rows": 2})}

    def __init__(self, *args: Any, action: Action, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.action = action
        self.instance.organization_id = action.organization_id


class GovernanceBodyForm(forms.ModelForm):
    """A governance body of one roadmap, in the roadmap's organisation."""

    class Meta:
        model = GovernanceBody
        fields = ["kind", "name", "members", "frequency", "role"]
        widgets = {"members": Textarea(attrs={"rows": 3}), "role": Textarea(attrs={"rows": 2})}

    def __init__(self, *args: Any, roadmap: Roadmap, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.roadmap = roadmap
        self.instance.organization_id = roadmap.organization_id


def show_conflicts(form: forms.Form, conflict: Any) -> None:
    """A save refused because someone changed the same fields meanwhile (fiches.actions.SectionConflict): each
    field says who changed it and when, with the value saved meanwhile beside the input typed, which is kept. The
    form now carries the current version, so that sending it again saves what it then holds."""
    from documents.typography import french_date

    data = cast(Any, form.data).copy()
    data["seen_version"] = conflict.version
    form.data = data
    for c in conflict.conflicts:
        when = timezone.localtime(c.at)
        message = _(
            "%(label)s a été modifié par %(by)s le %(date)s à %(time)s pendant que vous l'éditiez. Valeur "
            "enregistrée : « %(current)s ». Votre saisie est conservée : gardez-la ou reprenez la "
            "valeur enregistrée, puis enregistrez."
        ) % {
            "label": c.label,
            "by": c.by,
            "date": french_date(when.date()),
            "time": when.strftime("%H:%M"),
            "current": c.current or "—",
        }
        form.add_error(c.field if c.field in form.fields else None, message)
