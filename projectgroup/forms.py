"""Forms of steps 1 and 2; every choice of a related row is limited to the organisation (or the démarche)."""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.db.models import Model, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from documents.typography import french_date
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
from roadmap.forms import SeenVersionForm, Textarea
from roadmap.models import Roadmap
from tenancy.models import Organization, User
from territories.models import Commune

if TYPE_CHECKING:
    from projectgroup.actions import ChangedMeanwhile

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class GuardedForm(SeenVersionForm):
    """A model form that never silently overwrites a save made since it was opened (mixed in before ModelForm).

    It reuses the spine's optimistic locking (`roadmap.forms.SeenVersionForm`: the hidden `seen_version` is the
    row's `updated_at`, compared under the row lock by `roadmap.actions.lock_unchanged`), and adds `seen_fields`, a
    short digest of what each of its own fields held when it was opened. A save made meanwhile on other columns of
    the row (another section of the evaluation, the meeting's date) is then no conflict, while one on the same fields
    is refused by `projectgroup.actions.guard_unchanged`: `show_changed_meanwhile` keeps everything typed and shows,
    under each field, the text saved meanwhile, so that the person merges both and saves again."""

    seen_fields = forms.CharField(widget=forms.HiddenInput, required=False)

    changed_meanwhile_message: Any = _(
        "Ce texte a été enregistré depuis un autre poste (à %(time)s) pendant que vous le modifiiez : rien n'a "
        "été enregistré. Votre saisie est conservée ci-dessous, avec sous chaque champ concerné la version "
        "enregistrée entre-temps : reprenez-en ce qu'il faut garder, puis enregistrez de nouveau."
    )
    saved_meanwhile_message: Any = _("Version enregistrée entre-temps depuis un autre poste : « %(current)s »")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            instance = self.row
            # "new": opened before the row existed, so a row created meanwhile is compared too.
            updated_at = getattr(instance, "updated_at", None)
            self.initial["seen_version"] = updated_at.isoformat() if instance.pk and updated_at else "new"
            self.initial["seen_fields"] = self.digests(instance)

    @property
    def row(self) -> Model:
        return cast(Model, cast(Any, self).instance)  # set by ModelForm, mixed in after this class

    def guarded_fields(self) -> list[str]:
        return [name for name in self.fields if name not in ("seen_version", "seen_fields")]

    def digests(self, row: Model) -> str:
        """One short digest per guarded field of the row as saved, « name:digest » separated by spaces."""
        return " ".join(f"{name}:{_digest(_saved_value(row, name))}" for name in self.guarded_fields())

    def seen_digests(self) -> dict[str, str]:
        pairs = (item.partition(":") for item in str(self.cleaned_data.get("seen_fields") or "").split())
        return {name: digest for name, _colon, digest in pairs}

    def changed_meanwhile(self, saved: Model) -> dict[str, str]:
        """The guarded fields someone changed since the form was opened, and that now differ from what was typed
        (name → the value saved meanwhile, as shown to the person)."""
        seen = self.seen_digests()
        changed = {}
        for name in self.guarded_fields():
            current = _saved_value(saved, name)
            if seen.get(name) == _digest(current):
                continue  # untouched meanwhile
            if _typed_value(self.cleaned_data.get(name)) == current:
                continue  # the same as what was typed: nothing to merge
            changed[name] = _shown_value(saved, name)
        return changed

    def show_changed_meanwhile(self, refusal: ChangedMeanwhile) -> None:
        """Nothing was saved: the form comes back with what was typed, now carrying the current version (sent again,
        it is saved knowingly), a message, and under each field the text saved meanwhile."""
        data = cast(Any, self.data).copy()
        data[self.add_prefix("seen_version")] = refusal.version
        data[self.add_prefix("seen_fields")] = self.digests(refusal.saved)
        self.data = data
        time = timezone.localtime(refusal.saved_at).strftime("%H:%M") if refusal.saved_at else ""
        self.add_error(None, forms.ValidationError(self.changed_meanwhile_message % {"time": time}, code="stale"))
        for name, current in refusal.changed.items():
            self.add_error(name, forms.ValidationError(self.saved_meanwhile_message % {"current": current or "—"}))


def _saved_value(row: Model, name: str) -> str:
    field = row._meta.get_field(name)
    if field.many_to_many:
        if row.pk is None:
            return ""
        return _typed_value(list(getattr(row, name).values_list("pk", flat=True)))
    value = getattr(row, field.attname if field.is_relation else name)  # type: ignore[union-attr]
    return _typed_value(value)


def _typed_value(value: Any) -> str:
    """A field's value as compared: text with its line breaks normalised, related rows by their keys."""
    if value is None:
        return ""
    if isinstance(value, Model):
        return str(value.pk)
    if isinstance(value, str):
        return value.replace("\r\n", "\n").replace("\r", "\n").strip()
    if hasattr(value, "__iter__"):
        return ",".join(sorted((str(item.pk) if isinstance(item, Model) else str(item)) for item in value))
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    return str(value)


def _shown_value(row: Model, name: str) -> str:
    field = row._meta.get_field(name)
    if field.many_to_many:
        return "\u00a0; ".join(str(item) for item in getattr(row, name).all()) if row.pk else ""
    value = getattr(row, name)
    if getattr(field, "choices", None):
        return str(getattr(row, f"get_{name}_display")())
    if hasattr(value, "isoformat") and hasattr(value, "day"):
        return french_date(value)
    return "" if value is None else str(value)


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()[:12]


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


class MandateForm(GuardedForm, forms.ModelForm):
    class Meta:
        model = Mandate
        fields = ["text", "given_by", "given_on"]
        widgets = {"text": Textarea(attrs={"rows": 4}), "given_on": DATE}


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


class MinutesForm(GuardedForm, forms.ModelForm):
    class Meta:
        model = Meeting
        fields = ["minutes", "decisions"]
        widgets = {"minutes": Textarea(attrs={"rows": 6}), "decisions": Textarea(attrs={"rows": 3})}


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
