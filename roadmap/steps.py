"""The 7 steps of the method as the roadmap's main navigation, each with what is done and what is missing: the step
registry.

The spine defines the seven steps (the method's frame) and reports what it knows itself (communes, members, enjeux,
chantiers, défis, actions). Every other app declares the steps it serves on its AppConfig (`method_steps = (3,)`)
and reports its progress in `<app>/progress.py` with `@step_contributor(3)`; those modules are found at start-up
(`autodiscover`), so the spine never imports a step app. A contributor must use a fixed number of queries.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from roadmap.models import Action, Chantier, Defi, Enjeu, Roadmap


@dataclass
class Link:
    label: str | Promise
    url: str
    # Who the link is shown to: a page that would answer 403, or an action the member cannot perform, is left
    # out of the steps rather than offered. The permission (tenancy.access.PERMISSIONS) it needs: "" every member,
    # "edit" edit content, "workshops" run workshops, "admin" manage members.
    requires: Literal["", "edit", "workshops", "admin"] = ""


@dataclass
class Step:
    number: int
    title: str | Promise
    app: str
    summary: str | Promise
    done: list[str] = field(default_factory=list)
    missing: list[str | Promise] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    # When the step is « Fait », in words a référent would accept (shown beside the status; STEP_DEFINITIONS).
    definition: str | Promise = ""

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


# The method's seven steps: number, title, summary.
METHOD_STEPS: tuple[tuple[int, Promise, Promise], ...] = (
    (
        1,
        _("Organiser la démarche"),
        _("Constituer le groupe projet, fixer le mandat, le calendrier et la gouvernance."),
    ),
    (
        2,
        _("Connaître le sujet"),
        _("Partager une définition commune de l'inclusion numérique et les représentations de chacun."),
    ),
    (
        3,
        _("Définir les enjeux"),
        _("Croiser le diagnostic chiffré et les ateliers participatifs pour formuler les enjeux en questions."),
    ),
    (
        4,
        _("Chantiers et ressources"),
        _("Passer des enjeux aux chantiers clés, évaluer leur faisabilité et cartographier les ressources."),
    ),
    (
        5,
        _("S'inspirer"),
        _("Découvrir des expériences d'autres territoires, visiter, échanger avec leurs porteurs."),
    ),
    (
        6,
        _("Formaliser la feuille de route"),
        _("Rédiger défis et fiches actions, chiffrer, faire adopter par l'assemblée délibérante."),
    ),
    (
        7,
        _("Évaluer"),
        _("Cadrer l'évaluation, suivre les indicateurs dans le temps, rendre compte."),
    ),
)
STEP_NUMBERS = tuple(number for number, _title, _summary in METHOD_STEPS)

# What « Fait » means for each step: every point below is checked by the step's contributors (here and in the step
# apps' progress.py), and anything missing is listed under « En cours ». Tested in tests/roadmap/test_step_status.py.
STEP_DEFINITIONS: dict[int, Promise] = {
    1: _(
        "Fait quand le territoire a ses communes, que l'organisation compte au moins deux membres, que le groupe "
        "projet est constitué avec son référent technique, que le mandat et les critères de réussite sont écrits, "
        "que le calendrier de la démarche est fixé et qu'aucun jalon n'est en retard."
    ),
    2: _(
        "Fait quand la définition commune de l'inclusion numérique est adoptée en réunion et qu'un tour de table a "
        "recueilli au moins une réponse."
    ),
    3: _("Fait quand au moins un enjeu est formulé sous forme de question « Comment… ? »."),
    4: _(
        "Fait quand chaque enjeu a ses chantiers prioritaires, choisis par son groupe à l'atelier chantiers clés, "
        "avec leur fiche remplie (« on aura réussi si… », pilote, faisabilité), et que chaque chantier répond à au "
        "moins un enjeu et porte au moins une action."
    ),
    5: _("Fait quand des expériences d'autres territoires sont reprises dans la feuille de route."),
    6: _(
        "Fait quand des défis et des fiches actions sont rédigés, que chaque enjeu a un défi qui y répond, que "
        "chaque fiche action a un pilote et un budget, et que la feuille de route est adoptée."
    ),
    7: _(
        "Fait quand l'évaluation est cadrée, que la théorie du changement a ses six cases, que la question "
        "évaluative est formulée, que chaque indicateur remplit les quatre critères, qu'au moins une valeur est "
        "relevée et que les fiches actions sont suivies."
    ),
}


class Steps:
    """The seven steps of one roadmap, looked up by their number in the method (`steps[3]`), never by position."""

    def __init__(self, steps: list[Step]) -> None:
        self._by_number = {step.number: step for step in steps}

    def __getitem__(self, number: int) -> Step:
        return self._by_number[number]

    def __iter__(self) -> Iterator[Step]:
        return iter(self._by_number.values())

    def __len__(self) -> int:
        return len(self._by_number)

    def get(self, number: int) -> Step | None:
        return self._by_number.get(number)


Contributor = Callable[[Step, Roadmap], None]


@dataclass(frozen=True)
class Contribution:
    app_label: str
    step: int
    contribute: Contributor


_registry: list[Contribution] = []


def declared_steps(app_label: str) -> tuple[int, ...]:
    """The steps an app serves, from its AppConfig's `method_steps`."""
    return tuple(getattr(apps.get_app_config(app_label), "method_steps", ()))


