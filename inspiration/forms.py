from __future__ import annotations

import zipfile
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from inspiration.models import (
    ALLOWED_UPLOADS,
    MAX_UPLOAD_BYTES,
    BudgetRange,
    Experience,
    ExperienceDocument,
    Public,
    Recueil,
    Report,
    SiteVisit,
    TerritoryKind,
    Theme,
    VisitFeedback,
)
from roadmap.models import Chantier, Defi, Roadmap
from tenancy.models import Organization


class ExperienceForm(forms.ModelForm):
    publics = forms.MultipleChoiceField(
        label=_("Publics"), choices=Public.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    themes = forms.MultipleChoiceField(
        label=_("Thèmes"), choices=Theme.choices, required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Experience
        fields = [
            "title",
            "territory_name",
            "territory_kind",
            "lead_structure",
            "description",
            "publics",
            "themes",
            "results",
            "budget_range",
            "contacts",
            "publish_contacts",
            "links",
            "internal_notes",
            "enjeux",
            "chantiers",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 6}),
            "results": forms.Textarea(attrs={"rows": 3}),
            "contacts": forms.Textarea(attrs={"rows": 2}),
            "links": forms.Textarea(attrs={"rows": 2}),
            "internal_notes": forms.Textarea(attrs={"rows": 2}),
            "enjeux": forms.CheckboxSelectMultiple,
            "chantiers": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Only the organisation's own spine can be linked.
        self.fields["enjeux"].queryset = organization.enjeux.select_related("roadmap").order_by("roadmap", "order")  # type: ignore[attr-defined]
        self.fields["chantiers"].queryset = organization.chantiers.order_by("roadmap", "order")  # type: ignore[attr-defined]


def sniff_content_type(upload: UploadedFile) -> str | None:
    """The type of the file from its first bytes (what the browser declares is not trusted)."""
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(upload) as archive:
                names = set(archive.namelist())
                if "mimetype" in names:
                    declared = archive.read("mimetype").decode("ascii", "replace").strip()
                    return declared if declared in ALLOWED_UPLOADS else None
                if "word/document.xml" in names:
                    return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
                if "ppt/presentation.xml" in names:
                    return "application/vnd.openxmlformats-officedocument.presentationml.presentation"
        except zipfile.BadZipFile:
            return None
        finally:
            upload.seek(0)
    return None


class DocumentForm(forms.ModelForm):
    class Meta:
        model = ExperienceDocument
        fields = ["title", "file", "is_public"]

    def clean_file(self) -> UploadedFile:
        upload: UploadedFile = self.cleaned_data["file"]
        if upload.size is not None and upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("Ce fichier dépasse 10 Mo."))
        content_type = sniff_content_type(upload)
        if content_type is None:
            raise forms.ValidationError(_("Type de fichier refusé : PDF, image PNG ou JPEG, Word, PowerPoint ou ODT."))
        self.instance.content_type = content_type
        self.instance.size = upload.size or 0
        return upload


