"""The join request a territory sends, the operator's decision, and the guided choice of the territory."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from onboarding.models import JoinRequest
from territories.models import Commune

SIREN = re.compile(r"^\d{9}$")


def clean_siren(value: str) -> str:
    siren = re.sub(r"\s", "", value or "")
    if siren and not SIREN.match(siren):
        raise forms.ValidationError(_("Un SIREN compte 9 chiffres."))
    return siren


class JoinRequestForm(forms.ModelForm):
    # Typed with spaces as often as not (« 200 040 392 »): checked after they are taken out.
    siren = forms.CharField(
        label=_("SIREN"), required=False, max_length=20, help_text=_("9 chiffres, si l'organisation en a un.")
    )

    class Meta:
        model = JoinRequest
        fields = ["organization_name", "kind", "siren", "full_name", "function", "email", "message"]
        widgets = {"message": forms.Textarea(attrs={"rows": 4})}

    def clean_siren(self) -> str:
        return clean_siren(self.cleaned_data.get("siren", ""))

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip().lower()


class DecisionForm(forms.Form):
    APPROVE, REFUSE = "approve", "refuse"

    decision = forms.ChoiceField(
        label=_("Décision"),
        choices=[
            (APPROVE, _("Valider : créer l'organisation et inviter le demandeur comme administrateur")),
            (REFUSE, _("Refuser")),
        ],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Motif"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Obligatoire pour un refus : il est envoyé au demandeur."),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("decision") == self.REFUSE and not cleaned.get("reason", "").strip():
            self.add_error("reason", _("Indiquez le motif du refus : le demandeur le recevra."))
        return cleaned


# How a commune's name may be typed: without its accents, its hyphens or its apostrophes (« saint estephe » for
# « Saint-Estèphe », « l isle adam »), in any case.
_LETTER_VARIANTS = {"a": "aàâä", "c": "cç", "e": "eéèêë", "i": "iîï", "o": "oôö", "u": "uùûü", "y": "yÿ"}
_SEPARATORS = "[-'’ ]+"


def loose_name_pattern(text: str) -> str:
    """A PostgreSQL regular expression (case-insensitive match) for a commune's name as a person may type it."""
    plain = unicodedata.normalize("NFKD", text.strip().lower())
    plain = "".join(c for c in plain if not unicodedata.combining(c)).replace("œ", "oe").replace("æ", "ae")
    parts = []
    for word in re.split(r"[-'’\s]+", plain):
        letters = []
        for char in word:
            variants = _LETTER_VARIANTS.get(char)
            letters.append(f"[{variants}{variants.upper()}]" if variants else re.escape(char))
        parts.append("".join(letters).replace("[oôöOÔÖ][eéèêëEÉÈÊË]", "(oe|œ|OE|Œ)"))
    return "^" + _SEPARATORS.join(p for p in parts if p) + "$"


def epci_choices() -> list[tuple[str, str]]:
    """The EPCIs of the reference data (COG): SIREN and name."""
    rows = (
        Commune.objects.exclude(epci_siren="")
        .values_list("epci_siren", "epci_name")
        .distinct()
        .order_by("epci_name", "epci_siren")
    )
    return [(siren, name) for siren, name in rows]


class TerritorySetupForm(forms.Form):
    """An EPCI picked by name or SIREN fills the communes from the reference data; or communes one by one."""

    EPCI, COMMUNES = "epci", "communes"

    mode = forms.ChoiceField(
        label=_("Votre territoire"),
        choices=[
            (EPCI, _("Une intercommunalité (EPCI) et toutes ses communes")),
            (COMMUNES, _("Des communes choisies une à une")),
        ],
        widget=forms.RadioSelect,
        initial=EPCI,
    )
    epci = forms.CharField(
        label=_("Intercommunalité (nom ou SIREN)"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"list": "epci-list", "autocomplete": "off"}),
        help_text=_("Tapez quelques lettres du nom ou le SIREN, puis choisissez dans la liste."),
    )
    communes = forms.CharField(
        label=_("Communes (codes INSEE ou noms)"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": "24037\nBrantôme en Périgord"}),
        help_text=_("Une commune par ligne : son code INSEE, ou son nom s'il n'y a qu'une commune de ce nom."),
    )
    name = forms.CharField(
        label=_("Nom du territoire"),
        required=False,
        max_length=200,
        help_text=_("Par défaut, le nom de l'intercommunalité."),
    )
    # Offered only once the organisation is found to have this territory already (onboarding.views).
    another_roadmap = forms.BooleanField(
        label=_("Oui, créer une autre feuille de route sur ce territoire"),
        required=False,
        help_text=_("Par exemple pour une nouvelle période : le territoire et son diagnostic restent les mêmes."),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        mode = cleaned.get("mode")
        if mode == self.EPCI:
            cleaned["commune_list"], cleaned["default_name"] = self._epci_communes(cleaned.get("epci", ""))
        elif mode == self.COMMUNES:
            cleaned["commune_list"] = self._communes(cleaned.get("communes", ""))
            cleaned["default_name"] = ""
            if not cleaned.get("name", "").strip():
                self.add_error("name", _("Donnez un nom à ce territoire."))
        return cleaned

    def _epci_communes(self, raw: str) -> tuple[list[Commune], str]:
        text = raw.strip()
        if not text:
            self.add_error("epci", _("Choisissez une intercommunalité."))
            return [], ""
        # "Name (SIREN)" as the list shows it, a bare SIREN, or a name.
        siren_match = re.search(r"\b(\d{9})\b", text)
        if siren_match:
            communes = Commune.objects.filter(epci_siren=siren_match.group(1))
        else:
            communes = Commune.objects.filter(epci_name__iexact=text)
        found = list(communes.order_by("name"))
        sirens = {c.epci_siren for c in found}
        if not found:
            self.add_error(
                "epci",
                _("Aucune intercommunalité « %(text)s » dans le référentiel des communes.") % {"text": text[:100]},
            )
            return [], ""
        if len(sirens) > 1:
            self.add_error("epci", _("Plusieurs intercommunalités portent ce nom : choisissez-la par son SIREN."))
            return [], ""
        return found, found[0].epci_name

    def _communes(self, raw: str) -> list[Commune]:
        entries = [line.strip() for line in re.split(r"[\n;]", raw) if line.strip()]
        if not entries:
            self.add_error("communes", _("Indiquez au moins une commune."))
            return []
        if len(entries) > 2000:
            self.add_error("communes", _("Au plus 2 000 communes."))
            return []
        found: dict[str, Commune] = {}
        problems: list[str] = []
        for entry in entries:
            code = re.search(r"\b(\d[0-9AB]\d{3})\b", entry.upper())
            if code:
                commune = Commune.objects.filter(code=code.group(1)).first()
                if commune is None:
                    problems.append(str(_("%(entry)s : code inconnu") % {"entry": entry[:60]}))
                else:
                    found[commune.code] = commune
                continue
            matches = list(Commune.objects.filter(name__iexact=entry)[:2]) or list(
                Commune.objects.filter(name__iregex=loose_name_pattern(entry))[:2]
            )
            if len(matches) == 1:
                found[matches[0].code] = matches[0]
            elif matches:
                problems.append(
                    str(_("%(entry)s : plusieurs communes, indiquez le code INSEE") % {"entry": entry[:60]})
                )
            else:
                problems.append(str(_("%(entry)s : commune introuvable") % {"entry": entry[:60]}))
        if problems:
            self.add_error("communes", forms.ValidationError([str(p) for p in problems[:20]]))
        return list(found.values())
