"""What changed since the last adopted version: the live roadmap's document compared with the version's snapshot.

Both are the JSON documents of fiches.document (the snapshot is one, frozen at the adoption), so the comparison
reads the same figures the PDFs show. Only what an élu reads is compared: texts, the spine, the fiches and their
budget; not the dates of edition nor the diagnostic (data imports change it without anyone's decision).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from adoption.models import RoadmapVersion
from documents.typography import french_date
from fiches.budget import euros
from roadmap.models import Roadmap

ROADMAP_TEXTS = {
    "title": gettext_lazy("Titre de la feuille de route"),
    "introduction": gettext_lazy("Introduction"),
    "resources": gettext_lazy("Ressources"),
    "evaluation_arrangements": gettext_lazy("Modalités d'évaluation"),
}


def _short(text: Any, length: int = 90) -> str:
    """A long text (an introduction) as an excerpt, cut between two words, never inside one."""
    text = " ".join(str(text or "").split())
    if len(text) <= length:
        return text
    cut = text[:length].rsplit(" ", 1)[0] if " " in text[:length] else text[:length]
    return cut.rstrip(" ,;:.") + " …"


def _money(value: Any) -> str:
    return euros(Decimal(str(value))) if value not in (None, "") else "—"


def _chantiers(document: dict[str, Any]) -> list[dict[str, Any]]:
    return [c for d in document.get("defis", []) for c in d.get("chantiers", [])] + list(
        document.get("chantiers_without_defi", [])
    )


def _titles(items: list[dict[str, Any]], key: str) -> dict[str, str]:
    return {" ".join(str(i.get(key, "")).split()): f"{i.get('ref', '')} · {i.get(key, '')}" for i in items}


def compare(adopted: dict[str, Any], live: dict[str, Any], partial: bool = False) -> list[dict[str, str]]:
    """The differences an élu would want to know of, each as {what, before, after}, in the document's order.

    `partial`: the live document holds some fiches only (one fiche's PDF); the rest of the roadmap is not compared.
    """
    changes: list[dict[str, str]] = []

    def add(what: Any, before: Any, after: Any) -> None:
        changes.append({"what": str(what), "before": str(before), "after": str(after)})

    if not partial:
        before_r, after_r = adopted.get("roadmap", {}), live.get("roadmap", {})
        for key, field_label in ROADMAP_TEXTS.items():
            if (before_r.get(key) or "") != (after_r.get(key) or ""):
                add(field_label, _short(before_r.get(key)) or "—", _short(after_r.get(key)) or "—")
        before_p = (before_r.get("period_start"), before_r.get("period_end"))
        after_p = (after_r.get("period_start"), after_r.get("period_end"))
        if before_p != after_p:
            add(_("Période"), "{} – {}".format(*before_p), "{} – {}".format(*after_p))
        for label, key, items in (
            (_("Enjeu"), "question", lambda d: d.get("enjeux", [])),
            (_("Défi"), "title", lambda d: d.get("defis", [])),
            (_("Chantier"), "title", _chantiers),
        ):
            before_t, after_t = _titles(items(adopted), key), _titles(items(live), key)
            for text in before_t.keys() - after_t.keys():
                add(label, before_t[text], _("retiré ou reformulé"))
            for text in after_t.keys() - before_t.keys():
                add(label, _("absent"), after_t[text])
        before_g = {g.get("name") for g in adopted.get("governance", [])}
        after_g = {g.get("name") for g in live.get("governance", [])}
        if before_g != after_g:
            add(_("Gouvernance"), ", ".join(sorted(before_g)) or "—", ", ".join(sorted(after_g)) or "—")

    before_f = {f["pk"]: f for f in adopted.get("fiches", [])}
    after_f = {f["pk"]: f for f in live.get("fiches", [])}
    labels = live.get("field_labels") or adopted.get("field_labels") or {}
    for pk, fiche in after_f.items():
        old = before_f.get(pk)
        name = _("Fiche %(ref)s") % {"ref": fiche["ref"]}
        if old is None:
            add(
                name,
                _("absente"),
                _("ajoutée : « %(title)s », %(cost)s")
                % {"title": fiche["title"], "cost": _money(fiche["plan"]["cost"])},
            )
            continue
        if old["title"] != fiche["title"]:
            add(_("%(name)s · titre") % {"name": name}, old["title"], fiche["title"])
        for key, label in ((_("coût total TTC"), "cost"), (_("financements"), "financed")):
            if Decimal(str(old["plan"][label])) != Decimal(str(fiche["plan"][label])):
                add(f"{name} · {key}", _money(old["plan"][label]), _money(fiche["plan"][label]))
        if (
            old["plan"].get("year_gaps") != fiche["plan"].get("year_gaps")
            and old["plan"]["cost"] == fiche["plan"]["cost"]
        ):
            add(_("%(name)s · répartition par année") % {"name": name}, _("adoptée"), _("modifiée"))
        edited = [str(labels.get(k, k)) for k in labels if (old.get(k) or "") != (fiche.get(k) or "")]
        for key, label in (
            ("partners", _("partenaires")),
            ("steps", _("calendrier")),
            ("engagements", _("engagements")),
        ):
            if old.get(key) != fiche.get(key):
                edited.append(str(label))
        if edited:
            add(
                _("%(name)s · contenu") % {"name": name},
                _("adopté"),
                _("modifié : %(fields)s") % {"fields": ", ".join(edited)},
            )
    if not partial:
        for pk in before_f.keys() - after_f.keys():
            fiche = before_f[pk]
            add(_("Fiche %(ref)s") % {"ref": fiche["ref"]}, f"«\u00a0{fiche['title']}\u00a0»", _("supprimée"))
        before_plan, after_plan = adopted.get("plan", {}), live.get("plan", {})
        for key, label in (("cost", _("Coût total de la feuille de route")), ("financed", _("Total financé"))):
            if Decimal(str(before_plan.get(key, 0))) != Decimal(str(after_plan.get(key, 0))):
                add(label, _money(before_plan.get(key)), _money(after_plan.get(key)))
    return changes


def revision(roadmap: Roadmap, document: dict[str, Any], partial: bool = False) -> dict[str, Any] | None:
    """The roadmap's last adopted version and how `document` (of the live roadmap) departs from it."""
    version = RoadmapVersion.objects.filter(roadmap=roadmap).order_by("-number").first()
    if version is None:
        return None
    changes = compare(version.snapshot, document, partial)
    adopted_on: date = version.adopted_on
    return {
        "version": version.number,
        "adopted_on": adopted_on.isoformat(),
        "adopted_on_text": french_date(adopted_on),
        "adopted_by": version.adopted_by,
        "deliberation_number": version.deliberation_number,
        "modified": bool(changes),
        "changes": changes,
        # The mark of every page of a working version.
        "mark": _("Version de travail — modifiée depuis l'adoption du %(date)s") % {"date": french_date(adopted_on)},
    }
