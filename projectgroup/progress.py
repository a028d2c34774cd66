"""Steps 1 and 2: what the groupe projet module reports on the roadmap's home, in one query for both steps."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Count, Max, Min, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from documents.typography import french_date
from projectgroup.models import DefinitionVersion, GroupMember, GroupRole, Mandate, Meeting, Milestone, Objective
from roadmap.models import Roadmap
from roadmap.steps import Link, Step, step_contributor

# Step 1's contributor reads the figures of both steps and leaves step 2's here for step 2's contributor, which
# runs next in the same roadmap_steps() call (contributors run in registration order within an app).
_CACHE = "_projectgroup_progress"


def _per_roadmap(queryset: QuerySet[Any], aggregate: Any) -> Coalesce | Subquery:
    """A scalar subquery of `aggregate` over the rows of `queryset` in the outer roadmap (no cross-product joins)."""
    rows = queryset.filter(roadmap=OuterRef("pk")).order_by().values("roadmap").annotate(v=aggregate).values("v")
    return Coalesce(Subquery(rows), 0) if isinstance(aggregate, Count) else Subquery(rows)


def _figures(roadmap: Roadmap) -> dict[str, Any]:
    """Everything steps 1 and 2 report, in one query."""
    today = timezone.localdate()
    annotations: dict[str, Any] = {
        "members": _per_roadmap(GroupMember.objects.all(), Count("pk")),
        "technique": _per_roadmap(GroupMember.objects.filter(role=GroupRole.REFERENT_TECHNIQUE), Count("pk")),
        "objectives": _per_roadmap(Objective.objects.all(), Count("pk")),
        "milestones": _per_roadmap(Milestone.objects.all(), Count("pk")),
        "meetings": _per_roadmap(Meeting.objects.all(), Count("pk")),
        "mandate": _per_roadmap(Mandate.objects.exclude(text=""), Count("pk")),
        "versions": _per_roadmap(DefinitionVersion.objects.all(), Count("pk")),
        "adopted": _per_roadmap(DefinitionVersion.objects.filter(adopted_at__isnull=False), Count("pk")),
    }
    for number in (1, 2):
        steps = Milestone.objects.filter(step=number)
        annotations |= {
            f"start{number}": _per_roadmap(steps, Min("planned_start")),
            f"end{number}": _per_roadmap(steps, Max("planned_end")),
            f"late{number}": _per_roadmap(steps.filter(actual_date=None, planned_end__lt=today), Count("pk")),
            f"open{number}": _per_roadmap(steps.filter(actual_date=None), Count("pk")),
        }
    # Annotation names must not clash with the roadmap's relations (roadmap.milestones…), hence the prefix.
    row = Roadmap.objects.filter(pk=roadmap.pk).annotate(**{f"pg_{k}": v for k, v in annotations.items()})
    values = row.values(*(f"pg_{k}" for k in annotations)).get()
    return {key.removeprefix("pg_"): value for key, value in values.items()}


def step_dates(step: Step, figures: dict[str, Any]) -> None:
    """The planned span of the step on its card, and whether it is late."""
    start: datetime.date | None = figures[f"start{step.number}"]
    end: datetime.date | None = figures[f"end{step.number}"]
    if end is None:
        return
    text = _("Prévue du %(start)s au %(end)s") % {
        "start": french_date(start or end),
        "end": french_date(end),
    }
    if figures[f"late{step.number}"]:
        step.missing.append(_("%(dates)s : en retard") % {"dates": text})
    elif figures[f"open{step.number}"]:
        step.done.append(text)
    else:
        step.done.append(_("%(dates)s : atteinte") % {"dates": text})


@step_contributor(1)
def organise(step: Step, roadmap: Roadmap) -> None:
    """One query, for steps 1 and 2."""
    counts = _figures(roadmap)
    setattr(roadmap, _CACHE, counts)
    if counts["members"]:
        step.done.append(
            ngettext("Groupe projet : %(count)d membre", "Groupe projet : %(count)d membres", counts["members"])
            % {"count": counts["members"]}
        )
    else:
        step.missing.append(
            gettext_lazy("Constituez le groupe projet : une dizaine de personnes, chacune avec son rôle.")
        )
    if counts["members"] and not counts["technique"]:
        step.missing.append(gettext_lazy("Désignez le référent technique de la démarche."))
    if counts["mandate"] and counts["objectives"]:
        step.done.append(_("Mandat et objectifs écrits"))
    else:
        step.missing.append(gettext_lazy("Écrivez le mandat du groupe et ce qui dira que la démarche a réussi."))
    if not counts["milestones"]:
        step.missing.append(gettext_lazy("Fixez le calendrier de la démarche."))
    if counts["meetings"]:
        step.done.append(
            ngettext("%(count)d réunion au calendrier", "%(count)d réunions au calendrier", counts["meetings"])
            % {"count": counts["meetings"]}
        )
    step_dates(step, counts)
    pk = {"roadmap_pk": roadmap.pk}
    step.links.append(Link(gettext_lazy("Groupe projet et mandat"), reverse("projectgroup:group", kwargs=pk)))
    step.links.append(Link(gettext_lazy("Calendrier de la démarche"), reverse("projectgroup:calendar", kwargs=pk)))
    step.links.append(Link(gettext_lazy("Réunions"), reverse("projectgroup:meeting_list", kwargs=pk)))
    step.links.append(Link(gettext_lazy("Annuaire des acteurs"), reverse("projectgroup:actor_list")))


@step_contributor(2)
def shared_language(step: Step, roadmap: Roadmap) -> None:
    """No query after step 1's contributor (one when called alone)."""
    counts = roadmap.__dict__.pop(_CACHE, None) or _figures(roadmap)
    if counts["adopted"]:
        step.done.append(_("Définition commune adoptée"))
    elif counts["versions"]:
        step.missing.append(gettext_lazy("Faites adopter la définition commune lors d'une réunion."))
    else:
        step.missing.append(gettext_lazy("Rédigez une première définition commune de l'inclusion numérique."))
    step_dates(step, counts)
    pk = {"roadmap_pk": roadmap.pk}
    step.links.append(Link(gettext_lazy("Définition commune"), reverse("projectgroup:definition", kwargs=pk)))
    step.links.append(Link(gettext_lazy("Chiffres clés à projeter"), reverse("projectgroup:key_figures", kwargs=pk)))
