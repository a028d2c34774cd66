"""Forms of the editors' pages. The respondents' form is read by questionnaires.answering (its fields come from
the questions)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from questionnaires.models import DEFAULT_LIKERT_LABELS, Kind, Question, Questionnaire

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class QuestionnaireForm(forms.ModelForm):
    class Meta:
        model = Questionnaire
        fields = ["title", "intro", "thanks", "mode", "opens_at", "closes_at"]
        widgets = {
            "intro": forms.Textarea(attrs={"rows": 3}),
            "thanks": forms.Textarea(attrs={"rows": 2}),
            "opens_at": DATETIME,
            "closes_at": DATETIME,
        }
        help_texts = {
            "thanks": _("Affiché après l'envoi. Par défaut : « Merci, votre réponse est enregistrée. »"),
            "opens_at": _("Vide : ouvert dès maintenant."),
            "closes_at": _("Vide : pas de date de clôture."),
        }

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        opens, closes = data.get("opens_at"), data.get("closes_at")
        if opens and closes and closes <= opens:
            self.add_error("closes_at", _("La clôture doit venir après l'ouverture."))
        return data


class QuestionForm(forms.ModelForm):
    choices_text = forms.CharField(
        label=_("Réponses proposées"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Choix unique ou multiple : une réponse par ligne."),
    )
    labels_text = forms.CharField(
        label=_("Libellés de l'échelle, de 1 à 5"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Échelle : cinq lignes, de 1 à 5. Vide : « %(low)s » … « %(high)s ».")
        % {"low": DEFAULT_LIKERT_LABELS[0], "high": DEFAULT_LIKERT_LABELS[-1]},
    )

    class Meta:
        model = Question
        fields = ["label", "kind", "help_text", "required", "min_value", "max_value"]
        help_texts = {"min_value": _("Nombre : facultatif."), "max_value": _("Nombre : facultatif.")}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["choices_text"].initial = "\n".join(self.instance.choices or [])
            self.fields["labels_text"].initial = "\n".join(self.instance.scale_labels or [])
        for name in self.fields:
            self.fields[name].widget.attrs.setdefault("id", f"id_{self.prefix or 'q'}_{name}")

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        kind = data.get("kind")
        lines = [line.strip() for line in data.get("choices_text", "").splitlines() if line.strip()]
        labels = [line.strip() for line in data.get("labels_text", "").splitlines() if line.strip()]
        data["choices"] = []
        data["scale_labels"] = []
        if kind in (Kind.SINGLE, Kind.MULTIPLE):
            if len(lines) < 2:
                self.add_error("choices_text", _("Proposez au moins deux réponses, une par ligne."))
            elif len(set(lines)) != len(lines):
                self.add_error("choices_text", _("Deux réponses proposées sont identiques."))
            elif any(len(line) > 200 for line in lines):
                self.add_error("choices_text", _("Une réponse proposée dépasse 200 caractères."))
            data["choices"] = lines
        if kind == Kind.LIKERT and labels:
            if len(labels) != 5:
                self.add_error("labels_text", _("Écrivez cinq libellés, un par ligne (ou aucun)."))
            data["scale_labels"] = labels
        low, high = data.get("min_value"), data.get("max_value")
        if kind == Kind.NUMBER and low is not None and high is not None and low >= high:
            self.add_error("max_value", _("Le maximum doit dépasser le minimum."))
        if kind != Kind.NUMBER:
            data["min_value"] = data["max_value"] = None
        return data

    def fields_to_save(self) -> dict[str, Any]:
        data = self.cleaned_data
        names = ["label", "kind", "help_text", "required", "min_value", "max_value", "choices", "scale_labels"]
        return {name: data[name] for name in names}


class CountForm(forms.Form):
    count = forms.IntegerField(label=_("Nombre"), min_value=1, max_value=500, initial=20)