class PublishForm(forms.Form):
    on_behalf_of = forms.ModelChoiceField(
        label=_("Publier pour le compte de"),
        queryset=Organization.objects.none(),
        required=False,
        empty_label=_("notre organisation"),
        help_text=_("Un hub peut publier pour un territoire qu'il accompagne."),
    )

    def __init__(self, *args: Any, user: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["on_behalf_of"].queryset = Organization.objects.filter(  # type: ignore[attr-defined]
            memberships__user=user
        ).exclude(pk=organization.pk)


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Rechercher"), required=False, max_length=200)
    theme = forms.MultipleChoiceField(
        label=_("Thèmes"), choices=Theme.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    public = forms.MultipleChoiceField(
        label=_("Publics"), choices=Public.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    territoire = forms.MultipleChoiceField(
        label=_("Type de territoire"),
        choices=TerritoryKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    budget = forms.MultipleChoiceField(
        label=_("Budget"), choices=BudgetRange.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    portee = forms.ChoiceField(
        label=_("Afficher"),
        required=False,
        choices=[("", _("tout")), ("nous", _("nos expériences")), ("commun", _("celles des autres territoires"))],
    )


class InspireForm(forms.Form):
    target = forms.ChoiceField(
        label=_("Copier dans"),
        choices=[("chantier", _("un nouveau chantier")), ("action", _("une nouvelle fiche action"))],
        widget=forms.RadioSelect,
        initial="action",
    )
    roadmap = forms.ModelChoiceField(label=_("Feuille de route"), queryset=Roadmap.objects.none(), required=False)
    defi = forms.ModelChoiceField(
        label=_("Défi du nouveau chantier"), queryset=Defi.objects.none(), required=False, empty_label=_("aucun")
    )
    chantier = forms.ModelChoiceField(
        label=_("Chantier de la nouvelle fiche action"), queryset=Chantier.objects.none(), required=False
    )

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["roadmap"].queryset = organization.roadmaps.all()  # type: ignore[attr-defined]
        self.fields["defi"].queryset = organization.defis.select_related("roadmap")  # type: ignore[attr-defined]
        self.fields["chantier"].queryset = organization.chantiers.select_related("roadmap")  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("target") == "action" and not data.get("chantier"):
            self.add_error("chantier", _("Choisissez le chantier de la nouvelle fiche action."))
        if data.get("target") == "chantier":
            defi = data.get("defi")
            roadmap = data.get("roadmap") or (defi.roadmap if defi else None)
            if roadmap is None:
                self.add_error("roadmap", _("Choisissez la feuille de route du nouveau chantier."))
            elif defi is not None and defi.roadmap_id != roadmap.pk:
                self.add_error("defi", _("Ce défi appartient à une autre feuille de route."))
            data["roadmap"] = roadmap
        return data


class ReportForm(forms.ModelForm):
    class Meta:
        model = Report
        fields = ["reason", "comment"]
        widgets = {"reason": forms.RadioSelect, "comment": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Radio buttons: no « --------- » choice, checked at first; the person picks a reason.
        self.fields["reason"].choices = Report.Reason.choices  # type: ignore[attr-defined]


class ModerationForm(forms.Form):
    decision = forms.ChoiceField(choices=[("unpublish", _("Retirer du commun")), ("dismiss", _("Classer sans suite"))])
    reason = forms.CharField(label=_("Motif transmis à l'organisation"), required=False, widget=forms.Textarea)


class RecueilForm(forms.ModelForm):
    class Meta:
        model = Recueil
        fields = ["title", "roadmap", "introduction"]
        widgets = {"introduction": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["roadmap"].queryset = organization.roadmaps.all()  # type: ignore[attr-defined]


class VisitCreateForm(forms.Form):
    title = forms.CharField(label=_("Intitulé"), max_length=250, initial=_("Visite sur site"))
    roadmap = forms.ModelChoiceField(label=_("Feuille de route"), queryset=Roadmap.objects.none())
    starts_at = forms.DateTimeField(
        label=_("Date et heure"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    host_territory = forms.CharField(label=_("Territoire qui accueille"), max_length=200)
    place = forms.CharField(label=_("Lieu de rendez-vous"), max_length=300, required=False)

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["roadmap"].queryset = organization.roadmaps.all()  # type: ignore[attr-defined]


class SiteVisitForm(forms.ModelForm):
    report = forms.CharField(
        label=_("Compte rendu de la visite"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Enregistré comme compte rendu de la réunion."),
    )

    class Meta:
        model = SiteVisit
        fields = [
            "objectives",
            "host_territory",
            "host_structure",
            "programme",
            "key_points",
            "contacts_met",
            "experiences",
        ]
        widgets = {
            "objectives": forms.Textarea(attrs={"rows": 3}),
            "programme": forms.Textarea(attrs={"rows": 5}),
            "key_points": forms.Textarea(attrs={"rows": 4}),
            "contacts_met": forms.CheckboxSelectMultiple,
            "experiences": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["contacts_met"].queryset = organization.contacts.order_by("full_name")  # type: ignore[attr-defined]
        self.fields["experiences"].queryset = Experience.objects.visible_to(organization).order_by("title")  # type: ignore[attr-defined]
        if self.instance.pk:
            self.fields["report"].initial = self.instance.meeting.minutes


class VisitFeedbackForm(forms.ModelForm):
    class Meta:
        model = VisitFeedback
        fields = ["name", "usefulness", "takeaway", "to_try"]
        widgets = {
            "usefulness": forms.RadioSelect,
            "takeaway": forms.Textarea(attrs={"rows": 3}),
            "to_try": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Radio buttons from 1 to 5, none checked in advance (no « --------- » choice).
        self.fields["usefulness"].choices = VisitFeedback._meta.get_field("usefulness").choices  # type: ignore[attr-defined]
