"""The 7 steps of the method as the roadmap's main navigation, each with what is done and what is missing."""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Any, Literal

from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from roadmap.models import Action, Chantier, Defi, Enjeu, Roadmap

# Apps that may contribute to the steps' status through <app>/progress.py, in this order.
PROGRESS_APPS = ("projectgroup", "diagnostics", "workshops", "chantiers", "inspiration", "roadmap", "evaluation")


@dataclass
class Link:
    label: str | Promise
    url: str
    # Who the link is shown to: a page that would answer 403, or an action the member cannot perform, is left
    # out of the steps rather than offered ("": every member, "edit": editors, "admin": administrators).
    requires: Literal["", "edit", "admin"] = ""


@dataclass
class Step:
    number: int
    title: str | Promise
    app: str
    summary: str | Promise
    done: list[str] = field(default_factory=list)
    missing: list[str | Promise] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)

    @property
    def status(self) -> str:
        if self.done and not self.missing:
            return "complete"
        if self.done:
            return "in_progress"
        return "todo"

    @property
    def status_label(self) -> Promise:
        return {
            "complete": _("Fait"),
            "in_progress": _("En cours"),
            "todo": _("À faire"),
        }[self.status]


def _count(queryset: QuerySet[Any]) -> Coalesce:
    """A scalar subquery counting the rows of `queryset` in the outer roadmap (no cross-product joins)."""
    per_roadmap = (
        queryset.filter(roadmap=OuterRef("pk")).order_by().values("roadmap").annotate(c=Count("pk")).values("c")
    )
    return Coalesce(Subquery(per_roadmap), 0)