def step_contributor(step: int) -> Callable[[Contributor], Contributor]:
    """Registers `contribute(step, roadmap)` for one step; its app must declare that step on its AppConfig."""

    def register(contribute: Contributor) -> Contributor:
        config = apps.get_containing_app_config(contribute.__module__)
        if config is None:
            raise ImproperlyConfigured(f"{contribute.__module__} is not in an installed app")
        if step not in getattr(config, "method_steps", ()):
            raise ImproperlyConfigured(
                f"{config.label} contributes to step {step} but declares method_steps = "
                f"{getattr(config, 'method_steps', ())!r} on its AppConfig"
            )
        contribution = Contribution(config.label, step, contribute)
        if contribution not in _registry:
            _registry.append(contribution)
        return contribute

    return register


def contributions() -> list[Contribution]:
    """Registered contributions, in the order of INSTALLED_APPS (a stable order for the pages and the tests)."""
    order = {config.label: index for index, config in enumerate(apps.get_app_configs())}
    return sorted(_registry, key=lambda c: order.get(c.app_label, len(order)))


def step_apps(number: int) -> list[str]:
    """The apps that declare a step, in the order of INSTALLED_APPS."""
    return [c.label for c in apps.get_app_configs() if number in getattr(c, "method_steps", ())]


def roadmap_steps(roadmap: Roadmap) -> Steps:
    """The seven steps, computed in a fixed number of queries."""
    subquery_counts = {
        "enjeux": _count(Enjeu.objects.all()),
        "defis": _count(Defi.objects.all()),
        "chantiers": _count(Chantier.objects.all()),
        "actions": _count(Action.objects.all()),
        "enjeux_without_defi": _count(Enjeu.objects.filter(defis__isnull=True)),
        "chantiers_without_action": _count(Chantier.objects.filter(actions__isnull=True)),
        "chantiers_without_enjeu": _count(Chantier.objects.filter(enjeux__isnull=True)),
        "actions_without_pilot": _count(Action.objects.without_pilot()),
        "actions_without_budget": _count(Action.objects.without_budget()),
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

    steps = Steps(
        [
            Step(
                number,
                title,
                next(iter(step_apps(number)), "roadmap"),
                summary,
                definition=STEP_DEFINITIONS.get(number, ""),
            )
            for number, title, summary in METHOD_STEPS
        ]
    )
    s1, s3, s4, s6 = steps[1], steps[3], steps[4], steps[6]

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
    s1.links.append(Link(_("Le territoire"), url("territories:territory_detail", territory_pk=roadmap.territory_id)))
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
        if counts["chantiers_without_enjeu"]:
            s4.missing.append(
                n(
                    "%(count)d chantier ne répond à aucun enjeu",
                    "%(count)d chantiers ne répondent à aucun enjeu",
                    counts["chantiers_without_enjeu"],
                )
            )
    else:
        s4.missing.append(_("Identifiez les chantiers clés qui répondent aux enjeux."))
    s4.links.append(Link(_("Les chantiers"), url("roadmap:chantier_list")))

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
    if counts["actions_without_pilot"]:
        s6.missing.append(
            n(
                "%(count)d fiche action sans pilote",
                "%(count)d fiches actions sans pilote",
                counts["actions_without_pilot"],
            )
        )
    if counts["actions_without_budget"]:
        s6.missing.append(
            n(
                "%(count)d fiche action sans budget",
                "%(count)d fiches actions sans budget",
                counts["actions_without_budget"],
            )
        )
    if roadmap.status in (Roadmap.Status.ADOPTEE, Roadmap.Status.EN_MISE_EN_OEUVRE):
        s6.done.append(str(_("Feuille de route adoptée")))
    else:
        s6.missing.append(_("Faites adopter la feuille de route par l'assemblée délibérante."))
    s6.links += [
        Link(_("Les défis"), url("roadmap:defi_list")),
        Link(_("Organiser les défis"), url("roadmap:defi_board")),
        Link(_("Les actions"), url("roadmap:action_list")),
        Link(_("La chaîne complète"), url("roadmap:chain")),
    ]

    for contribution in contributions():
        contribution.contribute(steps[contribution.step], roadmap)

    for step in steps:
        step.links.insert(0, Link(_("Ouvrir l'étape"), url("roadmap:step", number=step.number, **pk)))
    return steps
