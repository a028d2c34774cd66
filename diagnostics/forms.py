from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from diagnostics.importers import IMPORTERS, REFERENCE_ONLY_KINDS
from diagnostics.models import TerritoryDiagnostic

MAX_UPLOAD_BYTES = 50 * 1024 * 1024
# The geography (COG passage table, contours, EPCI composition) and the figures published for whole EPCI and
# départements are shared by every organisation and loaded by the operators (manage.py import_diagnostic);
# members upload statistics and places, kept for their own communes.
MEMBER_KINDS = [k for k in IMPORTERS if k not in REFERENCE_ONLY_KINDS]


class SynthesisForm(forms.ModelForm):
    class Meta:
        model = TerritoryDiagnostic
        fields = ["synthesis", "distance_km"]
        widgets = {"synthesis": forms.Textarea(attrs={"rows": 12})}


class ImportForm(forms.Form):
    kind = forms.ChoiceField(label=_("Type de fichier"), choices=[(k, IMPORTERS[k][0]) for k in MEMBER_KINDS])
    file = forms.FileField(
        label=_("Fichier"), help_text=_("CSV (virgule ou point-virgule), XLSX ou GeoJSON, au format officiel.")
    )
    vintage = forms.CharField(
        label=_("Millésime"),
        required=False,
        max_length=60,
        help_text=_(
            "La date ou l'année des données (par exemple « 2024-08-01 » ou « 2023 »), si le fichier ne la porte "
            "pas lui-même : un fichier sans date ni millésime indiqué est refusé."
        ),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("Fichier trop volumineux (50 Mo au plus)."))
        return upload