def roadmap_steps(roadmap: Roadmap) -> list[Step]:
    """The seven steps, computed in a fixed number of queries."""
    subquery_counts = {
        "enjeux": _count(Enjeu.objects.all()),
        "defis": _count(Defi.objects.all()),
        "chantiers": _count(Chantier.objects.all()),
        "actions": _count(Action.objects.all()),
        "enjeux_without_defi": _count(Enjeu.objects.filter(defis__isnull=True)),
        "chantiers_without_action": _count(Chantier.objects.filter(actions__isnull=True)),
    }
    # Annotation names must not clash with the reverse relations (roadmap.enjeux…), hence the prefix.
    annotated = Roadmap.objects.filter(pk=roadmap.pk).annotate(**{f"n_{k}": v for k, v in subquery_counts.items()})
    row = annotated.values(*(f"n_{k}" for k in subquery_counts)).get()
    counts: dict[str, int] = {k: row[f"n_{k}"] for k in subquery_counts} | {
        "communes": roadmap.territory.communes.count(),
        "members": roadmap.organization.memberships.count(),
    }
    pk = {"roadmap_pk": roadmap.pk}

    def url(name: str, **kwargs: int) -> str:
        return reverse(name, kwargs=kwargs or pk)

    def n(singular: str, plural: str, count: int) -> str:
        return ngettext(singular, plural, count) % {"count": count}

    steps = [
        Step(
            1,
            _("Organiser la démarche"),
            "projectgroup",
            _("Constituer le groupe projet, fixer le mandat, le calendrier et la gouvernance."),
        ),
        Step(
            2,
            _("Connaître le sujet"),
            "projectgroup",
            _("Partager une définition commune de l'inclusion numérique et les représentations de chacun."),
        ),
        Step(
            3,
            _("Définir les enjeux"),
            "diagnostics",
            _("Croiser le diagnostic chiffré et les ateliers participatifs pour formuler les enjeux en questions."),
        ),
        Step(
            4,
            _("Chantiers et ressources"),
            "chantiers",
            _("Passer des enjeux aux chantiers clés, évaluer leur faisabilité et cartographier les ressources."),
        ),
        Step(
            5,
            _("S'inspirer"),
            "inspiration",
            _("Découvrir des expériences d'autres territoires, visiter, échanger avec leurs porteurs."),
        ),
        Step(
            6,
            _("Formaliser la feuille de route"),
            "roadmap",
            _("Rédiger défis et fiches actions, chiffrer, faire adopter par l'assemblée délibérante."),
        ),
        Step(
            7,
            _("Évaluer"),
            "evaluation",
            _("Cadrer l'évaluation, suivre les indicateurs dans le temps, rendre compte."),
        ),
    ]
    s1, s2, s3, s4, s5, s6, s7 = steps

    if counts["communes"]:
        s1.done.append(
            n(
                "Territoire de %(count)d commune défini",
                "Territoire de %(count)d communes défini",
                counts["communes"],
            )
        )
    else:
        s1.missing.append(_("Indiquez les communes du territoire."))
    s1.links.append(Link(_("Le territoire"), url("roadmap:territory_detail", territory_pk=roadmap.territory_id)))
    if counts["members"] > 1:
        s1.done.append(
            n(
                "%(count)d membre dans l'organisation",
                "%(count)d membres dans l'organisation",
                counts["members"],
            )
        )
    else:
        s1.missing.append(_("Invitez les membres du groupe projet (élus, agents, partenaires)."))
    s1.links.append(Link(_("Les membres"), reverse("tenancy:members"), requires="admin"))
    s1.missing.append(_("Le module « groupe projet » (mandat, calendrier, gouvernance) arrive bientôt."))

    # Step 2's tour de table and step 3's diagnostic import are reported by workshops/ and diagnostics/.

    if counts["enjeux"]:
        s3.done.append(n("%(count)d enjeu formulé", "%(count)d enjeux formulés", counts["enjeux"]))
    else:
        s3.missing.append(_("Formulez les enjeux du territoire sous forme de questions « Comment … ? »."))
    s3.links.append(Link(_("Les enjeux"), url("roadmap:enjeu_list")))

    if counts["chantiers"]:
        s4.done.append(n("%(count)d chantier", "%(count)d chantiers", counts["chantiers"]))
        if counts["chantiers_without_action"]:
            s4.missing.append(
                n(
                    "%(count)d chantier sans action",
                    "%(count)d chantiers sans action",
                    counts["chantiers_without_action"],
                )
            )
    else:
        s4.missing.append(_("Identifiez les chantiers clés qui répondent aux enjeux."))
    s4.links.append(Link(_("Les chantiers"), url("roadmap:chantier_list")))

    s5.missing.append(_("Repérez des expériences inspirantes d'autres territoires."))

    if counts["defis"]:
        s6.done.append(n("%(count)d défi", "%(count)d défis", counts["defis"]))
    else:
        s6.missing.append(_("Regroupez les chantiers en défis (axes stratégiques)."))
    if counts["actions"]:
        s6.done.append(n("%(count)d action", "%(count)d actions", counts["actions"]))
    else:
        s6.missing.append(_("Décrivez les actions de chaque chantier."))
    if counts["enjeux_without_defi"]:
        s6.missing.append(
            n(
                "%(count)d enjeu auquel aucun défi ne répond",
                "%(count)d enjeux auxquels aucun défi ne répond",
                counts["enjeux_without_defi"],
            )
        )
    if roadmap.status in (Roadmap.Status.ADOPTEE, Roadmap.Status.EN_MISE_EN_OEUVRE):
        s6.done.append(str(_("Feuille de route adoptée")))
    else:
        s6.missing.append(_("Faites adopter la feuille de route par l'assemblée délibérante."))
    s6.links += [
        Link(_("Les défis"), url("roadmap:defi_list")),
        Link(_("Les actions"), url("roadmap:action_list")),
        Link(_("La chaîne complète"), url("roadmap:chain")),
    ]

    s7.missing.append(_("Cadrez l'évaluation : question évaluative, indicateurs, calendrier de collecte."))

    # Each step's app may add what it knows (e.g. workshops held, diagnostic imported): <app>/progress.py
    # defines `contribute(steps, roadmap)`, which must use a fixed number of queries.
    for app in PROGRESS_APPS:
        try:
            progress = importlib.import_module(f"{app}.progress")
        except ModuleNotFoundError as error:
            if error.name != f"{app}.progress":
                raise
            continue
        progress.contribute(steps, roadmap)

    for step in steps:
        step.links.insert(0, Link(_("Ouvrir l'étape"), url("roadmap:step", number=step.number, **pk)))
    return steps
