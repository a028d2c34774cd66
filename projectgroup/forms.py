"""Forms of steps 1 and 2; every choice of a related row is limited to the organisation (or the démarche)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from projectgroup.importers import FIELDS
from projectgroup.models import (
    Actor,
    AgendaItem,
    Contact,
    DefinitionVersion,
    Family,
    GroupMember,
    GroupRole,
    Mandate,
    Meeting,
    Milestone,
    Objective,
)
from roadmap.models import Roadmap
from tenancy.models import Organization, User
from territories.models import Commune

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class ActorForm(forms.ModelForm):
    families = forms.MultipleChoiceField(
        label=_("Publics accompagnés (panorama des acteurs)"),
        choices=Family.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    siret = forms.CharField(label=_("SIRET"), required=False, max_length=20, help_text=_("14 chiffres, si connu."))
    website = forms.URLField(label=_("Site internet"), required=False, assume_scheme="https")
    tags_text = forms.CharField(
        label=_("Étiquettes"), required=False, help_text=_("Séparées par des virgules."), max_length=600
    )

    class Meta:
        model = Actor
        fields = ["name", "kind", "siret", "commune", "address", "families", "website", "email", "phone"]

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.organization = organization
        # The organisation's communes first; any commune can be chosen by its code through the import.
        # One filter (a distinct query cannot be OR-ed with another): its territories' communes and the actor's own.
        chosen = Q(territories__organization=organization)
        if self.instance.commune_id:
            chosen |= Q(pk=self.instance.commune_id)
        communes = Commune.objects.filter(chosen).distinct()
        self.fields["commune"].queryset = communes.order_by("name")  # type: ignore[attr-defined]
        self.fields["tags_text"].initial = ", ".join(self.instance.tags)

    def clean_siret(self) -> str:
        siret = "".join(self.cleaned_data["siret"].split())
        others = self.instance.organization.actors.exclude(pk=self.instance.pk)
        if siret and others.filter(siret=siret).exists():
            raise forms.ValidationError(_("Une structure de l'annuaire porte déjà ce SIRET."))
        return siret

    def save(self, commit: bool = True) -> Actor:
        self.instance.tags = [t.strip()[:60] for t in self.cleaned_data["tags_text"].split(",") if t.strip()]
        return super().save(commit)


class ContactForm(forms.ModelForm):
    class Meta:
        model = Contact
        fields = ["full_name", "actor", "function", "email", "phone", "user", "consent", "do_not_contact"]

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.organization = organization
        self.fields["actor"].queryset = organization.actors.all()  # type: ignore[attr-defined]
        self.fields["user"].queryset = User.objects.filter(memberships__organization=organization).order_by("full_name")  # type: ignore[attr-defined]
        self.fields["user"].help_text = _("Si la personne est aussi membre de l'organisation sur Cap Partagé.")


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Fichier des structures"),
        help_text=_("CSV, XLSX (Excel) ou JSON au schéma data·inclusion ; la première ligne nomme les colonnes."),
    )


class ContactImportForm(forms.Form):
    file = forms.FileField(
        label=_("Fichier des contacts"),
        help_text=_(
            "CSV ou XLSX (Excel), la première ligne nommant les colonnes : « Nom et prénom » (ou « Nom » et "
            "« Prénom »), et au choix « Structure », « Fonction », « Courriel », « Téléphone », « Accord » (oui/non), "
            "« Ne plus contacter » (oui/non)."
        ),
    )


class MappingForm(forms.Form):
    """Which column of the file holds each field (prefilled from the headers)."""

    def __init__(self, *args: Any, headers: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", _("— aucune —"))] + [(h, h) for h in headers if h]
        for f in FIELDS:
            self.fields[f.key] = forms.ChoiceField(label=f.label, choices=choices, required=False)

    def mapping(self) -> dict[str, str]:
        return {f.key: self.cleaned_data.get(f.key, "") for f in FIELDS}


class MandateForm(forms.ModelForm):
    class Meta:
        model = Mandate
        fields = ["text", "given_by", "given_on"]
        widgets = {"text": forms.Textarea(attrs={"rows": 4}), "given_on": DATE}


class ObjectiveForm(forms.ModelForm):
    class Meta:
        model = Objective
        fields = ["text"]


class GroupMemberForm(forms.Form):
    """A contact of the directory, or a member of the organisation (their contact is created from the account)."""

    contact = forms.ModelChoiceField(label=_("Personne de l'annuaire"), queryset=Contact.objects.none(), required=False)
    user = forms.ModelChoiceField(label=_("ou membre de l'organisation"), queryset=User.objects.none(), required=False)
    role = forms.ChoiceField(label=_("Rôle dans la démarche"), choices=GroupRole.choices, initial=GroupRole.MEMBRE)
    commitment = forms.CharField(
        label=_("Ce à quoi la personne s'engage"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["contact"].queryset = organization.contacts.select_related("actor")  # type: ignore[attr-defined]
        self.fields["user"].queryset = User.objects.filter(memberships__organization=organization).order_by("full_name")  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if bool(data.get("contact")) == bool(data.get("user")):
            raise forms.ValidationError(_("Choisissez une personne de l'annuaire ou un membre, pas les deux."))
        return data


class BodyMemberForm(forms.Form):
    contact = forms.ModelChoiceField(label=_("Personne de l'annuaire"), queryset=Contact.objects.none())
    function = forms.CharField(
        label=_("Rôle dans l'instance"),
        max_length=200,
        required=False,
        help_text=_("Par exemple : président, membre, invité."),
    )

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["contact"].queryset = organization.contacts.select_related("actor").order_by("full_name")  # type: ignore[attr-defined]


class GroupMemberEditForm(forms.ModelForm):
    class Meta:
        model = GroupMember
        fields = ["role", "commitment"]
        widgets = {"commitment": forms.Textarea(attrs={"rows": 2})}


class MilestoneForm(forms.ModelForm):
    class Meta:
        model = Milestone
        fields = ["title", "phase", "step", "planned_start", "planned_end", "actual_date"]
        widgets = {"planned_start": DATE, "planned_end": DATE, "actual_date": DATE}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("planned_start"), data.get("planned_end")
        if start and end and start > end:
            self.add_error("planned_end", _("L'échéance précède le début."))
        return data


class PlanStepsForm(forms.Form):
    start = forms.DateField(label=_("Début de la démarche"), widget=DATE)
    weeks = forms.IntegerField(label=_("Semaines par étape"), min_value=1, max_value=52, initial=6)


class MeetingForm(forms.ModelForm):
    class Meta:
        model = Meeting
        fields = ["kind", "title", "starts_at", "ends_at", "place", "body", "cancelled"]
        widgets = {"starts_at": DATETIME, "ends_at": DATETIME}

    def __init__(self, *args: Any, roadmap: Roadmap, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.roadmap = roadmap
        self.instance.organization_id = roadmap.organization_id
        self.fields["body"].queryset = roadmap.governance_bodies.all()  # type: ignore[attr-defined]
        if not self.instance.pk:
            del self.fields["cancelled"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("ends_at") and data.get("starts_at") and data["ends_at"] <= data["starts_at"]:
            self.add_error("ends_at", _("La fin doit suivre le début."))
        return data


class MinutesForm(forms.ModelForm):
    class Meta:
        model = Meeting
        fields = ["minutes", "decisions"]
        widgets = {"minutes": forms.Textarea(attrs={"rows": 6}), "decisions": forms.Textarea(attrs={"rows": 3})}


class AgendaItemForm(forms.ModelForm):
    class Meta:
        model = AgendaItem
        fields = ["title", "duration"]


class InviteForm(forms.Form):
    contacts = forms.ModelMultipleChoiceField(
        label=_("Personnes à inviter"), queryset=Contact.objects.none(), widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["contacts"].queryset = organization.contacts.select_related("actor")  # type: ignore[attr-defined]


class CheckInForm(forms.Form):
    name = forms.CharField(label=_("Votre nom et prénom"), max_length=200)
    structure = forms.CharField(label=_("Votre structure"), max_length=250, required=False)


class DefinitionForm(forms.ModelForm):
    class Meta:
        model = DefinitionVersion
        fields = ["text", "note"]
        widgets = {"text": forms.Textarea(attrs={"rows": 6})}


class AdoptForm(forms.Form):
    meeting = forms.ModelChoiceField(label=_("Adoptée lors de la réunion"), queryset=Meeting.objects.none())

    def __init__(self, *args: Any, roadmap: Roadmap, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["meeting"].queryset = roadmap.meetings.held().order_by("-starts_at")  # type: ignore[attr-defined]
