from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from chantiers.actions import SheetContent
from chantiers.models import (
    FEASIBILITY_MEANINGS,
    ChantierSheet,
    Feasibility,
    GovernanceRole,
    InventoryEntry,
    Priority,
)
from projectgroup.models import Actor, Contact
from roadmap.models import Action, Roadmap
from tenancy.models import Organization


class InventoryEntryForm(forms.ModelForm):
    class Meta:
        model = InventoryEntry
        fields = ["enjeu", "kind", "title", "carrier", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2}), "kind": forms.RadioSelect}

    def __init__(self, *args: Any, roadmap: Roadmap, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        enjeu = self.fields["enjeu"]
        enjeu.queryset = roadmap.enjeux.order_by("order", "pk")  # type: ignore[attr-defined]
        enjeu.label_from_instance = lambda e: f"{e.ref} · {e.question}"  # type: ignore[attr-defined]


class InventoryImportForm(forms.Form):
    file = forms.FileField(
        label=_("Fichier CSV ou XLSX"),
        help_text=_(
            "Colonnes : enjeu (E1, E2… ou la question), état (existant ou dans les cartons), intitulé, "
            "porté par, description."
        ),
    )


class NewSheetForm(forms.Form):
    title = forms.CharField(label=_("Titre du chantier"), max_length=300)
    team = forms.CharField(label=_("Binôme ou trinôme"), max_length=200, required=False)


class FeasibilityWidget(forms.RadioSelect):
    def create_option(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        option = super().create_option(*args, **kwargs)
        option["meaning"] = FEASIBILITY_MEANINGS.get(option["value"], "")
        return option


ROLE_FIELDS = {
    "pilote": GovernanceRole.PILOTE,
    "operateur": GovernanceRole.OPERATEUR,
    "associe": GovernanceRole.ASSOCIE,
}


class SheetForm(forms.Form):
    """The fiche chantier; the green colour's check is made by chantiers.actions.save_sheet inside the lock."""

    # The fiche as the scribe opened it (its last save): a save made meanwhile by another laptop is not overwritten.
    seen = forms.CharField(required=False, widget=forms.HiddenInput)
    title = forms.CharField(label=_("Titre du chantier"), max_length=300)
    team = forms.CharField(label=_("Binôme ou trinôme"), max_length=200, required=False)
    success = forms.CharField(
        label=_("Les objectifs : on aura réussi si…"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    actions = forms.ModelMultipleChoiceField(
        label=_("Actions de la feuille de route qu'il combine"),
        queryset=Action.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 5}),
    )
    free_actions = forms.CharField(
        label=_("Autres actions qu'il combine"),
        required=False,
        help_text=_("Une action par ligne."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    pilote = forms.MultipleChoiceField(label=_("Qui pilote ?"), required=False)
    operateur = forms.MultipleChoiceField(label=_("Qui fait ?"), required=False)
    associe = forms.MultipleChoiceField(label=_("Qui est associé ?"), required=False)
    resources_available = forms.CharField(
        label=_("Ressources mobilisables"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    resources_needed = forms.CharField(
        label=_("Ressources à mobiliser"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    blockers = forms.CharField(label=_("Freins à lever"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    feasibility = forms.ChoiceField(
        label=_("Faisabilité, choisie par le groupe"), choices=Feasibility.choices, widget=FeasibilityWidget
    )

    def __init__(self, *args: Any, organization: Organization, roadmap: Roadmap, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["actions"].queryset = roadmap.actions.order_by("chantier__order", "order")  # type: ignore[attr-defined]
        actors = list(Actor.objects.filter(organization=organization).only("pk", "name"))
        contacts = list(Contact.objects.filter(organization=organization).select_related("actor"))
        self.directory: dict[str, Actor | Contact] = {f"actor:{a.pk}": a for a in actors} | {
            f"contact:{c.pk}": c for c in contacts
        }
        choices = [
            (str(_("Structures")), [(f"actor:{a.pk}", a.name) for a in actors]),
            (
                str(_("Personnes")),
                [(f"contact:{c.pk}", f"{c.full_name} ({c.actor.name})" if c.actor else c.full_name) for c in contacts],
            ),
        ]
        for name in ROLE_FIELDS:
            field = self.fields[name]
            field.choices = choices  # type: ignore[attr-defined]
            field.widget.attrs["size"] = 6

    @classmethod
    def initial_for(cls, sheet: ChantierSheet) -> dict[str, Any]:
        return {
            "seen": sheet.seen_token,
            "title": sheet.chantier.title,
            "team": sheet.team,
            "success": sheet.success,
            "actions": list(sheet.actions.all()),
            "free_actions": sheet.free_actions,
            "resources_available": sheet.resources_available,
            "resources_needed": sheet.resources_needed,
            "blockers": sheet.blockers,
            "feasibility": sheet.feasibility,
            **{name: [p.choice_value for p in sheet.people_in(role)] for name, role in ROLE_FIELDS.items()},
        }

    def content(self) -> SheetContent:
        data = self.cleaned_data
        return SheetContent(
            title=data["title"],
            team=data["team"],
            success=data["success"],
            free_actions=data["free_actions"],
            resources_available=data["resources_available"],
            resources_needed=data["resources_needed"],
            blockers=data["blockers"],
            feasibility=data["feasibility"],
            actions=list(data["actions"]),
            people=[(role, self.directory[value]) for name, role in ROLE_FIELDS.items() for value in data[name]],
            seen=data["seen"],
        )


class PriorityForm(forms.Form):
    priority = forms.ChoiceField(
        label=_("Priorité"), choices=Priority.choices, required=False, widget=forms.RadioSelect
    )
    reason = forms.CharField(
        label=_("Pourquoi le groupe fait ce choix"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ValidateGroupForm(forms.Form):
    reporter = forms.CharField(label=_("Rapporteur du groupe"), max_length=200, required=False)
