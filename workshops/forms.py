from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from workshops.models import Workshop


class WorkshopForm(forms.ModelForm):
    groups = forms.IntegerField(
        label=_("nombre de groupes"),
        min_value=1,
        max_value=6,
        initial=1,
        help_text=_("Des groupes de 10 à 15 personnes, qui travaillent en parallèle avant la plénière."),
    )

    class Meta:
        model = Workshop
        fields = [
            "kind",
            "title",
            "date",
            "place",
            "question",
            "reformulation",
            "question_minutes",
            "collection_minutes",
            "vote_minutes",
            "ranking_minutes",
            "matrix_minutes",
            "timer_autostart",
            "is_template",
        ]
        widgets = {
            "date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "reformulation": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args: Any, roadmap: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.roadmap = roadmap
        if self.instance.pk:
            del self.fields["groups"]

    def save(self, commit: bool = True) -> Workshop:
        workshop = super().save(commit=False)
        workshop.roadmap = self.roadmap
        workshop.organization_id = self.roadmap.organization_id
        if commit:
            workshop.save()
        return workshop
